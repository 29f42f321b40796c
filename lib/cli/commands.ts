/**
 * One handler per command, and {@linkcode runCommand}: any failure becomes a
 * message and an exit code, and a job left running is named with the command
 * that resumes it. Every command checks all it can before it sends anything;
 * after a POST, nothing is reported as "not sent": the job may exist.
 *
 * @module
 */
import type { SamplingInput, SelectionInput } from "../../mod.ts";
import type { SelectionStep } from "../../mod.ts";
import { buildSamplingRequest, type SamplingRequest } from "../core/build.ts";
import { isLightlyError, type ValidationIssue } from "../core/errors.ts";
import { classify, systemClock } from "../core/policy.ts";
import { WAIT_OPTIONS } from "../core/rules.ts";
import { triggerBatch } from "./batch.ts";
import { type Connection, fromDenoPermissionError } from "./config.ts";
import { resumeCommand } from "./config.ts";
import { CliUsageError, EXIT, InterruptedError } from "./errors.ts";
import { checkWritable, exportCommand, writeExport } from "./export.ts";
import { composeBody, issueLines, type RunLine } from "./flags.ts";
import { helpHint } from "./help.ts";
import { type CliIo, connect, goOnline, type Library } from "./io.ts";
import { openInput, type RunContext } from "./io.ts";
import { describeDryRun, type Field } from "./output.ts";
import type { Output } from "./output.ts";
import { createProgress, formatCount, formatElapsed } from "./progress.ts";
import { watchInterrupt } from "./signals.ts";

/** The placeholder `select` validates with before the embedding is known. */
const PLACEHOLDER_ID = "000000000000000000000000";

const STEP_TEXT: Readonly<Record<SelectionStep, string>> = {
  "resolve-embedding": "finding the newest processed embedding",
  "preflight": "checking the dataset's tags",
  "trigger": "triggering the sampling job",
  "wait": "waiting for the job",
  "fetch-tag": "reading the new tag",
};

/** The problems of `--timeout` by the library's own rule (the one `waitForJob` applies). */
function timeoutProblems({ options }: RunContext): string[] {
  if (options.timeoutMs === undefined) return [];
  const issues: ValidationIssue[] = [];
  const table = WAIT_OPTIONS.call;
  table.check(table.read({ timeoutMs: options.timeoutMs }), issues);
  return issueLines(issues, options);
}

/** Reads `--body`, connects and builds the request, once, by the library's builder: every problem at once. */
async function prepare(
  ctx: RunContext,
  problems: string[],
  embeddingId?: string,
) {
  const o = ctx.options;
  const file = o.body && await openInput("--body", o.body, ctx.io);
  const text = file && (await Array.fromAsync(file.lines())).join("\n");
  const input = {
    datasetId: o.datasetId,
    ...(o.embeddingId === undefined ? {} : { embeddingId: o.embeddingId }),
    body: composeBody(o, text),
  } as unknown as SelectionInput & SamplingInput;
  let client: Connection | undefined;
  let settings: readonly string[] = [];
  try {
    client = connect(ctx);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    settings = error.problems;
  }
  let request: SamplingRequest | undefined;
  try {
    request = buildSamplingRequest(
      { ...input, embeddingId: input.embeddingId ?? embeddingId },
      { baseUrl: client?.baseUrl, auth: client?.auth },
    );
  } catch (error) {
    if (!isLightlyError(error, "validation")) throw error;
    problems.push(...issueLines(error.issues, o));
  }
  problems.push(...settings);
  if (problems.length > 0) throw new CliUsageError(problems);
  return { input, request: request!, client: client! };
}

function printDryRun(
  ctx: RunContext,
  ...request: Parameters<typeof describeDryRun>
): void {
  const view = describeDryRun(...request);
  ctx.out.text(view.text);
  if (ctx.options.json) ctx.out.result([], view.json);
  ctx.out.note("dry run: nothing was sent");
}

