/**
 * The command line's own errors: `LightlyError`s, so they share its `kind`
 * tag, its guard (`isLightlyError`) and its safe `toJSON` (own fields, never
 * the stack or the cause). `usage` and `permission` are kinds of the command
 * line only.
 *
 * @module
 */
import { LightlyError, type LightlyErrorKind } from "../core/errors.ts";

/** A mistake in the command line or its inputs, every problem one line; nothing was sent (exit code 2). */
export class CliUsageError extends LightlyError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super("usage" as LightlyErrorKind, problems.join("\n"));
    this.name = "CliUsageError";
    this.problems = Object.freeze([...problems]);
  }
}

/** Deno did not grant a permission the command needs: the `deno run` flags to add (exit code 2). */
export class MissingPermissionError extends LightlyError {
  readonly flags: readonly string[];

  /** @param message A message instead of the default one; it must name the flags. */
  constructor(flags: readonly string[], message?: string) {
    super(
      "permission" as LightlyErrorKind,
      message ?? `missing Deno permission: run again with ${flags.join(" ")}`,
    );
    this.name = "MissingPermissionError";
    this.flags = Object.freeze([...flags]);
  }
}

/** A server's answer nests deeper than the output prints: refused as unexpected (exit code 3). */
export class UnprintableAnswerError extends LightlyError {
  constructor(maxDepth: number) {
    super(
      "unexpected-response",
      `the server's answer is nested deeper than ${maxDepth} levels; it is not printed`,
    );
    this.name = "UnprintableAnswerError";
  }
}

/** A signal interrupted the run; the message says what it left behind. */
export class InterruptedError extends LightlyError {
  constructor(message: string) {
    super("aborted", message);
    this.name = "InterruptedError";
  }
}
