/**
 * Rich display for notebooks: jobs, tags and requests render themselves as
 * HTML in Deno's Jupyter kernel (`deno jupyter`) and as plain text anywhere
 * else (`console.log`, `String(…)`).
 *
 * Every value that reaches the HTML goes through one escape function,
 * {@linkcode escapeHtml}, by way of a tagged template: markup is only ever
 * made by that template, so server data cannot inject markup. Requests are
 * rendered from their redacted copy: no secret is ever displayed.
 *
 * @module
 */
import type { LightlyRequest } from "../core/build.ts";
import { formatRequest, redactRequest } from "./format.ts";
import type { JobStatusData, TagData } from "../core/types.ts";

/**
 * The symbol Deno's Jupyter kernel looks for on a cell's value: a method
 * returning a MIME bundle (`Symbol.for("Jupyter.display")`).
 *
 * @example Render any object your own way
 * ```ts
 * import { JUPYTER_DISPLAY } from "./notebook.ts";
 * const hello = {
 *   [JUPYTER_DISPLAY]() {
 *     return { "text/html": "<b>hello</b>", "text/plain": "hello" };
 *   },
 * };
 * hello[JUPYTER_DISPLAY]()["text/plain"]; // "hello"
 * ```
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

/**
 * A value that renders as HTML in Jupyter and as text elsewhere: return it
 * from a notebook cell, pass it to `Deno.jupyter.display`, or print it.
 */
export interface RichDisplay {
  /** The HTML fragment (escaped). */
  readonly html: string;
  /** The plain-text rendering (control characters replaced). */
  readonly text: string;
  /**
   * The MIME bundle Deno's Jupyter kernel renders.
   *
   * @returns `{ "text/html", "text/plain" }`.
   */
  [JUPYTER_DISPLAY](): MimeBundle;
  /**
   * The plain-text rendering.
   *
   * @returns {@linkcode RichDisplay.text}.
   */
  toString(): string;
}

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

/**
 * Escapes text for HTML content and quoted attribute values: `&`, `<`, `>`,
 * `"` and `'`. The one escape function every displayed value goes through.
 *
 * @param text Any text, e.g. a tag name from the server.
 * @returns The text with the five special characters replaced by entities.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./notebook.ts";
 * escapeHtml(`<script>alert("x")</script>`);
 * // "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const ENTITIES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Markup made by {@linkcode markup}: the only value inserted unescaped. */
export class Html {
  constructor(readonly value: string) {}
}

/**
 * The only way markup is made here: literal parts are trusted, every
 * interpolated value is escaped unless it is {@linkcode Html} already;
 * arrays are rendered item by item; `undefined` and `null` render as nothing.
 * (Not named `html`: `deno fmt` reformats `html`-tagged templates, escapes too.)
 */
export function markup(
  strings: TemplateStringsArray,
  ...values: unknown[]
): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    out += render(values[i]) + strings[i + 1];
  }
  return new Html(out);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join("");
  if (value === undefined || value === null) return "";
  return escapeHtml(typeof value === "string" ? value : describe(value));
}

/** Any value as short text: strings as they are, other values as JSON. */
function describe(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Plain text safe for a terminal: control characters (ANSI escapes) replaced. */
function plain(text: string): string {
  return text.replace(CONTROL, "\uFFFD");
}

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

function box(kind: string, title: Html, rows: Html[]): Html {
  return markup`<div class="lightly-box" data-lightly="${kind}">${STYLE}<table>
<caption style="text-align:left;font-weight:600;padding-bottom:4px">${title}</caption>
<tbody>${rows}</tbody></table></div>`;
}

function row(label: string, value: unknown): Html {
  return markup`<tr><th>${label}</th><td>${value}</td></tr>\n`;
}

/** Unix milliseconds as ISO text, or the value as it came when it is not a time. */
function time(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && Math.abs(value) <= 8.64e15) {
    return new Date(value).toISOString();
  }
  return describe(value);
}

/**
 * A {@linkcode RichDisplay} of markup and text (control characters
 * replaced), with a Vega-Lite chart in its bundle when given.
 */
export function makeDisplay(
  content: Html,
  text: string,
  vegaLite?: Record<string, unknown>,
): RichDisplay {
  const safeText = plain(text);
  return Object.freeze({
    html: content.value,
    text: safeText,
    [JUPYTER_DISPLAY](): MimeBundle {
      const bundle: MimeBundle = {
        "text/html": content.value,
        "text/plain": safeText,
      };
      if (vegaLite) bundle["application/vnd.vegalite.v5+json"] = vegaLite;
      return bundle;
    },
    [Symbol.for("Deno.customInspect")](): string {
      return safeText;
    },
    toString(): string {
      return safeText;
    },
  });
}

