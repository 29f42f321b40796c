/**
 * Time and retries in one place: an injectable {@linkcode Clock} (tests pass a
 * fake one and never sleep), capped exponential backoff with jitter, and
 * `Retry-After` parsing, and {@linkcode retryTransient}, the one retry loop
 * of the reads (job polls, export pages). The POST retry policy uses the
 * backoff too.
 *
 * The sleep is written here rather than taken from `deno-std`'s
 * `async/delay.js`: that build ships no type declarations, and this module is
 * imported by URL by users, so it stays free of untyped npm dependencies.
 *
 * @module
 */
import {
  AbortedError,
  isLightlyError,
  type ValidationIssue,
} from "./errors.ts";
import { describeValue } from "./validate.ts";

/**
 * Where time comes from: the system's by default, a fake one in tests.
 *
 * @example A fake clock whose sleep returns at once and moves time forward
 * ```ts
 * import type { Clock } from "./policy.ts";
 * let now = 0;
 * const clock: Clock = {
 *   now: () => now,
 *   sleep: (ms) => {
 *     now += ms;
 *     return Promise.resolve();
 *   },
 * };
 * ```
 */
export interface Clock {
  /** The current time in milliseconds (Unix epoch for the system clock). */
  now(): number;
  /**
   * Waits `ms` milliseconds. Rejects with `signal.reason` as soon as `signal`
   * aborts (at once when it already has), leaving no timer behind.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay `setTimeout` honours in one go (2^31 - 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let left = Math.max(0, ms) || 0;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    // setTimeout fires at once for delays above 2^31 - 1 ms: re-arm in steps.
    const arm = () => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(() => {
        if (left > 0) return arm();
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, step);
    };
    arm();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The system clock: `Date.now()` and an abortable `setTimeout` sleep that
 * clears its timer when the signal aborts.
 *
 * @example
 * ```ts
 * import { systemClock } from "./policy.ts";
 * const started = systemClock.now();
 * await systemClock.sleep(1);
 * console.log(systemClock.now() - started >= 0);
 * ```
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  sleep: sleepFor,
});

/** How long to wait before the n-th retry: capped exponential backoff with jitter. */
export interface BackoffOptions {
  /**
   * The delay before the first retry, in milliseconds.
   *
   * @default {500}
   */
  initialDelayMs?: number;
  /**
   * The largest delay, in milliseconds.
   *
   * @default {30000}
   */
  maxDelayMs?: number;
  /**
   * Each retry waits this many times longer than the one before (at least 1).
   *
   * @default {2}
   */
  multiplier?: number;
  /**
   * The share of each delay that is random, 0 (none) to 1: the delay is drawn
   * from `[d × (1 − jitter), d]`, so it never exceeds the cap.
   *
   * @default {0.2}
   */
  jitter?: number;
  /**
   * A source of numbers in `[0, 1)`, for tests.
   *
   * @default {Math.random}
   */
  random?: () => number;
}

/** The defaults of {@linkcode BackoffOptions}. */
export const DEFAULT_BACKOFF: Readonly<
  Required<Omit<BackoffOptions, "random">>
> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  jitter: 0.2,
});

