/**
 * The errors of following a job to its tag: a failed job, a finished job
 * without a tag id, a deadline, polls that kept failing, a POST that may have
 * been applied, and a workflow step that failed. Each extends
 * {@linkcode LightlyError} with its own `kind` and has a type guard that works
 * across copies of this module.
 *
 * @module
 */
import { isLightlyError, LightlyError } from "./errors.ts";
import { redactText, redactValue } from "./redact.ts";
import type { JobStatusData } from "./types.ts";
import { RULES } from "./rules.ts";
import { describeValue } from "./validate.ts";

/**
 * What an error that holds the server's text is told about secrets. Every
 * string the server sent — deep in a job status, keys included — is masked
 * with these (and `token=` / `Bearer` values) before the error keeps it.
 */
export interface ServerTextOptions {
  /**
   * The request's secrets (its API key, bearer token, secret headers), in
   * case the server echoes them; never stored.
   *
   * @default {[]}
   */
  secrets?: readonly string[];
}

/**
 * The sampling job ended with `FAILED`; `serverError` is the server's reason.
 *
 * @example
 * ```ts
 * import { isSamplingJobFailedError } from "./job_errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isSamplingJobFailedError(error)) console.error(error.serverError);
 * }
 * ```
 */
export class SamplingJobFailedError extends LightlyError {
  /** The job's last status, as the server sent it, secrets masked. */
  readonly job: JobStatusData;
  /** The server's `error` text, when it gave one, secrets masked. */
  readonly serverError?: string;

  /**
   * Creates the error.
   *
   * @param job The job status that said `FAILED`.
   * @param options The secrets to mask in the server's text.
   */
  constructor(job: JobStatusData, options: ServerTextOptions = {}) {
    job = redactValue(job, options.secrets);
    const serverError = typeof job.error === "string" && job.error !== ""
      ? job.error
      : undefined;
    super(
      "job-failed",
      `Sampling job ${job.id} failed: ${
        serverError ?? "the server gave no reason"
      }`,
    );
    this.name = "SamplingJobFailedError";
    this.job = job;
    if (serverError !== undefined) this.serverError = serverError;
  }
}

/**
 * The job says `FINISHED` but names no new tag: `result.data` is missing or
 * not an ObjectId.
 *
 * @example
 * ```ts
 * import { isJobResultMissingError } from "./job_errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isJobResultMissingError(error)) console.error(error.job.result);
 * }
 * ```
 */
export class JobResultMissingError extends LightlyError {
  /** The job status that said `FINISHED`, secrets masked. */
  readonly job: JobStatusData;

  /**
   * Creates the error.
   *
   * @param job The job status that said `FINISHED`.
   * @param options The secrets to mask in the server's text.
   */
  constructor(job: JobStatusData, options: ServerTextOptions = {}) {
    job = redactValue(job, options.secrets);
    const found = job.result === undefined || job.result === null
      ? "it has no result"
      : `result.data is ${
        describeValue(job.result.data)
      }; it ${RULES.objectId}`;
    super(
      "job-result-missing",
      `Job ${job.id} finished without the id of the new tag (${found})`,
    );
    this.name = "JobResultMissingError";
    this.job = job;
  }
}

/** Options of {@linkcode JobDeadlineError}. */
export interface JobDeadlineErrorOptions extends ServerTextOptions {
  /** The job that was being waited for. */
  jobId: string;
  /** The overall deadline that ran out, in milliseconds. */
  timeoutMs: number;
  /** The last status received, when one was. */
  lastJob?: JobStatusData;
  /** The last poll failure, when the last poll failed. */
  cause?: unknown;
}

/**
 * The job did not finish within the wait's overall `timeoutMs`. The job
 * itself goes on: wait again with the same `jobId` to keep following it.
 *
 * @example
 * ```ts
 * import { isJobDeadlineError } from "./job_errors.ts";
 * try {
 *   // ... await waitForJob(jobId, { timeoutMs: 60_000 })
 * } catch (error) {
 *   if (isJobDeadlineError(error)) console.error(error.lastJob?.status);
 * }
 * ```
 */
export class JobDeadlineError extends LightlyError {
  /** The job that was being waited for. */
  readonly jobId: string;
  /** The deadline that ran out, in milliseconds. */
  readonly timeoutMs: number;
  /** The last status received, when one was, secrets masked. */
  readonly lastJob?: JobStatusData;

  /**
   * Creates the error.
   *
   * @param options The job, the deadline and the last status seen.
   */
  constructor(options: JobDeadlineErrorOptions) {
    const lastJob = options.lastJob === undefined
      ? undefined
      : redactValue(options.lastJob, options.secrets);
    const last = lastJob
      ? `last status ${lastJob.status}`
      : "no status received";
    super(
      "deadline",
      `Job ${options.jobId} did not finish within ${options.timeoutMs} ms (${last}); it may still be running`,
      options.cause === undefined ? {} : { cause: options.cause },
    );
    this.name = "JobDeadlineError";
    this.jobId = options.jobId;
    this.timeoutMs = options.timeoutMs;
    if (lastJob !== undefined) this.lastJob = lastJob;
  }
}

