/**
 * Properties of handling whatever comes back, checked with fast-check on
 * an injected `fetch` (tests/_fake_fetch.ts) that answers any status, any
 * headers and any bytes — in chunks that end, break or stall — or rejects,
 * or never answers:
 *
 * - `triggerSampling()` and `getJobStatus()` are total: a result or a typed
 *   `LightlyError`, settled by the deadline, every body read or cancelled,
 *   never more than the 1 MiB cap (plus one chunk) pulled from a body;
 * - the cap holds whatever `Content-Length` claims;
 * - no 8-character fragment of the API key or bearer token survives in any
 *   error's message, stack, JSON or inspect output, whatever form the server
 *   echoes it in (raw, percent-, JSON- or HTML-escaped, cut anywhere).
 *
 * Fewer runs than the pure properties (see `RUNS_*`, about 1 to 2 ms a run
 * where the pure ones take 0.1 ms): each run goes through the whole HTTP
 * path, a stalled body waits out a real (10 ms) deadline, and the redaction
 * property prints every error with `Deno.inspect`.
 */
import { assert, assertEquals } from "@std/assert";
import {
  getJobStatus,
  isLightlyError,
  type LightlyAuth,
  triggerSampling,
  waitForJob,
} from "../mod.ts";
import { MAX_BODY_BYTES } from "../lib/core/http.ts";
import { JobStatusDataSchema } from "../schemas.ts";
import {
  type BodySpec,
  bodyText,
  describeSpecs,
  type FakeFetch,
  fakeFetch,
  type ResponseSpec,
  responseSpec,
  waitsForDeadline,
} from "./_fake_fetch.ts";
import { checkAsyncProperty, fc, printedForms } from "./_property.ts";
import { VALID } from "./_server.ts";
import { fakeClock } from "./_clock.ts";

/** Runs of the response totality property (about 1 ms each). */
const RUNS_RESPONSES = 250;
/** Runs of the Content-Length property (big bodies: a few ms each). */
const RUNS_LENGTH = 30;
/** Runs of the redaction property (three calls, every error printed: about 2 ms each). */
const RUNS_REDACTION = 100;

const BASE_URL = "http://127.0.0.1:9";
const JOB_ID = "0123456789abcdef01234567";
/** A call that has not settled this long after its deadline hangs. */
const HANG_MS = 10_000;

