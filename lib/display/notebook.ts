/**
 * Notebook displays of jobs, tags and requests: HTML tables in Deno's
 * Jupyter kernel (`deno jupyter`), plain text anywhere else. Requests are
 * rendered from their redacted copy: no secret is ever displayed.
 *
 * @module
 */
import type { LightlyRequest } from "../core/build.ts";
import type { JobStatusData, TagData } from "../core/types.ts";
import { formatRequest, progressFraction, redactRequest } from "./format.ts";
import {
  type Html,
  markup,
  type RichDisplay,
  richDisplay,
  textOf,
} from "./rich_display.ts";

/**
 * A job as the poller reports it: the job plus how long and how often it was
 * polled. `waitForJob`'s progress reports and results have this shape.
 */
export interface JobSnapshot {
  /** The job's last known status. */
  readonly job: JobStatusData;
  /** How many times the job was polled so far. */
  readonly polls?: number;
  /** Milliseconds since the wait began. */
  readonly elapsedMs?: number;
}

/** What {@linkcode displayJob} accepts: a job, or a snapshot holding one. */
export type JobDisplayInput = JobStatusData | JobSnapshot;

const STYLE = markup`<style>
.lightly-box{font-family:system-ui,sans-serif;font-size:13px}
.lightly-box table{border-collapse:collapse}
.lightly-box th{text-align:left;padding:2px 12px 2px 0;color:#555;font-weight:600}
.lightly-box td{padding:2px 12px 2px 0}
.lightly-box code{font-size:12px}
.lightly-status{padding:1px 6px;border-radius:3px;color:#fff}
</style>`;

const STATUS_COLORS = new Map<string, string>([
  ["UNKNOWN", "#6b7280"],
  ["WAITING", "#a16207"],
  ["RUNNING", "#1d4ed8"],
  ["FAILED", "#b91c1c"],
  ["FINISHED", "#15803d"],
]);

/** A titled table of `rows` (`false` ones left out); `head` names a list's columns. */
function table(
  kind: string,
  title: string,
  rows: (Html | false)[],
  head?: Html,
) {
  return markup`<div class="lightly-box" data-lightly="${kind}">${STYLE}<table>
<caption style="text-align:left;font-weight:600;padding-bottom:4px">${title}</caption>
${head}<tbody>${rows.filter((r) => r !== false)}</tbody></table></div>`;
}

function row(label: string, value: unknown): Html {
  return markup`<tr><th>${label}</th><td>${value}</td></tr>\n`;
}

function code(value: unknown): Html {
  return markup`<code>${value}</code>`;
}

/** Unix milliseconds as ISO text, or the value as it came when it is not a time. */
function time(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Math.abs(value) <= 8.64e15) {
    return new Date(value).toISOString();
  }
  return textOf(value);
}