/**
 * The delay before a retry: `initialDelayMs × multiplier^attempt`, capped at
 * `maxDelayMs`, then reduced by up to `jitter` of itself at random (so
 * clients that failed together do not retry together).
 *
 * @param attempt Which retry this is, from 0 (the first retry).
 * @param options Initial delay, cap, multiplier, jitter and random source.
 * @returns The delay in whole milliseconds, in `[0, maxDelayMs]`.
 *
 * @example Without jitter the delays double up to the cap
 * ```ts
 * import { backoffDelay } from "./policy.ts";
 * [0, 1, 2, 10].map((n) => backoffDelay(n, { jitter: 0 })); // [500, 1000, 2000, 30000]
 * ```
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions = {},
): number {
  const initial = options.initialDelayMs ?? DEFAULT_BACKOFF.initialDelayMs;
  const max = options.maxDelayMs ?? DEFAULT_BACKOFF.maxDelayMs;
  const multiplier = options.multiplier ?? DEFAULT_BACKOFF.multiplier;
  const jitter = options.jitter ?? DEFAULT_BACKOFF.jitter;
  const random = options.random ?? Math.random;
  const n = Math.max(0, Math.floor(attempt) || 0);
  const capped = Math.min(max, initial * Math.pow(multiplier, n));
  return Math.round(capped * (1 - jitter * random()));
}

/**
 * Reads a `Retry-After` header: a number of seconds (`"120"`) or an
 * HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`).
 *
 * @param value The header's value, or `null`/`undefined` when absent.
 * @param nowMs The current time in Unix milliseconds (for an HTTP-date).
 * @returns The wait in milliseconds (0 for a date in the past), or
 *   `undefined` when the header is absent or unreadable.
 *
 * @example
 * ```ts
 * import { parseRetryAfter } from "./policy.ts";
 * parseRetryAfter("3", 0); // 3000
 * parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4_000); // 6000
 * parseRetryAfter("soon", 0); // undefined
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date names a weekday or month; this keeps Date.parse's leniency
  // ("12", "2024-01") from reading other text as a date.
  if (!/[a-z]{3}/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Checks a number option, pushing an issue naming `path` when it is not a
 * number in `[min, max]` (or not a whole number when `integer`).
 *
 * @param value The option's value; `undefined` passes.
 * @param path The option's dotted name, e.g. `options.maxIntervalMs`.
 * @param rule What was expected, e.g. `{ min: 0, integer: true }`.
 * @param issues Where problems are collected.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from "./errors.ts";
 * import { checkNumberOption } from "./policy.ts";
 * const issues: ValidationIssue[] = [];
 * checkNumberOption(-1, "options.minIntervalMs", { min: 0 }, issues);
 * issues.length; // 1
 * ```
 */
export function checkNumberOption(
  value: unknown,
  path: string,
  rule: { min: number; max?: number; integer?: boolean; infinite?: boolean },
  issues: ValidationIssue[],
): void {
  if (value === undefined) return;
  const max = rule.max ?? MAX_TIMER_MS;
  const ok = typeof value === "number" &&
    ((rule.infinite && value === Infinity) ||
      (value >= rule.min && value <= max &&
        (!rule.integer || Number.isInteger(value))));
  if (ok) return;
  const kind = rule.integer ? "a whole number" : "a number";
  issues.push({
    path,
    rule: `must be ${kind} from ${rule.min} to ${max}${
      rule.infinite ? " (or Infinity)" : ""
    }`,
    received: describeValue(value),
  });
}

/**
 * Checks {@linkcode BackoffOptions}, pushing one issue per bad field.
 *
 * @param backoff The options; `undefined` passes.
 * @param path Their dotted name, e.g. `options.backoff`.
 * @param issues Where problems are collected.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from "./errors.ts";
 * import { checkBackoffOptions } from "./policy.ts";
 * const issues: ValidationIssue[] = [];
 * checkBackoffOptions({ jitter: 2 }, "options.backoff", issues);
 * issues[0].path; // "options.backoff.jitter"
 * ```
 */
export function checkBackoffOptions(
  backoff: unknown,
  path: string,
  issues: ValidationIssue[],
): void {
  if (backoff === undefined) return;
  if (typeof backoff !== "object" || backoff === null) {
    issues.push({
      path,
      rule: "must be an object",
      received: describeValue(backoff),
    });
    return;
  }
  const b = backoff as Record<string, unknown>;
  checkNumberOption(
    b.initialDelayMs,
    `${path}.initialDelayMs`,
    { min: 0 },
    issues,
  );
  checkNumberOption(b.maxDelayMs, `${path}.maxDelayMs`, { min: 0 }, issues);
  checkNumberOption(
    b.multiplier,
    `${path}.multiplier`,
    { min: 1, max: 1000 },
    issues,
  );
  checkNumberOption(b.jitter, `${path}.jitter`, { min: 0, max: 1 }, issues);
  if (b.random !== undefined && typeof b.random !== "function") {
    issues.push({ path: `${path}.random`, rule: "must be a function" });
  }
}

