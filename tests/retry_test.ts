import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  backoffDelay,
  isLightlyError,
  LightlyApiError,
  NetworkError,
  parseRetryAfter,
  systemClock,
  TimeoutError,
  UnexpectedResponseError,
} from "../mod.ts";
import { classify, FAILURE_POLICY, retry } from "../lib/core/policy.ts";
import { constant } from "./_server.ts";
import { fakeClock } from "./_clock.ts";
import { checkProperty, fc } from "./_property.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("backoffDelay() doubles from 500 ms and stops at the 30 s cap without jitter", () => {
  const delays = [0, 1, 2, 3, 5, 6, 20].map((n) =>
    backoffDelay(n, { jitter: 0 })
  );
  assertEquals(delays, [500, 1000, 2000, 4000, 16000, 30000, 30000]);
});

Deno.test("backoffDelay() follows initialDelayMs, multiplier and maxDelayMs", () => {
  const options = {
    initialDelayMs: 100,
    multiplier: 3,
    maxDelayMs: 1000,
    jitter: 0,
  };
  assertEquals(
    [0, 1, 2, 3].map((n) => backoffDelay(n, options)),
    [100, 300, 900, 1000],
  );
});

Deno.test("backoffDelay() removes at most the jitter share and never exceeds the cap", () => {
  // random() = 0 keeps the full delay; random() → 1 removes the whole jitter share.
  assertEquals(backoffDelay(2, { random: constant(0) }), 2000);
  assertEquals(backoffDelay(2, { random: constant(0.999999) }), 1600);
  assertEquals(backoffDelay(2, { jitter: 0.5, random: constant(0.5) }), 1500);
  assertEquals(backoffDelay(30, { random: constant(0) }), 30000);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(3);
    if (d < 3200 || d > 4000) {
      throw new Error(`delay ${d} outside [3200, 4000]`);
    }
  }
});

Deno.test("parseRetryAfter() reads seconds as milliseconds", () => {
  assertEquals(parseRetryAfter("7", 0), 7000);
  assertEquals(parseRetryAfter(" 0 ", 0), 0);
});

Deno.test("parseRetryAfter() reads an HTTP-date relative to now, and a past date as 0", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assertEquals(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), 30_000);
  assertEquals(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0);
});

Deno.test("parseRetryAfter() returns undefined for an absent or unreadable header", () => {
  for (
    const value of [null, undefined, "", "soon", "-5", "1.5", "2024-01-01"]
  ) {
    assertEquals(parseRetryAfter(value, 0), undefined, String(value));
  }
});

Deno.test("parseRetryAfter() reads only the three HTTP-date forms, not whatever Date.parse accepts", () => {
  for (const value of ["EeE:0", "Mon", "Tue 5", "may 2000", "Jan 1 2000"]) {
    assertEquals(parseRetryAfter(value, 0), undefined, value);
  }
  const at = Date.parse("Sun, 06 Nov 1994 08:49:37 GMT");
  for (
    const value of [
      "Sun, 06 Nov 1994 08:49:37 GMT",
      "Sunday, 06-Nov-94 08:49:37 GMT",
      "Sun Nov  6 08:49:37 1994",
    ]
  ) assertEquals(parseRetryAfter(value, at - 5000), 5000, value);
});

Deno.test("classify() tells a read retry, a POST resend and a maybe-applied outcome apart, from one table", () => {
  const api = (status: number) =>
    new LightlyApiError({ status, code: "X", serverMessage: "m" });
  const cases: [unknown, [boolean, boolean, boolean, number]][] = [
    // failure                                  read   POST   applied exit
    [new NetworkError("x", { connectFailed: true }), [true, true, false, 3]],
    [new NetworkError("x", { connectFailed: false }), [true, false, true, 3]],
    [new TimeoutError(5), [true, false, true, 3]],
    [api(408), [true, false, false, 3]],
    [api(429), [true, true, false, 3]],
    [api(409), [false, false, false, 1]],
    [api(503), [true, false, true, 3]],
    [new UnexpectedResponseError({ status: 200, reason: "r" }), [
      true,
      false,
      true,
      3,
    ]],
    [new UnexpectedResponseError({ status: 302, reason: "r" }), [
      false,
      false,
      false,
      3,
    ]],
    [new UnexpectedResponseError({ status: 403, reason: "r" }), [
      false,
      false,
      false,
      1,
    ]],
    [new Error("a bug"), [false, false, false, 1]],
  ];
  for (const [error, expected] of cases) {
    const v = classify(error);
    assertEquals(
      [v.retryRead, v.resendPost, v.maybeApplied, v.exitCode],
      expected,
      String(error),
    );
  }
  // The POST is sent again only where it cannot have been applied.
  for (const [name, v] of Object.entries(FAILURE_POLICY)) {
    assert(!(v.resendPost && v.maybeApplied), name);
    assert(!v.resendPost || v.retryRead, name);
  }
});

