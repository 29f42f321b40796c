import {
  assert,
  assertEquals,
  assertFalse,
  assertMatch,
  assertRejects,
} from "@std/assert";
import {
  type Clock,
  getJobStatus,
  isLightlyError,
  type JobProgress,
  SamplingJobFailedError,
  systemClock,
  waitForJob,
  type WaitOptions,
} from "../mod.ts";
import { fakeClock } from "./_clock.ts";
import {
  constant,
  finished,
  JOB,
  job,
  NEW_TAG,
  PATHS,
  refusingFetch,
  reply,
  SENTINEL,
  startJobServer,
} from "./_server.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

const GET_JOB = `GET ${PATHS.job}`;
const unavailable = reply({ code: "UNAVAILABLE", error: "try later" }, 503);

function options(
  server: { url: string; fetch: typeof fetch },
  extra: WaitOptions = {},
): WaitOptions & { clock: ReturnType<typeof fakeClock> } {
  return {
    baseUrl: server.url,
    fetch: server.fetch,
    clock: fakeClock(),
    backoff: { jitter: 0 },
    ...extra,
  } as WaitOptions & { clock: ReturnType<typeof fakeClock> };
}

Deno.test("getJobStatus() GETs /v1/jobs/{jobId} and keeps unknown fields and statuses", async () => {
  await using server = startJobServer({
    [GET_JOB]: job("PAUSED", { newField: { a: 1 } }),
  }, "in-process");
  const status = await getJobStatus(JOB, {
    baseUrl: server.url,
    fetch: server.fetch,
    auth: { apiKey: SENTINEL },
  });
  assertEquals(status.status, "PAUSED");
  assertEquals(status.newField, { a: 1 });
  assertEquals(server.requests[0].url.searchParams.get("token"), SENTINEL);
});

Deno.test("getJobStatus() refuses a jobId that is not an ObjectId, naming jobId, before sending", async () => {
  await using server = startJobServer({ [GET_JOB]: finished() }, "in-process");
  for (const bad of ["job-1", "AAAAAAAAAAAAAAAAAAAAAAAA", "../../v1/x"]) {
    const error = await assertRejects(() =>
      getJobStatus(bad, { baseUrl: server.url, fetch: server.fetch })
    );
    assert(isLightlyError(error, "validation"));
    assertEquals(error.issues[0].path, "jobId");
    assertMatch(error.message, /ObjectId/);
  }
  assertEquals(server.requests.length, 0);
});

Deno.test("waitForJob() polls at once, sleeps the server's interval clamped to [min, max], and returns the new tag id", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      job("WAITING", { waitTimeTillNextPoll: 2 }),
      job("RUNNING", {
        waitTimeTillNextPoll: 0,
        meta: { total: 10, processed: 3 },
      }),
      job("RUNNING", {
        waitTimeTillNextPoll: 120,
        meta: { total: 10, processed: 7 },
      }),
      finished(),
    ],
  }, "in-process");
  const events: JobProgress[] = [];
  const opts = options(server, { onProgress: (e) => events.push(e) });
  const result = await waitForJob(JOB, opts);

  assertEquals(result.tagId, NEW_TAG);
  assertEquals(result.jobId, JOB);
  assertEquals(result.job.status, "FINISHED");
  assertEquals(result.polls, 4);
  assertEquals(opts.clock.sleeps, [2000, 1000, 30000]);
  assertEquals(result.elapsedMs, 33000);
  assertEquals(server.count(GET_JOB), 4);
  assertEquals(
    events.map((e) => [e.status, e.processed, e.total, e.polls, e.elapsedMs]),
    [
      ["WAITING", undefined, undefined, 1, 0],
      ["RUNNING", 3, 10, 2, 2000],
      ["RUNNING", 7, 10, 3, 3000],
      ["FINISHED", 10, 10, 4, 33000],
    ],
  );
});

Deno.test("waitForJob() stops on FAILED and reports the server's error", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      job("RUNNING"),
      job("FAILED", { error: "EMBEDDING_ROW_COUNT_INVALID: rows differ" }),
    ],
  }, "in-process");
  const opts = options(server);
  const error = await assertRejects(() => waitForJob(JOB, opts));
  assert(isLightlyError(error, "job-failed"));
  assertEquals(error.serverError, "EMBEDDING_ROW_COUNT_INVALID: rows differ");
  assertEquals(error.job.status, "FAILED");
  assertMatch(error.message, /rows differ/);
  assertEquals(server.count(GET_JOB), 2);
});

