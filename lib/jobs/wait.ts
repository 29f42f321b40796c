/** {@linkcode waitForJob}: polls a job until it ends. */
import { getRequest, type LightlyRequest } from "../core/build.ts";
import {
  type Client,
  type HttpOptions,
  prepare,
  type TriggerRetryOptions,
} from "../core/client.ts";
import {
  JobDeadlineError,
  JobResultMissingError,
  PollFailedError,
  SamplingJobFailedError,
} from "../core/errors.ts";
import { sendJson } from "../core/http.ts";
import { retry, type RetryPlan, systemClock } from "../core/policy.ts";
import { isObjectId, WAIT_OPTIONS } from "../core/rules.ts";
import type { JobStatusData } from "../core/types.ts";
import { type JobOptions, pathIds, READS } from "./reads.ts";

/** One poll's news, for progress displays. */
export interface JobProgress {
  /** The job being followed. */
  jobId: string;
  /** The job's status; may be a state this package does not know yet. */
  status: string;
  /** Units of work done (`meta.processed`), when the server says. */
  processed?: number;
  /** Units of work in all (`meta.total`), when the server says. */
  total?: number;
  /** Milliseconds since the wait began. */
  elapsedMs: number;
  /** Poll requests sent so far, failed ones included. */
  polls: number;
  /** The full status the server sent. */
  job: JobStatusData;
}

/** Options of the reads that retry failed requests: `waitForJob` and the exports. */
export interface RetryingReadOptions
  extends
    Omit<JobOptions, "timeoutMs">,
    Pick<TriggerRetryOptions, "backoff" | "clock"> {
  /** Each request's `timeoutMs` of {@linkcode HttpOptions} (a wait's own `timeoutMs` is its deadline).
   * @default {180000} (on a client: its `timeoutMs`) */
  requestTimeoutMs?: HttpOptions["timeoutMs"];
  /** Failed requests in a row after which it gives up; a success resets the count.
   * @default {5} */
  maxConsecutiveFailures?: number;
}

/** Options of {@linkcode waitForJob}. */
export interface WaitOptions extends RetryingReadOptions {
  /** The wait's deadline, in milliseconds (`Infinity`: none); then `JobDeadlineError`.
   * @default {21600000} (6 hours) */
  timeoutMs?: number;
  /** Shortest wait between two polls (the server's `waitTimeTillNextPoll` is raised to it).
   * @default {1000} */
  minIntervalMs?: number;
  /** Longest wait between two polls (the server's `waitTimeTillNextPoll` is lowered to it).
   * @default {30000} */
  maxIntervalMs?: number;
  /** Called after every successful poll; what it throws ends the wait.
   * @default {undefined} */
  onProgress?: (event: JobProgress) => void;
}

/** What {@linkcode waitForJob} returns: the last poll's news (its `job` is `FINISHED`) and the new tag's id. */
export interface WaitResult
  extends Pick<JobProgress, "jobId" | "job" | "polls" | "elapsedMs"> {
  /** The id of the tag the job made (`result.data`). */
  tagId: string;
}

/** How a read of `request` that retries failed requests goes on: a poll, an export's page. */
export function readRetries(
  o: RetryingReadOptions,
  { method, url }: LightlyRequest,
): RetryPlan {
  return {
    maxAttempts: o.maxConsecutiveFailures ?? 5,
    retryIf: (verdict) => verdict.retryRead,
    backoff: o.backoff,
    clock: o.clock ?? systemClock,
    signal: o.signal,
    method,
    url,
  };
}