/** Follows a job to its tag: a finished wait, for people and for JSON. */
async function follow(
  ctx: RunContext,
  lib: Library,
  jobId: string,
  client: Connection,
): Promise<[Field[], Record<string, unknown>]> {
  ctx.jobId = jobId;
  const progress = createProgress({ out: ctx.out, now: ctx.clock.now });
  progress.step(`waiting for job ${jobId}`);
  try {
    const r = await lib.waitForJob(jobId, {
      ...client,
      timeoutMs: ctx.options.timeoutMs,
      clock: ctx.clock,
      signal: ctx.signal,
      onProgress: (event) => progress.update(event),
    });
    const { tagId, polls, elapsedMs, job: { status } } = r;
    return [[
      ["job", jobId],
      ["status", status],
      ["tag id", tagId],
      ["polls", String(polls)],
      ["elapsed", formatElapsed(elapsedMs)],
    ], { jobId, status, tagId, polls, elapsedMs }];
  } finally {
    progress.stop();
  }
}

/** `trigger`: one request (optionally followed to its tag), or a batch. */
async function trigger(ctx: RunContext): Promise<number | void> {
  const o = ctx.options;
  const problems = timeoutProblems(ctx);
  if (o.batch !== undefined) {
    if (problems.length > 0) throw new CliUsageError(problems);
    return await triggerBatch(ctx, await openInput("--batch", o.batch, ctx.io));
  }
  const { input, request, client } = await prepare(ctx, problems);
  if (o.dryRun) return printDryRun(ctx, request);

  const lib = await goOnline(ctx);
  const { datasetId, embeddingId, body: { newTagName: tagName } } = input;
  ctx.sending = { datasetId, tagName };
  const { jobId } = await lib.triggerSampling(input, {
    ...client,
    signal: ctx.signal,
  });
  ctx.sending = undefined;
  ctx.jobId = jobId;
  const about = { jobId, datasetId, embeddingId, tagName };
  if (!o.wait) {
    const fields: Field[] = [["job", jobId], ["dataset", datasetId]];
    ctx.out.result([...fields, ["tag name", tagName]], about);
    ctx.out.note(`follow the job with: ${resumeCommand(jobId, ctx.config!)}`);
    return;
  }
  const [fields, json] = await follow(ctx, lib, jobId, client);
  ctx.out.result([...fields, ["tag name", tagName]], { ...about, ...json });
}

/** `select`: the whole workflow, embedding to tag. */
async function select(ctx: RunContext): Promise<void> {
  const o = ctx.options;
  const { input, request, client } = await prepare(
    ctx,
    timeoutProblems(ctx),
    PLACEHOLDER_ID,
  );
  const resolved = input.embeddingId !== undefined;
  const counted = input.body.rowCount !== undefined;
  if (o.dryRun) {
    const base = ctx.config!.baseUrl;
    const dataset = `${base}/v1/datasets/${input.datasetId}`;
    // The library's page size, read only when there are pages to show.
    const pages = o.exportFile !== undefined &&
      (await import("../jobs/export.ts")).DEFAULT_EXPORT_PAGE_SIZE;
    const rowCount = counted ? "" : "; rowCount = totSize of initial-tag";
    const steps = [
      !resolved &&
      `GET ${dataset}/embeddings  (pick the newest processed embedding)`,
      `GET ${dataset}/tags  (refuse an existing tag name${rowCount})`,
      "POST the request below",
      `GET ${base}/v1/jobs/{jobId}  (until the job ends)`,
      `GET ${dataset}/tags/{tagId}  (the new tag)`,
      pages &&
      `GET ${dataset}/tags/{tagId}/export/basic/filenames  (pages of ${pages}, into ${o.exportFile})`,
    ].filter((step) => typeof step === "string");
    return printDryRun(ctx, request, {
      steps,
      ...(resolved ? {} : { replace: [PLACEHOLDER_ID, "{embeddingId}"] }),
      notes: counted
        ? []
        : ["rowCount is added at run time: the totSize of the initial-tag"],
    });
  }

  const lib = await goOnline(ctx);
  if (o.exportFile !== undefined) checkWritable(o.exportFile);
  const progress = createProgress({ out: ctx.out, now: ctx.clock.now });
  let result;
  try {
    result = await lib.selectSamples(input, {
      ...client,
      timeoutMs: o.timeoutMs,
      clock: ctx.clock,
      signal: ctx.signal,
      onStep: (step) => {
        ctx.sending = step === "trigger"
          ? { datasetId: input.datasetId, tagName: input.body.newTagName }
          : undefined;
        progress.step(STEP_TEXT[step]);
      },
      onProgress: (event) => {
        ctx.jobId = event.jobId;
        progress.update(event);
      },
    });
  } finally {
    progress.stop();
  }
  const { tag, tagId, jobId, embeddingId, rowCount } = result;
  const exported = o.exportFile === undefined
    ? undefined
    : await writeExport(ctx, lib, client, tag, o.exportFile).catch((error) => {
      ctx.out.note(
        `the selection finished (tag ${tag.name}, ${tagId}); export it with: ` +
          `lightly-sampling export --dataset-id ${input.datasetId} --tag-id ${tagId} --output ${o.exportFile}`,
      );
      throw error;
    });
  const wrote = exported && `${exported.entries} entries to ${exported.output}`;
  ctx.out.result([
    ["tag name", tag.name],
    ["tag id", tagId],
    ["samples", String(tag.totSize)],
    ["job", jobId],
    ["embedding", embeddingId],
    ["row count", String(rowCount)],
    ["exported", wrote],
  ], {
    jobId,
    tagId,
    tagName: tag.name,
    embeddingId,
    rowCount,
    tag,
    ...(exported ? { export: exported } : {}),
  });
}

