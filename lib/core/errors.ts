/**
 * The errors this package throws: one base class, {@linkcode LightlyError},
 * and one class per kind of failure, each with a `kind` tag and a type guard
 * that works across copies of this module (no `instanceof` needed).
 *
 * No error ever holds a secret: URLs are redacted, causes thrown by `fetch`
 * are replaced by sanitized copies, and `toJSON()` lists only safe fields.
 *
 * @module
 */

const BRAND: unique symbol = Symbol.for(
  "lightly-sampling.LightlyError",
) as never;

/** The kinds of {@linkcode LightlyError}. */
export type LightlyErrorKind =
  | "validation"
  | "api"
  | "unexpected-response"
  | "network"
  | "timeout"
  | "aborted"
  // Jobs, reads and the workflow (lib/core/job_errors.ts).
  | "job-failed"
  | "job-result-missing"
  | "deadline"
  | "poll-failed"
  | "maybe-applied"
  | "workflow";

/** What every {@linkcode LightlyError} may say about the request it belongs to. */
export interface LightlyErrorOptions {
  /** The underlying error, already free of secrets. */
  cause?: unknown;
  /** HTTP method of the request. */
  method?: string;
  /** The request URL with secrets redacted. */
  url?: string;
}

/**
 * The base class of every error this package throws.
 *
 * @example Tell a Lightly error from others
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyError(error)) console.error(error.kind, error.message);
 *   else throw error;
 * }
 * ```
 */
export class LightlyError extends Error {
  /** Which kind of failure this is. */
  readonly kind: LightlyErrorKind;
  /** HTTP method of the request, when there was one. */
  readonly method?: string;
  /** The request URL with secrets redacted, when there was one. */
  readonly url?: string;

  /**
   * Creates the error.
   *
   * @param kind The kind of failure.
   * @param message A message that reads well without a stack trace.
   * @param options Cause and request context.
   */
  constructor(
    kind: LightlyErrorKind,
    message: string,
    options: LightlyErrorOptions = {},
  ) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "LightlyError";
    this.kind = kind;
    if (options.method !== undefined) this.method = options.method;
    if (options.url !== undefined) this.url = options.url;
  }

  /** Marks instances for {@linkcode isLightlyError} across module copies. */
  get [BRAND](): true {
    return true;
  }

  /**
   * The error's safe fields, for logs and `JSON.stringify`.
   *
   * @returns A plain object without stack or cause.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      kind: this.kind,
      message: this.message,
    };
    for (const key of Object.keys(this)) {
      const value = (this as Record<string, unknown>)[key];
      if (value !== undefined && key !== "cause") out[key] = value;
    }
    return out;
  }
}

/** One problem found in an input: where, which rule, and what was there. */
export interface ValidationIssue {
  /** Dotted path, e.g. `config.stoppingCondition.nSamples` or `datasetId`. */
  readonly path: string;
  /** The rule that was broken, e.g. `must be at least 3 characters long`. */
  readonly rule: string;
  /** A short printable form of the offending value; absent for secrets and missing values. */
  readonly received?: string;
}

/**
 * Bad input: nothing was sent. Lists every problem, never just the first.
 *
 * @example Print each problem
 * ```ts
 * import { isSamplingValidationError } from "./errors.ts";
 * try {
 *   // ... buildSamplingRequest(...)
 * } catch (error) {
 *   if (isSamplingValidationError(error)) {
 *     for (const issue of error.issues) console.error(issue.path, issue.rule);
 *   }
 * }
 * ```
 */