/** {@linkcode waitForJob} for a client or a free call. */
export async function waitWith(
  client: Client | undefined,
  jobId: unknown,
  options: unknown,
): Promise<WaitResult> {
  const { client: c, options: o, args } = prepare<WaitOptions>(
    client,
    "job wait",
    WAIT_OPTIONS,
    options,
    ...pathIds(READS.getJobStatus, [jobId]),
  );
  const id = args[0] as string;
  const timeoutMs = o.timeoutMs ?? 6 * 60 * 60 * 1000;
  const minIntervalMs = o.minIntervalMs ?? 1_000;
  // A lone minIntervalMs above the default maximum raises the maximum.
  const maxIntervalMs = o.maxIntervalMs ?? Math.max(30_000, minIntervalMs);
  const request = getRequest(c, READS.getJobStatus.path([id]));
  const plan = readRetries(o, request);
  const clock = plan.clock;
  // The server may echo the credentials: its text is masked with them.
  const secrets = c.secrets;
  const started = clock.now();
  const deadline = started + timeoutMs;
  let polls = 0;
  let lastJob: JobStatusData | undefined;
  const deadlineError = (cause?: unknown) =>
    new JobDeadlineError({ jobId: id, timeoutMs, lastJob, cause, secrets });

  for (;;) {
    // Failed polls are retried in a row; a successful one starts a new count.
    const job = await retry(
      (left) => {
        polls++;
        return sendJson(
          request,
          READS.getJobStatus.schema,
          c.http(
            o.signal,
            Math.max(1, Math.min(o.requestTimeoutMs ?? c.timeoutMs, left)),
          ),
        );
      },
      { ...plan, deadline },
      (cause, why, failures) => {
        if (why === "final") throw cause;
        throw why === "deadline" ? deadlineError(cause) : new PollFailedError(
          { jobId: id, failures, cause, lastJob, secrets },
        );
      },
    );
    lastJob = job;
    o.onProgress?.({
      jobId: id,
      status: job.status,
      processed: job.meta?.processed,
      total: job.meta?.total,
      elapsedMs: clock.now() - started,
      polls,
      job,
    });
    if (job.status === "FAILED") {
      throw new SamplingJobFailedError(job, { secrets });
    }
    if (job.status === "FINISHED") {
      const tagId = job.result?.data;
      if (!isObjectId(tagId)) {
        throw new JobResultMissingError(job, { secrets });
      }
      return { jobId: id, tagId, job, polls, elapsedMs: clock.now() - started };
    }
    const asked = Number.isFinite(job.waitTimeTillNextPoll)
      ? job.waitTimeTillNextPoll * 1000
      : 0;
    const delayMs = Math.min(maxIntervalMs, Math.max(minIntervalMs, asked));
    const left = deadline - clock.now();
    if (left <= 0) throw deadlineError();
    // An abort ends the sleep, and the next poll throws `AbortedError`, unsent.
    await clock.sleep(Math.min(delayMs, left), o.signal).catch((error) => {
      if (!o.signal?.aborted) throw error;
    });
  }
}

/**
 * Polls a job until it ends and returns the id of the tag it made. The
 * first poll goes at once, then every `waitTimeTillNextPoll` seconds within
 * `[minIntervalMs, maxIntervalMs]`; any status but `FINISHED` and `FAILED`
 * means "still running". A poll the failure policy calls transient (no
 * answer, timeout, 408, 429, 5xx, an unreadable answer) is retried with
 * backoff or `Retry-After`. No sleep passes the `timeoutMs` deadline.
 *
 * @throws {ValidationError} A bad `jobId` or option, all listed; nothing was sent.
 * @throws {SamplingJobFailedError | JobResultMissingError} The job ended `FAILED`, or without a tag id.
 * @throws {JobDeadlineError | PollFailedError} Out of time, or `maxConsecutiveFailures` failed polls in a row; the job may still run.
 * @throws {LightlyApiError | AbortedError} A 4xx the policy does not retry; the caller's signal.
 *
 * @example Wait for a job and print its progress
 * ```ts ignore
 * import { waitForJob } from "./wait.ts";
 * const { tagId } = await waitForJob("0123456789abcdef01234567", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 *   onProgress: (e) => console.log(e.status, e.processed, "/", e.total),
 * });
 * ```
 */
export function waitForJob(
  jobId: string,
  options: WaitOptions = {},
): Promise<WaitResult> {
  return waitWith(undefined, jobId, options);
}