/**
 * Whether a failed read is worth another try: no answer (network, timeout),
 * 429, 5xx, or an answer that could not be read (a malformed 2xx, an HTML
 * 502). Any other 4xx — 401, 403, 404 — is not.
 *
 * @param error What the read threw.
 * @returns `true` when retrying may help.
 *
 * @example
 * ```ts
 * import { isTransientFailure } from "./policy.ts";
 * isTransientFailure(new Error("a bug")); // false
 * ```
 */
export function isTransientFailure(error: unknown): boolean {
  if (isLightlyError(error, "network") || isLightlyError(error, "timeout")) {
    return true;
  }
  if (
    isLightlyError(error, "api") || isLightlyError(error, "unexpected-response")
  ) {
    const s = error.status;
    return s === 429 || s >= 500 || (s >= 200 && s < 300);
  }
  return false;
}

/** How {@linkcode retryTransient} retries. */
export interface TransientRetryPlan {
  /** Failures in a row after which it gives up (at least 1). */
  readonly maxFailures: number;
  /** Where time comes from. */
  readonly clock: Clock;
  /** The caller's signal: aborting it ends the wait with `AbortedError`. */
  readonly signal?: AbortSignal;
  /** The backoff between failures. */
  readonly backoff?: BackoffOptions;
  /** The method and redacted URL, for `AbortedError`. */
  readonly where: { readonly method: string; readonly url: string };
  /** A clock time after which nothing more is tried; none by default. */
  readonly deadline?: number;
  /** The error to throw after `maxFailures`; the last failure by default. */
  readonly exhausted?: (failures: number, last: unknown) => unknown;
  /** The error to throw at the deadline (`last` only after a failure). */
  readonly expired?: (last: unknown) => unknown;
}

/**
 * Runs a read until it succeeds: a transient failure
 * ({@linkcode isTransientFailure}) is retried after capped exponential
 * backoff with jitter, or longer when a `Retry-After` asks; anything else is
 * thrown at once. No sleep goes past `deadline`.
 *
 * @param attempt One try; it gets the milliseconds left before the deadline.
 * @param plan Failures allowed in a row, clock, signal, backoff, deadline.
 * @returns What the first successful attempt returned.
 * @throws The last failure (or `exhausted`'s error) after `maxFailures`;
 *   `expired`'s error at the deadline; `AbortedError` when `signal` fires
 *   mid-sleep; any non-transient failure as is.
 *
 * @example
 * ```ts
 * import { retryTransient, systemClock } from "./policy.ts";
 * const answer = await retryTransient(() => Promise.resolve(42), {
 *   maxFailures: 5,
 *   clock: systemClock,
 *   where: { method: "GET", url: "https://api.lightly.ai/v1/jobs/x" },
 * });
 * ```
 */
export async function retryTransient<T>(
  attempt: (timeLeftMs: number) => Promise<T>,
  plan: TransientRetryPlan,
): Promise<T> {
  const { clock, signal } = plan;
  const deadline = plan.deadline ?? Infinity;
  let last: unknown;
  for (let failures = 0;;) {
    const left = deadline - clock.now();
    if (left <= 0) throw plan.expired ? plan.expired(last) : last;
    let delayMs: number;
    try {
      return await attempt(left);
    } catch (error) {
      if (!isTransientFailure(error)) throw error;
      failures++;
      last = error;
      if (failures >= plan.maxFailures) {
        throw plan.exhausted ? plan.exhausted(failures, error) : error;
      }
      const e = error as { retryAfter?: string };
      const asked = parseRetryAfter(e.retryAfter, clock.now()) ?? 0;
      delayMs = Math.max(backoffDelay(failures - 1, plan.backoff), asked);
    }
    const rest = deadline - clock.now();
    if (rest <= 0) throw plan.expired ? plan.expired(last) : last;
    try {
      await clock.sleep(Math.min(delayMs, rest), signal);
    } catch (error) {
      if (signal?.aborted) {
        throw new AbortedError({ ...plan.where, cause: signal.reason });
      }
      throw error;
    }
  }
}
