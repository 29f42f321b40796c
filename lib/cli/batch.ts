/**
 * `trigger --batch`: one sampling request per JSON line, streamed. A first
 * pass reads every line, checks it with the library's builder and counts
 * it — every invalid line is reported, and nothing is sent while one is
 * left (unless `--skip-invalid`) —; a second pass reads the lines again and
 * sends them through a pool of `--concurrency` workers. Neither pass holds
 * the file as objects: a file is read twice, stdin's raw lines are kept.
 *
 * The workers share one pause gate: when any request is answered 429,
 * every worker waits out the pause before sending again, and the refused
 * request is sent again (a 429 was not applied). The pool is written here
 * rather than taken from `deno-std`'s `async/pool.js`: `pooledMap` yields
 * results in input order (a slow first line would hold back every
 * outcome) and stops at the first failure, while a batch streams each
 * outcome as it ends and runs every line.
 *
 * @module
 */
import type { SamplingInput, WaitResult } from "../../mod.ts";
import { buildSamplingRequest } from "../build.ts";
import { isSamplingValidationError } from "../errors.ts";
import type { Clock } from "../retry.ts";
import type { CliConfig } from "./config.ts";
import { CliUsageError, InterruptedError } from "./errors.ts";
import { classify, EXIT } from "./exit_codes.ts";
import type { Options } from "./flags.ts";
import type { Input } from "./io.ts";
import { describeDryRun, errorJson, type Output } from "./output.ts";
import { formatElapsed } from "./progress.ts";

/** One line of a batch: its number (from 1), and its JSON or its problems. */
export type BatchEntry =
  | { line: number; value: Record<string, unknown> }
  | { line: number; problems: string[] };

/**
 * Numbers the lines from 1 and parses each: blank lines are skipped, a
 * line that is not a JSON object comes with its problem.
 *
 * @param lines The lines.
 * @yields Each non-blank line.
 */
export async function* batchEntries(
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<BatchEntry> {
  let line = 0;
  for await (const text of lines) {
    line++;
    const source = text.trim();
    if (source === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      const why = error instanceof SyntaxError ? error.message : "bad JSON";
      yield { line, problems: [`not valid JSON (${why})`] };
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      yield {
        line,
        problems: ["must be a JSON object {datasetId, embeddingId, body}"],
      };
    } else yield { line, value: value as Record<string, unknown> };
  }
}

/**
 * How one item of a batch ended. A failure with `notSent` was stopped by
 * the signal while it waited for a pause to end: every attempt it made was
 * refused with a 429, so none of it was applied.
 */
export type BatchOutcome<T, R> =
  | { item: T; ok: true; value: R; attempts: number }
  | { item: T; ok: false; error: unknown; attempts: number; notSent?: true };

/** Options of {@linkcode runBatch}. */
export interface BatchRunOptions<T, R> {
  /** Items in flight at most. */
  concurrency: number;
  /** Sends one item. */
  send(item: T, signal?: AbortSignal): Promise<R>;
  /** For a refusal to send again after a pause (a 429): the pause in ms; else `undefined`. */
  pauseFor(error: unknown, attempt: number): number | undefined;
  /** Called as each item ends, in the order they end. */
  onOutcome(outcome: BatchOutcome<T, R>): void;
  /** Called when a 429 pauses the whole batch. */
  onPause?(info: { item: T; waitMs: number; attempt: number }): void;
  /** Where time comes from. */
  clock: Clock;
  /** Stops the batch: no new item starts, items in flight are aborted. */
  signal?: AbortSignal;
  /**
   * Attempts per item in all, 429s included.
   *
   * @default {5}
   */
  maxAttempts?: number;
}

/**
 * Sends every item through a pool of `concurrency` workers, streaming each
 * outcome as it ends and keeping none. A 429 pauses all workers and its
 * item is sent again, up to `maxAttempts`; any other failure is that
 * item's outcome, and the batch goes on.
 *
 * @param items The items, in order; read as workers free up.
 * @param options Concurrency, the sender, the 429 rule, the clock, the signal.
 * @returns How many items were started (the rest were not, the batch being stopped).
 */
export async function runBatch<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  options: BatchRunOptions<T, R>,
): Promise<{ started: number }> {
  const { clock, signal, maxAttempts = 5 } = options;
  const iterator = Symbol.asyncIterator in items
    ? items[Symbol.asyncIterator]()
    : items[Symbol.iterator]();
  let pausedUntil = 0;
  let started = 0;

  async function runOne(item: T): Promise<BatchOutcome<T, R>> {
    for (let attempt = 1;; attempt++) {
      try {
        // The gate: wait while any 429 pauses the batch.
        for (let left; (left = pausedUntil - clock.now()) > 0;) {
          await clock.sleep(left, signal);
        }
      } catch (error) {
        const notSent = signal?.aborted ? { notSent: true as const } : {};
        return { item, ok: false, error, attempts: attempt - 1, ...notSent };
      }
      try {
        const value = await options.send(item, signal);
        return { item, ok: true, value, attempts: attempt };
      } catch (error) {
        const waitMs = signal?.aborted
          ? undefined
          : options.pauseFor(error, attempt);
        if (waitMs === undefined || attempt >= maxAttempts) {
          return { item, ok: false, error, attempts: attempt };
        }
        pausedUntil = Math.max(pausedUntil, clock.now() + waitMs);
        options.onPause?.({ item, waitMs, attempt });
      }
    }
  }

  async function worker(): Promise<void> {
    while (!signal?.aborted) {
      const next = await iterator.next();
      if (next.done) return;
      started++;
      options.onOutcome(await runOne(next.value));
    }
  }

  const workers = Array.from(
    { length: Math.max(1, options.concurrency) },
    worker,
  );
  const ended = await Promise.allSettled(workers);
  await iterator.return?.();
  const failed = ended.find((e) => e.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return { started };
}

/** The library's public API, as `mod.ts` exports it (loaded once a run sends). */
export type Library = typeof import("../../mod.ts");

/** What a batch works with. */
export interface BatchContext {
  readonly options: Options;
  readonly out: Output;
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** The code an interrupted run exits with (130, 143 or 129). */
  readonly watch: { readonly exitCode: number };
}

/** Host, credentials and transport of the requests. */
export type BatchClient = Pick<CliConfig, "baseUrl" | "auth"> & {
  fetch?: typeof fetch;
};

/** What one line's work produced. */
interface LineResult {
  jobId: string;
  wait?: WaitResult;
  waitError?: unknown;
}

interface ValidLine {
  line: number;
  input: SamplingInput;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, "; ");
}

