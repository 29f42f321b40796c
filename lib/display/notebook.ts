import type { LightlyRequest } from "../core/build.ts";
import type { JobStatusData, TagData } from "../core/types.ts";
import type { JobProgress } from "../jobs/wait.ts";
import {
  CONTROL_CHARACTERS,
  formatRequest,
  progressFraction,
  redactRequest,
} from "./format.ts";

/**
 * The symbol Deno's Jupyter kernel looks for on a cell's value
 * (`Symbol.for("Jupyter.display")`): a method returning a {@linkcode MimeBundle}.
 */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display");

/** The MIME bundle a {@linkcode RichDisplay} hands to Jupyter. */
export interface MimeBundle {
  /** A self-contained HTML fragment; every value in it is escaped. */
  "text/html": string;
  /** The same content as plain text. */
  "text/plain": string;
  /** A Vega-Lite 5 chart, which JupyterLab draws natively (pictures only). */
  "application/vnd.vegalite.v5+json"?: Record<string, unknown>;
}

/** A value that renders as HTML in Jupyter and as text elsewhere: return it from a cell, pass it to `Deno.jupyter.display`, or print it. */
export interface RichDisplay {
  /** The HTML fragment (escaped). */
  readonly html: string;
  /** The plain-text rendering (control characters replaced). */
  readonly text: string;
  /** The MIME bundle Deno's Jupyter kernel renders. */
  [JUPYTER_DISPLAY](): MimeBundle;
  /** The plain-text rendering, {@linkcode RichDisplay.text}. */
  toString(): string;
}

const ENTITY = { "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" };

/** Escapes `&`, `<`, `>`, `"` and `'`: for HTML content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => `&${ENTITY[c as keyof typeof ENTITY]};`,
  );
}

/** Markup made by {@linkcode markup}: the only value inserted unescaped. */
export class Html {
  constructor(readonly value: string) {}
}

/** The one way markup is made: values escaped unless {@linkcode Html}, arrays item by item, nullish as nothing. */
export function markup(
  strings: TemplateStringsArray,
  ...values: unknown[]
): Html {
  return new Html(strings.reduce((out, s, i) => out + html(values[i - 1]) + s));
}

function html(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(html).join("");
  return value == null ? "" : escapeHtml(textOf(value));
}

