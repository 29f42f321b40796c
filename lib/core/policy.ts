// Time, the one failure policy (`FAILURE_POLICY`, read by `classify`) and the
// one retry loop (`retry`).
import { AbortedError } from "./errors.ts";

/** Where time comes from: {@linkcode systemClock} by default, a fake one in tests. */
export interface Clock {
  /** The current time in milliseconds (Unix epoch for the system clock). */
  now(): number;
  /** Waits `ms` milliseconds; rejects with `signal.reason` as soon as `signal` aborts, leaving no timer behind. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days). */
export const MAX_TIMER_MS = 2_147_483_647;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    let left = Math.max(0, ms) || 0;
    let timer: ReturnType<typeof setTimeout>;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const done = () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    // setTimeout fires at once for delays above 2^31 - 1 ms: re-arm in steps.
    const arm = () => {
      const step = Math.min(left, MAX_TIMER_MS);
      left -= step;
      timer = setTimeout(left > 0 ? arm : done, step);
    };
    arm();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The system clock: `Date.now()`, and a `setTimeout` sleep a signal stops (clearing its timer). */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  sleep,
});

/** How long to wait before the n-th retry: capped exponential backoff with jitter. */
export interface BackoffOptions {
  /** The delay before the first retry, in milliseconds.
   * @default {500} */
  initialDelayMs?: number;
  /** The largest delay, in milliseconds.
   * @default {30000} */
  maxDelayMs?: number;
  /** Each retry waits this many times longer than the one before (at least 1).
   * @default {2} */
  multiplier?: number;
  /**
   * The share of each delay that is random, 0 (none) to 1: the delay is drawn
   * from `[d × (1 − jitter), d]`, so it never exceeds the cap.
   * @default {0.2} */
  jitter?: number;
  /** A source of numbers in `[0, 1)`, for tests.
   * @default {Math.random} */
  random?: () => number;
}

/**
 * The delay before a retry: `initialDelayMs × multiplier^attempt`, capped at
 * `maxDelayMs`, then reduced by up to `jitter` of itself at random (so
 * clients that failed together do not retry together).
 *
 * @param attempt Which retry this is, from 0 (the first retry).
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
  const {
    initialDelayMs = 500,
    maxDelayMs = 30_000,
    multiplier = 2,
    jitter = 0.2,
    random = Math.random,
  } = options;
  const n = Math.max(0, Math.floor(attempt) || 0);
  const capped = Math.min(maxDelayMs, initialDelayMs * multiplier ** n);
  return Math.round(capped * (1 - jitter * random()));
}

const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";
const TIME = "\\d\\d:\\d\\d:\\d\\d";
/** The three forms of an HTTP-date (RFC 9110 §5.6.7): IMF-fixdate, RFC 850, asctime. */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d\\d ${MONTH} \\d{4} ${TIME} GMT` +
    `|${DAY}[a-z]*, \\d\\d-${MONTH}-\\d\\d ${TIME} GMT` +
    `|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);

/**
 * Reads a `Retry-After` header: a number of seconds (`"120"`) or an
 * HTTP-date (`"Wed, 21 Oct 2015 07:28:00 GMT"`). Anything else is no answer.
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
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}

/** What a failure means, wherever it happened: one row of {@linkcode FAILURE_POLICY}. */
export interface Verdict {
  readonly retryRead: boolean;
  readonly resendPost: boolean;
  readonly maybeApplied: boolean;
  readonly throttled: boolean;
  readonly jobMayRun: boolean;
  readonly exitCode: 1 | 2 | 3 | 130;
}

/** A row: `rRaTj` letters for the flags that hold, and the exit code. */
function verdict(flags: string, exitCode: Verdict["exitCode"]): Verdict {
  return Object.freeze({
    retryRead: flags.includes("r"),
    resendPost: flags.includes("R"),
    maybeApplied: flags.includes("a"),
    throttled: flags.includes("T"),
    jobMayRun: flags.includes("j"),
    exitCode,
  });
}

/** The policy as data (as ky's `retryMethods`, `retryStatusCodes`): a verdict by kind, and by status for an answer. */
export const FAILURE_POLICY: Readonly<Record<string, Verdict>> = Object.freeze({
  // r: a read (GET) may retry, R: the POST may be resent (the server cannot
  // have acted), a: the POST may have been applied, T: throttled (429: a batch
  // pauses every request), j: the job may still run (say how to resume); then
  // the exit code: 1 refused or maybe applied, 2 nothing sent, 3 transient, 130 interrupted.
  "network/connect": verdict("rR", 3), // nothing reached the server
  "network/dropped": verdict("ra", 3), // after the request may have left
  timeout: verdict("ra", 3),
  aborted: verdict("", 130),
  validation: verdict("", 2),
  usage: verdict("", 2),
  permission: verdict("", 2),
  "job-failed": verdict("", 1),
  "job-result-missing": verdict("", 1),
  "maybe-applied": verdict("", 1),
  deadline: verdict("j", 3),
  "poll-failed": verdict("j", 3),
  "workflow/refused": verdict("", 1), // before anything was sent
  "status/2xx": verdict("ra", 3), // unreadable, or no status at all
  "status/3xx": verdict("", 3), // a redirect, never followed
  "status/408": verdict("r", 3),
  "status/429": verdict("rRT", 3),
  "status/4xx": verdict("", 1),
  "status/5xx": verdict("ra", 3),
  other: verdict("", 1), // a bug, not a reason to retry
});