function isJobSnapshot(input: JobDisplayInput): input is JobSnapshot {
  const job = (input as { job?: unknown }).job;
  return typeof (input as { id?: unknown }).id !== "string" &&
    typeof job === "object" && job !== null;
}

/**
 * The share of a job's work that is done, `processed / total` kept within
 * [0, 1] (servers over-report), or `undefined` when it cannot be told (no
 * numbers, a total of 0). Every progress display reads it from here.
 *
 * @param processed Units of work done (`meta.processed`).
 * @param total Units of work in all (`meta.total`).
 * @returns A number in [0, 1], or `undefined`.
 *
 * @example
 * ```ts
 * import { progressFraction } from "./notebook.ts";
 * progressFraction(500, 1); // 1
 * progressFraction(3, 0); // undefined
 * ```
 */
export function progressFraction(
  processed: unknown,
  total: unknown,
): number | undefined {
  if (
    typeof processed !== "number" || typeof total !== "number" ||
    !(total > 0) || !Number.isFinite(total) || !Number.isFinite(processed)
  ) return undefined;
  return Math.min(1, Math.max(0, processed / total));
}

/** A job's progress in [0, 1], or `undefined` when it cannot be told. */
function fractionDone(job: JobStatusData): number | undefined {
  return progressFraction(job.meta?.processed, job.meta?.total) ??
    (job.status === "FINISHED" ? 1 : undefined);
}

