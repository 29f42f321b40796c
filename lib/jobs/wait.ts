/**
 * Following a job: {@linkcode getJobStatus} reads it once,
 * {@linkcode waitForJob} polls it until it finishes — server-paced
 * intervals, an overall deadline, an abort that stops at once, progress
 * events, and retries of transient failures counted in a row.
 *
 * @module
 */
import { buildGetRequest } from "../core/build.ts";
import type { ClientOptions } from "../core/client.ts";
import {
  AbortedError,
  ValidationError,
  type ValidationIssue,
} from "../core/errors.ts";
import {
  type HttpOptions,
  type ResponseSchema,
  sendJson,
} from "../core/http.ts";
import {
  JobDeadlineError,
  JobResultMissingError,
  PollFailedError,
  SamplingJobFailedError,
} from "../core/errors.ts";
import {
  type BackoffOptions,
  checkBackoffOptions,
  checkNumberOption,
  type Clock,
  retry,
  systemClock,
} from "../core/policy.ts";
import { redactUrl, secretsOf } from "../core/redact.ts";
import {
  JobStatusDataSchema,
  OBJECT_ID_PATTERN,
  RULES,
} from "../core/schemas.ts";
import type { JobStatusData } from "../core/types.ts";
import { describeValue } from "../core/validate.ts";

/** Options of a single read: host, credentials, headers, fetch, signal, per-request timeout. */
export interface JobOptions extends ClientOptions, HttpOptions {}

/** The default overall deadline of {@linkcode waitForJob}: 6 hours. */
export const DEFAULT_WAIT_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/** The default shortest interval between two polls: 1 s. */
export const DEFAULT_MIN_INTERVAL_MS = 1_000;
/** The default longest interval between two polls: 30 s. */
export const DEFAULT_MAX_INTERVAL_MS = 30_000;
/** The default number of failed polls in a row after which {@linkcode waitForJob} gives up. */
export const DEFAULT_MAX_CONSECUTIVE_FAILURES = 5;
/** The default per-request timeout of each poll: 180 s, like Lightly's client. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 180_000;

/**
 * Checks that each named value is an ObjectId, throwing one
 * {@linkcode ValidationError} that lists every bad one.
 *
 * @param ids Names and values, e.g. `{ jobId }`.
 * @param subject What was being validated, for the message.
 * @throws {ValidationError} When any value is not an ObjectId.
 *
 * @example
 * ```ts
 * import { checkObjectIds } from "./wait.ts";
 * checkObjectIds({ jobId: "0123456789abcdef01234567" }, "job id"); // passes
 * ```
 */