/** Options of {@linkcode PollFailedError}. */
export interface PollFailedErrorOptions extends ServerTextOptions {
  /** The job that was being waited for. */
  jobId: string;
  /** How many polls failed in a row. */
  failures: number;
  /** The last failure. */
  cause: unknown;
  /** The last status received, when one was. */
  lastJob?: JobStatusData;
}

/**
 * Polling the job failed too many times in a row; `cause` is the last
 * failure. The job itself may still be running.
 *
 * @example
 * ```ts
 * import { isPollFailedError } from "./job_errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isPollFailedError(error)) console.error(error.failures, error.cause);
 * }
 * ```
 */
export class PollFailedError extends LightlyError {
  /** The job that was being waited for. */
  readonly jobId: string;
  /** How many polls failed in a row. */
  readonly failures: number;
  /** The last status received, when one was, secrets masked. */
  readonly lastJob?: JobStatusData;

  /**
   * Creates the error.
   *
   * @param options The job, the failure count and the last failure.
   */
  constructor(options: PollFailedErrorOptions) {
    const last = options.cause instanceof Error
      ? options.cause.message
      : String(options.cause);
    super(
      "poll-failed",
      `Gave up following job ${options.jobId} after ${options.failures} failed polls in a row; the last: ${
        redactText(last, options.secrets)
      }`,
      { cause: options.cause },
    );
    this.name = "PollFailedError";
    this.jobId = options.jobId;
    this.failures = options.failures;
    if (options.lastJob !== undefined) {
      this.lastJob = redactValue(options.lastJob, options.secrets);
    }
  }
}

/** Options of {@linkcode SamplingMaybeAppliedError}. */
export interface SamplingMaybeAppliedErrorOptions {
  /** The `newTagName` of the POST. */
  tagName: string;
  /** The dataset the POST was for. */
  datasetId: string;
  /** What went wrong: a timeout, a reset connection, a 5xx, an unreadable 2xx. */
  cause: unknown;
}

/**
 * The sampling POST got no clear answer (timeout, connection reset, 5xx, an
 * unreadable 2xx) after it may have reached the server, so the job may have
 * been started. It was not retried, because a second POST could create a
 * second tag. Check whether the tag exists (list the dataset's tags and look
 * for `tagName`) before trying again.
 *
 * @example
 * ```ts
 * import { isSamplingMaybeAppliedError } from "./job_errors.ts";
 * try {
 *   // ... await triggerSampling(input)
 * } catch (error) {
 *   if (isSamplingMaybeAppliedError(error)) {
 *     console.error(`look for tag "${error.tagName}" before retrying`);
 *   }
 * }
 * ```
 */
export class SamplingMaybeAppliedError extends LightlyError {
  /** The `newTagName` of the POST. */
  readonly tagName: string;
  /** The dataset the POST was for. */
  readonly datasetId: string;

  /**
   * Creates the error.
   *
   * @param options The tag name, the dataset and the original error.
   */
  constructor(options: SamplingMaybeAppliedErrorOptions) {
    const what = options.cause instanceof Error
      ? options.cause.message
      : String(options.cause);
    const where = isLightlyError(options.cause)
      ? { method: options.cause.method, url: options.cause.url }
      : {};
    super(
      "maybe-applied",
      `The sampling request for tag "${options.tagName}" may have been applied: ${what}. ` +
        `It was not retried, because a second request could create a second tag. ` +
        `Before trying again, check whether dataset ${options.datasetId} has a tag named ` +
        `"${options.tagName}" (listTags(), GET /v1/datasets/${options.datasetId}/tags).`,
      { ...where, cause: options.cause },
    );
    this.name = "SamplingMaybeAppliedError";
    this.tagName = options.tagName;
    this.datasetId = options.datasetId;
  }
}

/** The steps of `selectSamples`, in order. */
export type SelectionStep =
  | "resolve-embedding"
  | "preflight"
  | "trigger"
  | "wait"
  | "fetch-tag";

/**
 * Why `selectSamples` refused to start, before anything was sent:
 * `NO_PROCESSED_EMBEDDING`, `NO_TAGS`, `TAG_NAME_EXISTS`, `NO_INITIAL_TAG`
 * or `INITIAL_TAG_EMPTY`.
 */
export type SelectionRefusal =
  | "NO_PROCESSED_EMBEDDING"
  | "NO_TAGS"
  | "TAG_NAME_EXISTS"
  | "NO_INITIAL_TAG"
  | "INITIAL_TAG_EMPTY";

/** Options of {@linkcode SelectionStepError}. */
export interface SelectionStepErrorOptions extends ServerTextOptions {
  /** The step that failed. */
  step: SelectionStep;
  /** The step's original error (absent for a refusal). */
  cause?: unknown;
  /** Why a preflight check refused, e.g. `TAG_NAME_EXISTS`. */
  reason?: SelectionRefusal;
  /** What was wrong, for a refusal. */
  detail?: string;
  /** The job id, once the trigger step returned one. */
  jobId?: string;
}