function statusClass(status: unknown): string {
  if (typeof status !== "number" || status < 300) return "status/2xx";
  if (status === 408 || status === 429) return `status/${status}`;
  return `status/${status < 400 ? 3 : status < 500 ? 4 : 5}xx`;
}

/** The {@linkcode FAILURE_POLICY} row of any error's `kind` (any copy of this module, the CLI's too). */
export function classify(error: unknown): Verdict {
  const errors = globalThis.Deno?.errors;
  if (
    errors && (error instanceof errors.NotCapable ||
      error instanceof errors.PermissionDenied)
  ) return FAILURE_POLICY.permission;
  if (typeof error !== "object" || error === null) return FAILURE_POLICY.other;
  const e = error as Record<string, unknown>;
  const kind = typeof e.kind === "string" ? e.kind : "other";
  switch (kind) {
    case "network":
      return FAILURE_POLICY[
        `network/${e.connectFailed === true ? "connect" : "dropped"}`
      ];
    case "api":
    case "unexpected-response":
      return FAILURE_POLICY[statusClass(e.status)];
    case "workflow":
      return e.reason === undefined && e.cause !== undefined
        ? classify(e.cause)
        : FAILURE_POLICY["workflow/refused"];
  }
  return FAILURE_POLICY[Object.hasOwn(FAILURE_POLICY, kind) ? kind : "other"];
}

/** The wait after the `attempt`-th failure: backoff or a longer `Retry-After`; `undefined` past `maxRetryAfterMs`. */
export function waitBefore(
  error: unknown,
  attempt: number,
  o: { backoff?: BackoffOptions; maxRetryAfterMs?: number; now: number },
): number | undefined {
  const backoff = backoffDelay(attempt - 1, o.backoff);
  const asked = parseRetryAfter(
    (error as { retryAfter?: string } | null)?.retryAfter,
    o.now,
  );
  if (asked === undefined) return backoff;
  return asked > (o.maxRetryAfterMs ?? Infinity)
    ? undefined
    : Math.max(backoff, asked);
}

/** How {@linkcode retry} goes on: tries in all, which verdicts retry, the backoff and the time; `method` and `url` name an `AbortedError`. */
export interface RetryPlan {
  readonly maxAttempts: number;
  readonly retryIf: (verdict: Verdict) => boolean;
  readonly backoff?: BackoffOptions;
  /** The longest `Retry-After` honoured; a longer one ends the retries. */
  readonly maxRetryAfterMs?: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** A clock time no wait may reach. */
  readonly deadline?: number;
  readonly method: string;
  readonly url: string;
  /** Called before a wait with the failure that caused it. */
  readonly onRetry?: (error: unknown) => unknown;
}

type StopReason = "final" | "exhausted" | "deadline";

/** Runs `attempt` again while `retryIf` accepts, attempts and `deadline` allow; else `stop` (throws); a signal throws `AbortedError`. */
export async function retry<T>(
  attempt: (timeLeftMs: number) => Promise<T>,
  plan: RetryPlan,
  stop: (error: unknown, why: StopReason, failures: number) => T = (e) => {
    throw e;
  },
): Promise<T> {
  const { clock, signal } = plan;
  const deadline = plan.deadline ?? Infinity;
  for (let failures = 1, last: unknown;; failures++) {
    const left = deadline - clock.now();
    // No try starts at the deadline (a wait may end right on it).
    if (left <= 0) return stop(last, "deadline", failures - 1);
    let wait: number | undefined;
    try {
      return await attempt(left);
    } catch (error) {
      last = error;
      if (!plan.retryIf(classify(error))) return stop(error, "final", failures);
      if (failures >= plan.maxAttempts) {
        return stop(error, "exhausted", failures);
      }
      const now = clock.now();
      wait = waitBefore(error, failures, { ...plan, now });
      if (wait === undefined) return stop(error, "final", failures);
      if (now + wait >= deadline) return stop(error, "deadline", failures);
      await plan.onRetry?.(error);
    }
    try {
      await clock.sleep(wait, signal);
    } catch (error) {
      if (!signal?.aborted) throw error;
      const { method, url } = plan;
      throw new AbortedError({ method, url, cause: signal.reason });
    }
  }
}