Deno.test("retry() does not start a wait that would reach the deadline, and stops a wait when the signal aborts", async () => {
  const clock = fakeClock(0);
  const failing = () =>
    Promise.reject(new NetworkError("x", { connectFailed: true }));
  const plan = {
    maxAttempts: 10,
    retryIf: () => true,
    backoff: { jitter: 0 },
    clock,
    method: "GET",
    url: "http://127.0.0.1:9/x?token=k",
  };
  const stopped = await retry(
    failing,
    { ...plan, deadline: 1200 },
    (_, why) => why,
  );
  assertEquals([stopped, clock.sleeps], ["deadline", [500]]);
  const controller = new AbortController();
  const aborted = await assertRejects(() =>
    retry(failing, {
      ...plan,
      signal: controller.signal,
      clock: {
        now: clock.now,
        sleep: (ms: number, signal?: AbortSignal) => {
          controller.abort("stop");
          return clock.sleep(ms, signal);
        },
      },
    })
  );
  assert(isLightlyError(aborted, "aborted"));
  assertEquals(aborted.cause, "stop");
  assertEquals(aborted.url, `http://127.0.0.1:9/x?token=[REDACTED]`);
});

Deno.test("backoffDelay() stays between the capped delay less its jitter share and the capped delay, for any options", (t) => {
  checkProperty(
    fc.property(
      fc.nat({ max: 64 }),
      fc.integer({ min: 0, max: 60_000 }),
      fc.integer({ min: 0, max: 120_000 }),
      fc.double({ min: 1, max: 10, noNaN: true }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, initialDelayMs, maxDelayMs, multiplier, jitter, r) => {
        const options = { initialDelayMs, maxDelayMs, multiplier, jitter };
        const capped = Math.min(
          maxDelayMs,
          initialDelayMs * multiplier ** attempt,
        );
        const d = backoffDelay(attempt, { ...options, random: () => r });
        assert(Number.isInteger(d), `${d} is not whole milliseconds`);
        assert(d <= maxDelayMs, `${d} over the cap ${maxDelayMs}`);
        assert(d <= Math.round(capped), `${d} over the delay ${capped}`);
        assert(
          d >= Math.round(capped * (1 - jitter)),
          `${d} under ${capped} less ${jitter} of it`,
        );
        // Without jitter the delays never shrink from one attempt to the next.
        assert(
          backoffDelay(attempt + 1, { ...options, jitter: 0 }) >=
            backoffDelay(attempt, { ...options, jitter: 0 }),
        );
      },
    ),
    500,
    t,
  );
});

Deno.test("backoffDelay() by default waits 500 ms × 2^attempt up to 30 s, less at most 20 %", (t) => {
  checkProperty(
    fc.property(
      fc.nat({ max: 100 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, r) => {
        const full = Math.min(30_000, 500 * 2 ** attempt);
        const d = backoffDelay(attempt, { random: () => r });
        assert(d <= full && d >= Math.round(full * 0.8), `${d} vs ${full}`);
      },
    ),
    500,
    t,
  );
});

Deno.test("parseRetryAfter() reads any whole number of seconds, spaces around it allowed, as milliseconds", (t) => {
  checkProperty(
    fc.property(
      fc.nat({ max: 1_000_000_000 }),
      fc.constantFrom("", " ", "\t", "  "),
      fc.constantFrom("", " ", "\t"),
      fc.integer(),
      (seconds, before, after, now) => {
        assertEquals(
          parseRetryAfter(`${before}${seconds}${after}`, now),
          seconds * 1000,
        );
      },
    ),
    500,
    t,
  );
});

Deno.test("parseRetryAfter() reads any HTTP-date as the wait from now, and a past date as 0", (t) => {
  const second = 1000;
  checkProperty(
    fc.property(
      fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => s * second),
      fc.integer({ min: 0, max: 4_000_000_000 * second }),
      (at, now) => {
        const date = new Date(at).toUTCString(); // "Wed, 21 Oct 2015 07:28:00 GMT"
        assertEquals(parseRetryAfter(date, now), Math.max(0, at - now));
      },
    ),
    500,
    t,
  );
});

