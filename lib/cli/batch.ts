/**
 * Batches: reading a JSON-lines file, and sending its requests through a
 * bounded pool whose workers share one pause gate — when any request is
 * answered 429, every worker waits out the `Retry-After` before sending
 * again, and the refused request is sent again (a 429 was not applied).
 *
 * The pool is written here rather than taken from `deno-std`'s
 * `async/pool.js`: `pooledMap` yields results in input order (a slow first
 * line would hold back every outcome) and stops at the first failure, while
 * a batch streams each outcome as it finishes and runs every line.
 *
 * @module
 */
import type { Clock } from "../../mod.ts";

/** One line of a batch file: its number (from 1) and its parsed JSON. */
export interface BatchEntry {
  /** The line number, from 1. */
  line: number;
  /** The line's JSON value. */
  value: unknown;
}

/** A line that cannot be sent, and why. */
export interface InvalidLine {
  /** The line number, from 1. */
  line: number;
  /** Every problem, one line each. */
  problems: string[];
}

/** What {@linkcode parseJsonLines} found. */
export interface ParsedLines {
  /** Lines holding a JSON object. */
  entries: BatchEntry[];
  /** Lines that are not JSON objects. */
  invalid: InvalidLine[];
}

/**
 * Splits a JSON-lines text into entries; blank lines are skipped, a line
 * that is not a JSON object is reported with its number.
 *
 * @param text The file's content.
 * @returns The entries and the invalid lines.
 *
 * @example
 * ```ts
 * import { parseJsonLines } from "./batch.ts";
 * const { entries, invalid } = parseJsonLines('{"a":1}\n\n[2]\n');
 * entries[0].line; // 1
 * invalid[0].line; // 3
 * ```
 */
export function parseJsonLines(text: string): ParsedLines {
  const entries: BatchEntry[] = [];
  const invalid: InvalidLine[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const source = lines[i].trim();
    if (source === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (error) {
      const why = error instanceof SyntaxError ? error.message : "bad JSON";
      invalid.push({ line: i + 1, problems: [`not valid JSON (${why})`] });
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      invalid.push({
        line: i + 1,
        problems: ["must be a JSON object {datasetId, embeddingId, body}"],
      });
      continue;
    }
    entries.push({ line: i + 1, value });
  }
  return { entries, invalid };
}

/**
 * How one item of a batch ended. A failure with `notSent` was stopped by
 * the signal while it waited for a pause to end: every attempt it made was
 * refused with a 429 (see {@linkcode BatchRunOptions.pauseFor}), so none of
 * it was applied.
 */
export type BatchOutcome<T, R> =
  | { item: T; ok: true; value: R; attempts: number }
  | {
    item: T;
    ok: false;
    error: unknown;
    attempts: number;
    notSent?: true;
  };

/** Options of {@linkcode runBatch}. */
export interface BatchRunOptions<T, R> {
  /** Items in flight at most. */
  concurrency: number;
  /** Sends one item. */
  send(item: T, signal?: AbortSignal): Promise<R>;
  /**
   * When `error` is a refusal to be retried after a pause (a 429), the
   * pause in milliseconds for the given attempt (from 1); else `undefined`.
   */
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

/** What {@linkcode runBatch} returns. */
export interface BatchRun<T, R> {
  /** Every item that ended, in the order they ended. */
  outcomes: BatchOutcome<T, R>[];
  /** Items never started because the batch was stopped. */
  notStarted: T[];
}

/**
 * A gate every worker passes before sending; a 429 closes it for everyone
 * until its `Retry-After` has passed.
 */
class PauseGate {
  #until = 0;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  pause(ms: number): void {
    this.#until = Math.max(this.#until, this.#clock.now() + ms);
  }

  async pass(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const left = this.#until - this.#clock.now();
      if (left <= 0) return;
      await this.#clock.sleep(left, signal);
    }
  }
}

/**
 * Sends every item through a pool of `concurrency` workers, streaming each
 * outcome as it ends. A 429 pauses all workers (see
 * {@linkcode BatchRunOptions.pauseFor}) and its item is sent again, up to
 * `maxAttempts`; any other failure is that item's outcome, and the batch
 * goes on.
 *
 * @param items The items, in order.
 * @param options Concurrency, the sender, the 429 rule, the clock, the signal.
 * @returns Every outcome, and the items never started if the batch was stopped.
 *
 * @example
 * ```ts
 * import { runBatch } from "./batch.ts";
 * import { systemClock } from "../../mod.ts";
 * const run = await runBatch([1, 2, 3], {
 *   concurrency: 2,
 *   send: (n) => Promise.resolve(n * 10),
 *   pauseFor: () => undefined,
 *   onOutcome: (o) => console.log(o),
 *   clock: systemClock,
 * });
 * run.outcomes.length; // 3
 * ```
 */
export async function runBatch<T, R>(
  items: readonly T[],
  options: BatchRunOptions<T, R>,
): Promise<BatchRun<T, R>> {
  const gate = new PauseGate(options.clock);
  const maxAttempts = options.maxAttempts ?? 5;
  const { signal } = options;
  const outcomes: BatchOutcome<T, R>[] = [];
  let next = 0;

  const finish = (outcome: BatchOutcome<T, R>) => {
    outcomes.push(outcome);
    options.onOutcome(outcome);
  };

  async function runOne(item: T): Promise<void> {
    for (let attempt = 1;; attempt++) {
      try {
        await gate.pass(signal);
      } catch (error) {
        return finish({
          item,
          ok: false,
          error,
          attempts: attempt - 1,
          ...(signal?.aborted ? { notSent: true as const } : {}),
        });
      }
      try {
        const value = await options.send(item, signal);
        return finish({ item, ok: true, value, attempts: attempt });
      } catch (error) {
        const waitMs = signal?.aborted
          ? undefined
          : options.pauseFor(error, attempt);
        if (waitMs === undefined || attempt >= maxAttempts) {
          return finish({ item, ok: false, error, attempts: attempt });
        }
        gate.pause(waitMs);
        options.onPause?.({ item, waitMs, attempt });
      }
    }
  }

  async function worker(): Promise<void> {
    while (next < items.length && !signal?.aborted) {
      await runOne(items[next++]);
    }
  }

  const workers = Math.max(1, Math.min(options.concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return { outcomes, notStarted: items.slice(next) };
}
