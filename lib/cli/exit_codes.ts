/**
 * The exit codes, and what a failure means for a run: read from the
 * library's one failure policy (`lib/core/policy.ts`).
 *
 * @module
 */
import { classify as policyVerdict, waitBefore } from "../core/policy.ts";

/** The exit codes, by meaning (their help text is in `help.ts`). */
export const EXIT = Object.freeze(
  {
    OK: 0,
    REFUSED: 1,
    USAGE: 2,
    TRANSIENT: 3,
    INTERRUPTED: 130, // 128 + SIGINT
    TERMINATED: 143, // SIGTERM
    HANGUP: 129, // SIGHUP
  } as const,
);

/**
 * What a failure means for the run: its exit code (130 for any
 * interruption), for a 429 asked about with a retry context how long a batch
 * pauses before it sends the request again (none when it must not), and
 * whether the job may still be running (say how to resume).
 */
export interface Verdict {
  readonly exitCode: typeof EXIT[keyof typeof EXIT];
  readonly pauseMs?: number;
  readonly jobMayRun: boolean;
}

/** When a 429 may be sent again: the attempt that failed (from 1), the time, the longest `Retry-After` honoured. */
export type RetryContext = {
  readonly attempt: number;
  readonly now: number;
  readonly maxRetryAfterMs: number;
};

/**
 * Classifies a failure by the library's one failure policy (`policy.ts`):
 * its exit code, whether the job may still run, and, with `retry`, for a
 * 429 the pause before the batch sends the request again — the library's
 * rule: the `Retry-After`, at least the attempt's backoff.
 */
export function classify(error: unknown, retry?: RetryContext): Verdict {
  const v = policyVerdict(error);
  const pauseMs = retry !== undefined && v.throttled
    ? waitBefore(error, retry.attempt, retry)
    : undefined;
  return pauseMs === undefined
    ? { exitCode: v.exitCode, jobMayRun: v.jobMayRun }
    : { exitCode: v.exitCode, jobMayRun: v.jobMayRun, pauseMs };
}
