/**
 * What `--dry-run` prints: the request (method, URL, headers, pretty body)
 * with every secret masked, and an equivalent `curl` that reads the token
 * from `$LIGHTLY_TOKEN` (or `$LIGHTLY_JWT`). For `select`, the steps around
 * the POST as well. Nothing here sends anything.
 *
 * @module
 */
import type { LightlyRequest } from "../../mod.ts";
import { formatCurl, formatRequest, redactRequest } from "./library.ts";

/** A dry run, for people and for `--json`. */
export interface DryRunView {
  /** Text for stdout. */
  text: string;
  /** The document for `--json`. */
  json: Record<string, unknown>;
}

/** Options of {@linkcode describeDryRun}. */
export interface DryRunOptions {
  /**
   * Steps before and after the request, for people and JSON, e.g. the GETs
   * of `select`.
   *
   * @default {[]}
   */
  steps?: readonly string[];
  /**
   * Text to show in place of a placeholder, e.g. the embedding id that
   * `select` resolves at run time.
   *
   * @default {undefined}
   */
  replace?: readonly [placeholder: string, shown: string];
  /**
   * Notes about fields filled in at run time.
   *
   * @default {[]}
   */
  notes?: readonly string[];
}

/**
 * Describes the request a command would send.
 *
 * @param request The request, as the library built it.
 * @param options Steps around it, placeholders, notes.
 * @returns Text and JSON views, secrets masked.
 *
 * @example
 * ```ts
 * import { buildSamplingRequest } from "./library.ts";
 * import { describeDryRun } from "./dry_run.ts";
 * const view = describeDryRun(buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "89abcdef0123456789abcdef",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } }));
 * console.log(view.text);
 * ```
 */
export function describeDryRun(
  request: LightlyRequest,
  options: DryRunOptions = {},
): DryRunView {
  const swap = (text: string) =>
    options.replace
      ? text.replaceAll(options.replace[0], options.replace[1])
      : text;
  const curl = swap(formatCurl(request));
  const redacted = redactRequest(request);
  const steps = options.steps ?? [];
  const notes = options.notes ?? [];
  const text = [
    ...(steps.length > 0
      ? ["# steps:", ...steps.map((s) => `#   ${s}`), ""]
      : []),
    swap(formatRequest(request)),
    "",
    ...notes.map((n) => `# ${n}`),
    `# the same request with curl (the token is read from the environment):`,
    curl,
    "",
  ].join("\n");
  return {
    text,
    json: {
      dryRun: true,
      ...(steps.length > 0 ? { steps } : {}),
      request: { ...redacted, url: swap(redacted.url) },
      ...(notes.length > 0 ? { notes } : {}),
      curl,
    },
  };
}