Deno.test("parseRetryAfter() returns undefined for any value that is neither whole seconds nor a date", (t) => {
  checkProperty(
    fc.property(
      fc.oneof(
        fc.double({ noNaN: true }).filter((n) => !Number.isInteger(n)).map(
          String,
        ),
        fc.integer({ max: -1 }).map(String),
        // Digits and punctuation only: no weekday or month name.
        fc.string({ unit: fc.constantFrom(..."0123456789-.:/+ ") }).filter(
          (s) => !/^\s*\d+\s*$/.test(s),
        ),
      ),
      (value) => {
        assertEquals(parseRetryAfter(value, 0), undefined, value);
      },
    ),
    500,
    t,
  );
});

Deno.test("systemClock.sleep() resolves after a timer due earlier and before a timer due later", async () => {
  const order: string[] = [];
  const sleeping = systemClock.sleep(30).then(() => order.push("sleep(30)"));
  const early = new Promise((resolve) =>
    setTimeout(() => resolve(order.push("timer(5)")), 5)
  );
  const late = new Promise((resolve) =>
    setTimeout(() => resolve(order.push("timer(90)")), 90)
  );
  await Promise.all([sleeping, early, late]);
  assertEquals(order, ["timer(5)", "sleep(30)", "timer(90)"]);
});

Deno.test("systemClock.sleep() waits past setTimeout's 2^31-1 ms limit in steps, and treats a negative or NaN wait as 0", async () => {
  const real = globalThis.setTimeout;
  const armed: number[] = [];
  // Record each delay and fire at once: no real waiting.
  globalThis.setTimeout = ((fn: () => void, ms: number) => {
    armed.push(ms);
    return real(fn, 0);
  }) as typeof setTimeout;
  try {
    await systemClock.sleep(2 ** 31 - 1 + 5);
    await systemClock.sleep(2 ** 32 + 2 ** 31);
    await systemClock.sleep(-5);
    await systemClock.sleep(NaN);
  } finally {
    globalThis.setTimeout = real;
  }
  const MAX = 2 ** 31 - 1;
  assertEquals(armed, [MAX, 5, MAX, MAX, MAX, 3, 0, 0]);
});

Deno.test("systemClock.sleep() rejects with the signal's reason mid-sleep and leaves no timer", async () => {
  const controller = new AbortController();
  const reason = new Error("stop");
  const sleeping = systemClock.sleep(60_000, controller.signal);
  controller.abort(reason);
  const error = await assertRejects(() => sleeping);
  assertEquals(error, reason);
  // The test sanitizer fails this test if the 60 s timer were still pending.
});

Deno.test("systemClock.sleep() rejects at once when the signal has already aborted", async () => {
  const reason = new Error("already");
  const error = await assertRejects(() =>
    systemClock.sleep(60_000, AbortSignal.abort(reason))
  );
  assertEquals(error, reason);
});

Deno.test("classify() lets the POST be re-sent only for a network error whose connectFailed is exactly true", () => {
  for (const connectFailed of ["false", 1, "true", {}]) {
    const verdict = classify({ kind: "network", connectFailed });
    assertEquals(verdict.resendPost, false);
    assertEquals(verdict.maybeApplied, true);
  }
  assertEquals(
    classify({ kind: "network", connectFailed: true }).resendPost,
    true,
  );
  assertEquals(classify({ kind: ["timeout"] }), FAILURE_POLICY.other);
});
