/**
 * One function per command — `trigger` (one request, or a `--batch`),
 * `select`, `status`, `wait` — and {@linkcode runCommand}, which runs one,
 * turns any failure into a message and an exit code, and says how to pick
 * up a job that is left running.
 *
 * Every command checks everything it can before it sends anything: flags
 * (wait options by the library's own rule), body, every batch line, token,
 * base URL, permissions. What goes wrong after a POST is never reported as
 * "nothing was sent": an answer the command cannot follow means the job
 * may exist.
 *
 * @module
 */
import type {
  JobStatusData,
  SamplingInput,
  SelectionStep,
  WaitResult,
} from "../../mod.ts";
import type { CommandLine, CommandLineOptions } from "./args.ts";
import { type BatchOutcome, parseJsonLines, runBatch } from "./batch.ts";
import { type CliConfig, resolveConfig } from "./config.ts";
import { describeDryRun, type DryRunView } from "./dry_run.ts";
import { CliUsageError } from "./errors.ts";
import { EXIT, exitCodeFor } from "./exit_codes.ts";
import { checkWritable, exportCommand, writeExport } from "./export.ts";
import { helpHint } from "./help.ts";
import {
  buildSamplingRequest,
  isLightlyError,
  type Library,
  loadLibrary,
  OBJECT_ID_PATTERN,
  type SamplingRequest,
  waitOptionIssues,
} from "./library.ts";
import {
  composeBody,
  issueLines,
  MAX_BATCH_FILE_BYTES,
  MAX_BODY_FILE_BYTES,
  readInput,
} from "./inputs.ts";
import { type InterruptWatch, watchInterrupt } from "./interrupt.ts";
import type { Field, Output } from "./output.ts";
import { fromDenoPermissionError, requirePermissions } from "./permissions.ts";
import { createProgress, formatCount, formatElapsed } from "./progress.ts";
import { resumeCommand } from "./resume.ts";

/** A command line that names a command to run. */
export type RunLine = Extract<CommandLine, { kind: "run" }>;

/** What a command works with, and what it learned on the way. */
interface Context {
  readonly line: RunLine;
  readonly options: CommandLineOptions;
  readonly out: Output;
  readonly signal: AbortSignal;
  /** The signals that interrupt the run, and the code that ends it then. */
  readonly watch: InterruptWatch;
  /** The connection settings, once resolved. */
  config?: CliConfig;
  /** The job, once the server named it. */
  jobId?: string;
  /** The POST in flight: the tag it creates, for an interrupted send. */
  sending?: { datasetId: string; tagName: string };
}

/** The placeholder `select` validates with before the embedding is known. */
const PLACEHOLDER_ID = "000000000000000000000000";

const STEP_TEXT: Readonly<Record<SelectionStep, string>> = {
  "resolve-embedding": "finding the newest processed embedding",
  "preflight": "checking the dataset's tags",
  "trigger": "triggering the sampling job",
  "wait": "waiting for the job",
  "fetch-tag": "reading the new tag",
};

/**
 * Runs a library check, turning its validation error into a usage error
 * that names flags; `problems` found earlier are reported with its own.
 */
function validated<T>(
  ctx: Context,
  build: () => T,
  problems: readonly string[] = [],
): T {
  let value: T;
  try {
    value = build();
  } catch (error) {
    if (isLightlyError(error, "validation")) {
      throw new CliUsageError([
        ...problems,
        ...issueLines(error.issues, ctx.options),
      ]);
    }
    throw error;
  }
  if (problems.length > 0) throw new CliUsageError(problems);
  return value;
}

function connect(ctx: Context): { baseUrl: string; auth: CliConfig["auth"] } {
  const o = ctx.options;
  const config = resolveConfig({
    baseUrl: o.baseUrl,
    tokenFile: o.tokenFile,
    insecureHttp: o.insecureHttp,
    dryRun: o.dryRun,
  });
  ctx.out.addSecrets(config.secrets);
  for (const note of config.notes) ctx.out.note(note);
  ctx.config = config;
  return { baseUrl: config.baseUrl, auth: config.auth };
}

function allowNet(ctx: Context): void {
  requirePermissions([{ name: "net", host: ctx.config!.host }]);
}

function checkJobId(jobId: string | undefined): string {
  if (jobId === undefined || !OBJECT_ID_PATTERN.test(jobId)) {
    throw new CliUsageError([
      `JOB_ID must be a 24-character lower-case hex ObjectId (got ${
        JSON.stringify(String(jobId).slice(0, 40))
      })`,
    ]);
  }
  return jobId;
}

