/**
 * Exit codes: which failure ends the run with which code. Errors are told
 * apart by their `kind` (the library's `LightlyError` kinds and this
 * folder's own), never by `instanceof`, so copies of the library loaded
 * from different URLs classify alike.
 *
 * @module
 */

/**
 * The exit codes, by meaning.
 *
 * @example
 * ```ts
 * import { EXIT } from "./exit_codes.ts";
 * if (EXIT.TRANSIENT === 3) console.log("retry later");
 * ```
 */
export const EXIT = Object.freeze(
  {
    /** Success. */
    OK: 0,
    /**
     * The API (or a proxy in front of it) or the job said no, or the trigger
     * may have been applied: look before retrying.
     */
    REFUSED: 1,
    /** Usage or validation error, or a missing permission: nothing was sent. */
    USAGE: 2,
    /** Network, timeout, 429, 5xx, an unreadable answer: retrying may help. */
    TRANSIENT: 3,
    /** Interrupted by Ctrl-C (128 + SIGINT). */
    INTERRUPTED: 130,
    /** Interrupted by SIGTERM (128 + 15), e.g. from `timeout` or `docker stop`. */
    TERMINATED: 143,
    /** Interrupted by SIGHUP (128 + 1): the terminal went away. */
    HANGUP: 129,
  } as const,
);

/** One of the values of {@linkcode EXIT}. */
export type ExitCode = typeof EXIT[keyof typeof EXIT];

function kindOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const kind = (error as { kind?: unknown }).kind;
  return typeof kind === "string" ? kind : undefined;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  return typeof status === "number" ? status : undefined;
}

/** Whether a status says "try again later": 408, 429 or 5xx. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * The exit code for a failure.
 *
 * - 1: a 4xx but 408 and 429 — an `api` one, or an `unexpected-response`
 *   one such as a proxy's HTML 403: retrying as is will not help —,
 *   `job-failed`, `job-result-missing`, `maybe-applied` (the POST may have
 *   been applied: a blind retry could start a second job, so it is not
 *   reported as retryable), a `workflow` preflight refusal, anything
 *   unforeseen.
 * - 2: `validation`, `usage`, `permission`, Deno's `NotCapable` /
 *   `PermissionDenied`.
 * - 3: `network`, `timeout`, `poll-failed`, `deadline`, `api` 408, 429 and
 *   5xx, and any other `unexpected-response` (an unreadable 2xx, an HTML
 *   502).
 * - 130: `aborted` (the run stops it with 143 or 129 when SIGTERM or SIGHUP
 *   interrupted it; see `interrupt.ts`).
 * - A `workflow` error that wraps a cause gets the cause's code.
 *
 * @param error Anything caught.
 * @returns The code to exit with.
 *
 * @example
 * ```ts
 * import { exitCodeFor } from "./exit_codes.ts";
 * exitCodeFor({ kind: "api", status: 404 }); // 1
 * exitCodeFor({ kind: "api", status: 503 }); // 3
 * exitCodeFor({ kind: "unexpected-response", status: 403 }); // 1
 * ```
 */
export function exitCodeFor(error: unknown): ExitCode {
  if (
    error instanceof Deno.errors.NotCapable ||
    error instanceof Deno.errors.PermissionDenied
  ) return EXIT.USAGE;
  switch (kindOf(error)) {
    case "validation":
    case "usage":
    case "permission":
      return EXIT.USAGE;
    case "aborted":
      return EXIT.INTERRUPTED;
    case "api":
      return isRetryableStatus(statusOf(error) ?? 0)
        ? EXIT.TRANSIENT
        : EXIT.REFUSED;
    case "unexpected-response": {
      const status = statusOf(error);
      return status !== undefined && status >= 400 && status < 500 &&
          !isRetryableStatus(status)
        ? EXIT.REFUSED
        : EXIT.TRANSIENT;
    }
    case "network":
    case "timeout":
    case "poll-failed":
    case "deadline":
      return EXIT.TRANSIENT;
    case "workflow": {
      const e = error as { reason?: unknown; cause?: unknown };
      if (e.reason === undefined && e.cause !== undefined) {
        return exitCodeFor(e.cause);
      }
      return EXIT.REFUSED;
    }
    default:
      return EXIT.REFUSED;
  }
}