/** Settles `promise`, or says it hung; leaves no timer behind. */
async function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not settle within ${HANG_MS} ms`)),
      HANG_MS,
    );
  });
  try {
    return { ok: true, value: await Promise.race([promise, hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("did not settle")) {
      throw error;
    }
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Every body was read to its end, cancelled or errored; none over the cap. */
function assertBodiesSettled(fake: FakeFetch): void {
  for (const body of fake.bodies) {
    assert(
      body.state !== "open",
      "a body was left open (neither read nor cancelled)",
    );
    assert(
      body.pulled <= MAX_BODY_BYTES + 2 * body.largestChunk,
      `${body.pulled} bytes pulled from a body, over the ${MAX_BODY_BYTES}-byte cap`,
    );
  }
}

const TYPED_KINDS = [
  "api",
  "unexpected-response",
  "network",
  "timeout",
  "maybe-applied",
];

function assertTyped(error: unknown, kinds: readonly string[]): void {
  if (!isLightlyError(error)) {
    throw new Error(`not a LightlyError: ${Deno.inspect(error)}`);
  }
  assert(kinds.includes(error.kind), `unexpected kind ${error.kind}`);
}

const answers = (length: fc.Arbitrary<"absent" | "true" | string>) =>
  fc.array(responseSpec(length), { minLength: 1, maxLength: 3 });

async function triggerIsTotal(specs: ResponseSpec[]): Promise<FakeFetch> {
  const fake = fakeFetch(specs);
  const outcome = await settle(triggerSampling(VALID, {
    baseUrl: BASE_URL,
    auth: { apiKey: "k" },
    fetch: fake.fetch,
    timeoutMs: specs.some(waitsForDeadline) ? 10 : 60_000,
    retry: { clock: fakeClock() },
  }));
  const last = fake.served.at(-1)!;
  if (outcome.ok) {
    assert(
      typeof outcome.value.jobId === "string" && outcome.value.jobId !== "",
      "a result without a jobId",
    );
    assert(last.kind === "response" && last.status >= 200 && last.status < 300);
  } else {
    assertTyped(outcome.error, TYPED_KINDS);
    const e = outcome.error as { kind: string; status?: number };
    if (e.kind === "api" || e.kind === "unexpected-response") {
      assert(last.kind === "response" && e.status === last.status);
    }
  }
  return fake;
}

async function getJobStatusIsTotal(specs: ResponseSpec[]): Promise<FakeFetch> {
  const fake = fakeFetch(specs);
  const outcome = await settle(getJobStatus(JOB_ID, {
    baseUrl: BASE_URL,
    auth: { bearerToken: "t" },
    fetch: fake.fetch,
    timeoutMs: specs.some(waitsForDeadline) ? 10 : 60_000,
  }));
  if (outcome.ok) {
    assert(JobStatusDataSchema.safeParse(outcome.value).success);
    const last = fake.served.at(-1)!;
    assert(last.kind === "response" && last.status >= 200 && last.status < 300);
  } else {
    assertTyped(outcome.error, [
      "api",
      "unexpected-response",
      "network",
      "timeout",
    ]);
  }
  return fake;
}

Deno.test("triggerSampling() and getJobStatus() answer any status, headers and bytes with a result or a typed error, by the deadline, every body settled and capped", async (t) => {
  await checkAsyncProperty(
    fc.asyncProperty(
      answers(fc.constantFrom("absent", "true")),
      fc.boolean(),
      async (specs, trigger) => {
        const fake = trigger
          ? await triggerIsTotal(specs)
          : await getJobStatusIsTotal(specs);
        assertBodiesSettled(fake);
      },
    ),
    RUNS_RESPONSES,
    t,
  );
});

Deno.test("triggerSampling() and getJobStatus() never pull more than the 1 MiB cap from a body, whatever Content-Length claims", async (t) => {
  const lie = fc.oneof(
    fc.constantFrom("absent", "true", "0", "10", "abc", "-1", "1e3", " 5 "),
    fc.nat({ max: 2 * MAX_BODY_BYTES }).map(String),
  );
  const big = fc.record({
    status: fc.constantFrom(200, 400, 500),
    length: lie,
    chunkBytes: fc.constantFrom(1024, 64 * 1024),
    totalBytes: fc.constantFrom(MAX_BODY_BYTES + 1, 3 * MAX_BODY_BYTES),
    encoding: fc.constantFrom(undefined, "gzip", "identity"),
    trigger: fc.boolean(),
  });
  await checkAsyncProperty(
    fc.asyncProperty(big, async (b) => {
      const headers: [string, string][] = [];
      if (b.length === "true") {
        headers.push(["content-length", String(b.totalBytes)]);
      } else if (b.length !== "absent") {
        headers.push(["content-length", b.length]);
      }
      if (b.encoding) headers.push(["content-encoding", b.encoding]);
      const spec: ResponseSpec = {
        kind: "response",
        status: b.status,
        headers,
        body: {
          kind: "endless",
          chunkBytes: b.chunkBytes,
          totalBytes: b.totalBytes,
        },
      };
      const fake = b.trigger
        ? await triggerIsTotal([spec])
        : await getJobStatusIsTotal([spec]);
      assertBodiesSettled(fake);
    }),
    RUNS_LENGTH,
    t,
  );
});

// ------------------------------------------------------------ redaction

/** Printable ASCII but space: what an API key or token may be made of. */
const KEY_CHARS = [
  ..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  ...`&<>"'\\%+/=?#~!*()[]{}:;,@$\`^|-_.`,
];

