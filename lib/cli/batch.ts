/**
 * `trigger --batch`, streamed: a first pass checks every line, a second reads
 * them again (a file twice, stdin's raw lines kept) and sends them through
 * `--concurrency` workers. The pool is ours: `deno-std`'s `pooledMap` yields
 * in input order and stops at the first failure, while a batch streams each
 * outcome as it ends, runs every line, and pauses every worker for a 429.
 *
 * @module
 */
import type { SamplingInput, WaitResult } from "../../mod.ts";
import { buildSamplingRequest } from "../core/build.ts";
import { isLightlyError } from "../core/errors.ts";
import { classify, type Clock, waitBefore } from "../core/policy.ts";
import { isObject } from "../core/validate.ts";
import { CliUsageError, EXIT, InterruptedError } from "./errors.ts";
import { issueLines } from "./flags.ts";
import { connect, goOnline, type Input, type RunContext } from "./io.ts";
import { describeDryRun, errorJson } from "./output.ts";
import { formatElapsed } from "./progress.ts";

/** One line of a batch: its number (from 1), and its JSON or its problems. */
export type BatchEntry =
  | { line: number; value: Record<string, unknown> }
  | { line: number; problems: string[] };

/** Numbers the lines from 1 and parses each; blank lines are skipped. */
export async function* batchEntries(
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<BatchEntry> {
  let line = 0;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    let value: unknown;
    let problem = "must be a JSON object {datasetId, embeddingId, body}";
    try {
      value = JSON.parse(text);
    } catch (error) {
      problem = `not valid JSON (${(error as Error).message})`;
    }
    yield isObject(value) ? { line, value } : { line, problems: [problem] };
  }
}

/** The pause before a failed item is sent again: for a 429 only, by the library's rule (its `Retry-After`, at least the attempt's backoff, none past `maxRetryAfterMs`). */
export function batchPause(
  error: unknown,
  retry: { attempt: number; now: number; maxRetryAfterMs: number },
): number | undefined {
  return classify(error).throttled
    ? waitBefore(error, retry.attempt, retry)
    : undefined;
}

/** How one item ended; `notSent`: stopped during a pause, every attempt refused with a 429 (none applied). */
export type BatchOutcome<T, R> =
  | { item: T; ok: true; value: R; attempts: number }
  | { item: T; ok: false; error: unknown; attempts: number; notSent?: true };

/**
 * Sends every item through `concurrency` workers, streaming each outcome as
 * it ends. When `pauseFor` gives a pause (a 429), every worker waits it out
 * and the item is sent again, up to `maxAttempts` (5) in all; any other
 * failure is that item's outcome. The signal starts no new item and aborts
 * those in flight.
 */
export async function runBatch<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  options: {
    concurrency: number;
    send(item: T, signal?: AbortSignal): Promise<R>;
    pauseFor(error: unknown, attempt: number): number | undefined;
    onOutcome(outcome: BatchOutcome<T, R>): void;
    onPause?(info: { item: T; waitMs: number; attempt: number }): void;
    clock: Clock;
    signal?: AbortSignal;
    maxAttempts?: number;
  },
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
    for (let next; !signal?.aborted && !(next = await iterator.next()).done;) {
      started++;
      options.onOutcome(await runOne(next.value));
    }
  }

  const workers = Array.from({ length: options.concurrency }, worker);
  const ended = await Promise.allSettled(workers);
  await iterator.return?.();
  for (const e of ended) if (e.status === "rejected") throw e.reason;
  return { started };
}

type LineResult = { jobId: string; wait?: WaitResult; waitError?: unknown };
type ValidLine = { line: number; input: SamplingInput };

