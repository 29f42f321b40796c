/**
 * `triggerSampling`: validate, build, send, and return the new job's id —
 * with a retry policy that never risks a second tag.
 *
 * The sampling POST is not idempotent: a second one can create a second tag,
 * or fail with `TAG_NAME_EXISTS` after the first succeeded. So it is retried
 * only where the server provably did not act — a connection that failed
 * before anything was sent, and `429 Too Many Requests`. After a timeout, a
 * reset connection, a 5xx or an unreadable 2xx the request may have been
 * applied: it is not retried, and `SamplingMaybeAppliedError` says how to
 * check. Each attempt goes on a fresh connection, so `fetch` never re-sends
 * it by itself; `timeoutMs` is one deadline for the whole call.
 *
 * @module
 */
import {
  type BuildOptions,
  buildSamplingRequest,
  type SamplingRequest,
} from "./build.ts";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import {
  DEFAULT_TIMEOUT_MS,
  type HttpOptions,
  sendJson,
  sendRaw,
} from "./http.ts";
import { SamplingMaybeAppliedError } from "./errors.ts";
import {
  type BackoffOptions,
  checkBackoffOptions,
  checkNumberOption,
  classify,
  type Clock,
  retry,
  systemClock,
} from "./policy.ts";
import { fastAsyncTaskData } from "./_fast_responses.ts";
import type { AsyncTaskData, SamplingInput } from "./types.ts";
import { describeValue } from "./validate.ts";

/**
 * When the sampling POST is sent again. Only two failures are retried: a
 * connection that failed before anything was sent (`NetworkError` with
 * `connectFailed`: refused, DNS, TLS handshake, a port `fetch` blocks), and
 * `429` (after the backoff delay, or `Retry-After` when longer). A wait that
 * would reach the call's `timeoutMs` deadline is not started: the last
 * error is thrown at once, as when the attempts are spent.
 */
