/**
 * The command line's door to the library, in two parts:
 *
 * - What checking and dry runs need — the pure builder, the formatters, the
 *   ObjectId rule, the default host, the validation error's guard — imported statically from
 *   the library's own zod-free modules (the same modules `mod.ts`
 *   re-exports, so the same instances).
 * - Everything that goes to the network, from `mod.ts`, loaded by
 *   {@linkcode loadLibrary} only when a command is about to send: `mod.ts`
 *   pulls in zod and its schemas, which would triple the start-up time of
 *   `--dry-run` (measured: ~40 ms against ~110 ms).
 *
 * Both are relative imports: `cli.ts` is run by URL, where `deno.json`'s
 * import map is not read.
 *
 * @module
 */
import type { ValidationIssue } from "../core/errors.ts";
import type { WaitOptions } from "../jobs/wait.ts";

export { buildSamplingRequest, type SamplingRequest } from "../core/build.ts";
export { checkBaseUrl, DEFAULT_BASE_URL } from "../core/client.ts";
export { isLightlyError, type ValidationIssue } from "../core/errors.ts";
export { formatCurl, formatRequest, redactRequest } from "../display/format.ts";
export { OBJECT_ID_PATTERN } from "../core/rules.ts";

/**
 * Checks wait options (`timeoutMs` and the rest) with the library's own
 * rule — the one `waitForJob` and `selectSamples` apply — so the command
 * line can refuse them before it sends anything. Loads the job module
 * (zod included) only when there is an option to check.
 *
 * @param options The wait options the command line would pass.
 * @returns Every problem, one issue each; empty when they are fine.
 *
 * @example
 * ```ts
 * import { waitOptionIssues } from "./library.ts";
 * const issues = await waitOptionIssues({ timeoutMs: 0.5 });
 * issues[0].path; // "options.timeoutMs"
 * ```
 */
export async function waitOptionIssues(
  options: WaitOptions,
): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  if (Object.keys(options).length === 0) return issues;
  const { checkWaitOptions } = await import("../jobs/wait.ts");
  checkWaitOptions(options, issues);
  return issues;
}

/** The library's public API, as `mod.ts` exports it. */
export type Library = typeof import("../../mod.ts");

/**
 * Loads `mod.ts`, the whole library (zod included). Call it once a command
 * is about to go to the network.
 *
 * @returns The module.
 *
 * @example
 * ```ts ignore
 * import { loadLibrary } from "./library.ts";
 * const { getJobStatus } = await loadLibrary();
 * ```
 */
export function loadLibrary(): Promise<Library> {
  return import("../../mod.ts");
}