/** `trigger --batch`: checks every line, then sends (or shows) the valid ones; an outcome per line, a summary. */
export async function triggerBatch(
  ctx: RunContext,
  input: Input,
): Promise<number> {
  const { options: o, out } = ctx;
  const client = connect(ctx);
  const build = { baseUrl: client.baseUrl, auth: client.auth };
  const invalid: { line: number; problems: string[] }[] = [];
  let valid = 0;
  for await (const entry of batchEntries(input.lines())) {
    if ("problems" in entry) {
      invalid.push(entry);
      continue;
    }
    try {
      buildSamplingRequest(entry.value as never, build);
      valid++;
    } catch (error) {
      if (!isLightlyError(error, "validation")) throw error;
      invalid.push({ line: entry.line, problems: issueLines(error.issues) });
    }
  }
  const lines = valid + invalid.length;
  const where = `--batch ${input.name}`;
  if (lines === 0) {
    throw new CliUsageError([
      `${where}: no requests (one JSON object {datasetId, embeddingId, body} per line)`,
    ]);
  }
  if (invalid.length > 0 && !o.skipInvalid) {
    const [s, them] = invalid.length > 1 ? ["s", "them"] : ["", "it"];
    throw new CliUsageError([
      `${where}: ${invalid.length} invalid line${s}, nothing was sent (fix ${them}, or pass --skip-invalid):`,
      ...invalid.flatMap((l) =>
        l.problems.map((p) => `  line ${l.line}: ${p}`)
      ),
    ]);
  }

  const emit = (json: Record<string, unknown>, human: string) =>
    o.json ? out.jsonLine(json) : out.text(human);
  for (const { line, problems } of invalid) {
    emit(
      { line, ok: false, skipped: true, problems },
      `line ${line}  skipped   ${problems.join("; ")}`,
    );
  }
  const skipped = invalid.length;
  async function* validLines(): AsyncGenerator<ValidLine> {
    let i = 0;
    for await (const entry of batchEntries(input.lines())) {
      if (entry.line === invalid[i]?.line) i++;
      else if ("value" in entry) {
        yield { line: entry.line, input: entry.value as never };
      }
    }
  }
  if (o.dryRun) {
    for await (const { line, input } of validLines()) {
      const view = describeDryRun(buildSamplingRequest(input, build));
      emit({ line, ...view.json }, `# line ${line}\n${view.text}`);
    }
    emit(
      { summary: { lines, valid, skipped, dryRun: true } },
      `${valid} request${valid === 1 ? "" : "s"} shown, ${skipped} skipped`,
    );
    out.note("dry run: nothing was sent");
    return EXIT.OK;
  }

  const lib = await goOnline(ctx);
  // The library's longest Retry-After (loaded with it, not before).
  const { DEFAULT_MAX_RETRY_AFTER_MS } = await import("../core/trigger.ts");
  let [ok, failed, notSent, refused] = [0, 0, 0, false];
  const report = (outcome: BatchOutcome<ValidLine, LineResult>) => {
    const { item: { line }, attempts } = outcome;
    const { jobId, wait, waitError }: Partial<LineResult> = outcome.ok
      ? outcome.value
      : {};
    if (outcome.ok && waitError === undefined) {
      ok++;
      const done = wait && { tagId: wait.tagId, status: wait.job.status };
      const human = wait
        ? `finished  job ${jobId}  tag ${wait.tagId}`
        : `started   job ${jobId}`;
      return emit(
        { line, ok: true, jobId, ...done, attempts },
        `line ${line}  ${human}`,
      );
    }
    // Stopped during a 429 pause: every attempt was refused, none applied.
    const paused = !outcome.ok && outcome.notSent === true;
    const error = paused
      ? new InterruptedError(
        "interrupted while the batch paused for a 429: not sent",
      )
      : outcome.ok
      ? waitError
      : outcome.error;
    const verdict = classify(error).exitCode;
    const interrupted = verdict === EXIT.INTERRUPTED;
    const code = interrupted ? ctx.watch.exitCode : verdict;
    failed++;
    notSent += paused ? 1 : 0;
    refused ||= code === EXIT.REFUSED || code === EXIT.USAGE;
    const message = interrupted && !paused && jobId === undefined
      ? "interrupted while sending: the job may or may not have been created"
      : (error instanceof Error ? error.message : String(error))
        .replace(/\s*\n\s*/g, "; ");
    const json = {
      line,
      ok: false,
      ...(paused ? { notSent: true } : {}),
      exitCode: code,
      ...(jobId ? { jobId } : {}),
      error: errorJson(error),
      attempts,
    };
    const job = jobId ? `job ${jobId}: ` : "";
    emit(
      json,
      `line ${line}  ${paused ? "not sent " : "failed   "} ${job}${message}`,
    );
  };

  // One client for every POST: no idle connection, so each still goes on a
  // fresh one (never re-sent by fetch), without making a client per POST.
  using httpClient = globalThis.Deno?.createHttpClient?.({
    poolMaxIdlePerHost: 0,
  });
  const { started } = await runBatch<ValidLine, LineResult>(validLines(), {
    concurrency: o.concurrency,
    clock: ctx.clock,
    signal: ctx.signal,
    send: async (v, signal) => {
      // A 429 is sent again by the batch, which pauses every worker.
      const { jobId } = await lib.triggerSampling(v.input, {
        ...client,
        httpClient,
        signal,
        retry: false,
      });
      if (!o.wait) return { jobId };
      return await lib.waitForJob(jobId, {
        ...client,
        signal,
        timeoutMs: o.timeoutMs,
        clock: ctx.clock,
      }).then(
        (wait) => ({ jobId, wait }),
        (waitError) => ({ jobId, waitError }),
      );
    },
    pauseFor: (error, attempt) =>
      batchPause(error, {
        attempt,
        now: ctx.clock.now(),
        maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
      }),
    onPause: ({ item, waitMs }) =>
      out.note(
        `line ${item.line}: 429 Too Many Requests; the batch pauses for ${
          formatElapsed(waitMs)
        }`,
      ),
    onOutcome: report,
  });

  const notStarted = valid - started;
  const stopped = ctx.signal.aborted ? { interrupted: true } : {};
  const summary = { lines, ok, failed, skipped, notStarted, ...stopped };
  emit(
    { summary },
    `${lines} lines: ${ok} ok, ${failed} failed, ${skipped} skipped` +
      (notStarted > 0 ? `, ${notStarted} not started` : ""),
  );
  if (ctx.signal.aborted) {
    const unsent = notStarted + notSent;
    out.note(
      `interrupted: ${unsent} line${unsent === 1 ? " was" : "s were"} not sent`,
    );
    return ctx.watch.exitCode;
  }
  return refused ? EXIT.REFUSED : failed > 0 ? EXIT.TRANSIENT : EXIT.OK;
}
