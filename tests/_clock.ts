/**
 * The one fake clock of the tests: a {@linkcode Clock} whose sleep returns at
 * once (or, held, lasts until its signal aborts), moving `now()` forward and
 * recording every sleep. Every test that fakes time uses it.
 */
import type { Clock } from "../lib/core/policy.ts";

/** A {@linkcode Clock} that never waits for real; it records every sleep. */
export interface FakeClock extends Clock {
  /** Every sleep asked for, in milliseconds, in order. */
  readonly sleeps: number[];
}

/** How a {@linkcode FakeClock} behaves. */
export interface FakeClockOptions {
  /** `now()` at the start (a whole second, for HTTP-dates). @default {1_700_000_000_000} */
  start?: number;
  /** Each sleep lasts until its signal aborts (time stands still) instead of returning at once. */
  hold?: boolean;
}

/**
 * Creates a {@linkcode FakeClock}: `start` (or options). A sleep rejects with
 * `signal.reason` when the signal has aborted or aborts while it is held.
 */
export function fakeClock(
  options: number | FakeClockOptions = {},
): FakeClock {
  const { start = 1_700_000_000_000, hold = false } = typeof options ===
      "number"
    ? { start: options }
    : options;
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      if (!hold) {
        now += ms;
        return Promise.resolve();
      }
      return new Promise((_, reject) =>
        signal?.addEventListener("abort", () => reject(signal.reason), {
          once: true,
        })
      );
    },
  };
}
