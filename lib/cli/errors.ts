/**
 * The command line's own errors. They extend the library's `LightlyError`,
 * so they share its `kind` tag, its guard (`isLightlyError`) and its safe
 * `toJSON` (own fields, never the stack or the cause).
 *
 * @module
 */
import { LightlyError, type LightlyErrorKind } from "../errors.ts";

/** The kinds the command line adds to the library's. */
type CliKind = "usage" | "permission";

/**
 * A mistake in the command line or its inputs (flags, body file, batch
 * lines, configuration); nothing was sent. Exit code 2.
 */
export class CliUsageError extends LightlyError {
  /** Every problem, one line each. */
  readonly problems: readonly string[];

  /** @param problems Every problem found (at least one), one line each. */
  constructor(problems: readonly string[]) {
    super("usage" satisfies CliKind as LightlyErrorKind, problems.join("\n"));
    this.name = "CliUsageError";
    this.problems = Object.freeze([...problems]);
  }
}

/**
 * Deno did not grant a permission the command needs; `flags` are the exact
 * `deno run` flags to add. Exit code 2.
 */
export class MissingPermissionError extends LightlyError {
  /** The flags to add, e.g. `--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT`. */
  readonly flags: readonly string[];

  /**
   * @param flags The `deno run` flags that would grant what is missing.
   * @param message A message to use instead of the default one; it must
   *   name the flags.
   */
  constructor(flags: readonly string[], message?: string) {
    super(
      "permission" satisfies CliKind as LightlyErrorKind,
      message ?? `missing Deno permission: run again with ${flags.join(" ")}`,
    );
    this.name = "MissingPermissionError";
    this.flags = Object.freeze([...flags]);
  }
}

/**
 * A server's answer nests deeper than the output prints: it is refused as
 * an unexpected response (exit code 3), not printed in part.
 */
export class UnprintableAnswerError extends LightlyError {
  /** @param maxDepth The deepest nesting printed. */
  constructor(maxDepth: number) {
    super(
      "unexpected-response",
      `the server's answer is nested deeper than ${maxDepth} levels; it is not printed`,
    );
    this.name = "UnprintableAnswerError";
  }
}

/**
 * The run was interrupted (SIGINT, SIGTERM, SIGHUP); the message says what
 * was left running or may have been sent.
 */
export class InterruptedError extends LightlyError {
  /** @param message What the interruption left behind. */
  constructor(message: string) {
    super("aborted", message);
    this.name = "InterruptedError";
  }
}