/**
 * The exit code for a failure: {@linkcode exitCodeFor}'s, with an
 * interruption ending the run with the code of the signal that came.
 */
function codeFor(ctx: Context, error: unknown): number {
  const code = exitCodeFor(error);
  return code === EXIT.INTERRUPTED ? ctx.watch.exitCode : code;
}

/** Wait options, as the flags give them. */
interface WaitFlags {
  timeoutMs?: number;
}

/**
 * The wait options the flags give, and their problems by the library's own
 * rule (the one `waitForJob` applies), found before anything is sent.
 */
async function waitOptions(
  ctx: Context,
): Promise<{ wait: WaitFlags; problems: string[] }> {
  const o = ctx.options;
  const wait = o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs };
  const issues = await waitOptionIssues(wait);
  return { wait, problems: issueLines(issues, o) };
}

/**
 * POSTs a request and returns the new job's id. An id that is not an
 * ObjectId cannot be followed; the job may exist all the same, so it is
 * reported as maybe applied (look before retrying), never as a usage error.
 */
async function post(
  lib: Library,
  input: SamplingInput,
  options: Parameters<Library["triggerSampling"]>[1],
): Promise<string> {
  const { jobId } = await lib.triggerSampling(input, options);
  if (OBJECT_ID_PATTERN.test(jobId)) return jobId;
  throw new lib.SamplingMaybeAppliedError({
    tagName: input.body.newTagName,
    datasetId: input.datasetId,
    cause: new Error(
      `the server answered with job id ${
        JSON.stringify(jobId.slice(0, 40))
      }, which is not a 24-character hex ObjectId and cannot be followed`,
    ),
  });
}

async function bodyOf(ctx: Context): Promise<Record<string, unknown>> {
  const o = ctx.options;
  const text = o.body === undefined
    ? undefined
    : await readInput("--body", o.body, MAX_BODY_FILE_BYTES);
  return composeBody(o, text);
}

function printDryRun(ctx: Context, view: DryRunView): number {
  ctx.out.text(view.text);
  if (ctx.options.json) ctx.out.result([], view.json);
  ctx.out.note("dry run: nothing was sent");
  return EXIT.OK;
}

async function follow(
  ctx: Context,
  jobId: string,
  client: { baseUrl: string; auth: CliConfig["auth"] },
  wait: WaitFlags,
): Promise<WaitResult> {
  ctx.jobId = jobId;
  const progress = createProgress({ out: ctx.out });
  progress.step(`waiting for job ${jobId}`);
  try {
    const { waitForJob } = await loadLibrary();
    return await waitForJob(jobId, {
      ...client,
      ...wait,
      signal: ctx.signal,
      onProgress: (event) => progress.update(event),
    });
  } finally {
    progress.stop();
  }
}

function waitFields(result: WaitResult): Field[] {
  return [
    ["job", result.jobId],
    ["status", result.job.status],
    ["tag id", result.tagId],
    ["polls", String(result.polls)],
    ["elapsed", formatElapsed(result.elapsedMs)],
  ];
}

function waitJson(result: WaitResult): Record<string, unknown> {
  return {
    jobId: result.jobId,
    status: result.job.status,
    tagId: result.tagId,
    polls: result.polls,
    elapsedMs: result.elapsedMs,
  };
}

/**
 * `trigger`: one request (optionally followed to its tag), or a batch.
 *
 * @param ctx The command line, output and interrupt signal.
 * @returns The exit code.
 */
