import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertRejects,
} from "@std/assert";
import {
  isLightlyError,
  type TriggerOptions,
  triggerSampling,
  triggerSamplingRaw,
} from "../mod.ts";
import { fakeClock } from "./_clock.ts";
import {
  closedPort,
  refusingFetch,
  reply,
  SENTINEL,
  startJobServer,
  startSilentServer,
  VALID,
} from "./_server.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

const SAMPLING =
  `/v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`;
const POST = `POST ${SAMPLING}`;
const accepted = reply({ jobId: "aaaaaaaaaaaaaaaaaaaaaaaa" });
const tooMany = (retryAfter?: string) =>
  reply(
    { code: "TOO_MANY_REQUESTS", error: "slow down" },
    429,
    retryAfter === undefined ? {} : { "retry-after": retryAfter },
  );

/** Options for `target`: a URL, or a fake API answered in process. */
function options(
  target: string | { url: string; fetch: typeof fetch },
  extra: TriggerOptions = {},
): TriggerOptions & { clock: ReturnType<typeof fakeClock> } {
  const clock = fakeClock();
  return {
    ...(typeof target === "string"
      ? { baseUrl: target }
      : { baseUrl: target.url, fetch: target.fetch }),
    auth: { apiKey: SENTINEL },
    clock,
    ...extra,
    retry: extra.retry === false
      ? false
      : { backoff: { jitter: 0 }, clock, ...extra.retry },
  } as TriggerOptions & { clock: ReturnType<typeof fakeClock> };
}

function assertNoSecret(error: unknown): void {
  const e = error as Error;
  assertFalse(e.message.includes(SENTINEL));
  assertFalse(JSON.stringify(e).includes(SENTINEL));
}

Deno.test("triggerSampling() retries a refused connection: nothing had reached the server", async () => {
  await using server = startJobServer({ [POST]: accepted }, "in-process");
  const refusing = refusingFetch(1, server.fetch);
  const opts = options(server, { fetch: refusing.fetch });
  const result = await triggerSampling(VALID, opts);
  assertEquals(result.jobId, "aaaaaaaaaaaaaaaaaaaaaaaa");
  assertEquals(refusing.calls(), 2);
  assertEquals(server.count(POST), 1);
  assertEquals(opts.clock.sleeps, [500]);
});

Deno.test("triggerSampling() stops after maxAttempts refused connections with the NetworkError", async () => {
  const opts = options(`http://127.0.0.1:${closedPort()}`);
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "network"));
  assertEquals(error.connectFailed, true);
  assertEquals(opts.clock.sleeps, [500, 1000]);
  assertNoSecret(error);
});

Deno.test("triggerSampling() retries a 429 after its Retry-After, sending the same body", async () => {
  await using server = startJobServer(
    { [POST]: [tooMany("2"), accepted] },
    "in-process",
  );
  const opts = options(server);
  await triggerSampling(VALID, opts);
  assertEquals(server.count(POST), 2);
  assertEquals(opts.clock.sleeps, [2000]);
  assertEquals(server.requests[0].body, server.requests[1].body);
});

Deno.test("triggerSampling() reads a 429's Retry-After HTTP-date against the retry clock", async () => {
  const clock = fakeClock(Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"));
  await using server = startJobServer({
    [POST]: [tooMany("Wed, 21 Oct 2015 07:28:45 GMT"), accepted],
  }, "in-process");
  await triggerSampling(VALID, options(server, { retry: { clock } }));
  assertEquals(server.count(POST), 2);
  assertEquals(clock.sleeps, [45000]);
});

Deno.test("triggerSampling() waits at least the backoff when Retry-After names a past date", async () => {
  await using server = startJobServer({
    [POST]: [
      tooMany("Thu, 01 Jan 1970 00:00:00 GMT"),
      tooMany("0"),
      accepted,
    ],
  }, "in-process");
  const opts = options(server);
  await triggerSampling(VALID, opts);
  assertEquals(server.count(POST), 3);
  assertEquals(opts.clock.sleeps, [500, 1000]);
});

Deno.test("triggerSampling() retries a 429 without Retry-After after the backoff", async () => {
  await using server = startJobServer({
    [POST]: [tooMany(), tooMany(), accepted],
  }, "in-process");
  const opts = options(server);
  await triggerSampling(VALID, opts);
  assertEquals(server.count(POST), 3);
  assertEquals(opts.clock.sleeps, [500, 1000]);
});

Deno.test("triggerSampling() does not retry a 429 whose Retry-After exceeds maxRetryAfterMs", async () => {
  await using server = startJobServer(
    { [POST]: [tooMany("600"), accepted] },
    "in-process",
  );
  const opts = options(server);
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "api"));
  assertEquals(error.status, 429);
  assertEquals(error.retryAfter, "600");
  assertEquals(server.count(POST), 1);
  assertEquals(opts.clock.sleeps, []);
});

