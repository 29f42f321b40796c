/**
 * The errors this package throws, by concept, told apart by `kind`
 * ({@linkcode isLightlyError}); the base masks every field's secrets.
 *
 * @module
 */
import { createRedactor } from "./redact.ts";
import type { JobStatusData } from "./types.ts";

const BRAND: unique symbol = Symbol.for(
  "lightly-sampling.LightlyError",
) as never;

/** Each kind of {@linkcode LightlyError}, and the class that has it. */
export interface LightlyErrorKinds {
  /** Bad input or options. */
  validation: ValidationError;
  /** The API said no. */
  api: LightlyApiError;
  /** An answer this package cannot use. */
  "unexpected-response": UnexpectedResponseError;
  /** No answer. */
  network: NetworkError;
  /** A request ran out of time. */
  timeout: TimeoutError;
  /** The caller's signal fired. */
  aborted: AbortedError;
  /** The job ended `FAILED`. */
  "job-failed": SamplingJobFailedError;
  /** A finished job named no tag. */
  "job-result-missing": JobResultMissingError;
  /** A wait ran out of time. */
  deadline: JobDeadlineError;
  /** Polls kept failing. */
  "poll-failed": PollFailedError;
  /** The POST may have been applied. */
  "maybe-applied": SamplingMaybeAppliedError;
  /** A step of `selectSamples` failed. */
  workflow: SelectionStepError;
  /** The command line's usage errors. */
  usage: LightlyError;
  /** The command line's missing permissions. */
  permission: LightlyError;
}

/** The kinds of {@linkcode LightlyError}. */
export type LightlyErrorKind = keyof LightlyErrorKinds;

/** What every {@linkcode LightlyError} may say about its request. */
export interface LightlyErrorOptions {
  /** The underlying error, already free of secrets. */
  cause?: unknown;
  /** HTTP method of the request. */
  method?: string;
  /** The request URL (its `token` is masked). */
  url?: string;
  /** The request's secrets, masked wherever the server may have echoed them; never stored.
   * @default {[]} */
  secrets?: readonly string[];
}

/** `METHOD url`: the one way an error names its request. */
function where(options: LightlyErrorOptions): string {
  return options.method && options.url
    ? `${options.method} ${options.url}`
    : "The request";
}

/** A value, short, for a message: JSON for primitives (strings cut at 60), a type name otherwise. */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const cut = value.slice(0, 60);
      return JSON.stringify(cut) +
        (cut === value ? "" : `… (${value.length} chars)`);
    }
    case "object":
      if (value === null) return "null";
      try {
        return Array.isArray(value) ? "an array" : "an object";
      } catch {
        return "an object"; // a revoked Proxy
      }
    case "function":
    case "symbol":
      return `a ${typeof value}`;
    default:
      return String(value);
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The base class of every error this package throws.
 *
 * @example Tell Lightly errors apart
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error, "api")) console.error(error.status, error.code);
 *   else if (isLightlyError(error)) console.error(error.kind, error.message);
 *   else throw error;
 * }
 * ```
 */
export class LightlyError extends Error {
  /** Which kind of failure this is. */
  readonly kind: LightlyErrorKind;
  /** HTTP method of the request, when there was one. */
  declare readonly method?: string;
  /** The request URL, secrets masked, when there was one. */
  declare readonly url?: string;

  /** Creates the error; its message, URL and fields are masked first.
   * @param kind The kind of failure.
   * @param message A message that reads well without a stack trace.
   * @param options Cause, request and the secrets to mask.
   * @param fields The subclass's own fields (`undefined` ones left out). */
  constructor(
    kind: LightlyErrorKind,
    message: string,
    options: LightlyErrorOptions = {},
    fields: Readonly<Record<string, unknown>> = {},
  ) {
    const redactor = createRedactor(options.secrets ?? []);
    super(
      redactor.text(message),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = new.target.name;
    this.kind = kind;
    const own = { method: options.method, url: options.url, ...fields };
    for (const [key, value] of Object.entries(own)) {
      if (value === undefined) continue;
      Object.defineProperty(this, key, {
        value: typeof value === "object" || typeof value === "string"
          ? redactor.value(value)
          : value,
        enumerable: true,
      });
    }
  }

  /** Marks instances for {@linkcode isLightlyError} across module copies. */
  get [BRAND](): true {
    return true;
  }

  /** The error's safe fields, for logs and `JSON.stringify`.
   * @returns `name`, `kind`, `message` and the own fields; no stack, no cause. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      kind: this.kind,
      message: this.message,
    };
    for (const key of Object.keys(this)) {
      if (key !== "cause") out[key] = (this as Record<string, unknown>)[key];
    }
    return out;
  }
}

/**
 * Whether `error` is a {@linkcode LightlyError} (of `kind`, when named), even
 * from another copy of this module; narrows to the kind's class.
 *
 * @param error Anything caught.
 * @param kind The kind to match; any kind when absent.
 * @returns `true` for errors of this package (of that kind).
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * isLightlyError(new Error("x"), "timeout"); // false
 * ```
 */