/** Any value as short text: strings as they are, other values as JSON. */
function textOf(value: unknown): string {
  if (typeof value === "string" || typeof value === "number") return `${value}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch { /* a cycle or a bigint */ }
  return String(value);
}

/** A frozen {@linkcode RichDisplay} (control characters replaced), with a Vega-Lite chart when given. */
export function richDisplay(
  content: Html,
  text: string,
  vegaLite?: Record<string, unknown>,
): RichDisplay {
  const safe = text.replace(CONTROL_CHARACTERS, "\uFFFD");
  const bundle: MimeBundle = { "text/html": content.value, "text/plain": safe };
  if (vegaLite) bundle["application/vnd.vegalite.v5+json"] = vegaLite;
  return Object.freeze({
    html: content.value,
    text: safe,
    [JUPYTER_DISPLAY]: () => ({ ...bundle }),
    [Symbol.for("Deno.customInspect")]: () => safe,
    toString: () => safe,
  });
}

const STYLE = markup`<style>
.lightly-box{font-family:system-ui,sans-serif;font-size:13px}
.lightly-box table{border-collapse:collapse}
.lightly-box th{text-align:left;padding:2px 12px 2px 0;color:#555;font-weight:600}
.lightly-box td{padding:2px 12px 2px 0}
.lightly-box code{font-size:12px}
.lightly-status{padding:1px 6px;border-radius:3px;color:#fff}
</style>`;

/** The one table of every display: `[label, value]` rows (`false` ones left out), or with `head` a list of rows of cells. */
function table(
  kind: string,
  title: string,
  text: string,
  rows: (readonly unknown[] | false)[],
  head?: string[],
): RichDisplay {
  const tr = (row: readonly unknown[]) =>
    markup`<tr>${
      head
        ? row.map((cell) => markup`<td>${cell}</td>`)
        : markup`<th>${row[0]}</th><td>${row[1]}</td>`
    }</tr>\n`;
  const th = head?.map((name) => markup`<th>${name}</th>`);
  const thead = th && markup`<thead><tr>${th}</tr></thead>\n`;
  const body = rows.filter((row) => row !== false).map(tr);
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

const STATUS_COLORS = new Map([
  ["WAITING", "#a16207"],
  ["RUNNING", "#1d4ed8"],
  ["FAILED", "#b91c1c"],
  ["FINISHED", "#15803d"],
]);

/** A job with how often and how long it was polled, such as `waitForJob`'s progress reports and result. */
export type JobSnapshot =
  & Pick<JobProgress, "job">
  & Partial<Pick<JobProgress, "polls" | "elapsedMs">>;

/** What {@linkcode displayJob} accepts: a job, or a snapshot holding one. */
export type JobDisplayInput = JobStatusData | JobSnapshot;

/**
 * Renders a job (or a {@linkcode JobSnapshot}) as a table with a progress
 * bar: id, status, processed / total, the new tag once finished, the server's
 * error once failed, and a snapshot's polls and elapsed time.
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
  const { job, polls, elapsedMs }: JobSnapshot =
    typeof given.id !== "string" && given.job != null &&
      typeof given.job === "object"
      ? given as JobSnapshot
      : { job: input as JobStatusData };
  const { meta, result, error } = job;
  const status = textOf(job.status);
  const fraction = progressFraction(meta?.processed, meta?.total) ??
    (status === "FINISHED" ? 1 : undefined);
  const percent = fraction === undefined ? "" : Math.round(fraction * 100);
  const bar = fraction === undefined
    ? "?".repeat(20)
    : "#".repeat(Math.round(fraction * 20)).padEnd(20, ".");
  const progress = [
    meta && `${textOf(meta.processed)}/${textOf(meta.total)}`,
    percent !== "" && `(${percent}%)`,
  ].filter(Boolean).join(" ");
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
  const badge =
    markup`<span class="lightly-status" style="background:${color}">`;
  const value = percent === "" ? "" : markup` value="${percent}" max="100"`;
  const meter = markup`<progress style="width:200px"${value}></progress>`;
  return table("job", "Sampling job", text, [
    ["Job", code(job.id)],
    ["Status", markup`${badge}${status}</span>`],
    ["Progress", markup`${meter} ${progress}`],
    job.datasetId !== undefined && ["Dataset", code(job.datasetId)],
    result != null && ["Result", markup`${result.type} ${code(result.data)}`],
    error != null && ["Error", error],
    ["Created", time(job.createdAt)],
    job.finishedAt !== undefined && ["Finished", time(job.finishedAt)],
    polls !== undefined && ["Polls", polls],
    elapsed !== undefined && ["Elapsed", elapsed],
  ]);
}

/**
 * Renders a tag (e.g. from `getTag` or `selectSamples`) as a summary table:
 * name, id, number of samples, the tag it was derived from (none for the
 * initial tag) and its creation time.
 */
export function displayTag(tag: TagData): RichDisplay {
  const prev = tag.prevTagId == null ? undefined : textOf(tag.prevTagId);
  const text = [
    `tag ${textOf(tag.name)} (${textOf(tag.id)})`,
    `  samples: ${textOf(tag.totSize)}`,
    `  derived from: ${prev ?? "— (initial tag)"}`,
    `  created: ${time(tag.createdAt) ?? ""}`,
  ].join("\n");
  return table("tag", `Tag ${textOf(tag.name)}`, text, [
    ["Name", tag.name],
    ["Tag", code(tag.id)],
    ["Samples", tag.totSize],
    ["Derived from", prev === undefined ? "— (initial tag)" : code(prev)],
    tag.queryTagId !== undefined && ["Query tag", code(tag.queryTagId)],
    tag.preselectedTagId !== undefined &&
    ["Preselected tag", code(tag.preselectedTagId)],
    ["Dataset", code(tag.datasetId)],
    ["Created", time(tag.createdAt)],
  ]);
}

/** Renders tags (e.g. from `listTags`) as one table in the order given: name, id, samples, derived from, created. */
export function displayTags(tags: readonly TagData[]): RichDisplay {
  const line = (t: TagData) =>
    `  ${textOf(t.name)}  ${textOf(t.id)}  ${textOf(t.totSize)}`;
  const text = [`${tags.length} tags`, ...tags.map(line)].join("\n");
  return table(
    "tags",
    `${tags.length} tags`,
    text,
    tags.map((t) => [
      t.name,
      code(t.id),
      t.totSize,
      code(t.prevTagId ?? "—"),
      time(t.createdAt),
    ]),
    ["Name", "Tag", "Samples", "Derived from", "Created"],
  );
}

/**
 * Renders a built request (method, URL, headers, body) from its redacted
 * copy: the API key and bearer token never appear. Its text is `formatRequest`'s.
 *
 * @example Inspect a request in a notebook cell
 * ```ts
 * import { displayRequest } from "@lightly-sampling/lightly-sampling/display";
 * const url = "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=secret";
 * const view = displayRequest({ method: "GET", url, headers: {} });
 * console.log(view.html.includes("secret")); // false
 * ```
 */
export function displayRequest(request: LightlyRequest): RichDisplay {
  const { method, url, headers, body } = redactRequest(request);
  const json = body !== undefined && JSON.stringify(body, null, 2);
  return table("request", `${method} request`, formatRequest(request), [
    ["Request", code(`${method} ${url}`)],
    ...Object.entries(headers).map(([name, value]) => [name, code(value)]),
    json !== false && ["Body", markup`<pre style="margin:0">${json}</pre>`],
  ]);
}