Deno.test("SamplingJobFailedError takes only a non-empty text as the server's reason, whatever a caller or onProgress put in job.error", async () => {
  const odd = [42, { code: 7 }, Object.create(null), () => 1, "", null];
  for (const error of odd) {
    const built = new SamplingJobFailedError({
      id: JOB,
      status: "FAILED",
      waitTimeTillNextPoll: 1,
      createdAt: 0,
      error: error as string,
    });
    assertEquals(built.serverError, undefined);
    assertMatch(built.message, /the server gave no reason$/);
  }
  await using server = startJobServer({
    [GET_JOB]: [job("FAILED", { error: "disk full" })],
  }, "in-process");
  const error = await assertRejects(() =>
    waitForJob(JOB, {
      ...options(server),
      onProgress: (p) => {
        (p.job as { error?: unknown }).error = Object.create(null);
      },
    })
  );
  assert(isLightlyError(error, "job-failed"), String(error));
  assertEquals(error.serverError, undefined);
});

Deno.test("waitForJob() refuses a FINISHED job without a tag id, or whose tag id is not an ObjectId, instead of returning it", async () => {
  for (
    const extra of [
      {},
      { result: { type: "SAMPLING" } },
      { result: { type: "SAMPLING", data: "" } },
      { result: { type: "SAMPLING", data: 42 } },
      { result: { type: "SAMPLING", data: "../../x" } },
      { result: { type: "SAMPLING", data: "BBBBBBBBBBBBBBBBBBBBBBBB" } },
    ]
  ) {
    await using server = startJobServer({
      [GET_JOB]: job("FINISHED", extra),
    }, "in-process");
    const error = await assertRejects(() => waitForJob(JOB, options(server)));
    assert(isLightlyError(error, "job-result-missing"), JSON.stringify(extra));
    assertEquals(error.job.id, JOB);
    assertMatch(error.message, /without the id of the new tag/);
  }
});

Deno.test("waitForJob() treats an unknown status as still running and reports it through onProgress", async () => {
  await using server = startJobServer({
    [GET_JOB]: [job("PAUSED_BY_ADMIN"), finished()],
  }, "in-process");
  const statuses: string[] = [];
  const result = await waitForJob(
    JOB,
    options(server, { onProgress: (e) => statuses.push(e.status) }),
  );
  assertEquals(statuses, ["PAUSED_BY_ADMIN", "FINISHED"]);
  assertEquals(result.tagId, NEW_TAG);
});

Deno.test("waitForJob() gives up at the overall deadline without sleeping past it", async () => {
  await using server = startJobServer({
    [GET_JOB]: job("RUNNING", { waitTimeTillNextPoll: 2 }),
  }, "in-process");
  const opts = options(server, { timeoutMs: 5000 });
  const error = await assertRejects(() => waitForJob(JOB, opts));
  assert(isLightlyError(error, "deadline"));
  assertEquals(error.timeoutMs, 5000);
  assertEquals(error.jobId, JOB);
  assertEquals(error.lastJob?.status, "RUNNING");
  assertEquals(opts.clock.sleeps, [2000, 2000, 1000]);
  assertEquals(server.count(GET_JOB), 3);
});

Deno.test("waitForJob() stops at once when the caller aborts mid-sleep, leaving no timer", async () => {
  await using server = startJobServer({
    [GET_JOB]: job("RUNNING", { waitTimeTillNextPoll: 30 }),
  }, "in-process");
  const controller = new AbortController();
  const reason = new Error("user pressed Ctrl-C");
  let sleepStarted!: () => void;
  const started = new Promise<void>((resolve) => sleepStarted = resolve);
  // The real system clock (a real 30 s timer); the test sanitizer fails the
  // test if that timer is left behind.
  const clock: Clock = {
    now: systemClock.now,
    sleep(ms, signal) {
      const sleeping = systemClock.sleep(ms, signal);
      sleepStarted();
      return sleeping;
    },
  };
  const waiting = waitForJob(JOB, {
    baseUrl: server.url,
    fetch: server.fetch,
    clock,
    signal: controller.signal,
  });
  await started;
  controller.abort(reason);
  const error = await assertRejects(() => waiting);
  assert(isLightlyError(error, "aborted"));
  assertEquals(error.cause, reason);
  assertEquals(error.url, `${server.url}${PATHS.job}`);
  assertEquals(server.count(GET_JOB), 1);
});