/** `status`: one GET of the job. */
async function status(ctx: RunContext): Promise<void> {
  const client = connect(ctx);
  const { getJobStatus } = await goOnline(ctx);
  const job = await getJobStatus(ctx.line.jobId!, {
    ...client,
    signal: ctx.signal,
  });
  const tagId = job.status === "FINISHED" ? job.result?.data : undefined;
  // A time out of JavaScript's date range is shown as the number.
  const time = (ms?: number) => {
    const date = new Date(ms ?? NaN);
    return Number.isNaN(date.getTime()) ? ms?.toString() : date.toISOString();
  };
  ctx.out.result([
    ["job", job.id],
    ["status", job.status],
    ["progress", job.meta ? formatCount(job.meta) : undefined],
    ["created", time(job.createdAt)],
    ["finished", time(job.finishedAt)],
    ["tag id", typeof tagId === "string" ? tagId : undefined],
    ["error", job.error],
  ], {
    jobId: job.id,
    status: job.status,
    processed: job.meta?.processed,
    total: job.meta?.total,
    tagId,
    error: job.error,
    job,
  });
}

/** `wait`: follow a job to its tag. */
async function wait(ctx: RunContext): Promise<void> {
  const problems = timeoutProblems(ctx);
  if (problems.length > 0) throw new CliUsageError(problems);
  const client = connect(ctx);
  const lib = await goOnline(ctx);
  ctx.out.result(...await follow(ctx, lib, ctx.line.jobId!, client));
}

const HANDLERS = { trigger, select, status, wait, export: exportCommand };

function report(caught: unknown, ctx: RunContext): number {
  const error = fromDenoPermissionError(caught) ?? caught;
  const verdict = classify(error);
  const interrupted = verdict.exitCode === EXIT.INTERRUPTED;
  const code = interrupted ? ctx.watch.exitCode : verdict.exitCode;
  const hints = error instanceof CliUsageError
    ? [helpHint(ctx.line.command)]
    : [];
  const jobId = ctx.jobId ?? (error as { jobId?: string })?.jobId;
  const extra: Record<string, unknown> = jobId ? { jobId } : {};
  if (jobId && ctx.config && (interrupted || verdict.jobMayRun)) {
    extra.resume = resumeCommand(jobId, ctx.config);
    const still = interrupted ? "" : "the job may still be running; ";
    hints.push(`${still}resume with: ${extra.resume}`);
  }
  const sending = ctx.sending;
  const shown = !interrupted ? error : new InterruptedError(
    jobId
      ? `interrupted: job ${jobId} goes on running on the server; this only stopped following it`
      : sending
      ? `interrupted while sending: the job may or may not have been created. ` +
        `Before re-running, check whether dataset ${sending.datasetId} ` +
        `has a tag named "${sending.tagName}"`
      : "interrupted",
  );
  ctx.out.error(shown, code, { hints, extra });
  return code;
}

/** Runs one command to its exit code; SIGINT, SIGTERM or SIGHUP stop it (130, 143, 129). */
export async function runCommand(
  line: RunLine,
  out: Output,
  io: CliIo = {},
): Promise<number> {
  using watch = watchInterrupt(io.signals);
  const ctx: RunContext = {
    line,
    options: line.options,
    out,
    io,
    clock: io.clock ?? systemClock,
    signal: watch.signal,
    watch,
  };
  try {
    return await HANDLERS[line.command](ctx) ?? EXIT.OK;
  } catch (error) {
    return report(error, ctx);
  }
}
