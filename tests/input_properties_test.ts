/**
 * Properties of building a sampling request, each checked on 10 000 inputs
 * drawn by fast-check (which shrinks a failure to a minimal counterexample
 * and prints its seed and path; see tests/_property.ts to replay one):
 *
 * - the builder is total: any value gives a valid request or a
 *   `ValidationError`, never another exception, never an invalid body;
 * - every valid input's body is sent exactly, in wire field order;
 * - the rules table's two modes agree: the early-exit check says yes exactly
 *   when the collect-all check finds no issue, and the builder refuses
 *   exactly those inputs, with exactly those issues; on plain JSON inputs
 *   they refuse exactly what an independent oracle refuses (the stub's
 *   server-side rules, `lib/stub/api_rules.ts`, and the documented ranges).
 */
import { assert, assertEquals } from "@std/assert";
import {
  buildSamplingRequest,
  isLightlyError,
  ValidationError,
} from "../mod.ts";
import type { ValidationIssue } from "../lib/core/errors.ts";
import {
  isObjectId,
  OBJECT_ID_PATTERN,
  SAMPLING_INPUT,
} from "../lib/core/rules.ts";
import { samplingRequestProblems } from "../lib/stub/api_rules.ts";
import {
  getterInput,
  hostileValue,
  nearBoundaryInput,
  validInput,
} from "./_arbitraries.ts";
import { checkProperty, fc, isReplay } from "./_property.ts";

const RUNS = 500;

type Obj = Record<string, unknown>;

const SAMPLING_URL =
  /^https:\/\/api\.lightly\.ai\/v1\/datasets\/[a-f0-9]{24}\/embeddings\/[a-f0-9]{24}\/sampling$/;

const OBJECT_ID = /^[a-f0-9]{24}$/;

/**
 * What the API's documentation says of the numbers, where the stub (which,
 * like the API, takes any JSON number) is silent: written here, not taken
 * from the code under test.
 */
function numberProblems(body: Obj): string[] {
  const problems: string[] = [];
  const sc = (body.config as Obj | undefined)?.stoppingCondition as
    | Obj
    | undefined;
  const n = sc?.nSamples;
  if (
    typeof n === "number" &&
    !(n === -1 || (n > 0 && n <= 1) || (n > 1 && Number.isSafeInteger(n)))
  ) problems.push("nSamples");
  const d = sc?.minDistance;
  if (typeof d === "number" && !(d === -1 || d >= 0)) {
    problems.push("minDistance");
  }
  const r = body.rowCount;
  if (typeof r === "number" && !(r >= 1 && Number.isSafeInteger(r))) {
    problems.push("rowCount");
  }
  return problems;
}

/** Every problem an independent oracle finds in a plain JSON input. */
function oracleProblems(x: unknown): string[] {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return ["input"];
  const input = x as Obj;
  const problems = Object.keys(input).filter((k) =>
    !["datasetId", "embeddingId", "body"].includes(k)
  );
  for (const id of ["datasetId", "embeddingId"]) {
    const v = input[id];
    if (typeof v !== "string" || !OBJECT_ID.test(v)) problems.push(id);
  }
  problems.push(...samplingRequestProblems(input.body));
  if (typeof input.body === "object" && input.body !== null) {
    problems.push(...numberProblems(input.body as Obj));
  }
  return problems;
}

/**
 * Whether the oracle reads `x` as the builder does: no enumerable key comes
 * from a prototype (the oracle, like a server, sees own keys only). Symbol
 * keys, `undefined` values, `NaN` and the like are fine: both see them alike.
 */
function isOwnData(x: unknown, depth = 0): boolean {
  if (typeof x !== "object" || x === null) return typeof x !== "function";
  if (depth > 16) return false;
  for (const key in x) if (!Object.hasOwn(x, key)) return false;
  return Object.values(x).every((v) => isOwnData(v, depth + 1));
}

