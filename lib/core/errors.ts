/**
 * The errors this package throws, by concept: bad input, an answer that says
 * no or cannot be used, no answer, a stop, a job that did not deliver, a POST
 * that may have been applied, a workflow step. Every one extends
 * {@linkcode LightlyError}, is told apart by its `kind` (one guard,
 * {@linkcode isLightlyError}, works across copies of this module), and passes
 * the redaction boundary: the base class masks the request's secrets in its
 * message, its URL and every field it holds, server text included.
 *
 * @module
 */
import { createRedactor } from "./redact.ts";
import type { JobStatusData } from "./types.ts";

const BRAND: unique symbol = Symbol.for(
  "lightly-sampling.LightlyError",
) as never;

/** Each kind of {@linkcode LightlyError} and the class that has it. */
export interface LightlyErrorKinds {
  /** Bad input or options: {@linkcode ValidationError}. */
  validation: ValidationError;
  /** The API said no: {@linkcode LightlyApiError}. */
  api: LightlyApiError;
  /** An answer this package cannot use: {@linkcode UnexpectedResponseError}. */
  "unexpected-response": UnexpectedResponseError;
  /** No answer: {@linkcode NetworkError}. */
  network: NetworkError;
  /** A request ran out of time: {@linkcode TimeoutError}. */
  timeout: TimeoutError;
  /** The caller's signal: {@linkcode AbortedError}. */
  aborted: AbortedError;
  /** The job ended `FAILED`: {@linkcode SamplingJobFailedError}. */
  "job-failed": SamplingJobFailedError;
  /** A finished job named no tag: {@linkcode JobResultMissingError}. */
  "job-result-missing": JobResultMissingError;
  /** A wait ran out of time: {@linkcode JobDeadlineError}. */
  deadline: JobDeadlineError;
  /** Polls kept failing: {@linkcode PollFailedError}. */
  "poll-failed": PollFailedError;
  /** The POST may have been applied: {@linkcode SamplingMaybeAppliedError}. */
  "maybe-applied": SamplingMaybeAppliedError;
  /** A step of `selectSamples` failed: {@linkcode SelectionStepError}. */
  workflow: SelectionStepError;
  /** The command line's usage errors (they extend this base). */
  usage: LightlyError;
  /** The command line's missing-permission errors (they extend this base). */
  permission: LightlyError;
}

/** The kinds of {@linkcode LightlyError}. */
export type LightlyErrorKind = keyof LightlyErrorKinds;

/** What every {@linkcode LightlyError} may say about the request it belongs to. */
export interface LightlyErrorOptions {
  /** The underlying error, already free of secrets. */
  cause?: unknown;
  /** HTTP method of the request. */
  method?: string;
  /** The request URL (its `token` value is masked). */
  url?: string;
  /**
   * The request's secrets (API key, bearer token, secret headers), masked
   * wherever the server may have echoed them; never stored.
   *
   * @default {[]}
   */
  secrets?: readonly string[];
}

/** `METHOD url` of the request, or a stand-in when there was none. */
function where(options: LightlyErrorOptions): string {
  return options.method && options.url
    ? `${options.method} ${options.url}`
    : "The request";
}

/**
 * A short, printable form of a value for an error message: JSON for
 * primitives (strings cut at 60 characters), a type name for the rest.
 *
 * @param value Anything.
 * @returns A short string, e.g. `"ab"`, `NaN`, `an array`.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case "string": {
      const cut = value.length > 60 ? value.slice(0, 60) : value;
      return JSON.stringify(cut) +
        (cut === value ? "" : `… (${value.length} chars)`);
    }
    case "number":
    case "boolean":
    case "bigint":
      return String(value);
    case "undefined":
      return "undefined";
    case "object":
      if (value === null) return "null";
      try {
        return Array.isArray(value) ? "an array" : "an object";
      } catch {
        return "an object"; // a revoked Proxy
      }
    default:
      return `a ${typeof value}`;
  }
}

function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The base class of every error this package throws: `kind` tells them
 * apart, `toJSON()` lists only safe fields.
 *
 * @example Tell a Lightly error from others
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
  /** The request URL with secrets masked, when there was one. */
  declare readonly url?: string;

  /**
   * Creates the error. The message, the URL and every field pass the
   * redaction boundary with `options.secrets` first.
   *
   * @param kind The kind of failure.
   * @param message A message that reads well without a stack trace.
   * @param options Cause, request context and the secrets to mask.
   * @param fields The subclass's own fields (`undefined` ones left out).
   */
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
      const safe = typeof value === "object" || typeof value === "string"
        ? redactor.value(value)
        : value;
      Object.defineProperty(this, key, { value: safe, enumerable: true });
    }
  }

  /** Marks instances for {@linkcode isLightlyError} across module copies. */
  get [BRAND](): true {
    return true;
  }

  /**
   * The error's safe fields, for logs and `JSON.stringify`.
   *
   * @returns `name`, `kind`, `message` and the error's own fields; no stack, no cause.
   */
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
 * Whether `error` is a {@linkcode LightlyError} — of the given `kind`, when
 * one is named — even from another copy of this module (no `instanceof`).
 *
 * @param error Anything caught.
 * @param kind The kind to match; any kind when absent.
 * @returns `true` for errors of this package (of that kind).
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * isLightlyError(new Error("x")); // false
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
  /** A short printable form of the offending value; absent for secrets and missing values. */
  readonly received?: string;
}

