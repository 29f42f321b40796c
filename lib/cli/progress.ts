/**
 * Progress of a job on stderr: on a terminal, one live line redrawn in
 * place (spinner, status, processed/total, elapsed); otherwise plain
 * timestamped lines, one per change, that read well in a log.
 *
 * @module
 */
import { progressFraction } from "../display.ts";
import { paint, statusColour } from "./output.ts";

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
  /** Live line (`true`) or plain lines (`false`). */
  tty: boolean;
  /** Whether to colour the status. */
  colour: boolean;
  /** Writes text to stderr. */
  write(text: string): void;
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
 * Formats a job's progress: `RUNNING 40/100 (40%)`.
 *
 * @param event The poll's news.
 * @param colour Whether to colour the status.
 * @returns Short text.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./progress.ts";
 * formatProgress({ jobId: "x", status: "RUNNING", processed: 40, total: 100 }, false);
 * // "RUNNING 40/100 (40%)"
 * ```
 */
export function formatProgress(event: ProgressEvent, colour: boolean): string {
  const status = paint(event.status, statusColour(event.status), colour);
  if (event.processed === undefined || event.total === undefined) return status;
  return `${status} ${
    formatCount({ processed: event.processed, total: event.total })
  }`;
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
 * @param options Live or plain, colour, where to write, the clock.
 * @returns The display.
 *
 * @example
 * ```ts
 * import { createProgress } from "./progress.ts";
 * const progress = createProgress({ tty: false, colour: false, write: (t) => console.error(t) });
 * progress.update({ jobId: "0123456789abcdef01234567", status: "RUNNING" });
 * progress.stop();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const started = now();
  const colour = options.colour;
  let text = "";
  let last = "";
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const draw = () => {
    const spinner = paint(FRAMES[frame++ % FRAMES.length], "cyan", colour);
    const elapsed = paint(formatElapsed(now() - started), "dim", colour);
    options.write(`\r\x1b[2K${spinner} ${text} ${elapsed}`);
  };
  const plain = (line: string) => {
    options.write(
      `${new Date(now()).toISOString()} ${line} (${
        formatElapsed(now() - started)
      })\n`,
    );
  };
  const show = (next: string) => {
    if (stopped) return;
    text = next;
    if (options.tty) {
      if (timer === undefined) {
        const interval = setInterval(draw, options.intervalMs ?? 100);
        // The display never keeps the process alive on its own.
        Deno.unrefTimer(interval);
        timer = interval;
      }
      draw();
    } else if (next !== last) {
      plain(next);
    }
    last = next;
  };

  return {
    step(what) {
      show(`${what}…`);
    },
    update(event) {
      show(`job ${event.jobId} ${formatProgress(event, colour)}`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) {
        clearInterval(timer);
        options.write("\r\x1b[2K");
      }
    },
  };
}
