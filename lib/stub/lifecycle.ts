/**
 * A stubbed job's lifecycle: `WAITING` → `RUNNING` (with `meta.processed`
 * rising toward `meta.total`) → ended (`FINISHED` or `FAILED`), derived
 * either from how many times the job was polled (the default: deterministic,
 * no clock needed) or from the clock time since the job was created.
 *
 * @module
 */

/** How jobs advance; see `StubOptions`. */
export interface JobTiming {
  /** Poll-count mode: polls answered `WAITING`. */
  readonly waitingPolls: number;
  /** Poll-count mode: polls answered `RUNNING`. */
  readonly runningPolls: number;
  /** Set for clock mode: milliseconds from creation to the end. */
  readonly jobDurationMs: number | undefined;
  /** Clock mode: milliseconds spent `WAITING`. */
  readonly jobWaitingMs: number;
}

/** Where a job stands. */
export interface JobPhase {
  /** `ENDED` means the job's outcome (finished or failed) is due. */
  readonly state: "WAITING" | "RUNNING" | "ENDED";
  /** Units of work done, `0 <= processed < total` until the job ends. */
  readonly processed: number;
  /** Clock mode, once ended: the Unix milliseconds at which it ended. */
  readonly endedAt?: number;
}

/**
 * Where a job stands after `polls` polls, or at `now`.
 *
 * Poll-count mode: polls 1…`waitingPolls` answer `WAITING`, the next
 * `runningPolls` answer `RUNNING` with `processed = floor(total × k /
 * (runningPolls + 1))` for the k-th of them, and the poll after that ends
 * the job. Clock mode: `WAITING` for `jobWaitingMs`, then `RUNNING` with
 * `processed` proportional to the time spent, ended at `jobDurationMs`.
 *
 * @param job Its poll count, creation time and amount of work.
 * @param timing The stub's timing options.
 * @param now The current time (clock mode).
 * @returns The phase.
 *
 * @example
 * ```ts
 * import { jobPhase } from "./lifecycle.ts";
 * const timing = { waitingPolls: 1, runningPolls: 3, jobDurationMs: undefined, jobWaitingMs: 0 };
 * jobPhase({ polls: 3, createdAt: 0, total: 100 }, timing, 0); // { state: "RUNNING", processed: 50 }
 * ```
 */
export function jobPhase(
  job: {
    readonly polls: number;
    readonly createdAt: number;
    readonly total: number;
  },
  timing: JobTiming,
  now: number,
): JobPhase {
  const { total } = job;
  if (timing.jobDurationMs === undefined) {
    const { waitingPolls, runningPolls } = timing;
    if (job.polls <= waitingPolls) return { state: "WAITING", processed: 0 };
    const k = job.polls - waitingPolls;
    if (k <= runningPolls) {
      return {
        state: "RUNNING",
        processed: Math.floor(total * k / (runningPolls + 1)),
      };
    }
    return { state: "ENDED", processed: total };
  }
  const duration = timing.jobDurationMs;
  const elapsed = now - job.createdAt;
  if (elapsed >= duration) {
    return {
      state: "ENDED",
      processed: total,
      endedAt: job.createdAt + duration,
    };
  }
  if (elapsed < timing.jobWaitingMs) return { state: "WAITING", processed: 0 };
  const running = duration - timing.jobWaitingMs;
  return {
    state: "RUNNING",
    processed: Math.floor(total * (elapsed - timing.jobWaitingMs) / running),
  };
}