Deno.test("triggerSampling() throws the last 429 once maxAttempts are spent", async () => {
  await using server = startJobServer({ [POST]: tooMany("1") }, "in-process");
  const opts = options(server, { retry: { maxAttempts: 2 } });
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "api"));
  assertEquals(error.status, 429);
  assertEquals(server.count(POST), 2);
  assertEquals(opts.clock.sleeps, [1000]);
});

Deno.test("triggerSampling() keeps timeoutMs for the whole call: a wait past it is not started", async () => {
  await using server = startJobServer(
    { [POST]: [tooMany("3"), accepted] },
    "in-process",
  );
  const opts = options(server, { timeoutMs: 1000 });
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "api"));
  assertEquals(error.status, 429);
  assertEquals(server.count(POST), 1);
  assertEquals(opts.clock.sleeps, []);

  const refusing = refusingFetch(10, server.fetch);
  const refused = options(server, {
    fetch: refusing.fetch,
    timeoutMs: 1200,
    retry: { maxAttempts: 10 },
  });
  const networkError = await assertRejects(() =>
    triggerSampling(VALID, refused)
  );
  assert(isLightlyError(networkError, "network"));
  assertEquals(refused.clock.sleeps, [500], "500 + 1000 ms would pass 1200");
  assertEquals(refusing.calls(), 2);
});

Deno.test("triggerSampling() gives each retry only the time left of timeoutMs", async () => {
  await using server = startJobServer({
    [POST]: [tooMany("1"), async (request) => {
      await server.released;
      return accepted(request);
    }],
  }, "in-process");
  const opts = options(server, { timeoutMs: 1100 });
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "maybe-applied"));
  assert(isLightlyError(error.cause, "timeout"));
  assertEquals(error.cause.timeoutMs, 100);
  assertEquals(opts.clock.sleeps, [1000]);
  assertEquals(server.count(POST), 2);
});

Deno.test("triggerSamplingRaw() returns a 429 as is when its Retry-After would pass timeoutMs", async () => {
  await using server = startJobServer(
    { [POST]: [tooMany("3"), accepted] },
    "in-process",
  );
  const opts = options(server, { timeoutMs: 1000 });
  const response = await triggerSamplingRaw(VALID, opts);
  assertEquals(response.status, 429);
  await response.body?.cancel();
  assertEquals(server.count(POST), 1);
  assertEquals(opts.clock.sleeps, []);
});

Deno.test("triggerSampling() sends exactly one POST on a 500 and says it may have been applied", async () => {
  await using server = startJobServer({
    [POST]: [reply({ code: "INTERNAL", error: "boom" }, 500), accepted],
  }, "in-process");
  const opts = options(server);
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "maybe-applied"));
  assertEquals(error.tagName, "coreset-100");
  assertEquals(error.datasetId, VALID.datasetId);
  assertMatch(error.message, /may have been applied/);
  assertMatch(error.message, /tag named "coreset-100"/);
  assert(isLightlyError(error.cause, "api"));
  assertEquals(error.cause.status, 500);
  assertEquals(server.count(POST), 1);
  assertEquals(opts.clock.sleeps, []);
  assertNoSecret(error);
});

Deno.test("triggerSampling() sends exactly one POST on an HTML 502 and on an unreadable 200", async () => {
  await using server = startJobServer({
    [POST]: [
      () => new Response("<html>Bad Gateway</html>", { status: 502 }),
      reply({ notAJobId: true }),
    ],
  }, "in-process");
  for (const status of [502, 200]) {
    const error = await assertRejects(() =>
      triggerSampling(VALID, options(server))
    );
    assert(isLightlyError(error, "maybe-applied"));
    assert(isLightlyError(error.cause, "unexpected-response"));
    assertEquals(error.cause.status, status);
  }
  assertEquals(server.count(POST), 2);
});

Deno.test("triggerSampling() sends exactly one POST when the answer times out", async () => {
  await using server = startSilentServer("hang");
  const opts = options(server.url, { timeoutMs: 100 });
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "maybe-applied"));
  assert(isLightlyError(error.cause, "timeout"));
  assertEquals(opts.clock.sleeps, []);
  assertNoSecret(error);
  await server.close();
  assertEquals(server.requests, [`${POST}?token=${SENTINEL} HTTP/1.1`]);
});