function textBar(fraction: number | undefined, width = 20): string {
  if (fraction === undefined) return `[${"?".repeat(width)}]`;
  const filled = Math.round(fraction * width);
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
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
 * import { displayJob } from "./notebook.ts";
 * const view = displayJob({
 *   id: "0123456789abcdef01234567",
 *   status: "RUNNING",
 *   meta: { total: 100, processed: 40 },
 *   waitTimeTillNextPoll: 1,
 *   createdAt: 1700000000000,
 * });
 * view.text; // "job 0123456789abcdef01234567 RUNNING [########............] 40/100 (40%)"
 * ```
 */
export function displayJob(input: JobDisplayInput): RichDisplay {
  const snapshot: JobSnapshot = isJobSnapshot(input) ? input : { job: input };
  const job = snapshot.job;
  const status = describe(job.status);
  const fraction = fractionDone(job);
  const percent = fraction === undefined
    ? undefined
    : Math.round(fraction * 100);
  const meta = job.meta;
  const counts = meta !== undefined && meta !== null
    ? `${describe(meta.processed)}/${describe(meta.total)}`
    : undefined;
  const progressText = [
    counts,
    percent === undefined ? undefined : `(${percent}%)`,
  ].filter((part) => part !== undefined).join(" ");
  const tagId = job.result?.data;
  const elapsed = typeof snapshot.elapsedMs === "number"
    ? `${(snapshot.elapsedMs / 1000).toFixed(1)} s`
    : undefined;

  const bar = percent === undefined
    ? markup`<progress style="width:200px"></progress>`
    : markup`<progress style="width:200px" value="${percent}" max="100"></progress>`;
  const color = STATUS_COLORS.get(status) ?? "#6b7280";
  const rows = [
    row("Job", markup`<code>${job.id}</code>`),
    row(
      "Status",
      markup`<span class="lightly-status" style="background:${color}">${status}</span>`,
    ),
    row("Progress", markup`${bar} ${progressText}`),
  ];
  if (job.datasetId !== undefined) {
    rows.push(row("Dataset", markup`<code>${job.datasetId}</code>`));
  }
  if (job.result !== undefined && job.result !== null) {
    rows.push(row("Result", markup`${job.result.type} <code>${tagId}</code>`));
  }
  if (job.error !== undefined && job.error !== null) {
    rows.push(row("Error", job.error));
  }
  rows.push(row("Created", time(job.createdAt)));
  if (job.finishedAt !== undefined) {
    rows.push(row("Finished", time(job.finishedAt)));
  }
  if (snapshot.polls !== undefined) rows.push(row("Polls", snapshot.polls));
  if (elapsed !== undefined) rows.push(row("Elapsed", elapsed));

  const lines = [
    `job ${describe(job.id)} ${status} ${textBar(fraction)}${
      progressText ? ` ${progressText}` : ""
    }`,
  ];
  if (job.result !== undefined && job.result !== null) {
    lines.push(`  result: ${describe(job.result.type)} ${describe(tagId)}`);
  }
  if (job.error !== undefined && job.error !== null) {
    lines.push(`  error: ${describe(job.error)}`);
  }
  if (snapshot.polls !== undefined || elapsed !== undefined) {
    const parts = [];
    if (snapshot.polls !== undefined) parts.push(`polls: ${snapshot.polls}`);
    if (elapsed !== undefined) parts.push(`elapsed: ${elapsed}`);
    lines.push(`  ${parts.join(", ")}`);
  }
  return makeDisplay(
    box("job", markup`Sampling job`, rows),
    lines.join("\n"),
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
 * import { displayTag } from "./notebook.ts";
 * displayTag({
 *   id: "0123456789abcdef01234569",
 *   datasetId: "0123456789abcdef01234567",
 *   prevTagId: "0123456789abcdef0123456a",
 *   name: "coreset-100",
 *   bitMaskData: "0x1",
 *   totSize: 100,
 *   createdAt: 1700000000000,
 * }).text.startsWith("tag coreset-100"); // true
 * ```
 */
export function displayTag(tag: TagData): RichDisplay {
  const prev = tag.prevTagId === null || tag.prevTagId === undefined
    ? undefined
    : describe(tag.prevTagId);
  const rows = [
    row("Name", tag.name),
    row("Tag", markup`<code>${tag.id}</code>`),
    row("Samples", tag.totSize),
    row(
      "Derived from",
      prev === undefined ? "— (initial tag)" : markup`<code>${prev}</code>`,
    ),
  ];
  if (tag.queryTagId !== undefined) {
    rows.push(row("Query tag", markup`<code>${tag.queryTagId}</code>`));
  }
  if (tag.preselectedTagId !== undefined) {
    rows.push(
      row("Preselected tag", markup`<code>${tag.preselectedTagId}</code>`),
    );
  }
  rows.push(row("Dataset", markup`<code>${tag.datasetId}</code>`));
  rows.push(row("Created", time(tag.createdAt)));

  const text = [
    `tag ${describe(tag.name)} (${describe(tag.id)})`,
    `  samples: ${describe(tag.totSize)}`,
    `  derived from: ${prev ?? "— (initial tag)"}`,
    `  created: ${time(tag.createdAt) ?? ""}`,
  ].join("\n");
  return makeDisplay(box("tag", markup`Tag ${tag.name}`, rows), text);
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
 * import { displayTags } from "./notebook.ts";
 * displayTags([]).text; // "0 tags"
 * ```
 */
export function displayTags(tags: readonly TagData[]): RichDisplay {
  const body = tags.map((tag) =>
    markup`<tr><td>${tag.name}</td><td><code>${tag.id}</code></td><td>${tag.totSize}</td><td><code>${
      tag.prevTagId ?? "—"
    }</code></td><td>${time(tag.createdAt)}</td></tr>\n`
  );
  const table =
    markup`<div class="lightly-box" data-lightly="tags">${STYLE}<table>
<caption style="text-align:left;font-weight:600;padding-bottom:4px">${tags.length} tags</caption>
<thead><tr><th>Name</th><th>Tag</th><th>Samples</th><th>Derived from</th><th>Created</th></tr></thead>
<tbody>${body}</tbody></table></div>`;
  const text = [
    `${tags.length} tags`,
    ...tags.map((tag) =>
      `  ${describe(tag.name)}  ${describe(tag.id)}  ${describe(tag.totSize)}`
    ),
  ].join("\n");
  return makeDisplay(table, text);
}

/**
 * Renders a request for inspection — method, URL, headers and body — from
 * its redacted copy: the API key and bearer token never appear.
 *
 * @param request A request from `buildSamplingRequest` (or any builder here).
 * @returns A {@linkcode RichDisplay}: HTML in Jupyter, `formatRequest`'s text elsewhere.
 *
 * @example Inspect a dry run in a notebook cell
 * ```ts
 * import { buildSamplingRequest } from "../core/build.ts";
 * import { displayRequest } from "./notebook.ts";
 * const view = displayRequest(buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } }));
 * view.html.includes("secret"); // false
 * ```
 */
export function displayRequest(request: LightlyRequest): RichDisplay {
  const safe = redactRequest(request);
  const rows = [
    row("Request", markup`<code>${safe.method} ${safe.url}</code>`),
    ...Object.entries(safe.headers).map(([name, value]) =>
      row(name, markup`<code>${value}</code>`)
    ),
  ];
  if (safe.body !== undefined) {
    rows.push(
      row(
        "Body",
        markup`<pre style="margin:0">${
          JSON.stringify(safe.body, null, 2)
        }</pre>`,
      ),
    );
  }
  return makeDisplay(
    box("request", markup`${safe.method} request`, rows),
    formatRequest(request),
  );
}
