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
export { buildSamplingRequest, type SamplingRequest } from "../build.ts";
export { checkBaseUrl, DEFAULT_BASE_URL } from "../client_options.ts";
export { isSamplingValidationError, type ValidationIssue } from "../errors.ts";
export { formatCurl, formatRequest, redactRequest } from "../format.ts";
export { OBJECT_ID_PATTERN } from "../rules.ts";

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