/**
 * Bad input or options: nothing was sent. Lists every problem at once —
 * arguments and options together — never just the first.
 *
 * @example Print each problem
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... buildSamplingRequest(...)
 * } catch (error) {
 *   if (isLightlyError(error, "validation")) {
 *     for (const issue of error.issues) console.error(issue.path, issue.rule);
 *   }
 * }
 * ```
 */
export class ValidationError extends LightlyError {
  /** Every problem found. */
  declare readonly issues: readonly ValidationIssue[];

  /**
   * Creates the error.
   *
   * @param issues Every problem found (at least one).
   * @param subject What was being validated, for the message's first line.
   */
  constructor(
    issues: readonly ValidationIssue[],
    subject = "sampling request",
  ) {
    const lines = issues.map((i) =>
      `  - ${i.path || "(input)"}: ${i.rule}${
        i.received === undefined ? "" : ` (got ${i.received})`
      }`
    );
    const count = issues.length === 1
      ? "1 problem"
      : `${issues.length} problems`;
    super(
      "validation",
      `Invalid ${subject} (${count}, nothing was sent):\n${lines.join("\n")}`,
      {},
      { issues: issues.map((i) => Object.freeze({ ...i })) },
    );
  }
}

/** Context of an error that followed an HTTP response. */
export interface ResponseErrorOptions extends LightlyErrorOptions {
  /** The HTTP status. */
  status: number;
  /** The server's request id (body `requestId` or `x-request-id` header). */
  requestId?: string;
  /** The raw `Retry-After` header, when the server sent one. */
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

/**
 * The API answered with a non-2xx status and an `ApiErrorResponse` body.
 *
 * @example React to a duplicate tag name
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error, "api") && error.code === "TAG_NAME_EXISTS") {
 *     console.error("pick another tag name");
 *   }
 * }
 * ```
 */
export class LightlyApiError extends LightlyError {
  /** The HTTP status. */
  declare readonly status: number;
  /** The server's error code; an open set, new codes appear. */
  declare readonly code: string;
  /** The server's error message. */
  declare readonly serverMessage: string;
  /** The server's request id, for support. */
  declare readonly requestId?: string;
  /** The server's error labels. */
  declare readonly errorLabels?: readonly string[];
  /** The raw `Retry-After` header, when the server sent one. */
  declare readonly retryAfter?: string;

  /**
   * Creates the error.
   *
   * @param options What the server said, and about which request.
   */
  constructor(options: LightlyApiErrorOptions) {
    const id = options.requestId ? ` (request id ${options.requestId})` : "";
    const { status, code, serverMessage, requestId, errorLabels, retryAfter } =
      options;
    super(
      "api",
      `${where(options)} answered ${status} ${code}: ${serverMessage}${id}`,
      options,
      { status, code, serverMessage, requestId, errorLabels, retryAfter },
    );
  }
}

/** Options of {@linkcode UnexpectedResponseError}. */
export interface UnexpectedResponseErrorOptions extends ResponseErrorOptions {
  /** Why the response was not understood, e.g. `body is not JSON`. */
  reason: string;
  /** The response's `Content-Type`. */
  contentType?: string;
  /** The first characters of the body, secrets masked. */
  bodySnippet?: string;
}

/**
 * The server answered something this package cannot use: a non-2xx status
 * without an `ApiErrorResponse` body (an HTML page from a proxy, an empty
 * body, a redirect), a 2xx whose body does not have the expected shape, or a
 * body over the size cap.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error, "unexpected-response")) console.error(error.status, error.reason);
 * }
 * ```
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
  /** The raw `Retry-After` header, when the server sent one. */
  declare readonly retryAfter?: string;