Deno.test("waitForJob() sends nothing when the signal has already aborted", async () => {
  await using server = startJobServer({ [GET_JOB]: finished() }, "in-process");
  const error = await assertRejects(() =>
    waitForJob(JOB, options(server, { signal: AbortSignal.abort("stop") }))
  );
  assert(isLightlyError(error, "aborted"));
  assertEquals(server.requests.length, 0);
});

Deno.test("waitForJob() counts failures in a row: a successful poll resets the count", async () => {
  // Four failures in all, never three in a row: the wait succeeds.
  await using server = startJobServer({
    [GET_JOB]: [
      unavailable,
      unavailable,
      job("RUNNING", { waitTimeTillNextPoll: 2 }),
      reply({ code: "INTERNAL", error: "boom" }, 500),
      unavailable,
      finished(),
    ],
  }, "in-process");
  const opts = options(server, { maxConsecutiveFailures: 3 });
  const result = await waitForJob(JOB, opts);
  assertEquals(result.tagId, NEW_TAG);
  assertEquals(result.polls, 6);
  // Backoff restarts at 500 ms after the successful poll.
  assertEquals(opts.clock.sleeps, [500, 1000, 2000, 500, 1000]);
});

Deno.test("waitForJob() gives up after N failed polls in a row with the last failure as cause", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      job("RUNNING"),
      unavailable,
      unavailable,
      reply({ code: "BAD_GATEWAY", error: "last one" }, 502),
    ],
  }, "in-process");
  const opts = options(server, { maxConsecutiveFailures: 3 });
  const error = await assertRejects(() => waitForJob(JOB, opts));
  assert(isLightlyError(error, "poll-failed"));
  assertEquals(error.failures, 3);
  assertEquals(error.lastJob?.status, "RUNNING");
  assert(isLightlyError(error.cause, "api"));
  assertEquals(error.cause.status, 502);
  assertEquals(error.cause.code, "BAD_GATEWAY");
  assertEquals(server.count(GET_JOB), 4);
  assertEquals(opts.clock.sleeps, [2000, 500, 1000]);
});

Deno.test("waitForJob() gives up after the default 5 failures in a row", async () => {
  await using server = startJobServer({ [GET_JOB]: unavailable }, "in-process");
  const opts = options(server);
  const error = await assertRejects(() => waitForJob(JOB, opts));
  assert(isLightlyError(error, "poll-failed"));
  assertEquals(error.failures, 5);
  assertEquals(server.count(GET_JOB), 5);
  assertEquals(opts.clock.sleeps, [500, 1000, 2000, 4000]);
});

Deno.test("waitForJob() honours Retry-After in seconds on a 429", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      reply({ code: "TOO_MANY", error: "slow down" }, 429, {
        "retry-after": "7",
      }),
      finished(),
    ],
  }, "in-process");
  const opts = options(server);
  await waitForJob(JOB, opts);
  assertEquals(opts.clock.sleeps, [7000]);
});

Deno.test("waitForJob() honours Retry-After as an HTTP-date on a 503", async () => {
  const clock = fakeClock(Date.parse("Wed, 21 Oct 2015 07:28:00 GMT"));
  await using server = startJobServer({
    [GET_JOB]: [
      reply({ code: "UNAVAILABLE", error: "maintenance" }, 503, {
        "retry-after": "Wed, 21 Oct 2015 07:28:12 GMT",
      }),
      finished(),
    ],
  }, "in-process");
  await waitForJob(JOB, { ...options(server), clock });
  assertEquals(clock.sleeps, [12000]);
});