async function trigger(ctx: Context): Promise<number> {
  const o = ctx.options;
  const { wait, problems } = o.wait
    ? await waitOptions(ctx)
    : { wait: {}, problems: [] };
  if (o.batch !== undefined) {
    if (problems.length > 0) throw new CliUsageError(problems);
    return await triggerBatch(ctx, o.batch, wait);
  }
  const input = {
    datasetId: o.datasetId,
    embeddingId: o.embeddingId,
    body: await bodyOf(ctx),
  } as unknown as SamplingInput;
  validated(ctx, () => buildSamplingRequest(input), problems);
  const client = connect(ctx);
  const request = validated(ctx, () => buildSamplingRequest(input, client));
  if (o.dryRun) return printDryRun(ctx, describeDryRun(request));

  allowNet(ctx);
  const lib = await loadLibrary();
  ctx.sending = { datasetId: input.datasetId, tagName: input.body.newTagName };
  const jobId = await post(lib, input, { ...client, signal: ctx.signal });
  ctx.sending = undefined;
  ctx.jobId = jobId;
  const about = {
    jobId,
    datasetId: input.datasetId,
    embeddingId: input.embeddingId,
    tagName: input.body.newTagName,
  };
  if (!o.wait) {
    ctx.out.result([
      ["job", jobId],
      ["dataset", input.datasetId],
      ["tag name", input.body.newTagName],
    ], about);
    ctx.out.note(
      `follow the job with: ${resumeCommand(jobId, ctx.config!)}`,
    );
    return EXIT.OK;
  }
  const result = await follow(ctx, jobId, client, wait);
  ctx.out.result(
    [...waitFields(result), ["tag name", input.body.newTagName]],
    { ...about, ...waitJson(result) },
  );
  return EXIT.OK;
}

/** What one batch line's work produced. */
interface LineResult {
  jobId: string;
  wait?: WaitResult;
  waitError?: unknown;
}