  /**
   * Creates the error.
   *
   * @param options What came back, and why it is unusable.
   */
  constructor(options: UnexpectedResponseErrorOptions) {
    const { status, reason, contentType, bodySnippet, requestId, retryAfter } =
      options;
    const type = contentType ? ` (${contentType})` : "";
    super(
      "unexpected-response",
      `${
        where(options)
      } answered ${status}${type} with an unexpected response: ${reason}`,
      options,
      { status, reason, contentType, bodySnippet, requestId, retryAfter },
    );
  }
}

/** Options of {@linkcode NetworkError}. */
export interface NetworkErrorOptions extends LightlyErrorOptions {
  /**
   * `true` when the connection could not be made, so the request certainly
   * did not reach the server; `false` when it may have.
   */
  connectFailed: boolean;
}

/**
 * The request got no answer: DNS, connection refused or reset, TLS. `cause`
 * is a sanitized copy of what `fetch` threw.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error, "network") && error.connectFailed) console.error("nothing was sent");
 * }
 * ```
 */
export class NetworkError extends LightlyError {
  /** `true` when the request certainly did not reach the server. */
  declare readonly connectFailed: boolean;

  /**
   * Creates the error.
   *
   * @param message What failed, e.g. `could not connect (…)`.
   * @param options Cause, request context and whether the connection failed.
   */
  constructor(message: string, options: NetworkErrorOptions) {
    super("network", `${where(options)} failed: ${message}`, options, {
      connectFailed: options.connectFailed,
    });
  }
}

/**
 * The request took longer than its `timeoutMs` (headers and body together).
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(input, { timeoutMs: 5_000 })
 * } catch (error) {
 *   if (isLightlyError(error, "timeout")) console.error(`gave up after ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class TimeoutError extends LightlyError {
  /** The limit that ran out, in milliseconds. */
  declare readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs The limit that ran out.
   * @param options Request context.
   */
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

/**
 * The caller's `AbortSignal` stopped the work; `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * import { AbortedError } from "./errors.ts";
 * new AbortedError({ cause: "stop" }).kind; // "aborted"
 * ```
 */
export class AbortedError extends LightlyError {
  /**
   * Creates the error.
   *
   * @param options The signal's reason as `cause`, and request context.
   */
  constructor(options: LightlyErrorOptions = {}) {
    super("aborted", `${where(options)} was aborted by the caller`, options);
  }
}

/**
 * The sampling job ended with `FAILED`; `serverError` is the server's reason.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isLightlyError(error, "job-failed")) console.error(error.serverError);
 * }
 * ```
 */
export class SamplingJobFailedError extends LightlyError {
  /** The job's last status, as the server sent it, secrets masked. */
  declare readonly job: JobStatusData;
  /** The server's `error` text, when it gave one, secrets masked. */
  declare readonly serverError?: string;

  /**
   * Creates the error.
   *
   * @param job The job status that said `FAILED`.
   * @param options The secrets to mask in the server's text.
   */
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

/**
 * The job says `FINISHED` but names no new tag: `result.data` is missing or
 * not an ObjectId.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isLightlyError(error, "job-result-missing")) console.error(error.job.result);
 * }
 * ```
 */
export class JobResultMissingError extends LightlyError {
  /** The job status that said `FINISHED`, secrets masked. */
  declare readonly job: JobStatusData;

