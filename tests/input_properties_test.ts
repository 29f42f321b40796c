/**
 * Properties of building a sampling request, each checked on 10 000 inputs
 * drawn by fast-check (which shrinks a failure to a minimal counterexample
 * and prints its seed and path; see tests/_property.ts to replay one):
 *
 * - the builder is total: any value gives a valid request or a
 *   `ValidationError`, never another exception, never an invalid body;
 * - every valid input's body is sent exactly, in wire field order;
 * - the three validators agree: the fast check (`lib/core/_fast_check.ts`) never
 *   says yes where zod (`lib/core/schemas.ts`, the reference) says no, and the
 *   hand-written collect-all validator (`lib/core/check_input.ts`) accepts
 *   exactly what zod accepts and reports exactly zod's issues.
 */
import { assert, assertEquals } from "@std/assert";
import {
  buildSamplingRequest,
  isLightlyError,
  SamplingCreateRequestSchema,
  SamplingInputSchema,
  ValidationError,
} from "../mod.ts";
import { isCertainlyValidInput } from "../lib/core/_fast_check.ts";
import { collectInputIssues } from "../lib/core/check_input.ts";
import type { ValidationIssue } from "../lib/core/errors.ts";
import { fromZodIssues } from "../lib/core/validate.ts";
import { RULES } from "../lib/core/rules.ts";
import {
  getterInput,
  hostileValue,
  nearBoundaryInput,
  validInput,
} from "./_arbitraries.ts";
import { checkProperty, fc, isReplay } from "./_property.ts";

const RUNS = 10_000;

type Obj = Record<string, unknown>;

const SAMPLING_URL =
  /^https:\/\/api\.lightly\.ai\/v1\/datasets\/[a-f0-9]{24}\/embeddings\/[a-f0-9]{24}\/sampling$/;

/** Throws unless `request` is a request the API accepts. */
function assertValidRequest(request: unknown): void {
  const r = request as { method: string; url: string; body: string };
  assert(Object.isFrozen(request), "the request is not frozen");
  assertEquals(r.method, "POST");
  assert(SAMPLING_URL.test(r.url), `bad URL ${r.url}`);
  const body = JSON.parse(r.body);
  assertEquals(JSON.stringify(body), r.body, "the body is not canonical JSON");
  const parsed = SamplingCreateRequestSchema.safeParse(body);
  assert(
    parsed.success,
    `the body breaks the API's rules: ${r.body}\n${
      JSON.stringify(parsed.error?.issues)
    }`,
  );
}

/** A request that is valid, or a ValidationError: nothing else. */
function buildIsTotal(x: unknown): void {
  let request: unknown;
  try {
    request = buildSamplingRequest(x as never);
  } catch (error) {
    if (!(error instanceof ValidationError)) {
      throw new Error(
        `threw ${Deno.inspect(error)} instead of a ValidationError`,
      );
    }
    assert(isLightlyError(error, "validation"));
    assert(error.issues.length > 0, "a validation error without issues");
    for (const issue of error.issues) {
      assert(typeof issue.path === "string" && typeof issue.rule === "string");
    }
    return;
  }
  assertValidRequest(request);
}

Deno.test("buildSamplingRequest() is total: any value gives a valid request or a ValidationError, nothing else", (t) => {
  checkProperty(fc.property(hostileValue, buildIsTotal), RUNS, t);
});

Deno.test("buildSamplingRequest() is total on inputs whose getters throw or change their answer, and on throwing Proxy traps", (t) => {
  checkProperty(
    fc.property(getterInput, (hostile) => buildIsTotal(hostile.input)),
    RUNS,
    t,
  );
});

/** The body in wire order, absent and undefined fields left out. */
function wireOrder(body: Obj): Obj {
  const out: Obj = {};
  const put = (o: Obj, k: string, v: unknown) => {
    if (v !== undefined) o[k] = v;
  };
  put(out, "newTagName", body.newTagName);
  put(out, "method", body.method);
  const config = body.config as Obj;
  const wireConfig: Obj = {};
  const sc = config.stoppingCondition as Obj | undefined;
  if (sc !== undefined) {
    const wireSc: Obj = {};
    put(wireSc, "nSamples", sc.nSamples);
    put(wireSc, "minDistance", sc.minDistance);
    wireConfig.stoppingCondition = wireSc;
  }
  out.config = wireConfig;
  put(out, "preselectedTagId", body.preselectedTagId);
  put(out, "queryTagId", body.queryTagId);
  put(out, "scoreType", body.scoreType);
  put(out, "rowCount", body.rowCount);
  return out;
}

