/**
 * The exit codes, and the one place that classifies a failure. Errors are
 * told apart by their `kind`, never by `instanceof`, so copies of the library
 * loaded from different URLs classify alike.
 *
 * @module
 */
import { backoffDelay, parseRetryAfter } from "../core/policy.ts";

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
 * Classifies a failure: 1 the API or the job said no, or a trigger may have
 * been applied (look before retrying); 2 usage, validation, permission; 3
 * retrying may help (network, timeout, 408, 429, 5xx, an unreadable answer,
 * a lost poll); 130 interrupted. A `workflow` error that wraps a cause is
 * classified as its cause. With `retry`, a 429 pauses a batch for the
 * library's rule: the `Retry-After`, at least the attempt's backoff.
 */
export function classify(error: unknown, retry?: RetryContext): Verdict {
  const verdict = (exitCode: Verdict["exitCode"], jobMayRun = false) => ({
    exitCode,
    jobMayRun,
  });
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) return verdict(EXIT.USAGE);
  const e = (typeof error === "object" && error !== null ? error : {}) as {
    kind?: unknown;
    status?: unknown;
    retryAfter?: string;
    reason?: unknown;
    cause?: unknown;
  };
  const status = typeof e.status === "number" ? e.status : undefined;
  switch (e.kind) {
    case "validation":
    case "usage":
    case "permission":
      return verdict(EXIT.USAGE);
    case "aborted":
      return verdict(EXIT.INTERRUPTED);
    case "api":
    case "unexpected-response": {
      // A 4xx but 408 and 429 is a refusal, from the API or a proxy's page.
      const retryable = status === 408 || status === 429 ||
        (status ?? 0) >= 500;
      const clientError = status !== undefined && status >= 400 &&
        status < 500;
      const refused = e.kind === "api" ? !retryable : clientError && !retryable;
      if (status !== 429 || retry === undefined) {
        return verdict(refused ? EXIT.REFUSED : EXIT.TRANSIENT);
      }
      const backoff = backoffDelay(retry.attempt - 1);
      const asked = parseRetryAfter(e.retryAfter, retry.now);
      const pauseMs = asked === undefined
        ? backoff
        : asked <= retry.maxRetryAfterMs
        ? Math.max(asked, backoff)
        : undefined;
      return { exitCode: EXIT.TRANSIENT, jobMayRun: false, pauseMs };
    }
    case "network":
    case "timeout":
      return verdict(EXIT.TRANSIENT);
    case "poll-failed":
    case "deadline":
      return verdict(EXIT.TRANSIENT, true);
    case "workflow":
      return e.reason === undefined && e.cause !== undefined
        ? classify(e.cause)
        : verdict(EXIT.REFUSED);
    default: // job-failed, job-result-missing, maybe-applied, the unforeseen
      return verdict(EXIT.REFUSED);
  }
}