/** Throws unless `request` is a request the API accepts. */
function assertValidRequest(request: unknown): void {
  const r = request as { method: string; url: string; body: string };
  assert(Object.isFrozen(request), "the request is not frozen");
  assertEquals(r.method, "POST");
  assert(SAMPLING_URL.test(r.url), `bad URL ${r.url}`);
  const body = JSON.parse(r.body);
  assertEquals(JSON.stringify(body), r.body, "the body is not canonical JSON");
  const problems = [...samplingRequestProblems(body), ...numberProblems(body)];
  assertEquals(problems, [], `the body breaks the API's rules: ${r.body}`);
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
      // Every valid input passes both modes of the check, and the oracle.
      const snap = SAMPLING_INPUT.read(input);
      assert(SAMPLING_INPUT.check(snap), "the fast check said no");
      assertEquals(issuesOf(snap), []);
      assertEquals(oracleProblems(input), []);
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

function issuesOf(snap: unknown[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  SAMPLING_INPUT.check(snap, issues);
  return issues;
}

function issueKey(i: ValidationIssue): string {
  return `${i.path} | ${i.rule} | ${i.received ?? ""}`;
}

Deno.test("the fast check and the collect-all check agree on every input, and the builder refuses exactly what the API's rules refuse", (t) => {
  const seen = { valid: 0, invalid: 0, oracle: 0 };
  const { numRuns } = checkProperty(
    fc.property(
      fc.oneof(
        { weight: 9, arbitrary: nearBoundaryInput },
        { weight: 1, arbitrary: hostileValue },
      ),
      (x) => {
        const snap = SAMPLING_INPUT.read(x);
        const fast = SAMPLING_INPUT.check(snap);
        const issues = issuesOf(snap);
        assertEquals(
          fast,
          issues.length === 0,
          `the fast check said ${fast}, the collect-all check found ${
            JSON.stringify(issues)
          }`,
        );
        let request: { url: string; body: string } | undefined;
        let thrown: unknown;
        try {
          request = buildSamplingRequest(x as never);
        } catch (error) {
          thrown = error;
        }
        if (isOwnData(x)) {
          seen.oracle++;
          assertEquals(
            fast,
            oracleProblems(x).length === 0,
            `the oracle finds ${JSON.stringify(oracleProblems(x))}`,
          );
        }
        if (!fast) {
          seen.invalid++;
          if (!isLightlyError(thrown, "validation")) {
            throw new Error(`an input with issues was not refused (${thrown})`);
          }
          // The builder reports exactly the collect-all check's issues.
          assertEquals(
            thrown.issues.map(issueKey).sort(),
            issues.map(issueKey).sort(),
          );
          return;
        }
        seen.valid++;
        if (request === undefined) {
          throw new Error(`a valid input was refused: ${thrown}`);
        }
        assertValidRequest(request);
      },
    ),
    RUNS,
    t,
  );
  if (isReplay()) return;
  // The inputs sit on the boundary: plenty of both outcomes, most of them
  // data the oracle can judge.
  assert(seen.valid > numRuns / 5, `only ${seen.valid} valid inputs`);
  assert(seen.invalid > numRuns / 5, `only ${seen.invalid} invalid inputs`);
  assert(
    seen.oracle > numRuns / 2,
    `only ${seen.oracle} inputs judged by the oracle`,
  );
});

Deno.test("isObjectId() says exactly what OBJECT_ID_PATTERN says, for any string", (t) => {
  const near = fc.oneof(
    fc.string(),
    fc.string({
      unit: fc.constantFrom(..."0123456789abcdefABCDEFg\n "),
      minLength: 22,
      maxLength: 26,
    }),
  );
  checkProperty(
    fc.property(near, (s) => {
      assertEquals(isObjectId(s), OBJECT_ID_PATTERN.test(s), JSON.stringify(s));
    }),
    RUNS,
    t,
  );
});