export function isLightlyError<K extends LightlyErrorKind = LightlyErrorKind>(
  error: unknown,
  kind?: K,
): error is LightlyErrorKinds[K] {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<PropertyKey, unknown>;
  return e[BRAND] === true && (kind === undefined || e.kind === kind);
}

/** One problem found in an input: where, which rule, and what was there. */
export interface ValidationIssue {
  /** Dotted path, e.g. `config.stoppingCondition.nSamples` or `options.timeoutMs`. */
  readonly path: string;
  /** The rule that was broken, e.g. `must be at least 3 characters long`. */
  readonly rule: string;
  /** The offending value, shown short; absent for secrets and missing values. */
  readonly received?: string;
}

/** Bad input or options, every problem listed (arguments and options together); nothing was sent. */
export class ValidationError extends LightlyError {
  /** Every problem found. */
  declare readonly issues: readonly ValidationIssue[];

  /** Creates the error.
   * @param issues Every problem found (at least one).
   * @param subject What was validated, for the first line. */
  constructor(
    issues: readonly ValidationIssue[],
    subject = "sampling request",
  ) {
    const lines = issues.map((i) =>
      `\n  - ${i.path || "(input)"}: ${i.rule}${
        i.received === undefined ? "" : ` (got ${i.received})`
      }`
    );
    const count = issues.length === 1
      ? "1 problem"
      : `${issues.length} problems`;
    super(
      "validation",
      `Invalid ${subject} (${count}, nothing was sent):${lines.join("")}`,
      {},
      { issues },
    );
  }
}

/** Context of an error that followed an HTTP response. */
export interface ResponseErrorOptions extends LightlyErrorOptions {
  /** The HTTP status. */
  status: number;
  /** The server's request id (body `requestId` or `x-request-id` header). */
  requestId?: string;
  /** The raw `Retry-After` header. */
  retryAfter?: string;
}

/** Options of {@linkcode LightlyApiError}. */
export interface LightlyApiErrorOptions extends ResponseErrorOptions {
  /** The server's error code, e.g. `TAG_NAME_EXISTS`. */
  code: string;
  /** The server's error message. */
  serverMessage: string;
  /** The server's error labels. */
  errorLabels?: readonly string[];
}

/** The API answered with a non-2xx status and an `ApiErrorResponse` body. */
export class LightlyApiError extends LightlyError {
  /** The HTTP status. */
  declare readonly status: number;
  /** The server's error code; an open set. */
  declare readonly code: string;
  /** The server's error message. */
  declare readonly serverMessage: string;
  /** The server's request id, for support. */
  declare readonly requestId?: string;
  /** The server's error labels. */
  declare readonly errorLabels?: readonly string[];
  /** The raw `Retry-After` header. */
  declare readonly retryAfter?: string;

  /** Creates the error.
   * @param o What the server said, and about which request. */
  constructor(o: LightlyApiErrorOptions) {
    const id = o.requestId ? ` (request id ${o.requestId})` : "";
    super(
      "api",
      `${where(o)} answered ${o.status} ${o.code}: ${o.serverMessage}${id}`,
      o,
      {
        status: o.status,
        code: o.code,
        serverMessage: o.serverMessage,
        requestId: o.requestId,
        errorLabels: o.errorLabels,
        retryAfter: o.retryAfter,
      },
    );
  }
}

/** Options of {@linkcode UnexpectedResponseError}. */
export interface UnexpectedResponseErrorOptions extends ResponseErrorOptions {
  /** Why the response was not understood, e.g. `body is not valid JSON`. */
  reason: string;
  /** The response's `Content-Type`. */
  contentType?: string;
  /** The first characters of the body, secrets masked. */
  bodySnippet?: string;
}

/**
 * The server answered something this package cannot use: a non-2xx without
 * an `ApiErrorResponse` body (a proxy's HTML page, an empty body, a
 * redirect), a 2xx of the wrong shape, or a body over the size cap.
 */
export class UnexpectedResponseError extends LightlyError {
  /** The HTTP status. */
  declare readonly status: number;
  /** Why the response was not understood. */
  declare readonly reason: string;
  /** The response's `Content-Type`. */
  declare readonly contentType?: string;
  /** The first characters of the body, secrets masked. */
  declare readonly bodySnippet?: string;
  /** The server's request id, when a header carried one. */
  declare readonly requestId?: string;
  /** The raw `Retry-After` header. */
  declare readonly retryAfter?: string;