Deno.test("waitForJob() waits the backoff when Retry-After asks for less", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      unavailable,
      reply({ code: "UNAVAILABLE", error: "x" }, 503, { "retry-after": "0" }),
      finished(),
    ],
  }, "in-process");
  const opts = options(server);
  await waitForJob(JOB, opts);
  assertEquals(opts.clock.sleeps, [500, 1000]);
});

Deno.test("waitForJob() fails at once on a 401 mid-wait", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      job("RUNNING"),
      reply({ code: "UNAUTHORIZED", error: "token expired" }, 401),
      finished(),
    ],
  }, "in-process");
  const opts = options(server, { auth: { apiKey: SENTINEL } });
  const error = await assertRejects(() => waitForJob(JOB, opts));
  assert(isLightlyError(error, "api"));
  assertEquals(error.status, 401);
  assertEquals(server.count(GET_JOB), 2);
  assertEquals(opts.clock.sleeps, [2000]);
  assertFalse(error.message.includes(SENTINEL));
  assertFalse(JSON.stringify(error).includes(SENTINEL));
});

Deno.test("waitForJob() fails at once on a 404 JOB_UNKNOWN and on an HTML 403 from a proxy", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      reply({ code: "JOB_UNKNOWN", error: "no such job" }, 404),
      () =>
        new Response("<html>Forbidden</html>", {
          status: 403,
          headers: { "content-type": "text/html" },
        }),
    ],
  }, "in-process");
  const first = await assertRejects(() => waitForJob(JOB, options(server)));
  assert(isLightlyError(first, "api"));
  assertEquals(first.code, "JOB_UNKNOWN");
  const second = await assertRejects(() => waitForJob(JOB, options(server)));
  assert(isLightlyError(second, "unexpected-response"));
  assertEquals(second.status, 403);
  assertEquals(server.count(GET_JOB), 2);
});

Deno.test("waitForJob() retries a malformed 200 body and a refused connection", async () => {
  await using server = startJobServer({
    [GET_JOB]: [
      reply({ not: "a job" }),
      () => new Response("<html>oops</html>", { status: 200 }),
      finished(),
    ],
  }, "in-process");
  const refusing = refusingFetch(1, server.fetch);
  const opts = options(server, { fetch: refusing.fetch });
  const result = await waitForJob(JOB, opts);
  assertEquals(result.tagId, NEW_TAG);
  assertEquals(result.polls, 4);
  assertEquals(refusing.calls(), 4);
  assertEquals(server.count(GET_JOB), 3);
  assertEquals(opts.clock.sleeps, [500, 1000, 2000]);
});

Deno.test("waitForJob() applies backoff jitter from the random source", async () => {
  await using server = startJobServer({
    [GET_JOB]: [unavailable, unavailable, finished()],
  }, "in-process");
  const opts = options(server, {
    backoff: { jitter: 0.5, random: constant(0.5) },
  });
  await waitForJob(JOB, opts);
  assertEquals(opts.clock.sleeps, [375, 750]);
});

Deno.test("waitForJob() refuses bad options, naming each, before sending anything", async () => {
  await using server = startJobServer({ [GET_JOB]: finished() }, "in-process");
  const error = await assertRejects(() =>
    waitForJob(
      JOB,
      options(server, {
        minIntervalMs: 5000,
        maxIntervalMs: 1000,
        maxConsecutiveFailures: 0,
        timeoutMs: -1,
        backoff: { jitter: 2 },
      }),
    )
  );
  assert(isLightlyError(error, "validation"));
  assertEquals(error.issues.map((i: { path: string }) => i.path), [
    "options.timeoutMs",
    "options.maxIntervalMs",
    "options.maxConsecutiveFailures",
    "options.backoff.jitter",
  ]);
  assertEquals(server.requests.length, 0);
});

Deno.test("waitForJob() rethrows an exception from onProgress and stops polling", async () => {
  await using server = startJobServer(
    { [GET_JOB]: job("RUNNING") },
    "in-process",
  );
  const boom = new Error("display broke");
  const error = await assertRejects(() =>
    waitForJob(
      JOB,
      options(server, {
        onProgress: () => {
          throw boom;
        },
      }),
    )
  );
  assertEquals(error, boom);
  assertEquals(server.count(GET_JOB), 1);
});
