/**
 * Notebook displays: jobs, tags, requests and selections render as HTML (and
 * a Vega-Lite chart for a selection) in Deno's Jupyter kernel, and as plain
 * text anywhere else. Every value from the server is escaped; a request is
 * shown from its redacted copy, never with its secret.
 *
 * @example Show the tag a selection made, in a notebook cell
 * ```ts
 * import { selectSamples } from "@lightly-sampling/lightly-sampling";
 * import { displayTag } from "@lightly-sampling/lightly-sampling/display";
 *
 * const { tag } = await selectSamples({
 *   datasetId: "0123456789abcdef01234567",
 *   body: { newTagName: "coreset-100", method: "CORESET", config: {} },
 * }, { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * displayTag(tag); // the cell's value: rendered as an HTML table
 * ```
 *
 * @module
 */

export {
  displayJob,
  displayRequest,
  displayTag,
  displayTags,
  type JobDisplayInput,
  type JobSnapshot,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type RichDisplay,
} from "./lib/display/notebook.ts";
export {
  displaySelection,
  type SelectionCounts,
  type SelectionDisplay,
  type SelectionDisplayInput,
} from "./lib/display/selection.ts";
