/**
 * Progress of a job on stderr: on a terminal, one live line redrawn in
 * place (spinner, status, processed/total, elapsed); otherwise plain
 * timestamped lines, one per change, that read well in a log. Lines are
 * written through the output (`output.ts`), which escapes and colours them.
 *
 * @module
 */
import { progressFraction } from "../display/format.ts";
import { type Output, type Span, statusColour } from "./output.ts";

/** What one poll reported (a subset of the library's `JobProgress`). */
export interface ProgressEvent {
  /** The job. */
  jobId: string;
  /** The job's status as the server wrote it. */
  status: string;
  /** Units of work done, when known. */
  processed?: number;
  /** Units of work in all, when known. */
  total?: number;
}

/** Options of {@linkcode createProgress}. */
export interface ProgressOptions {
  /** Where lines go: the run's output. */
  out: Pick<Output, "progress" | "clearProgress" | "stderrIsTerminal">;
  /**
   * Live line (`true`) or plain lines (`false`).
   *
   * @default {out.stderrIsTerminal}
   */
  tty?: boolean;
  /**
   * The clock, in Unix milliseconds.
   *
   * @default {Date.now}
   */
  now?: () => number;
  /**
   * Redraw interval of the live line, in milliseconds.
   *
   * @default {100}
   */
  intervalMs?: number;
}

/** A progress display; call `stop()` when done, whatever happened. */
export interface Progress {
  /** Shows what the command is doing now, e.g. `checking tags`. */
  step(text: string): void;
  /** Shows a poll's news. */
  update(event: ProgressEvent): void;
  /** Ends the display: clears the live line, stops its timer. */
  stop(): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Formats a duration for people: `0.8s`, `12s`, `3m04s`, `1h02m`.
 *
 * @param ms Milliseconds.
 * @returns Short text.
 *
 * @example
 * ```ts
 * import { formatElapsed } from "./progress.ts";
 * formatElapsed(184_000); // "3m04s"
 * ```
 */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * Formats a job's progress: `RUNNING 40/100 (40%)`, the status coloured.
 *
 * @param event The poll's news.
 * @returns Spans for the output.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * formatProgress({ jobId: "x", status: "RUNNING", processed: 40, total: 100 });
 * // [["RUNNING", "cyan"], " 40/100 (40%)"]
 * ```
 */
export function formatProgress(event: ProgressEvent): Span[] {
  const status: Span = [event.status, statusColour(event.status)];
  if (event.processed === undefined || event.total === undefined) {
    return [status];
  }
  return [
    status,
    ` ${formatCount({ processed: event.processed, total: event.total })}`,
  ];
}

/**
 * Formats units of work done: `40/100 (40%)`.
 *
 * @param meta Units done and in all.
 * @returns Short text.
 *
 * @example
 * ```ts
 * import { formatCount } from "./progress.ts";
 * formatCount({ processed: 40, total: 100 }); // "40/100 (40%)"
 * ```
 */
export function formatCount(
  meta: { processed: number; total: number },
): string {
  const fraction = progressFraction(meta.processed, meta.total);
  const percent = fraction === undefined
    ? ""
    : ` (${Math.floor(fraction * 100)}%)`;
  return `${meta.processed}/${meta.total}${percent}`;
}

/**
 * Starts a progress display.
 *
 * @param options Where to write, live or plain, the clock.
 * @returns The display.
 *
 * @example
 * ```ts
 * import { createOutput } from "./output.ts";
 * import { createProgress } from "./progress.ts";
 * const progress = createProgress({ out: createOutput() });
 * progress.update({ jobId: "0123456789abcdef01234567", status: "RUNNING" });
 * progress.stop();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const out = options.out;
  const tty = options.tty ?? out.stderrIsTerminal;
  const started = now();
  let text: readonly Span[] = [];
  let last = "";
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const draw = () => {
    out.progress([
      [FRAMES[frame++ % FRAMES.length], "cyan"],
      " ",
      ...text,
      " ",
      [formatElapsed(now() - started), "dim"],
    ], true);
  };
  const plain = (line: readonly Span[]) => {
    out.progress([
      `${new Date(now()).toISOString()} `,
      ...line,
      ` (${formatElapsed(now() - started)})`,
    ], false);
  };
  const show = (next: readonly Span[]) => {
    if (stopped) return;
    text = next;
    const key = JSON.stringify(next);
    if (tty) {
      if (timer === undefined) {
        const interval = setInterval(draw, options.intervalMs ?? 100);
        // The display never keeps the process alive on its own.
        Deno.unrefTimer(interval);
        timer = interval;
      }
      draw();
    } else if (key !== last) {
      plain(next);
    }
    last = key;
  };

  return {
    step(what) {
      show([`${what}…`]);
    },
    update(event) {
      show([`job ${event.jobId} `, ...formatProgress(event)]);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) {
        clearInterval(timer);
        out.clearProgress();
      }
    },
  };
}
