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
    /** The API or the job said no, or the trigger may have been applied. */
    REFUSED: 1,
    /** Usage or validation error, or a missing permission: nothing was sent. */
    USAGE: 2,
    /** Network, timeout, 429, 5xx, an unreadable answer: retrying may help. */
    TRANSIENT: 3,
    /** Interrupted by Ctrl-C (128 + SIGINT). */
    INTERRUPTED: 130,
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

/**
 * The exit code for a failure.
 *
 * - 1: `api` 4xx (but 408 and 429), `job-failed`, `job-result-missing`,
 *   `maybe-applied` (the POST may have been applied: a blind retry could
 *   start a second job, so it is not reported as retryable), a `workflow`
 *   preflight refusal, anything unforeseen.
 * - 2: `validation`, `usage`, `permission`, Deno's `NotCapable` /
 *   `PermissionDenied`.
 * - 3: `network`, `timeout`, `unexpected-response`, `poll-failed`,
 *   `deadline`, `api` 408, 429 and 5xx.
 * - 130: `aborted` (Ctrl-C).
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
    case "api": {
      const status = statusOf(error) ?? 0;
      return status === 408 || status === 429 || status >= 500
        ? EXIT.TRANSIENT
        : EXIT.REFUSED;
    }
    case "network":
    case "timeout":
    case "unexpected-response":
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
