/** Notebook displays of jobs, tags and requests: one table renderer, HTML in Jupyter and text elsewhere. */
import type { LightlyRequest } from "../core/build.ts";
import type { JobStatusData, TagData } from "../core/types.ts";
import { formatRequest, progressFraction, redactRequest } from "./format.ts";
import {
  markup,
  type RichDisplay,
  richDisplay,
  textOf,
} from "./rich_display.ts";

/** A job as the poller reports it (`waitForJob`'s progress reports and result): the job, how often and how long it was polled. */
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

const STATUS_COLORS = new Map([
  ["WAITING", "#a16207"],
  ["RUNNING", "#1d4ed8"],
  ["FAILED", "#b91c1c"],
  ["FINISHED", "#15803d"],
]);

type Row = readonly unknown[] | false;

/**
 * The one table of every display: `[label, value]` rows (`false` ones left
 * out), or with `head` a list whose rows are its columns' cells.
 */
function view(
  kind: string,
  title: string,
  rows: Row[],
  text: string,
  head?: string[],
): RichDisplay {
  const cells = (row: readonly unknown[]) =>
    head
      ? row.map((cell) => markup`<td>${cell}</td>`)
      : markup`<th>${row[0]}</th><td>${row[1]}</td>`;
  const thead = head &&
    markup`<thead><tr>${head.map((h) => markup`<th>${h}</th>`)}</tr></thead>\n`;
  const body = rows.filter((row) => row !== false).map((row) =>
    markup`<tr>${cells(row)}</tr>\n`
  );
  return richDisplay(
    markup`<div class="lightly-box" data-lightly="${kind}">${STYLE}<table>
<caption style="text-align:left;font-weight:600;padding-bottom:4px">${title}</caption>
${thead}<tbody>${body}</tbody></table></div>`,
    text,
  );
}

const code = (value: unknown) => markup`<code>${value}</code>`;

/** Unix milliseconds as ISO text, or the value as it came when it is not a time. */
function time(value: unknown): string | undefined {
  if (typeof value === "number" && Math.abs(value) <= 8.64e15) {
    return new Date(value).toISOString();
  }
  return value == null ? undefined : textOf(value);
}

/**
 * Renders a job's status (a `JobStatusData`, or a snapshot such as
 * `waitForJob`'s progress reports and result) as a table with a progress bar:
 * id, status, processed / total, the new tag once finished, the server's error
 * once failed, and a snapshot's polls and elapsed time.
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
  const given = input as Partial<JobSnapshot> & { id?: unknown };
  const { job, polls, elapsedMs } = typeof given.id !== "string" &&
      typeof given.job === "object" && given.job !== null
    ? given as JobSnapshot
    : { job: input as JobStatusData } as JobSnapshot;
  const { meta, result, error } = job;
  const status = textOf(job.status);
  const fraction = progressFraction(meta?.processed, meta?.total) ??
    (status === "FINISHED" ? 1 : undefined);
  const percent = fraction === undefined ? "" : Math.round(fraction * 100);
  const progress = [
    meta && `${textOf(meta.processed)}/${textOf(meta.total)}`,
    percent !== "" && `(${percent}%)`,
  ].filter(Boolean).join(" ");
  const bar = fraction === undefined
    ? "?".repeat(20)
    : "#".repeat(Math.round(fraction * 20)).padEnd(20, ".");
  const elapsed = typeof elapsedMs === "number"
    ? `${(elapsedMs / 1000).toFixed(1)} s`
    : undefined;
  const counters = [
    polls !== undefined && `polls: ${polls}`,
    elapsed !== undefined && `elapsed: ${elapsed}`,
  ].filter(Boolean);
  const text = [
    `job ${textOf(job.id)} ${status} [${bar}]${progress && ` ${progress}`}`,
    result != null && `  result: ${textOf(result.type)} ${textOf(result.data)}`,
    error != null && `  error: ${textOf(error)}`,
    counters.length > 0 && `  ${counters.join(", ")}`,
  ].filter(Boolean).join("\n");
  const color = STATUS_COLORS.get(status) ?? "#6b7280";
  return view("job", "Sampling job", [
    ["Job", code(job.id)],
    [
      "Status",
      markup`<span class="lightly-status" style="background:${color}">${status}</span>`,
    ],
    [
      "Progress",
      markup`<progress style="width:200px"${
        percent === "" ? "" : markup` value="${percent}" max="100"`
      }></progress> ${progress}`,
    ],
    job.datasetId !== undefined && ["Dataset", code(job.datasetId)],
    result != null && ["Result", markup`${result.type} ${code(result.data)}`],
    error != null && ["Error", error],
    ["Created", time(job.createdAt)],
    job.finishedAt !== undefined && ["Finished", time(job.finishedAt)],
    polls !== undefined && ["Polls", polls],
    elapsed !== undefined && ["Elapsed", elapsed],
  ], text);
}

/**
 * Renders one tag (e.g. from `getTag` or `selectSamples`) as a summary table:
 * name, id, number of samples, the tag it was derived from (none for the
 * initial tag) and its creation time.
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
  const prev = tag.prevTagId == null ? undefined : textOf(tag.prevTagId);
  const text = [
    `tag ${textOf(tag.name)} (${textOf(tag.id)})`,
    `  samples: ${textOf(tag.totSize)}`,
    `  derived from: ${prev ?? "— (initial tag)"}`,
    `  created: ${time(tag.createdAt) ?? ""}`,
  ].join("\n");
  return view("tag", `Tag ${textOf(tag.name)}`, [
    ["Name", tag.name],
    ["Tag", code(tag.id)],
    ["Samples", tag.totSize],
    ["Derived from", prev === undefined ? "— (initial tag)" : code(prev)],
    tag.queryTagId !== undefined && ["Query tag", code(tag.queryTagId)],
    tag.preselectedTagId !== undefined &&
    ["Preselected tag", code(tag.preselectedTagId)],
    ["Dataset", code(tag.datasetId)],
    ["Created", time(tag.createdAt)],
  ], text);
}

/**
 * Renders a list of tags (e.g. from `listTags`) as one table, in the order
 * given: name, id, samples, derived from, created.
 *
 * @example
 * ```ts
 * import { displayTags } from "@lightly-sampling/lightly-sampling/display";
 * console.log(displayTags([]).text); // "0 tags"
 * ```
 */
export function displayTags(tags: readonly TagData[]): RichDisplay {
  const text = [
    `${tags.length} tags`,
    ...tags.map((t) =>
      `  ${textOf(t.name)}  ${textOf(t.id)}  ${textOf(t.totSize)}`
    ),
  ].join("\n");
  return view(
    "tags",
    `${tags.length} tags`,
    tags.map((t) => [
      t.name,
      code(t.id),
      t.totSize,
      code(t.prevTagId ?? "—"),
      time(t.createdAt),
    ]),
    text,
    ["Name", "Tag", "Samples", "Derived from", "Created"],
  );
}

/**
 * Renders a built request for inspection (method, URL, headers and body) from
 * its redacted copy: the API key and bearer token never appear. Its text is
 * `formatRequest`'s.
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
  const { method, url, headers, body } = redactRequest(request);
  return view("request", `${method} request`, [
    ["Request", code(`${method} ${url}`)],
    ...Object.entries(headers).map(([name, value]) => [name, code(value)]),
    body !== undefined && [
      "Body",
      markup`<pre style="margin:0">${JSON.stringify(body, null, 2)}</pre>`,
    ],
  ], formatRequest(request));
}