function textBar(fraction: number | undefined, width = 20): string {
  if (fraction === undefined) return `[${"?".repeat(width)}]`;
  const filled = Math.round(fraction * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function isJobSnapshot(input: JobDisplayInput): input is JobSnapshot {
  const job = (input as { job?: unknown }).job;
  return typeof (input as { id?: unknown }).id !== "string" &&
    typeof job === "object" && job !== null;
}

/**
 * Renders a job's status as a table with a progress bar: id, status,
 * processed / total, the new tag's id once finished, the server's error once
 * failed, and (for a snapshot) polls and elapsed time.
 *
 * @param input A `JobStatusData`, or a snapshot `{ job, polls?, elapsedMs? }`
 *   such as `waitForJob`'s progress reports and result.
 * @returns A {@linkcode RichDisplay}: HTML in Jupyter, text elsewhere.
 *
 * @example Show a job in a notebook cell
 * ```ts
 * import { displayJob } from "@lightly-sampling/lightly-sampling/display";
 * const view = displayJob({
 *   id: "0123456789abcdef01234567", status: "RUNNING", meta: { total: 100, processed: 40 },
 *   waitTimeTillNextPoll: 1, createdAt: 1700000000000,
 * });
 * console.log(view.text); // "job 0123456789abcdef01234567 RUNNING [########............] 40/100 (40%)"
 * ```
 */
export function displayJob(input: JobDisplayInput): RichDisplay {
  const { job, polls, elapsedMs }: JobSnapshot = isJobSnapshot(input)
    ? input
    : { job: input };
  const { meta, result, error } = job;
  const status = textOf(job.status);
  const fraction = progressFraction(meta?.processed, meta?.total) ??
    (status === "FINISHED" ? 1 : undefined);
  const percent = fraction === undefined
    ? undefined
    : Math.round(fraction * 100);
  const progress = [
    meta && `${textOf(meta.processed)}/${textOf(meta.total)}`,
    percent !== undefined && `(${percent}%)`,
  ].filter(Boolean).join(" ");
  const elapsed = typeof elapsedMs === "number"
    ? `${(elapsedMs / 1000).toFixed(1)} s`
    : undefined;
  const done = result !== undefined && result !== null;
  const failed = error !== undefined && error !== null;
  const counters = [
    polls !== undefined && `polls: ${polls}`,
    elapsed !== undefined && `elapsed: ${elapsed}`,
  ].filter(Boolean);
  const text = [
    `job ${textOf(job.id)} ${status} ${textBar(fraction)}${
      progress && ` ${progress}`
    }`,
    done && `  result: ${textOf(result.type)} ${textOf(result.data)}`,
    failed && `  error: ${textOf(error)}`,
    counters.length > 0 && `  ${counters.join(", ")}`,
  ].filter(Boolean).join("\n");
  const bar = percent === undefined
    ? markup`<progress style="width:200px"></progress>`
    : markup`<progress style="width:200px" value="${percent}" max="100"></progress>`;
  const color = STATUS_COLORS.get(status) ?? "#6b7280";
  return richDisplay(
    table("job", "Sampling job", [
      row("Job", code(job.id)),
      row(
        "Status",
        markup`<span class="lightly-status" style="background:${color}">${status}</span>`,
      ),
      row("Progress", markup`${bar} ${progress}`),
      job.datasetId !== undefined && row("Dataset", code(job.datasetId)),
      done && row("Result", markup`${result.type} ${code(result.data)}`),
      failed && row("Error", error),
      row("Created", time(job.createdAt)),
      job.finishedAt !== undefined && row("Finished", time(job.finishedAt)),
      polls !== undefined && row("Polls", polls),
      elapsed !== undefined && row("Elapsed", elapsed),
    ]),
    text,
  );
}

/**
 * Renders one tag as a summary table: name, id, number of samples, the tag
 * it was derived from (none for the initial tag) and its creation time.
 *
 * @param tag A `TagData`, e.g. from `getTag` or `selectSamples`.
 * @returns A {@linkcode RichDisplay}: HTML in Jupyter, text elsewhere.
 *
 * @example
 * ```ts
 * import { displayTag } from "@lightly-sampling/lightly-sampling/display";
 * const view = displayTag({
 *   id: "0123456789abcdef01234569", datasetId: "0123456789abcdef01234567",
 *   prevTagId: null, name: "coreset-100", bitMaskData: "0x1", totSize: 100, createdAt: 0,
 * });
 * console.log(view.text); // "tag coreset-100 (0123456789abcdef01234569)\n  samples: 100\n…"
 * ```
 */
export function displayTag(tag: TagData): RichDisplay {
  const prev = tag.prevTagId === null || tag.prevTagId === undefined
    ? undefined
    : textOf(tag.prevTagId);
  const rows = [
    row("Name", tag.name),
    row("Tag", code(tag.id)),
    row("Samples", tag.totSize),
    row("Derived from", prev === undefined ? "— (initial tag)" : code(prev)),
    tag.queryTagId !== undefined && row("Query tag", code(tag.queryTagId)),
    tag.preselectedTagId !== undefined &&
    row("Preselected tag", code(tag.preselectedTagId)),
    row("Dataset", code(tag.datasetId)),
    row("Created", time(tag.createdAt)),
  ];
  const text = [
    `tag ${textOf(tag.name)} (${textOf(tag.id)})`,
    `  samples: ${textOf(tag.totSize)}`,
    `  derived from: ${prev ?? "— (initial tag)"}`,
    `  created: ${time(tag.createdAt) ?? ""}`,
  ].join("\n");
  return richDisplay(table("tag", `Tag ${textOf(tag.name)}`, rows), text);
}

/**
 * Renders a list of tags as one table: name, id, samples, derived from,
 * created; in the order given.
 *
 * @param tags Tags, e.g. from `listTags`.
 * @returns A {@linkcode RichDisplay}: HTML in Jupyter, text elsewhere.
 *
 * @example
 * ```ts
 * import { displayTags } from "@lightly-sampling/lightly-sampling/display";
 * console.log(displayTags([]).text); // "0 tags"
 * ```
 */
export function displayTags(tags: readonly TagData[]): RichDisplay {
  const rows = tags.map((tag) =>
    markup`<tr><td>${tag.name}</td><td>${
      code(tag.id)
    }</td><td>${tag.totSize}</td><td>${code(tag.prevTagId ?? "—")}</td><td>${
      time(tag.createdAt)
    }</td></tr>\n`
  );
  const head =
    markup`<thead><tr><th>Name</th><th>Tag</th><th>Samples</th><th>Derived from</th><th>Created</th></tr></thead>\n`;
  const text = [
    `${tags.length} tags`,
    ...tags.map((tag) =>
      `  ${textOf(tag.name)}  ${textOf(tag.id)}  ${textOf(tag.totSize)}`
    ),
  ].join("\n");
  return richDisplay(table("tags", `${tags.length} tags`, rows, head), text);
}

/**
 * Renders a request for inspection (method, URL, headers and body) from its
 * redacted copy: the API key and bearer token never appear.
 *
 * @param request A request from `buildSamplingRequest`.
 * @returns A {@linkcode RichDisplay}: HTML in Jupyter, `formatRequest`'s text elsewhere.
 *
 * @example Inspect a dry run in a notebook cell
 * ```ts
 * import { buildSamplingRequest } from "@lightly-sampling/lightly-sampling";
 * import { displayRequest } from "@lightly-sampling/lightly-sampling/display";
 * const view = displayRequest(buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567", embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } }));
 * console.log(view.html.includes("secret")); // false
 * ```
 */
export function displayRequest(request: LightlyRequest): RichDisplay {
  const safe = redactRequest(request);
  const rows = [
    row("Request", code(`${safe.method} ${safe.url}`)),
    ...Object.entries(safe.headers).map(([name, value]) =>
      row(name, code(value))
    ),
    safe.body !== undefined && row(
      "Body",
      markup`<pre style="margin:0">${JSON.stringify(safe.body, null, 2)}</pre>`,
    ),
  ];
  return richDisplay(
    table("request", `${safe.method} request`, rows),
    formatRequest(request),
  );
}