/**
 * A step of `selectSamples` failed: `step` names it, `cause` holds the
 * original error, `reason` the code of a preflight refusal, and `jobId` the
 * job once it exists (to keep following it with `waitForJob`).
 *
 * @example
 * ```ts
 * import { isSelectionStepError } from "./job_errors.ts";
 * try {
 *   // ... await selectSamples(input)
 * } catch (error) {
 *   if (isSelectionStepError(error)) console.error(error.step, error.reason, error.cause);
 * }
 * ```
 */
export class SelectionStepError extends LightlyError {
  /** The step that failed. */
  readonly step: SelectionStep;
  /** Why a preflight check refused; absent when a call failed. */
  readonly reason?: SelectionRefusal;
  /** The job id, once the trigger step returned one. */
  readonly jobId?: string;

  /**
   * Creates the error.
   *
   * @param options The step, and the cause or refusal.
   */
  constructor(options: SelectionStepErrorOptions) {
    const cause = options.cause instanceof Error
      ? options.cause.message
      : options.cause === undefined
      ? undefined
      : String(options.cause);
    const head = options.reason
      ? `selectSamples() refused at step "${options.step}" (${options.reason}, nothing was sent)`
      : `selectSamples() failed at step "${options.step}"`;
    const job = options.jobId ? ` [job ${options.jobId}]` : "";
    const body = [options.detail, cause].filter((s) => s !== undefined).join(
      ": ",
    );
    super("workflow", redactText(`${head}${job}: ${body}`, options.secrets), {
      cause: options.cause,
    });
    this.name = "SelectionStepError";
    this.step = options.step;
    if (options.reason !== undefined) this.reason = options.reason;
    if (options.jobId !== undefined) this.jobId = options.jobId;
  }
}

function hasKind(error: unknown, kind: string): boolean {
  return isLightlyError(error) && error.kind === kind;
}

/**
 * Whether `error` is a {@linkcode SamplingJobFailedError}.
 *
 * @param error Anything caught.
 * @returns `true` when the job ended with `FAILED`.
 *
 * @example
 * ```ts
 * import { isSamplingJobFailedError } from "./job_errors.ts";
 * isSamplingJobFailedError(new Error("x")); // false
 * ```
 */
export function isSamplingJobFailedError(
  error: unknown,
): error is SamplingJobFailedError {
  return hasKind(error, "job-failed");
}

/**
 * Whether `error` is a {@linkcode JobResultMissingError}.
 *
 * @param error Anything caught.
 * @returns `true` when a finished job named no tag.
 *
 * @example
 * ```ts
 * import { isJobResultMissingError } from "./job_errors.ts";
 * isJobResultMissingError(new Error("x")); // false
 * ```
 */
export function isJobResultMissingError(
  error: unknown,
): error is JobResultMissingError {
  return hasKind(error, "job-result-missing");
}

/**
 * Whether `error` is a {@linkcode JobDeadlineError}.
 *
 * @param error Anything caught.
 * @returns `true` when the wait's deadline ran out.
 *
 * @example
 * ```ts
 * import { isJobDeadlineError } from "./job_errors.ts";
 * isJobDeadlineError(new Error("x")); // false
 * ```
 */
export function isJobDeadlineError(error: unknown): error is JobDeadlineError {
  return hasKind(error, "deadline");
}

/**
 * Whether `error` is a {@linkcode PollFailedError}.
 *
 * @param error Anything caught.
 * @returns `true` when polling failed too often in a row.
 *
 * @example
 * ```ts
 * import { isPollFailedError } from "./job_errors.ts";
 * isPollFailedError(new Error("x")); // false
 * ```
 */
export function isPollFailedError(error: unknown): error is PollFailedError {
  return hasKind(error, "poll-failed");
}

/**
 * Whether `error` is a {@linkcode SamplingMaybeAppliedError}.
 *
 * @param error Anything caught.
 * @returns `true` when the sampling POST may have been applied.
 *
 * @example
 * ```ts
 * import { isSamplingMaybeAppliedError } from "./job_errors.ts";
 * isSamplingMaybeAppliedError(new Error("x")); // false
 * ```
 */
export function isSamplingMaybeAppliedError(
  error: unknown,
): error is SamplingMaybeAppliedError {
  return hasKind(error, "maybe-applied");
}

/**
 * Whether `error` is a {@linkcode SelectionStepError}.
 *
 * @param error Anything caught.
 * @returns `true` when a step of `selectSamples` failed.
 *
 * @example
 * ```ts
 * import { isSelectionStepError } from "./job_errors.ts";
 * isSelectionStepError(new Error("x")); // false
 * ```
 */
export function isSelectionStepError(
  error: unknown,
): error is SelectionStepError {
  return hasKind(error, "workflow");
}
