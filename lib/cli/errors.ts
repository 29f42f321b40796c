/**
 * The command line's own errors: a usage mistake and a missing Deno
 * permission, which end the run with exit code 2 before anything is sent,
 * and an answer too deeply nested to print (exit code 3, as any other
 * answer that cannot be read).
 *
 * @module
 */

/**
 * A mistake in the command line or its inputs (flags, body file, batch
 * lines, configuration); nothing was sent.
 *
 * @example
 * ```ts
 * import { CliUsageError } from "./errors.ts";
 * const error = new CliUsageError(["missing required flag: --dataset-id"]);
 * error.kind; // "usage"
 * ```
 */
export class CliUsageError extends Error {
  /** Always `usage`. */
  readonly kind = "usage";
  /** Every problem, one line each. */
  readonly problems: readonly string[];

  /**
   * Creates the error.
   *
   * @param problems Every problem found (at least one), one line each.
   */
  constructor(problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "CliUsageError";
    this.problems = Object.freeze([...problems]);
  }

  /**
   * The error's safe fields, for `--json`.
   *
   * @returns `{ name, kind, message, problems }`.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      problems: this.problems,
    };
  }
}

/**
 * Deno did not grant a permission the command needs; `flags` are the exact
 * `deno run` flags to add.
 *
 * @example
 * ```ts
 * import { MissingPermissionError } from "./errors.ts";
 * const error = new MissingPermissionError(["--allow-net=api.lightly.ai"]);
 * error.message; // "missing Deno permission: run again with --allow-net=api.lightly.ai"
 * ```
 */
export class MissingPermissionError extends Error {
  /** Always `permission`. */
  readonly kind = "permission";
  /** The flags to add, e.g. `--allow-env=LIGHTLY_TOKEN,LIGHTLY_JWT`. */
  readonly flags: readonly string[];

  /**
   * Creates the error.
   *
   * @param flags The `deno run` flags that would grant what is missing.
   * @param message A message to use instead of the default one; it must
   *   name the flags.
   */
  constructor(flags: readonly string[], message?: string) {
    super(
      message ?? `missing Deno permission: run again with ${flags.join(" ")}`,
    );
    this.name = "MissingPermissionError";
    this.flags = Object.freeze([...flags]);
  }

  /**
   * The error's safe fields, for `--json`.
   *
   * @returns `{ name, kind, message, flags }`.
   */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      kind: this.kind,
      message: this.message,
      flags: this.flags,
    };
  }
}

/**
 * A server's answer nests deeper than the output prints (see
 * `MAX_JSON_DEPTH` in `output.ts`): it is refused as an unexpected
 * response, not printed in part.
 *
 * @example
 * ```ts
 * import { UnprintableAnswerError } from "./errors.ts";
 * new UnprintableAnswerError(64).kind; // "unexpected-response"
 * ```
 */
export class UnprintableAnswerError extends Error {
  /** Always `unexpected-response`: exit code 3, like any unreadable answer. */
  readonly kind = "unexpected-response";

  /**
   * Creates the error.
   *
   * @param maxDepth The deepest nesting printed.
   */
  constructor(maxDepth: number) {
    super(
      `the server's answer is nested deeper than ${maxDepth} levels; it is not printed`,
    );
    this.name = "UnprintableAnswerError";
  }

  /**
   * The error's safe fields, for `--json`.
   *
   * @returns `{ name, kind, message }`.
   */
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message };
  }
}