/** A secret of 8 to 40 characters: mostly sendable, sometimes not (then refused). */
const secret: fc.Arbitrary<string> = fc.array(
  fc.oneof(
    { weight: 20, arbitrary: fc.constantFrom(...KEY_CHARS) },
    {
      weight: 1,
      arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }),
    },
  ),
  { minLength: 8, maxLength: 40 },
).map((cs) => cs.join(""));

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** The forms a server may echo a secret in. */
const FORMS: Record<string, (s: string) => string> = {
  raw: (s) => s,
  percent: (s) => encodeURIComponent(s),
  strictPercent: (s) =>
    encodeURIComponent(s).replace(
      /[!'()*~]/g,
      (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
    ),
  form: (s) => new URLSearchParams({ t: s }).toString().slice(2),
  json: (s) => JSON.stringify(s).slice(1, -1),
  html: (s) => s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]),
  htmlHex: (s) =>
    s.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
};

/** Where the server puts the echo. */
const CHANNELS = [
  "api-error",
  "api-code",
  "api-request-id",
  "api-labels",
  "html-page",
  "text-body",
  "ok-body",
  "header-request-id",
  "header-content-type",
  "header-retry-after",
  "header-location",
  "fetch-rejects",
  "job-error",
] as const;

interface Echo {
  auth: "apiKey" | "bearerToken";
  form: keyof typeof FORMS;
  /** The echo is the form cut to [from, to) of its length (fractions). */
  from: number;
  to: number;
  /** Characters before the echo (to move it across the 200-character snippet cut). */
  pad: number;
  channel: typeof CHANNELS[number];
  status: number;
}

const echo: fc.Arbitrary<Echo> = fc.record({
  auth: fc.constantFrom("apiKey", "bearerToken"),
  form: fc.constantFrom(...Object.keys(FORMS)),
  from: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1, noNaN: true })),
  to: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  pad: fc.oneof(fc.constant(0), fc.nat({ max: 260 })),
  channel: fc.constantFrom(...CHANNELS),
  status: fc.constantFrom(200, 400, 401, 429, 500, 503),
});

function echoed(key: string, e: Echo): string {
  const form = [...FORMS[e.form](key)]; // code points: no lone surrogate
  const from = Math.floor(Math.min(e.from, e.to) * form.length);
  const to = Math.ceil(Math.max(e.from, e.to) * form.length);
  return form.slice(from, Math.max(to, from + 1)).join("");
}

const isByteString = (s: string) => /^[\x20-\x7e]*$/.test(s);

/** The answers of a server that echoes `text` through `e.channel`. */
function echoingSpecs(text: string, e: Echo): ResponseSpec[] {
  const padded = "x".repeat(e.pad) + text + " (end)";
  const body = (t: string): BodySpec => ({
    kind: "chunks",
    chunks: [new TextEncoder().encode(t)],
    then: "end",
  });
  const answer = (
    status: number,
    t: string,
    headers: [string, string][] = [],
  ): ResponseSpec => ({ kind: "response", status, headers, body: body(t) });
  const error = (fields: Record<string, unknown>) =>
    JSON.stringify({ code: "BAD_REQUEST", error: "no", ...fields });
  const header = (name: string): ResponseSpec =>
    answer(e.status, "", [[
      name,
      isByteString(padded) ? padded : encodeURIComponent(padded),
    ]]);
  switch (e.channel) {
    case "api-error":
      return [answer(e.status, error({ error: padded }))];
    case "api-code":
      return [answer(e.status, error({ code: padded }))];
    case "api-request-id":
      return [answer(e.status, error({ requestId: padded }))];
    case "api-labels":
      return [answer(e.status, error({ errorLabels: ["a", padded] }))];
    case "html-page":
      return [answer(e.status, `<html><body><p>${padded}</p></body></html>`, [[
        "content-type",
        "text/html",
      ]])];
    case "text-body":
      return [answer(e.status, padded)];
    case "ok-body":
      return [answer(200, JSON.stringify({ notAJob: padded }))];
    case "header-request-id":
      return [header("x-request-id")];
    case "header-content-type":
      return [header("content-type")];
    case "header-retry-after":
      return [header("retry-after")];
    case "header-location":
      return [
        answer(302, "", [[
          "location",
          `https://elsewhere.example/?q=${encodeURIComponent(padded)}`,
        ]]),
        header("location"),
      ];
    case "fetch-rejects":
      return [{
        kind: "reject",
        message:
          `error sending request for url (${BASE_URL}/v1?token=${padded}): ${padded}`,
      }];
    case "job-error":
      return [answer(
        200,
        JSON.stringify({
          id: JOB_ID,
          status: "FAILED",
          error: padded,
          waitTimeTillNextPoll: 0,
          createdAt: 0,
        }),
      )];
  }
}