Deno.test("triggerSampling() sends exactly one POST when the connection is reset after sending", async () => {
  await using server = startSilentServer("reset");
  const opts = options(server.url);
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "maybe-applied"));
  assert(isLightlyError(error.cause, "network"));
  assertEquals(error.cause.connectFailed, false);
  assertEquals(server.requests, [`${POST}?token=${SENTINEL} HTTP/1.1`]);
  assertEquals(opts.clock.sleeps, []);
  assertNoSecret(error);
});

Deno.test("triggerSampling() passes a 4xx refusal through unchanged, after one POST", async () => {
  await using server = startJobServer({
    [POST]: reply({ code: "TAG_NAME_EXISTS", error: "taken" }, 409),
  }, "in-process");
  const error = await assertRejects(() =>
    triggerSampling(VALID, options(server))
  );
  assert(isLightlyError(error, "api"));
  assertEquals(error.code, "TAG_NAME_EXISTS");
  assertEquals(server.count(POST), 1);
});

Deno.test("triggerSampling() with retry: false sends once and still flags a maybe-applied outcome", async () => {
  await using server = startJobServer({
    [POST]: [tooMany("1"), reply({ code: "INTERNAL", error: "boom" }, 500)],
  }, "in-process");
  const refusing = refusingFetch(1, server.fetch);
  const refused = await assertRejects(() =>
    triggerSampling(
      VALID,
      options(server, { retry: false, fetch: refusing.fetch }),
    )
  );
  assert(isLightlyError(refused, "network"));
  assertEquals(refused.connectFailed, true);
  assertEquals(refusing.calls(), 1);

  const limited = await assertRejects(() =>
    triggerSampling(VALID, options(server, { retry: false }))
  );
  assert(isLightlyError(limited, "api"));
  assertEquals(limited.status, 429);

  const failed = await assertRejects(() =>
    triggerSampling(VALID, options(server, { retry: false }))
  );
  assert(isLightlyError(failed, "maybe-applied"));
  assertEquals(server.count(POST), 2);
});

Deno.test("triggerSampling() stops at once when the caller aborts during the backoff", async () => {
  await using server = startJobServer({ [POST]: accepted }, "in-process");
  const controller = new AbortController();
  const refusing = refusingFetch(1, server.fetch);
  const clock = fakeClock();
  const opts = options(server, {
    fetch: refusing.fetch,
    signal: controller.signal,
    retry: {
      clock: {
        now: clock.now,
        sleep(ms, signal) {
          controller.abort(new Error("stop"));
          return clock.sleep(ms, signal);
        },
      },
    },
  });
  const error = await assertRejects(() => triggerSampling(VALID, opts));
  assert(isLightlyError(error, "aborted"));
  assertEquals((error.cause as Error).message, "stop");
  assertEquals(refusing.calls(), 1);
  assertEquals(server.requests.length, 0);
});

Deno.test("triggerSampling() refuses bad retry options before sending", async () => {
  await using server = startJobServer({ [POST]: accepted }, "in-process");
  const error = await assertRejects(() =>
    triggerSampling(
      VALID,
      options(server, {
        retry: { maxAttempts: 0, maxRetryAfterMs: -5 },
      }),
    )
  );
  assert(isLightlyError(error, "validation"));
  assertEquals(error.issues.map((i: { path: string }) => i.path), [
    "options.retry.maxAttempts",
    "options.retry.maxRetryAfterMs",
  ]);
  assertEquals(server.requests.length, 0);
});

Deno.test("triggerSamplingRaw() retries a 429 and returns any other status untouched", async () => {
  await using server = startJobServer({
    [POST]: [
      tooMany("3"),
      reply({ code: "INTERNAL", error: "boom" }, 500),
    ],
  }, "in-process");
  const opts = options(server);
  const response = await triggerSamplingRaw(VALID, opts);
  assertEquals(response.status, 500);
  assertEquals((await response.json()).code, "INTERNAL");
  assertEquals(server.count(POST), 2);
  assertEquals(opts.clock.sleeps, [3000]);
});

Deno.test("triggerSamplingRaw() flags a reset after sending as maybe applied, after one request", async () => {
  await using server = startSilentServer("reset");
  const error = await assertRejects(() =>
    triggerSamplingRaw(VALID, options(server.url))
  );
  assert(isLightlyError(error, "maybe-applied"));
  assertEquals(server.requests.length, 1);
});