interface ValidLine {
  line: number;
  input: SamplingInput;
  request: SamplingRequest;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

async function triggerBatch(
  ctx: Context,
  file: string,
  waitWith: WaitFlags,
): Promise<number> {
  const o = ctx.options;
  const source = file === "-" ? "stdin" : file;
  const text = await readInput("--batch", file, MAX_BATCH_FILE_BYTES);
  const { entries, invalid } = parseJsonLines(text);
  const client = connect(ctx);
  const valid: ValidLine[] = [];
  for (const entry of entries) {
    const input = entry.value as SamplingInput;
    try {
      valid.push({
        line: entry.line,
        input,
        request: buildSamplingRequest(input, client),
      });
    } catch (error) {
      if (!isLightlyError(error, "validation")) throw error;
      invalid.push({
        line: entry.line,
        problems: error.issues.map((i) =>
          `${i.path}: ${i.rule}${
            i.received === undefined ? "" : ` (got ${i.received})`
          }`
        ),
      });
    }
  }
  invalid.sort((a, b) => a.line - b.line);
  if (valid.length + invalid.length === 0) {
    throw new CliUsageError([
      `--batch ${source}: no requests (one JSON object {datasetId, embeddingId, body} per line)`,
    ]);
  }
  if (invalid.length > 0 && !o.skipInvalid) {
    throw new CliUsageError([
      `--batch ${source}: ${invalid.length} invalid line${
        invalid.length > 1 ? "s" : ""
      }, nothing was sent (fix ${
        invalid.length > 1 ? "them" : "it"
      }, or pass --skip-invalid):`,
      ...invalid.flatMap((l) =>
        l.problems.map((p) => `  line ${l.line}: ${p}`)
      ),
    ]);
  }

  const out = ctx.out;
  const emit = (json: Record<string, unknown>, human: string) => {
    if (o.json) out.jsonLine(json);
    else out.line(human);
  };
  for (const l of invalid) {
    emit(
      { line: l.line, ok: false, skipped: true, problems: l.problems },
      `line ${l.line}  skipped   ${l.problems.join("; ")}`,
    );
  }
  if (o.dryRun) {
    for (const v of valid) {
      const view = describeDryRun(v.request);
      if (o.json) out.jsonLine({ line: v.line, ...view.json });
      else out.text(`# line ${v.line}\n${view.text}`);
    }
    emit(
      {
        summary: {
          lines: valid.length + invalid.length,
          valid: valid.length,
          skipped: invalid.length,
          dryRun: true,
        },
      },
      `${valid.length} request${
        valid.length === 1 ? "" : "s"
      } shown, ${invalid.length} skipped`,
    );
    out.note("dry run: nothing was sent");
    return EXIT.OK;
  }

  allowNet(ctx);
  const lib = await loadLibrary();
  const codes: number[] = [];
  let notSent = 0;
  const report = (outcome: BatchOutcome<ValidLine, LineResult>) => {
    const line = outcome.item.line;
    if (outcome.ok && outcome.value.waitError === undefined) {
      const { jobId, wait } = outcome.value;
      emit(
        {
          line,
          ok: true,
          jobId,
          ...(wait ? { tagId: wait.tagId, status: wait.job.status } : {}),
          attempts: outcome.attempts,
        },
        `line ${line}  ${wait ? "finished" : "started "}  job ${jobId}${
          wait ? `  tag ${wait.tagId}` : ""
        }`,
      );
      return;
    }
    const jobId = outcome.ok ? outcome.value.jobId : undefined;
    if (!outcome.ok && outcome.notSent) {
      // Stopped during a 429 pause: every attempt was refused, none applied.
      notSent++;
      const error = new Interrupted(
        "interrupted while the batch paused for a 429: not sent",
      );
      codes.push(codeFor(ctx, error));
      emit(
        {
          line,
          ok: false,
          notSent: true,
          exitCode: codeFor(ctx, error),
          error: error.toJSON(),
          attempts: outcome.attempts,
        },
        `line ${line}  not sent  ${error.message}`,
      );
      return;
    }
    const error = outcome.ok ? outcome.value.waitError : outcome.error;
    const code = codeFor(ctx, error);
    codes.push(code);
    const message =
      exitCodeFor(error) === EXIT.INTERRUPTED && jobId === undefined
        ? "interrupted while sending: the job may or may not have been created"
        : oneLine(error instanceof Error ? error.message : String(error));
    emit(
      {
        line,
        ok: false,
        exitCode: code,
        ...(jobId ? { jobId } : {}),
        error: errorJson(error),
        attempts: outcome.attempts,
      },
      `line ${line}  failed    ${jobId ? `job ${jobId}: ` : ""}${message}`,
    );
  };

  const run = await runBatch<ValidLine, LineResult>(valid, {
    concurrency: o.concurrency,
    clock: lib.systemClock,
    signal: ctx.signal,
    send: async (v, signal) => {
      const jobId = await post(lib, v.input, {
        ...client,
        signal,
        retry: false, // 429s are retried by the batch, which pauses every worker
      });
      if (!o.wait) return { jobId };
      try {
        const wait = await lib.waitForJob(jobId, {
          ...client,
          ...waitWith,
          signal,
        });
        return { jobId, wait };
      } catch (waitError) {
        return { jobId, waitError };
      }
    },
    pauseFor: (error, attempt) => {
      const e = error as {
        kind?: string;
        status?: number;
        retryAfter?: string;
      };
      if (
        (e.kind !== "api" && e.kind !== "unexpected-response") ||
        e.status !== 429
      ) return undefined;
      const asked = lib.parseRetryAfter(e.retryAfter, lib.systemClock.now());
      if (asked === undefined) return lib.backoffDelay(attempt - 1);
      return asked <= MAX_BATCH_PAUSE_MS ? asked : undefined;
    },
    onPause: ({ item, waitMs }) =>
      out.note(
        `line ${item.line}: 429 Too Many Requests; the batch pauses for ${
          formatElapsed(waitMs)
        }`,
      ),
    onOutcome: report,
  });

  const failed = codes.length;
  const ok = run.outcomes.length - failed;
  const interrupted = ctx.signal.aborted;
  emit(
    {
      summary: {
        lines: valid.length + invalid.length,
        ok,
        failed,
        skipped: invalid.length,
        notStarted: run.notStarted.length,
        ...(interrupted ? { interrupted: true } : {}),
      },
    },
    `${
      valid.length + invalid.length
    } lines: ${ok} ok, ${failed} failed, ${invalid.length} skipped` +
      (run.notStarted.length > 0
        ? `, ${run.notStarted.length} not started`
        : ""),
  );
  if (interrupted) {
    const unsent = run.notStarted.length + notSent;
    out.note(
      `interrupted: ${unsent} line${unsent === 1 ? " was" : "s were"} not sent`,
    );
    return ctx.watch.exitCode;
  }
  if (codes.includes(EXIT.REFUSED) || codes.includes(EXIT.USAGE)) {
    return EXIT.REFUSED;
  }
  return codes.length > 0 ? EXIT.TRANSIENT : EXIT.OK;
}

/** The longest `Retry-After` a batch waits out; a longer one fails the line. */
const MAX_BATCH_PAUSE_MS = 60_000;

/**
 * `select`: the whole workflow, embedding to tag.
 *
 * @param ctx The command line, output and interrupt signal.
 * @returns The exit code.
 */
async function select(ctx: Context): Promise<number> {
  const o = ctx.options;
  const { wait, problems } = await waitOptions(ctx);
  const input = {
    datasetId: o.datasetId,
    ...(o.embeddingId === undefined ? {} : { embeddingId: o.embeddingId }),
    body: await bodyOf(ctx),
  } as unknown as { datasetId: string; embeddingId?: string } & SamplingInput;
  const probe = { ...input, embeddingId: input.embeddingId ?? PLACEHOLDER_ID };
  validated(ctx, () => buildSamplingRequest(probe), problems);
  const client = connect(ctx);
  const request = validated(ctx, () => buildSamplingRequest(probe, client));
  if (o.dryRun) {
    const base = ctx.config!.baseUrl;
    const dataset = `${base}/v1/datasets/${input.datasetId}`;
    const steps = [
      ...(input.embeddingId === undefined
        ? [`GET ${dataset}/embeddings  (pick the newest processed embedding)`]
        : []),
      `GET ${dataset}/tags  (refuse an existing tag name${
        input.body.rowCount === undefined
          ? "; rowCount = totSize of initial-tag"
          : ""
      })`,
      "POST the request below",
      `GET ${base}/v1/jobs/{jobId}  (until the job ends)`,
      `GET ${dataset}/tags/{tagId}  (the new tag)`,
      ...(o.exportFile === undefined ? [] : [
        `GET ${dataset}/tags/{tagId}/export/basic/filenames  (pages of 5000, into ${o.exportFile})`,
      ]),
    ];
    return printDryRun(
      ctx,
      describeDryRun(request, {
        steps,
        ...(input.embeddingId === undefined
          ? { replace: [PLACEHOLDER_ID, "{embeddingId}"] as const }
          : {}),
        notes: input.body.rowCount === undefined
          ? ["rowCount is added at run time: the totSize of the initial-tag"]
          : [],
      }),
    );
  }

  allowNet(ctx);
  if (o.exportFile !== undefined) checkWritable(o.exportFile);
  const progress = createProgress({ out: ctx.out });
  try {
    const { selectSamples } = await loadLibrary();
    const result = await selectSamples(input, {
      ...client,
      ...wait,
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
    progress.stop();
    const exported = o.exportFile === undefined ? undefined : await writeExport(
      ctx,
      client,
      input.datasetId,
      result.tag,
      o.exportFile,
    )
      .catch((error) => {
        ctx.out.note(
          `the selection finished (tag ${result.tag.name}, ${result.tagId}); export it with: ` +
            `lightly-sampling export --dataset-id ${input.datasetId} --tag-id ${result.tagId} --output ${o.exportFile}`,
        );
        throw error;
      });
    ctx.out.result([
      ["tag name", result.tag.name],
      ["tag id", result.tagId],
      ["samples", String(result.tag.totSize)],
      ["job", result.jobId],
      ["embedding", result.embeddingId],
      ["row count", String(result.rowCount)],
      [
        "exported",
        exported && `${exported.entries} entries to ${exported.output}`,
      ],
    ], {
      jobId: result.jobId,
      tagId: result.tagId,
      tagName: result.tag.name,
      embeddingId: result.embeddingId,
      rowCount: result.rowCount,
      tag: result.tag,
      ...(exported ? { export: exported } : {}),
    });
    return EXIT.OK;
  } finally {
    progress.stop();
  }
}

function jobFields(job: JobStatusData): Field[] {
  const tagId =
    job.status === "FINISHED" && typeof job.result?.data === "string"
      ? job.result.data
      : undefined;
  // A time JavaScript cannot represent as a date is shown as the number.
  const time = (ms: number | undefined) => {
    if (ms === undefined) return undefined;
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString();
  };
  return [
    ["job", job.id],
    ["status", job.status],
    ["progress", job.meta ? formatCount(job.meta) : undefined],
    ["created", time(job.createdAt)],
    ["finished", time(job.finishedAt)],
    ["tag id", tagId],
    ["error", job.error],
  ];
}

/**
 * `status`: one GET of the job.
 *
 * @param ctx The command line, output and interrupt signal.
 * @returns The exit code.
 */
async function status(ctx: Context): Promise<number> {
  const jobId = checkJobId(ctx.line.jobId);
  const client = connect(ctx);
  allowNet(ctx);
  const { getJobStatus } = await loadLibrary();
  const job = await getJobStatus(jobId, { ...client, signal: ctx.signal });
  ctx.out.result(jobFields(job), {
    jobId: job.id,
    status: job.status,
    processed: job.meta?.processed,
    total: job.meta?.total,
    tagId: job.status === "FINISHED" ? job.result?.data : undefined,
    error: job.error,
    job,
  });
  return EXIT.OK;
}

/**
 * `wait`: follow a job to its tag.
 *
 * @param ctx The command line, output and interrupt signal.
 * @returns The exit code.
 */
async function wait(ctx: Context): Promise<number> {
  const jobId = checkJobId(ctx.line.jobId);
  const { wait, problems } = await waitOptions(ctx);
  if (problems.length > 0) throw new CliUsageError(problems);
  const client = connect(ctx);
  allowNet(ctx);
  const result = await follow(ctx, jobId, client, wait);
  ctx.out.result(waitFields(result), waitJson(result));
  return EXIT.OK;
}

function errorJson(error: unknown): unknown {
  const toJSON = (error as { toJSON?: () => unknown })?.toJSON;
  if (typeof toJSON === "function") return toJSON.call(error);
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { message: String(error) };
}

/** An interruption, reported like an error (`kind` `aborted`). */
class Interrupted extends Error {
  readonly kind = "aborted";
  constructor(message: string) {
    super(message);
    this.name = "Interrupted";
  }
  toJSON(): Record<string, unknown> {
    return { name: this.name, kind: this.kind, message: this.message };
  }
}

function report(caught: unknown, ctx: Context): number {
  const error = fromDenoPermissionError(caught) ?? caught;
  const code = codeFor(ctx, error);
  const hints: string[] = [];
  const extra: Record<string, unknown> = {};
  const kind = (error as { kind?: unknown })?.kind;
  const jobId = ctx.jobId ??
    ((error as { jobId?: unknown })?.jobId as string | undefined);
  const resume = jobId !== undefined && ctx.config !== undefined
    ? resumeCommand(jobId, ctx.config)
    : undefined;
  if (jobId !== undefined) extra.jobId = jobId;
  if (kind === "usage") hints.push(helpHint(ctx.line.command));

  if (exitCodeFor(error) === EXIT.INTERRUPTED) {
    let message = "interrupted";
    if (jobId !== undefined) {
      message =
        `interrupted: job ${jobId} goes on running on the server; this only stopped following it`;
      if (resume) {
        hints.push(`resume with: ${resume}`);
        extra.resume = resume;
      }
    } else if (ctx.sending !== undefined) {
      message =
        `interrupted while sending: the job may or may not have been created. ` +
        `Before re-running, check whether dataset ${ctx.sending.datasetId} ` +
        `has a tag named "${ctx.sending.tagName}"`;
    }
    ctx.out.error(new Interrupted(message), code, { hints, extra });
    return code;
  }
  const stillRunning = (e: unknown): boolean => {
    const k = (e as { kind?: unknown })?.kind;
    if (k === "deadline" || k === "poll-failed") return true;
    return k === "workflow" && stillRunning((e as { cause?: unknown }).cause);
  };
  if (resume !== undefined && stillRunning(error)) {
    hints.push(`the job may still be running; resume with: ${resume}`);
    extra.resume = resume;
  }
  ctx.out.error(error, code, { hints, extra });
  return code;
}

/**
 * Runs one command: checks, sends, prints, and turns any failure into a
 * message on stderr (and a JSON document with `--json`) and an exit code.
 * Ctrl-C, SIGTERM or SIGHUP stop the command (exit code 130, 143 or 129);
 * a job left running is named with the command that resumes it.
 *
 * @param line The parsed command line.
 * @param out Where to write.
 * @returns The exit code (see `exit_codes.ts`).
 *
 * @example
 * ```ts ignore
 * import { parseCommandLine } from "./args.ts";
 * import { runCommand } from "./commands.ts";
 * import { createOutput } from "./output.ts";
 * const line = parseCommandLine(["status", "0123456789abcdef01234567"]);
 * if (line.kind === "run") Deno.exit(await runCommand(line, createOutput()));
 * ```
 */
export async function runCommand(line: RunLine, out: Output): Promise<number> {
  using watch = watchInterrupt();
  const ctx: Context = {
    line,
    options: line.options,
    out,
    signal: watch.signal,
    watch,
  };
  try {
    switch (line.command) {
      case "trigger":
        return await trigger(ctx);
      case "select":
        return await select(ctx);
      case "status":
        return await status(ctx);
      case "wait":
        return await wait(ctx);
      case "export":
        return await exportCommand(ctx, () => {
          const client = connect(ctx);
          allowNet(ctx);
          return client;
        });
    }
  } catch (error) {
    return report(error, ctx);
  }
}
