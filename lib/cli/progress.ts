/**
 * Progress on stderr: on a terminal one live line redrawn in place (spinner,
 * status, processed/total, elapsed), else timestamped lines, one per change.
 *
 * @module
 */
import { progressFraction } from "../display/format.ts";
import type { JobProgress } from "../jobs/wait.ts";
import type { Output, Span } from "./output.ts";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** Formats a duration for people: `0.8s`, `12s`, `3m04s`, `1h02m`. */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  const m = Math.floor(s / 60);
  const two = (n: number) => String(n % 60).padStart(2, "0");
  if (s < 60) return `${s}s`;
  return m < 60 ? `${m}m${two(s)}s` : `${Math.floor(m / 60)}h${two(m)}m`;
}

const colourOf = (status: string) =>
  status === "FINISHED" ? "green" : status === "FAILED" ? "red" : "cyan";

/** Formats units of work done: `40/100 (40%)`. */
export function formatCount(
  meta: { processed: number; total: number },
): string {
  const fraction = progressFraction(meta.processed, meta.total);
  const percent = fraction === undefined
    ? ""
    : ` (${Math.floor(fraction * 100)}%)`;
  return `${meta.processed}/${meta.total}${percent}`;
}

/** Starts a progress display (the live line redrawn every `intervalMs`, 100); `stop()` it whatever happened. */
export function createProgress(options: {
  out: Pick<Output, "progress" | "stderrIsTerminal">;
  now?: () => number;
  intervalMs?: number;
}) {
  const { out, now = Date.now } = options;
  const tty = out.stderrIsTerminal;
  const started = now();
  let text: readonly Span[] = [];
  let last = "";
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let stopped = false;

  const draw = () =>
    out.progress([
      [FRAMES[frame++ % FRAMES.length], "cyan"],
      " ",
      ...text,
      " ",
      [formatElapsed(now() - started), "dim"],
    ], true);
  const show = (next: readonly Span[]) => {
    if (stopped) return;
    text = next;
    const key = JSON.stringify(next);
    if (tty) {
      if (timer === undefined) {
        timer = setInterval(draw, options.intervalMs ?? 100);
        Deno.unrefTimer(timer); // never keeps the process alive on its own
      }
      draw();
    } else if (key !== last) {
      out.progress([
        `${new Date(now()).toISOString()} `,
        ...next,
        ` (${formatElapsed(now() - started)})`,
      ], false);
    }
    last = key;
  };

  return {
    /** Shows what the command is doing now, e.g. `checking tags`. */
    step: (what: string) => show([`${what}…`]),
    /** Shows a poll's news. */
    update(
      event: Pick<JobProgress, "jobId" | "status" | "processed" | "total">,
    ) {
      const { status, processed, total } = event;
      show([
        `job ${event.jobId} `,
        [status, colourOf(status)],
        ...(processed === undefined || total === undefined
          ? []
          : [` ${formatCount({ processed, total })}`]),
      ]);
    },
    /** Ends the display: clears the live line, stops its timer. */
    stop() {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) {
        clearInterval(timer);
        out.progress([], true);
      }
    },
  };
}