/** What every call prints when the server echoes `text`. */
async function printedFailures(
  auth: LightlyAuth,
  text: string,
  e: Echo,
): Promise<string> {
  const specs = echoingSpecs(text, e);
  const common = { baseUrl: BASE_URL, auth, timeoutMs: 60_000 };
  const calls: (() => Promise<unknown>)[] = [
    () =>
      triggerSampling(VALID, {
        ...common,
        fetch: fakeFetch(specs).fetch,
        retry: false,
      }),
    () => getJobStatus(JOB_ID, { ...common, fetch: fakeFetch(specs).fetch }),
    () =>
      waitForJob(JOB_ID, {
        ...common,
        fetch: fakeFetch(specs).fetch,
        clock: fakeClock(),
        maxConsecutiveFailures: 1,
      }),
  ];
  const printed: string[] = [];
  for (const call of calls) {
    const outcome = await settle(call());
    if (!outcome.ok) printed.push(printedForms(outcome.error));
  }
  return printed.join("\n");
}

/** Every 8-character piece of `key`, in every form a server may echo it in. */
function fragments(key: string): Set<string> {
  const chars = [...key];
  const out = new Set<string>();
  for (let i = 0; i + 8 <= chars.length; i++) {
    const piece = chars.slice(i, i + 8).join("");
    for (const form of Object.values(FORMS)) out.add(form(piece));
  }
  return out;
}

Deno.test("no 8-character fragment of the API key or token survives in any error, whatever form the server echoes it in", async (t) => {
  await checkAsyncProperty(
    fc.asyncProperty(secret, echo, async (key, e) => {
      const auth = { [e.auth]: key } as LightlyAuth;
      const printed = await printedFailures(auth, echoed(key, e), e);
      const found = [...fragments(key)].filter((f) => printed.includes(f));
      if (found.length === 0) return;
      // The same calls with a neutral secret of the same length: text that is
      // there anyway (a fixed message, the padding) is not a leak.
      const neutral = "N".repeat([...key].length);
      const baseline = await printedFailures(
        { [e.auth]: neutral } as LightlyAuth,
        echoed(neutral, e),
        e,
      );
      for (const fragment of found) {
        if (baseline.includes(fragment)) continue;
        const at = printed.indexOf(fragment);
        throw new Error(
          `${JSON.stringify(fragment)} of the secret survived:\n…${
            printed.slice(Math.max(0, at - 120), at + 80)
          }…`,
        );
      }
    }),
    RUNS_REDACTION,
    t,
  );
});

Deno.test("the response property's fake fetch errors a stalled body when the call's signal aborts", async () => {
  const controller = new AbortController();
  const fake = fakeFetch([{
    kind: "response",
    status: 200,
    headers: [],
    body: { kind: "chunks", chunks: [new Uint8Array(3)], then: "stall" },
  }]);
  const response = await fake.fetch("http://127.0.0.1:9", {
    signal: controller.signal,
  });
  const reading = response.text();
  controller.abort(new Error("deadline"));
  let error: unknown;
  try {
    await reading;
  } catch (e) {
    error = e;
  }
  assertEquals((error as Error).message, "deadline");
  assertEquals(fake.bodies[0].state, "errored");
  assertEquals(fake.bodies[0].pulled, 3);
  // The arbitrary body texts include the shapes the API answers with.
  assert(fc.sample(bodyText, 50).some((t) => t.includes('"jobId"')));
  assert(describeSpecs(fake.served).includes('"stall"'));
});