  /** Creates the error.
   * @param o What came back, and why it is unusable. */
  constructor(o: UnexpectedResponseErrorOptions) {
    const type = o.contentType ? ` (${o.contentType})` : "";
    super(
      "unexpected-response",
      `${
        where(o)
      } answered ${o.status}${type} with an unexpected response: ${o.reason}`,
      o,
      {
        status: o.status,
        reason: o.reason,
        contentType: o.contentType,
        bodySnippet: o.bodySnippet,
        requestId: o.requestId,
        retryAfter: o.retryAfter,
      },
    );
  }
}

/** Options of {@linkcode NetworkError}. */
export interface NetworkErrorOptions extends LightlyErrorOptions {
  /** `true` when the connection could not be made: the request certainly did not reach the server. */
  connectFailed: boolean;
}

/** The request got no answer (DNS, refused, reset, TLS); `cause` is a sanitized copy of `fetch`'s error. */
export class NetworkError extends LightlyError {
  /** `true` when the request certainly did not reach the server. */
  declare readonly connectFailed: boolean;

  /** Creates the error.
   * @param message What failed, e.g. `could not connect (…)`.
   * @param options Cause, request and whether the connection failed. */
  constructor(message: string, options: NetworkErrorOptions) {
    super("network", `${where(options)} failed: ${message}`, options, {
      connectFailed: options.connectFailed,
    });
  }
}

/** The request took longer than its `timeoutMs`, headers and body together. */
export class TimeoutError extends LightlyError {
  /** The limit that ran out, in milliseconds. */
  declare readonly timeoutMs: number;

  /** Creates the error.
   * @param timeoutMs The limit that ran out.
   * @param options The request. */
  constructor(timeoutMs: number, options: LightlyErrorOptions = {}) {
    super(
      "timeout",
      `${where(options)} timed out after ${timeoutMs} ms`,
      options,
      {
        timeoutMs,
      },
    );
  }
}

/** The caller's `AbortSignal` stopped the work; `cause` is the signal's reason. */
export class AbortedError extends LightlyError {
  /** Creates the error.
   * @param options The signal's reason as `cause`, and the request. */
  constructor(options: LightlyErrorOptions = {}) {
    super("aborted", `${where(options)} was aborted by the caller`, options);
  }
}

/** The sampling job ended `FAILED`; `serverError` is the server's reason. */
export class SamplingJobFailedError extends LightlyError {
  /** The job's last status, secrets masked. */
  declare readonly job: JobStatusData;
  /** The server's `error` text, secrets masked. */
  declare readonly serverError?: string;

  /** Creates the error.
   * @param job The status that said `FAILED`.
   * @param options The secrets to mask in the server's text. */
  constructor(job: JobStatusData, options: LightlyErrorOptions = {}) {
    const serverError = typeof job.error === "string" && job.error !== ""
      ? job.error
      : undefined;
    super(
      "job-failed",
      `Sampling job ${job.id} failed: ${
        serverError ?? "the server gave no reason"
      }`,
      options,
      { job, serverError },
    );
  }
}

/** The job says `FINISHED` but names no new tag: `result.data` is missing or not an ObjectId. */
export class JobResultMissingError extends LightlyError {
  /** The status that said `FINISHED`, secrets masked. */
  declare readonly job: JobStatusData;

  /** Creates the error.
   * @param job The status that said `FINISHED`.
   * @param options The secrets to mask in the server's text. */
  constructor(job: JobStatusData, options: LightlyErrorOptions = {}) {
    const found = job.result === undefined || job.result === null
      ? "it has no result"
      : `result.data is ${describeValue(job.result.data)}, not an ObjectId`;
    super(
      "job-result-missing",
      `Job ${job.id} finished without the id of the new tag (${found})`,
      options,
      { job },
    );
  }
}

/** Options of {@linkcode JobDeadlineError}. */
export interface JobDeadlineErrorOptions extends LightlyErrorOptions {
  /** The job waited for. */
  jobId: string;
  /** The overall deadline that ran out, in milliseconds. */
  timeoutMs: number;
  /** The last status received. */
  lastJob?: JobStatusData;
}

/** The job did not finish within the wait's `timeoutMs`; it goes on: wait again to follow it. */
export class JobDeadlineError extends LightlyError {
  /** The job waited for. */
  declare readonly jobId: string;
  /** The deadline that ran out, in milliseconds. */
  declare readonly timeoutMs: number;
  /** The last status received, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /** Creates the error.
   * @param o The job, the deadline, the last status and the last failure. */
  constructor(o: JobDeadlineErrorOptions) {
    const last = o.lastJob
      ? `last status ${o.lastJob.status}`
      : "no status received";
    super(
      "deadline",
      `Job ${o.jobId} did not finish within ${o.timeoutMs} ms (${last}); it may still be running`,
      { cause: o.cause, secrets: o.secrets },
      { jobId: o.jobId, timeoutMs: o.timeoutMs, lastJob: o.lastJob },
    );
  }
}