export function checkObjectIds(
  ids: Readonly<Record<string, unknown>>,
  subject: string,
): void {
  const issues: ValidationIssue[] = [];
  for (const [path, value] of Object.entries(ids)) {
    if (typeof value !== "string" || !OBJECT_ID_PATTERN.test(value)) {
      issues.push({
        path,
        rule: value === undefined ? RULES.required : RULES.objectId,
        received: value === undefined ? undefined : describeValue(value),
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, subject);
}

/**
 * GETs an API path (already encoded) and validates the answer: the shared
 * core of the reads.
 *
 * @param path The API path, e.g. `/v1/jobs/0123456789abcdef01234567`.
 * @param schema Validates the 2xx body.
 * @param options Host, credentials, headers, fetch, signal, timeout.
 * @returns The validated body.
 * @throws {ValidationError} Bad options; nothing was sent.
 * @throws {LightlyApiError | UnexpectedResponseError | NetworkError | TimeoutError | AbortedError}
 *   As `sendJson` in `../core/http.ts`.
 *
 * @example
 * ```ts ignore
 * import { getValidated } from "./wait.ts";
 * import { TagListSchema } from "../core/schemas.ts";
 * const tags = await getValidated("/v1/datasets/0123456789abcdef01234567/tags", TagListSchema, {});
 * ```
 */
export function getValidated<T>(
  path: string,
  schema: ResponseSchema<T>,
  options: JobOptions = {},
): Promise<T> {
  try {
    const request = buildGetRequest(path, options);
    return sendJson(request, schema, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Reads a job's status once: `GET /v1/jobs/{jobId}`. Required fields are
 * checked, unknown fields kept, and a `status` this package does not know
 * is returned as is.
 *
 * @param jobId The job's ObjectId, as `triggerSampling` returned it.
 * @param options Host, credentials, headers, fetch, signal, per-request timeout.
 * @returns The validated `JobStatusData`.
 * @throws {ValidationError} A `jobId` that is not an ObjectId, or bad options; nothing was sent.
 * @throws {LightlyApiError} The API said no (e.g. 404 `JOB_UNKNOWN`).
 * @throws {UnexpectedResponseError | NetworkError | TimeoutError | AbortedError} As `triggerSampling`.
 *
 * @example
 * ```ts ignore
 * import { getJobStatus } from "./wait.ts";
 * const job = await getJobStatus("0123456789abcdef01234567", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 * });
 * console.log(job.status, job.meta?.processed, job.meta?.total);
 * ```
 */
export function getJobStatus(
  jobId: string,
  options: JobOptions = {},
): Promise<JobStatusData> {
  try {
    checkObjectIds({ jobId }, "job id");
  } catch (error) {
    return Promise.reject(error);
  }
  return getValidated(
    `/v1/jobs/${encodeURIComponent(jobId)}`,
    JobStatusDataSchema,
    options,
  );
}

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
export interface RetryingReadOptions extends ClientOptions {
  /**
   * The `fetch` to use for each request.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Stops at once, even mid-sleep or mid-body; it then throws `AbortedError`.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Limit of each request, headers and body, in milliseconds.
   *
   * @default {180000}
   */
  requestTimeoutMs?: number;
  /**
   * Failed requests in a row after which it gives up (`waitForJob` with
   * `PollFailedError`, an export with the last failure); a success resets
   * the count.
   *
   * @default {5}
   */
  maxConsecutiveFailures?: number;
  /**
   * Where time comes from; tests pass a fake clock.
   *
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * The backoff between failed requests (a `Retry-After` from the server
   * waits longer when it asks for more).
   *
   * @default {{ initialDelayMs: 500, maxDelayMs: 30000, multiplier: 2, jitter: 0.2 }}
   */
  backoff?: BackoffOptions;
}

/** Options of {@linkcode waitForJob}. */
export interface WaitOptions extends RetryingReadOptions {
  /**
   * Overall deadline of the wait, in milliseconds (`Infinity` for none).
   * When it runs out, `JobDeadlineError`; the job itself goes on.
   *
   * @default {21600000} (6 hours)
   */
  timeoutMs?: number;
  /**
   * Shortest wait between two polls: the server's `waitTimeTillNextPoll` is
   * raised to this.
   *
   * @default {1000}
   */
  minIntervalMs?: number;
  /**
   * Longest wait between two successful polls: the server's
   * `waitTimeTillNextPoll` is lowered to this.
   *
   * @default {30000}
   */
  maxIntervalMs?: number;
  /**
   * Called after every successful poll, including the last one. An exception
   * it throws ends the wait and is rethrown.
   *
   * @default {undefined}
   */
  onProgress?: (event: JobProgress) => void;
}

/** What {@linkcode waitForJob} returns. */
export interface WaitResult {
  /** The job that was followed. */
  jobId: string;
  /** The id of the tag the job made (`result.data`). */
  tagId: string;
  /** The final `FINISHED` status. */
  job: JobStatusData;
  /** Poll requests sent, failed ones included. */
  polls: number;
  /** Milliseconds the wait took. */
  elapsedMs: number;
}

/** Validated {@linkcode WaitOptions} with their defaults. */
interface WaitPlan {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly minIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly maxFailures: number;
}

/**
 * Checks {@linkcode WaitOptions}, pushing one issue per bad option (client
 * options are checked when the request is built).
 *
 * @param options The options to check.
 * @param issues Where problems are collected.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from "../core/errors.ts";
 * import { checkWaitOptions } from "./wait.ts";
 * const issues: ValidationIssue[] = [];
 * checkWaitOptions({ minIntervalMs: -1 }, issues);
 * issues[0].path; // "options.minIntervalMs"
 * ```
 */
export function checkWaitOptions(
  options: WaitOptions,
  issues: ValidationIssue[],
): void {
  const o = options;
  checkNumberOption(o.requestTimeoutMs, "options.requestTimeoutMs", {
    min: 1,
  }, issues);
  checkNumberOption(o.timeoutMs, "options.timeoutMs", {
    min: 1,
    infinite: true,
  }, issues);
  checkNumberOption(
    o.minIntervalMs,
    "options.minIntervalMs",
    { min: 0 },
    issues,
  );
  checkNumberOption(
    o.maxIntervalMs,
    "options.maxIntervalMs",
    { min: 0 },
    issues,
  );
  if (
    typeof o.minIntervalMs === "number" &&
    typeof o.maxIntervalMs === "number" &&
    o.minIntervalMs > o.maxIntervalMs
  ) {
    issues.push({
      path: "options.maxIntervalMs",
      rule: "must be at least options.minIntervalMs",
      received: describeValue(o.maxIntervalMs),
    });
  }
  checkNumberOption(
    o.maxConsecutiveFailures,
    "options.maxConsecutiveFailures",
    {
      min: 1,
      max: 1000,
      integer: true,
    },
    issues,
  );
  checkBackoffOptions(o.backoff, "options.backoff", issues);
  for (const name of ["onProgress", "fetch"] as const) {
    if (o[name] !== undefined && typeof o[name] !== "function") {
      issues.push({ path: `options.${name}`, rule: "must be a function" });
    }
  }
  const clock = o.clock as Partial<Clock> | undefined;
  if (
    clock !== undefined &&
    (typeof clock?.now !== "function" || typeof clock?.sleep !== "function")
  ) {
    issues.push({
      path: "options.clock",
      rule: "must have now() and sleep(ms, signal) methods",
    });
  }
}

function planWait(options: WaitOptions): WaitPlan {
  const issues: ValidationIssue[] = [];
  checkWaitOptions(options, issues);
  if (issues.length > 0) {
    throw new ValidationError(issues, "wait options");
  }
  const minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
  return {
    clock: options.clock ?? systemClock,
    timeoutMs: options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    minIntervalMs,
    // A lone minIntervalMs above the default maximum raises the maximum.
    maxIntervalMs: options.maxIntervalMs ??
      Math.max(DEFAULT_MAX_INTERVAL_MS, minIntervalMs),
    maxFailures: options.maxConsecutiveFailures ??
      DEFAULT_MAX_CONSECUTIVE_FAILURES,
  };
}

/**
 * Polls a job until it ends and returns the id of the tag it made.
 *
 * - The first poll is sent at once; then it sleeps the server's
 *   `waitTimeTillNextPoll` seconds, kept within
 *   `[minIntervalMs, maxIntervalMs]`.
 * - `UNKNOWN`, `WAITING`, `RUNNING` — and any status this package does not
 *   know yet — mean "still running": polling goes on, and `onProgress`
 *   reports the status as the server wrote it.
 * - Transient failures (no answer, timeout, 429, 5xx, an unreadable answer)
 *   are retried with capped exponential backoff and jitter, waiting at least
 *   as long as a `Retry-After` asks; after `maxConsecutiveFailures` in a row
 *   (a successful poll resets the count) it throws `PollFailedError` with
 *   the last failure as `cause`. Any other 4xx (401, 403, 404) is thrown at
 *   once, as is.
 * - No sleep goes past the overall `timeoutMs` deadline.
 *
 * @param jobId The job's ObjectId, as `triggerSampling` returned it.
 * @param options Host, credentials, intervals, deadline, signal, progress callback, clock.
 * @returns The tag id, the final job status, the number of polls and the time taken.
 * @throws {ValidationError} A `jobId` that is not an ObjectId, or bad options; nothing was sent.
 * @throws {SamplingJobFailedError} The job ended `FAILED`; `serverError` says why.
 * @throws {JobResultMissingError} The job ended `FINISHED` without a tag id (`result.data` missing or not an ObjectId).
 * @throws {JobDeadlineError} `timeoutMs` ran out; the job may still be running.
 * @throws {PollFailedError} Too many failed polls in a row.
 * @throws {LightlyApiError} A 4xx other than 429 (e.g. 401, 403, 404 `JOB_UNKNOWN`).
 * @throws {AbortedError} The caller's signal fired.
 *
 * @example Wait for a job and print its progress
 * ```ts ignore
 * import { waitForJob } from "./wait.ts";
 * const { tagId } = await waitForJob("0123456789abcdef01234567", {
 *   auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! },
 *   timeoutMs: 60 * 60 * 1000,
 *   onProgress: (e) => console.log(e.status, e.processed, "/", e.total),
 * });
 * console.log("new tag", tagId);
 * ```
 */
export async function waitForJob(
  jobId: string,
  options: WaitOptions = {},
): Promise<WaitResult> {
  checkObjectIds({ jobId }, "job id");
  const plan = planWait(options);
  const request = buildGetRequest(
    `/v1/jobs/${encodeURIComponent(jobId)}`,
    options,
  );
  const clock = plan.clock;
  const signal = options.signal;
  const where = { method: request.method, url: redactUrl(request.url) };
  // The server may echo the credentials: its text is masked with them.
  const secrets = secretsOf(request.url, request.headers);
  const started = clock.now();
  const deadline = started + plan.timeoutMs;
  let polls = 0;
  let lastJob: JobStatusData | undefined;

  const deadlineError = (cause?: unknown) =>
    new JobDeadlineError({
      jobId,
      timeoutMs: plan.timeoutMs,
      lastJob,
      cause,
      secrets,
    });

  for (;;) {
    if (signal?.aborted) {
      throw new AbortedError({ ...where, cause: signal.reason });
    }
    // Failed polls are retried in a row; a successful one starts a new count.
    const job = await retry((remaining) => {
      polls++;
      return sendJson(request, JobStatusDataSchema, {
        fetch: options.fetch,
        signal,
        timeoutMs: Math.max(1, Math.min(plan.requestTimeoutMs, remaining)),
      });
    }, {
      maxAttempts: plan.maxFailures,
      retryIf: (verdict) => verdict.retryRead,
      clock,
      signal,
      backoff: options.backoff,
      ...where,
      deadline,
    }, (cause, why, failures) => {
      if (why === "final") throw cause;
      throw why === "deadline"
        ? deadlineError(cause)
        : new PollFailedError({ jobId, failures, cause, lastJob, secrets });
    });
    lastJob = job;
    options.onProgress?.({
      jobId,
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
      if (typeof tagId !== "string" || !OBJECT_ID_PATTERN.test(tagId)) {
        throw new JobResultMissingError(job, { secrets });
      }
      return { jobId, tagId, job, polls, elapsedMs: clock.now() - started };
    }
    const asked = Number.isFinite(job.waitTimeTillNextPoll)
      ? job.waitTimeTillNextPoll * 1000
      : 0;
    const delayMs = Math.min(
      plan.maxIntervalMs,
      Math.max(plan.minIntervalMs, asked),
    );

    const left = deadline - clock.now();
    if (left <= 0) throw deadlineError();
    try {
      await clock.sleep(Math.min(delayMs, left), signal);
    } catch (error) {
      if (signal?.aborted) {
        throw new AbortedError({ ...where, cause: signal.reason });
      }
      throw error;
    }
  }
}