  /**
   * Creates the error.
   *
   * @param job The job status that said `FINISHED`.
   * @param options The secrets to mask in the server's text.
   */
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
  /** The job that was being waited for. */
  jobId: string;
  /** The overall deadline that ran out, in milliseconds. */
  timeoutMs: number;
  /** The last status received, when one was. */
  lastJob?: JobStatusData;
}

/**
 * The job did not finish within the wait's overall `timeoutMs`. The job
 * itself goes on: wait again with the same `jobId` to keep following it.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await waitForJob(jobId, { timeoutMs: 60_000 })
 * } catch (error) {
 *   if (isLightlyError(error, "deadline")) console.error(error.lastJob?.status);
 * }
 * ```
 */
export class JobDeadlineError extends LightlyError {
  /** The job that was being waited for. */
  declare readonly jobId: string;
  /** The deadline that ran out, in milliseconds. */
  declare readonly timeoutMs: number;
  /** The last status received, when one was, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /**
   * Creates the error.
   *
   * @param options The job, the deadline, the last status seen and the last failure.
   */
  constructor(options: JobDeadlineErrorOptions) {
    const { jobId, timeoutMs, lastJob } = options;
    const last = lastJob
      ? `last status ${lastJob.status}`
      : "no status received";
    super(
      "deadline",
      `Job ${jobId} did not finish within ${timeoutMs} ms (${last}); it may still be running`,
      { cause: options.cause, secrets: options.secrets },
      { jobId, timeoutMs, lastJob },
    );
  }
}

/** Options of {@linkcode PollFailedError}. */
export interface PollFailedErrorOptions extends LightlyErrorOptions {
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
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await waitForJob(jobId)
 * } catch (error) {
 *   if (isLightlyError(error, "poll-failed")) console.error(error.failures, error.cause);
 * }
 * ```
 */
export class PollFailedError extends LightlyError {
  /** The job that was being waited for. */
  declare readonly jobId: string;
  /** How many polls failed in a row. */
  declare readonly failures: number;
  /** The last status received, when one was, secrets masked. */
  declare readonly lastJob?: JobStatusData;

  /**
   * Creates the error.
   *
   * @param options The job, the failure count and the last failure.
   */
  constructor(options: PollFailedErrorOptions) {
    const { jobId, failures, lastJob } = options;
    super(
      "poll-failed",
      `Gave up following job ${jobId} after ${failures} failed polls in a row; the last: ${
        causeText(options.cause)
      }`,
      { cause: options.cause, secrets: options.secrets },
      { jobId, failures, lastJob },
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
 * The sampling POST got no clear answer (timeout, connection reset, 5xx, an
 * unreadable 2xx) after it may have reached the server, so the job may have
 * been started. It was not retried, because a second POST could create a
 * second tag. Check whether the tag exists (list the dataset's tags and look
 * for `tagName`) before trying again.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await triggerSampling(input)
 * } catch (error) {
 *   if (isLightlyError(error, "maybe-applied")) {
 *     console.error(`look for tag "${error.tagName}" before retrying`);
 *   }
 * }
 * ```
 */
export class SamplingMaybeAppliedError extends LightlyError {
  /** The `newTagName` of the POST. */
  declare readonly tagName: string;
  /** The dataset the POST was for. */
  declare readonly datasetId: string;

  /**
   * Creates the error.
   *
   * @param options The tag name, the dataset and the original error.
   */
  constructor(options: SamplingMaybeAppliedErrorOptions) {
    const { tagName, datasetId, cause } = options;
    const request = cause as { method?: string; url?: string } | null;
    super(
      "maybe-applied",
      `The sampling request for tag "${tagName}" may have been applied: ${
        causeText(cause)
      }. It was not retried, because a second request could create a second tag. ` +
        `Before trying again, check whether dataset ${datasetId} has a tag named ` +
        `"${tagName}" (listTags(), GET /v1/datasets/${datasetId}/tags).`,
      {
        cause,
        method: isLightlyError(cause) ? request?.method : undefined,
        url: isLightlyError(cause) ? request?.url : undefined,
      },
      { tagName, datasetId },
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
export interface SelectionStepErrorOptions extends LightlyErrorOptions {
  /** The step that failed. */
  step: SelectionStep;
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
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... await selectSamples(input)
 * } catch (error) {
 *   if (isLightlyError(error, "workflow")) console.error(error.step, error.reason, error.cause);
 * }
 * ```
 */
export class SelectionStepError extends LightlyError {
  /** The step that failed. */
  declare readonly step: SelectionStep;
  /** Why a preflight check refused; absent when a call failed. */
  declare readonly reason?: SelectionRefusal;
  /** The job id, once the trigger step returned one. */
  declare readonly jobId?: string;

  /**
   * Creates the error.
   *
   * @param options The step, and the cause or refusal.
   */
  constructor(options: SelectionStepErrorOptions) {
    const { step, reason, jobId, cause } = options;
    const head = reason
      ? `selectSamples() refused at step "${step}" (${reason}, nothing was sent)`
      : `selectSamples() failed at step "${step}"`;
    const body = [
      options.detail,
      cause === undefined ? undefined : causeText(cause),
    ].filter((s) => s !== undefined).join(": ");
    super(
      "workflow",
      `${head}${jobId ? ` [job ${jobId}]` : ""}: ${body}`,
      { cause, secrets: options.secrets },
      { step, reason, jobId },
    );
  }
}