Deno.test("buildSamplingRequest() sends every valid input's body exactly, in wire field order", (t) => {
  checkProperty(
    fc.property(validInput, (input) => {
      // Every valid plain input takes the fast path, and every validator agrees.
      assert(isCertainlyValidInput(input), "the fast check said no");
      assertEquals(collectInputIssues(input), []);
      assert(SamplingInputSchema.safeParse(input).success, "zod said no");
      const request = buildSamplingRequest(input as never);
      assertEquals(
        request.body,
        JSON.stringify(wireOrder(input.body as Obj)),
      );
      assertEquals(
        request.url,
        `https://api.lightly.ai/v1/datasets/${input.datasetId}/embeddings/${input.embeddingId}/sampling`,
      );
      assertEquals(request.method, "POST");
    }),
    RUNS,
    t,
  );
});

const TYPE_RULES: readonly string[] = [
  RULES.string,
  RULES.object,
  RULES.number,
  RULES.required,
];
const LENGTH_RULES: readonly string[] = [
  RULES.tagNameLength,
  RULES.scoreTypeLength,
];

/**
 * zod 4 still runs a string's `.min()` on an array after saying it is not a
 * string (arrays have a length too), so `newTagName: ["x"]` also gets "must
 * be at least 3 characters long". The builder reports the type alone: drop
 * zod's extra length issue at a path that already has a type issue.
 */
function withoutZodLengthQuirk(issues: ValidationIssue[]): ValidationIssue[] {
  const typed = new Set(
    issues.filter((i) => TYPE_RULES.includes(i.rule)).map((i) => i.path),
  );
  return issues.filter((i) =>
    !(LENGTH_RULES.includes(i.rule) && typed.has(i.path))
  );
}

function issueKey(i: ValidationIssue): string {
  return `${i.path} | ${i.rule} | ${i.received ?? ""}`;
}

/** A deep copy without undefined fields, with -0 as 0 (JSON has no -0). */
function withoutUndefined(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (typeof value !== "object" || value === null) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== undefined) out[k] = withoutUndefined(v);
  }
  return out;
}

Deno.test("the fast check, the hand-written validator and zod agree on every input, and on every issue", (t) => {
  const seen = { valid: 0, invalid: 0, fast: 0 };
  checkProperty(
    fc.property(
      fc.oneof(
        { weight: 9, arbitrary: nearBoundaryInput },
        { weight: 1, arbitrary: hostileValue },
      ),
      (x) => {
        const parsed = SamplingInputSchema.safeParse(x);
        const fast = isCertainlyValidInput(x);
        if (fast) {
          seen.fast++;
          assert(
            parsed.success,
            "the fast check said yes where zod says no: " +
              JSON.stringify(parsed.error?.issues),
          );
        }
        const issues = collectInputIssues(x);
        let request: { url: string; body: string } | undefined;
        let thrown: unknown;
        try {
          request = buildSamplingRequest(x as never);
        } catch (error) {
          thrown = error;
        }
        if (!parsed.success) {
          seen.invalid++;
          if (!isLightlyError(thrown, "validation")) {
            throw new Error(
              `zod refused an input the builder did not refuse (${thrown})`,
            );
          }
          // The hand-written validator reports exactly zod's issues: same
          // paths, rules and shown values (order aside), and so does the builder.
          const expected = withoutZodLengthQuirk(
            fromZodIssues(parsed.error.issues, x, "body"),
          ).map(issueKey).sort();
          assertEquals(issues.map(issueKey).sort(), expected);
          assertEquals(thrown.issues.map(issueKey).sort(), expected);
          return;
        }
        seen.valid++;
        assertEquals(issues, [], "zod accepted an input the validator refused");
        if (request === undefined) {
          throw new Error(
            `zod accepted an input the builder refused: ${thrown}`,
          );
        }
        const data = parsed.data;
        assertEquals(JSON.parse(request.body), withoutUndefined(data.body));
        assertEquals(
          request.body,
          JSON.stringify(wireOrder(data.body as never)),
        );
      },
    ),
    RUNS,
    t,
  );
  if (isReplay()) return;
  // The inputs sit on the boundary: plenty of both outcomes, and the fast
  // path is taken for most valid inputs.
  assert(seen.valid > RUNS / 5, `only ${seen.valid} valid inputs`);
  assert(seen.invalid > RUNS / 5, `only ${seen.invalid} invalid inputs`);
  assert(
    seen.fast > seen.valid / 2,
    `fast path taken for ${seen.fast} of ${seen.valid} valid inputs`,
  );
});