export class SamplingValidationError extends LightlyError {
  /** Every problem found. */
  readonly issues: readonly ValidationIssue[];

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
    );
    this.name = "SamplingValidationError";
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
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
 * import { isLightlyApiError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isLightlyApiError(error) && error.code === "TAG_NAME_EXISTS") {
 *     console.error("pick another tag name");
 *   }
 * }
 * ```
 */
export class LightlyApiError extends LightlyError {
  /** The HTTP status. */
  readonly status: number;
  /** The server's error code; an open set, new codes appear. */
  readonly code: string;
  /** The server's error message. */
  readonly serverMessage: string;
  /** The server's request id, for support. */
  readonly requestId?: string;
  /** The server's error labels. */
  readonly errorLabels?: readonly string[];
  /** The raw `Retry-After` header, when the server sent one. */
  readonly retryAfter?: string;

  /**
   * Creates the error.
   *
   * @param options What the server said, and about which request.
   */
  constructor(options: LightlyApiErrorOptions) {
    const where = options.method && options.url
      ? `${options.method} ${options.url}`
      : "The Lightly API";
    const id = options.requestId ? ` (request id ${options.requestId})` : "";
    super(
      "api",
      `${where} answered ${options.status} ${options.code}: ${options.serverMessage}${id}`,
      options,
    );
    this.name = "LightlyApiError";
    this.status = options.status;
    this.code = options.code;
    this.serverMessage = options.serverMessage;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.errorLabels !== undefined) {
      this.errorLabels = Object.freeze([...options.errorLabels]);
    }
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
  }
}

/** Options of {@linkcode UnexpectedResponseError}. */
export interface UnexpectedResponseErrorOptions extends ResponseErrorOptions {
  /** Why the response was not understood, e.g. `body is not JSON`. */
  reason: string;
  /** The response's `Content-Type`. */
  contentType?: string;
  /** The first characters of the body, secrets redacted. */
  bodySnippet?: string;
}

/**
 * The server answered something this package cannot use: a non-2xx status
 * without an `ApiErrorResponse` body (an HTML page from a proxy, an empty
 * body), a 2xx whose body does not match the expected shape, or a body over
 * the size cap.
 *
 * @example
 * ```ts
 * import { isUnexpectedResponseError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isUnexpectedResponseError(error)) console.error(error.status, error.reason);
 * }
 * ```
 */
export class UnexpectedResponseError extends LightlyError {
  /** The HTTP status. */
  readonly status: number;
  /** Why the response was not understood. */
  readonly reason: string;
  /** The response's `Content-Type`. */
  readonly contentType?: string;
  /** The first characters of the body, secrets redacted. */
  readonly bodySnippet?: string;
  /** The server's request id, when a header carried one. */
  readonly requestId?: string;
  /** The raw `Retry-After` header, when the server sent one. */
  readonly retryAfter?: string;

  /**
   * Creates the error.
   *
   * @param options What came back, and why it is unusable.
   */
  constructor(options: UnexpectedResponseErrorOptions) {
    const where = options.method && options.url
      ? `${options.method} ${options.url}`
      : "The Lightly API";
    const type = options.contentType ? ` (${options.contentType})` : "";
    super(
      "unexpected-response",
      `${where} answered ${options.status}${type} with an unexpected response: ${options.reason}`,
      options,
    );
    this.name = "UnexpectedResponseError";
    this.status = options.status;
    this.reason = options.reason;
    if (options.contentType !== undefined) {
      this.contentType = options.contentType;
    }
    if (options.bodySnippet !== undefined) {
      this.bodySnippet = options.bodySnippet;
    }
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.retryAfter !== undefined) this.retryAfter = options.retryAfter;
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
 * The request did not get an answer: DNS, connection refused or reset, TLS.
 * `cause` is a sanitized copy of what `fetch` threw.
 *
 * @example
 * ```ts
 * import { isNetworkError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(...)
 * } catch (error) {
 *   if (isNetworkError(error) && error.connectFailed) console.error("nothing was sent");
 * }
 * ```
 */
export class NetworkError extends LightlyError {
  /** `true` when the request certainly did not reach the server. */
  readonly connectFailed: boolean;

  /**
   * Creates the error.
   *
   * @param message What failed, free of secrets.
   * @param options Cause, request context and whether the connection failed.
   */
  constructor(message: string, options: NetworkErrorOptions) {
    super("network", message, options);
    this.name = "NetworkError";
    this.connectFailed = options.connectFailed;
  }
}

/**
 * The request took longer than its `timeoutMs` (headers and body together).
 *
 * @example
 * ```ts
 * import { isTimeoutError } from "./errors.ts";
 * try {
 *   // ... triggerSampling(input, { timeoutMs: 5_000 })
 * } catch (error) {
 *   if (isTimeoutError(error)) console.error(`gave up after ${error.timeoutMs} ms`);
 * }
 * ```
 */
export class TimeoutError extends LightlyError {
  /** The limit that ran out, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates the error.
   *
   * @param timeoutMs The limit that ran out.
   * @param options Request context.
   */
  constructor(timeoutMs: number, options: LightlyErrorOptions = {}) {
    const where = options.method && options.url
      ? `${options.method} ${options.url}`
      : "The request";
    super("timeout", `${where} timed out after ${timeoutMs} ms`, options);
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The caller's `AbortSignal` stopped the work; `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * import { isAbortedError } from "./errors.ts";
 * const controller = new AbortController();
 * controller.abort();
 * try {
 *   // ... triggerSampling(input, { signal: controller.signal })
 * } catch (error) {
 *   if (isAbortedError(error)) console.error("stopped by the caller");
 * }
 * ```
 */
export class AbortedError extends LightlyError {
  /**
   * Creates the error.
   *
   * @param options The signal's reason as `cause`, and request context.
   */
  constructor(options: LightlyErrorOptions = {}) {
    const where = options.method && options.url
      ? `${options.method} ${options.url}`
      : "The request";
    super("aborted", `${where} was aborted by the caller`, options);
    this.name = "AbortedError";
  }
}

function hasKind(error: unknown, kind?: LightlyErrorKind): boolean {
  if (typeof error !== "object" || error === null) return false;
  const e = error as Record<PropertyKey, unknown>;
  return e[BRAND] === true && (kind === undefined || e.kind === kind);
}

/**
 * Whether `error` is any {@linkcode LightlyError}, even from another copy of
 * this module.
 *
 * @param error Anything caught.
 * @returns `true` for errors thrown by this package.
 *
 * @example
 * ```ts
 * import { isLightlyError } from "./errors.ts";
 * isLightlyError(new Error("x")); // false
 * ```
 */
export function isLightlyError(error: unknown): error is LightlyError {
  return hasKind(error);
}

/**
 * Whether `error` is a {@linkcode SamplingValidationError}.
 *
 * @param error Anything caught.
 * @returns `true` for validation errors.
 *
 * @example
 * ```ts
 * import { isSamplingValidationError } from "./errors.ts";
 * isSamplingValidationError(new Error("x")); // false
 * ```
 */
export function isSamplingValidationError(
  error: unknown,
): error is SamplingValidationError {
  return hasKind(error, "validation");
}

/**
 * Whether `error` is a {@linkcode LightlyApiError}.
 *
 * @param error Anything caught.
 * @returns `true` for API errors.
 *
 * @example
 * ```ts
 * import { isLightlyApiError } from "./errors.ts";
 * isLightlyApiError(new Error("x")); // false
 * ```
 */
export function isLightlyApiError(error: unknown): error is LightlyApiError {
  return hasKind(error, "api");
}

/**
 * Whether `error` is an {@linkcode UnexpectedResponseError}.
 *
 * @param error Anything caught.
 * @returns `true` for unexpected responses.
 *
 * @example
 * ```ts
 * import { isUnexpectedResponseError } from "./errors.ts";
 * isUnexpectedResponseError(new Error("x")); // false
 * ```
 */
export function isUnexpectedResponseError(
  error: unknown,
): error is UnexpectedResponseError {
  return hasKind(error, "unexpected-response");
}

/**
 * Whether `error` is a {@linkcode NetworkError}.
 *
 * @param error Anything caught.
 * @returns `true` for network failures.
 *
 * @example
 * ```ts
 * import { isNetworkError } from "./errors.ts";
 * isNetworkError(new Error("x")); // false
 * ```
 */
export function isNetworkError(error: unknown): error is NetworkError {
  return hasKind(error, "network");
}

/**
 * Whether `error` is a {@linkcode TimeoutError}.
 *
 * @param error Anything caught.
 * @returns `true` for timeouts.
 *
 * @example
 * ```ts
 * import { isTimeoutError } from "./errors.ts";
 * isTimeoutError(new Error("x")); // false
 * ```
 */
export function isTimeoutError(error: unknown): error is TimeoutError {
  return hasKind(error, "timeout");
}

/**
 * Whether `error` is an {@linkcode AbortedError}.
 *
 * @param error Anything caught.
 * @returns `true` when the caller's signal stopped the work.
 *
 * @example
 * ```ts
 * import { isAbortedError } from "./errors.ts";
 * isAbortedError(new Error("x")); // false
 * ```
 */
export function isAbortedError(error: unknown): error is AbortedError {
  return hasKind(error, "aborted");
}