/** Options of {@linkcode PollFailedError}. */
export interface PollFailedErrorOptions extends LightlyErrorOptions {
  /** The job waited for. */
  jobId: string;
  /** How many polls failed in a row. */
  failures: number;
  /** The last failure. */
  cause: unknown;
  /** The last status received. */
  lastJob?: JobStatusData;
}

/** Polling failed too often in a row; `cause` is the last failure. The job may still be running. */
export class PollFailedError extends LightlyError {
  /** The job waited for. */
  declare readonly jobId: string;
  /** How many polls failed in a row. */
  declare readonly failures: number;
  /** The last status received, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /** Creates the error.
   * @param o The job, the failure count and the last failure. */
  constructor(o: PollFailedErrorOptions) {
    super(
      "poll-failed",
      `Gave up following job ${o.jobId} after ${o.failures} failed polls in a row; the last: ${
        causeText(o.cause)
      }`,
      { cause: o.cause, secrets: o.secrets },
      { jobId: o.jobId, failures: o.failures, lastJob: o.lastJob },
    );
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
 * The sampling POST got no clear answer after it may have reached the
 * server, so the job may have started. It was not retried (a second POST
 * could create a second tag): check whether `tagName` exists first.
 */
export class SamplingMaybeAppliedError extends LightlyError {
  /** The `newTagName` of the POST. */
  declare readonly tagName: string;
  /** The dataset the POST was for. */
  declare readonly datasetId: string;

  /** Creates the error.
   * @param o The tag name, the dataset and the original error. */
  constructor(o: SamplingMaybeAppliedErrorOptions) {
    const request = isLightlyError(o.cause) ? o.cause : undefined;
    super(
      "maybe-applied",
      `The sampling request for tag "${o.tagName}" may have been applied: ${
        causeText(o.cause)
      }. It was not retried, because a second request could create a second tag. ` +
        `Before trying again, check whether dataset ${o.datasetId} has a tag named ` +
        `"${o.tagName}" (listTags(), GET /v1/datasets/${o.datasetId}/tags).`,
      { cause: o.cause, method: request?.method, url: request?.url },
      { tagName: o.tagName, datasetId: o.datasetId },
    );
  }
}

/** The steps of `selectSamples`, in order. */
export type SelectionStep =
  | "resolve-embedding"
  | "preflight"
  | "trigger"
  | "wait"
  | "fetch-tag";

/** Why `selectSamples` refused to start, before anything was sent. */
export type SelectionRefusal =
  | "NO_PROCESSED_EMBEDDING"
  | "NO_TAGS"
  | "TAG_NAME_EXISTS"
  | "NO_INITIAL_TAG"
  | "INITIAL_TAG_EMPTY";

/** Options of {@linkcode SelectionStepError}. */
export interface SelectionStepErrorOptions extends LightlyErrorOptions {
  /** The step that failed. */
  step: SelectionStep;
  /** Why a preflight check refused. */
  reason?: SelectionRefusal;
  /** What was wrong, for a refusal. */
  detail?: string;
  /** The job id, once the trigger step returned one. */
  jobId?: string;
}

/**
 * A step of `selectSamples` failed: `step` names it, `cause` holds the
 * original error, `reason` a preflight refusal, `jobId` the job once it
 * exists (to keep following it with `waitForJob`).
 */
export class SelectionStepError extends LightlyError {
  /** The step that failed. */
  declare readonly step: SelectionStep;
  /** Why a preflight check refused; absent when a call failed. */
  declare readonly reason?: SelectionRefusal;
  /** The job id, once the trigger step returned one. */
  declare readonly jobId?: string;

  /** Creates the error.
   * @param o The step, and the cause or the refusal. */
  constructor(o: SelectionStepErrorOptions) {
    const head = o.reason
      ? `selectSamples() refused at step "${o.step}" (${o.reason}, nothing was sent)`
      : `selectSamples() failed at step "${o.step}"`;
    const cause = o.cause === undefined ? undefined : causeText(o.cause);
    const body = [o.detail, cause].filter((s) => s !== undefined).join(": ");
    super(
      "workflow",
      `${head}${o.jobId ? ` [job ${o.jobId}]` : ""}: ${body}`,
      { cause: o.cause, secrets: o.secrets },
      { step: o.step, reason: o.reason, jobId: o.jobId },
    );
  }
}