export interface TriggerRetryOptions {
  /**
   * Attempts in all, the first one included (1 = never retry).
   *
   * @default {3}
   */
  maxAttempts?: number;
  /**
   * The longest `Retry-After` honoured, in milliseconds; a 429 asking to
   * wait longer is thrown as is, not retried.
   *
   * @default {60000}
   */
  maxRetryAfterMs?: number;
  /**
   * The backoff between attempts; also the shortest wait after a 429 (a
   * `Retry-After` of `0` or of a past date waits this long).
   *
   * @default {{ initialDelayMs: 500, maxDelayMs: 30000, multiplier: 2, jitter: 0.2 }}
   */
  backoff?: BackoffOptions;
  /**
   * Where time comes from; tests pass a fake clock.
   *
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * Options of {@linkcode triggerSampling}: the builder's plus fetch, signal,
 * timeout, retry. `timeoutMs` is one deadline for the whole call: every
 * attempt and the waits between them (each attempt gets the time left).
 */
export interface TriggerOptions extends BuildOptions, HttpOptions {
  /**
   * The retry policy, or `false` to send the POST exactly once. Either way,
   * an outcome that may have been applied is reported as
   * `SamplingMaybeAppliedError` (the original error as `cause`).
   *
   * @default {{ maxAttempts: 3, maxRetryAfterMs: 60000 }}
   */
  retry?: TriggerRetryOptions | false;
}

/** The default number of attempts of the sampling POST. */
export const DEFAULT_TRIGGER_ATTEMPTS = 3;
/** The default longest `Retry-After` the sampling POST honours: 60 s. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

interface RetryPlan {
  readonly maxAttempts: number;
  readonly maxRetryAfterMs: number;
  readonly backoff?: BackoffOptions;
  readonly clock: Clock;
}

/**
 * Checks {@linkcode TriggerOptions.retry}, pushing one issue per bad field.
 *
 * @param retry The option's value; `undefined` and `false` pass.
 * @param path Its dotted name, e.g. `options.retry`.
 * @param issues Where problems are collected.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from "./errors.ts";
 * import { checkRetryOptions } from "./trigger.ts";
 * const issues: ValidationIssue[] = [];
 * checkRetryOptions({ maxAttempts: 0 }, "options.retry", issues);
 * issues[0].path; // "options.retry.maxAttempts"
 * ```
 */
export function checkRetryOptions(
  retry: unknown,
  path: string,
  issues: ValidationIssue[],
): void {
  if (retry === undefined || retry === false) return;
  if (typeof retry !== "object" || retry === null) {
    issues.push({
      path,
      rule: "must be an object or false",
      received: describeValue(retry),
    });
    return;
  }
  const r = retry as Record<string, unknown>;
  checkNumberOption(r.maxAttempts, `${path}.maxAttempts`, {
    min: 1,
    max: 100,
    integer: true,
  }, issues);
  checkNumberOption(
    r.maxRetryAfterMs,
    `${path}.maxRetryAfterMs`,
    { min: 0 },
    issues,
  );
  checkBackoffOptions(r.backoff, `${path}.backoff`, issues);
  const clock = r.clock as Partial<Clock> | undefined;
  if (
    clock !== undefined &&
    (typeof clock?.now !== "function" || typeof clock?.sleep !== "function")
  ) {
    issues.push({
      path: `${path}.clock`,
      rule: "must have now() and sleep(ms, signal) methods",
    });
  }
}

const DEFAULT_PLAN: RetryPlan = Object.freeze({
  maxAttempts: DEFAULT_TRIGGER_ATTEMPTS,
  maxRetryAfterMs: DEFAULT_MAX_RETRY_AFTER_MS,
  clock: systemClock,
});

function planRetry(retry: TriggerRetryOptions | false | undefined): RetryPlan {
  if (retry === undefined) return DEFAULT_PLAN;
  const issues: ValidationIssue[] = [];
  checkRetryOptions(retry, "options.retry", issues);
  if (issues.length > 0) {
    throw new ValidationError(issues, "request options");
  }
  const r = retry === false ? { maxAttempts: 1 } : retry ?? {};
  return {
    maxAttempts: r.maxAttempts ?? DEFAULT_TRIGGER_ATTEMPTS,
    maxRetryAfterMs: r.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    backoff: r.backoff,
    clock: r.clock ?? systemClock,
  };
}

/**
 * The error to throw for a failure that is not retried: the original, or
 * `SamplingMaybeAppliedError` when the POST may have reached the server and
 * been acted on (timeout, reset, 5xx, an unreadable 2xx).
 */
function settle(error: unknown, input: SamplingInput): unknown {
  return classify(error).maybeApplied
    ? new SamplingMaybeAppliedError({
      tagName: input.body.newTagName,
      datasetId: input.datasetId,
      cause: error,
    })
    : error;
}

/** A 429 answer to `triggerSamplingRaw`, carried through the retry loop as a failure. */
class TooManyRequests {
  readonly kind = "api";
  readonly status = 429;
  readonly retryAfter?: string;
  constructor(readonly response: Response) {
    this.retryAfter = response.headers.get("retry-after") ?? undefined;
  }
}

/**
 * Sends the POST with the trigger's retry policy: only what cannot have
 * reached the server, or a 429, is sent again; `timeoutMs` is one deadline
 * for the whole call, each attempt getting the time left.
 */
function send<T>(
  request: SamplingRequest,
  options: TriggerOptions,
  attempt: (options: HttpOptions) => Promise<T>,
  stop: (error: unknown) => T,
): Promise<T> {
  const plan = planRetry(options.retry);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A bad timeoutMs is refused by the first attempt's own check.
  if (!(typeof timeoutMs === "number" && timeoutMs > 0)) {
    return attempt(options);
  }
  return retry((left) =>
    attempt({
      fetch: options.fetch,
      signal: options.signal,
      timeoutMs: left >= timeoutMs
        ? options.timeoutMs
        : Math.max(1, Math.ceil(left)),
    }), {
    maxAttempts: plan.maxAttempts,
    retryIf: (verdict) => verdict.resendPost,
    backoff: plan.backoff,
    maxRetryAfterMs: plan.maxRetryAfterMs,
    clock: plan.clock,
    signal: options.signal,
    deadline: plan.clock.now() + timeoutMs,
    method: "POST",
    url: request.url,
    onRetry: (error) =>
      error instanceof TooManyRequests
        ? error.response.body?.cancel()
        : undefined,
  }, stop);
}

/**
 * Triggers a sampling job: validates everything (nothing is sent on bad
 * input), POSTs it, and returns the validated `{ jobId }`.
 *
 * The POST is retried only when the server provably did not act: a
 * connection that failed before anything was sent, and 429 (honouring
 * `Retry-After` up to `maxRetryAfterMs`). The request is built once; each
 * attempt is a fresh `fetch` on a connection of its own (one more TCP and
 * TLS handshake per attempt), so `fetch` never re-sends it by itself. When
 * the POST may have been applied (timeout, reset, 5xx, unreadable 2xx) it is
 * never retried and `SamplingMaybeAppliedError` is thrown, whatever the
 * `retry` option. An abort after the request left may also have been
 * applied: it is reported as `AbortedError`.
 *
 * `timeoutMs` (default 180 s) bounds the whole call, retries and waits
 * included; a wait that would reach it is not started and the last error
 * is thrown at once.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @param options Base URL, credentials, headers, fetch, signal, timeout, retry policy.
 * @returns The server's `AsyncTaskData`, `{ jobId }` (unknown fields kept).
 * @throws {ValidationError} Bad input or options; nothing was sent.
 * @throws {SamplingMaybeAppliedError} The POST may have been applied; check for the tag name before trying again.
 * @throws {LightlyApiError} The API said no (status, code, message, request id); a 429 once retries or time are spent.
 * @throws {UnexpectedResponseError} A 4xx answer that is not the API's (e.g. an HTML page).
 * @throws {NetworkError} Could not connect, on every attempt or until the deadline (`connectFailed`: nothing was sent).
 * @throws {AbortedError} The caller's signal fired.
 *
 * @example Trigger a coreset selection of 100 samples
 * ```ts ignore
 * import { triggerSampling } from "./trigger.ts";
 * const { jobId } = await triggerSampling({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: {
 *     newTagName: "coreset-100",
 *     method: "CORESET",
 *     config: { stoppingCondition: { nSamples: 100 } },
 *   },
 * }, { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * console.log(jobId);
 * ```
 */
export async function triggerSampling(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<AsyncTaskData> {
  const request = buildSamplingRequest(input, options);
  return await send(
    request,
    options,
    (http) => sendJson(request, fastAsyncTaskData, http),
    (error) => {
      throw settle(error, input);
    },
  );
}

/**
 * Like {@linkcode triggerSampling} but returns the `Response` untouched (no
 * status check, body unread), like the Python client's
 * `skip_deserialization`. Input is validated all the same. `timeoutMs` covers
 * the wait for the headers of every attempt and the waits between them, not
 * the body: you must read or cancel the body.
 *
 * The same retry policy applies: a refused connection and a 429 are retried
 * (the 429's body is cancelled first); a timeout or reset before the headers
 * came throws `SamplingMaybeAppliedError`. Any other status, 5xx included,
 * is returned to you as is.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @param options Base URL, credentials, headers, fetch, signal, timeout, retry policy.
 * @returns The raw `Response`.
 * @throws {ValidationError} Bad input or options; nothing was sent.
 * @throws {SamplingMaybeAppliedError} No headers came, and the POST may have been applied.
 * @throws {NetworkError | AbortedError} Could not connect on any attempt, or the caller aborted.
 *
 * @example Inspect the raw answer
 * ```ts ignore
 * import { triggerSamplingRaw } from "./trigger.ts";
 * const response = await triggerSamplingRaw({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * });
 * console.log(response.status, await response.text());
 * ```
 */
export async function triggerSamplingRaw(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<Response> {
  const request = buildSamplingRequest(input, options);
  return await send(
    request,
    options,
    async (http) => {
      const response = await sendRaw(request, http);
      if (response.status === 429) throw new TooManyRequests(response);
      return response;
    },
    (error) => {
      if (error instanceof TooManyRequests) return error.response;
      throw settle(error, input);
    },
  );
}
