import { assertEquals, assertRejects } from "@std/assert";
import { backoffDelay, parseRetryAfter, systemClock } from "../mod.ts";
import { constant } from "./_job_server.ts";

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

Deno.test("systemClock.sleep() waits and then resolves", async () => {
  const before = systemClock.now();
  await systemClock.sleep(2);
  assertEquals(systemClock.now() >= before, true);
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