/** The valid entries of `input`, in order, skipping the lines in `invalid`. */
async function* validLines(
  input: Input,
  invalid: ReadonlySet<number>,
): AsyncGenerator<ValidLine> {
  for await (const entry of batchEntries(input.lines())) {
    if ("value" in entry && !invalid.has(entry.line)) {
      yield {
        line: entry.line,
        input: entry.value as unknown as SamplingInput,
      };
    }
  }
}

/**
 * Runs `trigger --batch`: checks every line, then sends the valid ones (or
 * shows them with `--dry-run`), one outcome per line and a summary.
 *
 * @param ctx Flags, output, signal, clock.
 * @param input The batch file or stdin.
 * @param client Host, credentials, fetch.
 * @param wait The wait options of `--wait`.
 * @param start Checks the permission to send and loads the library.
 * @returns The exit code.
 */
export async function triggerBatch(
  ctx: BatchContext,
  input: Input,
  client: BatchClient,
  wait: { timeoutMs?: number },
  start: () => Promise<Library>,
): Promise<number> {
  const o = ctx.options;
  const out = ctx.out;
  const build = { baseUrl: client.baseUrl, auth: client.auth };
  const invalid: { line: number; problems: string[] }[] = [];
  let valid = 0;
  for await (const entry of batchEntries(input.lines())) {
    if ("problems" in entry) {
      invalid.push(entry);
      continue;
    }
    try {
      buildSamplingRequest(entry.value as unknown as SamplingInput, build);
      valid++;
    } catch (error) {
      if (!isSamplingValidationError(error)) throw error;
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
  const lines = valid + invalid.length;
  if (lines === 0) {
    throw new CliUsageError([
      `--batch ${input.name}: no requests (one JSON object {datasetId, embeddingId, body} per line)`,
    ]);
  }
  if (invalid.length > 0 && !o.skipInvalid) {
    const many = invalid.length > 1;
    throw new CliUsageError([
      `--batch ${input.name}: ${invalid.length} invalid line${
        many ? "s" : ""
      }, nothing was sent (fix ${
        many ? "them" : "it"
      }, or pass --skip-invalid):`,
      ...invalid.flatMap((l) =>
        l.problems.map((p) => `  line ${l.line}: ${p}`)
      ),
    ]);
  }

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
  const skipped = new Set(invalid.map((l) => l.line));
  if (o.dryRun) {
    for await (const v of validLines(input, skipped)) {
      const view = describeDryRun(buildSamplingRequest(v.input, build));
      if (o.json) out.jsonLine({ line: v.line, ...view.json });
      else out.text(`# line ${v.line}\n${view.text}`);
    }
    emit(
      {
        summary: { lines, valid, skipped: invalid.length, dryRun: true },
      },
      `${valid} request${
        valid === 1 ? "" : "s"
      } shown, ${invalid.length} skipped`,
    );
    out.note("dry run: nothing was sent");
    return EXIT.OK;
  }

  const lib = await start();
  let ok = 0;
  let failed = 0;
  let notSent = 0;
  let refused = false;
  const fail = (
    outcome: BatchOutcome<ValidLine, LineResult>,
    error: unknown,
    message: string,
    extra: Record<string, unknown> = {},
  ) => {
    const verdict = classify(error).exitCode;
    const code = verdict === EXIT.INTERRUPTED ? ctx.watch.exitCode : verdict;
    failed++;
    refused ||= code === EXIT.REFUSED || code === EXIT.USAGE;
    const jobId = outcome.ok ? outcome.value.jobId : undefined;
    emit(
      {
        line: outcome.item.line,
        ok: false,
        ...extra,
        exitCode: code,
        ...(jobId ? { jobId } : {}),
        error: errorJson(error),
        attempts: outcome.attempts,
      },
      `line ${outcome.item.line}  ${
        extra.notSent ? "not sent " : "failed   "
      } ${jobId ? `job ${jobId}: ` : ""}${message}`,
    );
  };
  const report = (outcome: BatchOutcome<ValidLine, LineResult>) => {
    if (outcome.ok && outcome.value.waitError === undefined) {
      ok++;
      const { jobId, wait } = outcome.value;
      emit(
        {
          line: outcome.item.line,
          ok: true,
          jobId,
          ...(wait ? { tagId: wait.tagId, status: wait.job.status } : {}),
          attempts: outcome.attempts,
        },
        `line ${outcome.item.line}  ${
          wait ? "finished" : "started "
        }  job ${jobId}${wait ? `  tag ${wait.tagId}` : ""}`,
      );
    } else if (!outcome.ok && outcome.notSent) {
      // Stopped during a 429 pause: every attempt was refused, none applied.
      notSent++;
      const error = new InterruptedError(
        "interrupted while the batch paused for a 429: not sent",
      );
      fail(outcome, error, error.message, { notSent: true });
    } else {
      const error = outcome.ok ? outcome.value.waitError : outcome.error;
      const sending = classify(error).exitCode === EXIT.INTERRUPTED &&
        outcome.ok === false;
      fail(
        outcome,
        error,
        sending
          ? "interrupted while sending: the job may or may not have been created"
          : oneLine(error instanceof Error ? error.message : String(error)),
      );
    }
  };

  const { started } = await runBatch<ValidLine, LineResult>(
    validLines(input, skipped),
    {
      concurrency: o.concurrency,
      clock: ctx.clock,
      signal: ctx.signal,
      send: async (v, signal) => {
        const options = { ...client, signal };
        const { jobId } = await lib.triggerSampling(v.input, {
          ...options,
          retry: false, // 429s are retried by the batch, which pauses every worker
        });
        if (!o.wait) return { jobId };
        try {
          const done = await lib.waitForJob(jobId, {
            ...options,
            ...wait,
            clock: ctx.clock,
          });
          return { jobId, wait: done };
        } catch (waitError) {
          return { jobId, waitError };
        }
      },
      pauseFor: (error, attempt) =>
        classify(error, {
          attempt,
          now: ctx.clock.now(),
          maxRetryAfterMs: lib.DEFAULT_MAX_RETRY_AFTER_MS,
        }).pauseMs,
      onPause: ({ item, waitMs }) =>
        out.note(
          `line ${item.line}: 429 Too Many Requests; the batch pauses for ${
            formatElapsed(waitMs)
          }`,
        ),
      onOutcome: report,
    },
  );

  const notStarted = valid - started;
  const interrupted = ctx.signal.aborted;
  emit(
    {
      summary: {
        lines,
        ok,
        failed,
        skipped: invalid.length,
        notStarted,
        ...(interrupted ? { interrupted: true } : {}),
      },
    },
    `${lines} lines: ${ok} ok, ${failed} failed, ${invalid.length} skipped` +
      (notStarted > 0 ? `, ${notStarted} not started` : ""),
  );
  if (interrupted) {
    const unsent = notStarted + notSent;
    out.note(
      `interrupted: ${unsent} line${unsent === 1 ? " was" : "s were"} not sent`,
    );
    return ctx.watch.exitCode;
  }
  if (refused) return EXIT.REFUSED;
  return failed > 0 ? EXIT.TRANSIENT : EXIT.OK;
}
