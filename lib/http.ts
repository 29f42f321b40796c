/**
 * The one place that calls `fetch`: per-call timeout covering headers and
 * body, the caller's abort signal, a body size cap, every body read or
 * cancelled, secrets kept out of errors, and status → typed error mapping.
 *
 * @module
 */
import type { LightlyRequest } from "./build.ts";
import {
  AbortedError,
  LightlyApiError,
  NetworkError,
  SamplingValidationError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.ts";
import { redactText, redactUrl, secretsOf } from "./redact.ts";
import { ApiErrorResponseSchema } from "./schema.ts";
import { describeValue } from "./validate.ts";

/** The default per-request timeout: 180 s, like Lightly's own client. */
export const DEFAULT_TIMEOUT_MS = 180_000;
/** The largest response body read into memory: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Options of every call that goes over the network. */
export interface HttpOptions {
  /**
   * The `fetch` to use, e.g. a wrapped one for logging or tests.
   *
   * @default {globalThis.fetch}
   */
  fetch?: typeof fetch;
  /**
   * Stops the request (and any body reading) at once.
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * Limit for the whole call, headers and body, in milliseconds.
   *
   * @default {180000}
   */
  timeoutMs?: number;
}

/** A schema-like validator: zod's `safeParse` shape. */
export interface ResponseSchema<T> {
  /** Validates `data`. */
  safeParse(
    data: unknown,
  ):
    | { success: true; data: T }
    | {
      success: false;
      error: {
        issues: readonly { path: readonly PropertyKey[]; message: string }[];
      };
    };
}

const TIMEOUT = Symbol("timeout");

/** An in-flight call: its response and the means to end its timer. */
interface Call {
  readonly response: Response;
  readonly context: Context;
  /** Clears the timer and detaches from the caller's signal. */
  readonly finish: () => void;
  /** Maps a failure during body reading to a typed error. */
  readonly fail: (error: unknown) => Error;
}

interface Context {
  readonly method: string;
  readonly url: string;
  readonly secrets: readonly string[];
}

function checkTimeout(timeoutMs: unknown): number {
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== "number" || !(timeoutMs > 0) ||
    !Number.isFinite(timeoutMs)
  ) {
    throw new SamplingValidationError([{
      path: "options.timeoutMs",
      rule: "must be a positive, finite number of milliseconds",
      received: describeValue(timeoutMs),
    }], "request options");
  }
  return timeoutMs;
}

function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(redactText(source.message, secrets));
  copy.name = source.name;
  copy.stack = redactText(source.stack ?? "", secrets);
  return copy;
}

function isConnectFailure(message: string): boolean {
  return /connection refused|tcp connect error|dns error|failed to lookup|name or service not known|no route to host|network is unreachable/i
    .test(message);
}

/**
 * Sends a request. The returned call's timer keeps running until `finish()`,
 * so body reading is covered by the same timeout and signal.
 */
async function start(
  request: LightlyRequest,
  options: HttpOptions,
): Promise<Call> {
  const timeoutMs = checkTimeout(options.timeoutMs);
  const doFetch = options.fetch ?? globalThis.fetch;
  const signal = options.signal;
  const context: Context = {
    method: request.method,
    url: redactUrl(request.url),
    secrets: secretsOf(request.url, request.headers),
  };
  const where = { method: context.method, url: context.url };
  if (signal?.aborted) {
    throw new AbortedError({ ...where, cause: signal.reason });
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const finish = () => {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  };
  const fail = (error: unknown): Error => {
    finish();
    if (controller.signal.aborted) {
      return controller.signal.reason === TIMEOUT
        ? new TimeoutError(timeoutMs, where)
        : new AbortedError({ ...where, cause: controller.signal.reason });
    }
    // fetch names the URL (and so the token) in its messages: keep a sanitized copy only.
    const cause = sanitizedCause(error, context.secrets);
    const connectFailed = isConnectFailure(cause.message);
    return new NetworkError(
      `${context.method} ${context.url} failed: ${
        connectFailed ? "could not connect" : "the connection failed"
      } (${cause.message})`,
      { ...where, cause, connectFailed },
    );
  };
  try {
    const response = await doFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
    });
    return { response, context, finish, fail };
  } catch (error) {
    throw fail(error);
  }
}

/** Reads a body up to `cap` bytes, cancelling the stream when it is larger. */
async function readCapped(
  response: Response,
  cap: number,
): Promise<string | undefined> {
  const length = response.headers.get("content-length");
  if (length !== null && Number(length) > cap) {
    await response.body?.cancel();
    return undefined;
  }
  if (length !== null) return await response.text();
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function snippet(text: string, secrets: readonly string[]): string {
  // deno-lint-ignore no-control-regex
  const flat = text.slice(0, 200).replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim();
  return redactText(flat, secrets) + (text.length > 200 ? "…" : "");
}

function errorFor(
  response: Response,
  text: string | undefined,
  context: Context,
  reason?: string,
): Error {
  const status = response.status;
  const contentType = response.headers.get("content-type") ?? undefined;
  const headerRequestId = response.headers.get("x-request-id") ?? undefined;
  const retryAfter = response.headers.get("retry-after") ?? undefined;
  const base = {
    method: context.method,
    url: context.url,
    status,
    retryAfter,
  };
  if (text === undefined) {
    return new UnexpectedResponseError({
      ...base,
      contentType,
      requestId: headerRequestId,
      reason: `body larger than ${MAX_BODY_BYTES} bytes`,
    });
  }
  if (reason === undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch { /* not JSON: reported below */ }
    const parsed = ApiErrorResponseSchema.safeParse(json);
    if (parsed.success) {
      const body = parsed.data;
      return new LightlyApiError({
        ...base,
        code: redactText(body.code, context.secrets),
        serverMessage: redactText(body.error, context.secrets),
        requestId: body.requestId ?? headerRequestId,
        errorLabels: body.errorLabels,
      });
    }
  }
  return new UnexpectedResponseError({
    ...base,
    contentType,
    requestId: headerRequestId,
    bodySnippet: text === "" ? undefined : snippet(text, context.secrets),
    reason: reason ??
      (text === "" ? "empty body" : "body is not a Lightly ApiErrorResponse"),
  });
}

/**
 * Sends `request` and returns the `Response` untouched: no status check, body
 * unread. The timeout covers only the wait for the headers; the caller's
 * signal still stops body reading. The caller must read or cancel the body.
 *
 * @param request A request from a builder of this package.
 * @param options fetch, signal and timeout.
 * @returns The raw response.
 * @throws {NetworkError | TimeoutError | AbortedError} When no response came.
 *
 * @example
 * ```ts
 * import { sendRaw } from "./http.ts";
 * import { buildSamplingRequest } from "./build.ts";
 * const request = buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * });
 * const response = await sendRaw(request, {});
 * await response.body?.cancel();
 * ```
 */
export async function sendRaw(
  request: LightlyRequest,
  options: HttpOptions = {},
): Promise<Response> {
  const call = await start(request, options);
  // The caller owns the body from here on: only the header wait was timed.
  call.finish();
  return call.response;
}

/**
 * Sends `request`, reads the JSON answer (at most 1 MiB) and validates it.
 *
 * @param request A request from a builder of this package.
 * @param schema Validates the 2xx body.
 * @param options fetch, signal and timeout.
 * @returns The validated body.
 * @throws {LightlyApiError} A non-2xx answer with an `ApiErrorResponse` body.
 * @throws {UnexpectedResponseError} Any other unusable answer.
 * @throws {NetworkError | TimeoutError | AbortedError} When no (full) answer came.
 *
 * @example
 * ```ts
 * import { sendJson } from "./http.ts";
 * import { AsyncTaskDataSchema } from "./schema.ts";
 * import { buildSamplingRequest } from "./build.ts";
 * const request = buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * });
 * const { jobId } = await sendJson(request, AsyncTaskDataSchema, {});
 * ```
 */
export async function sendJson<T>(
  request: LightlyRequest,
  schema: ResponseSchema<T>,
  options: HttpOptions = {},
): Promise<T> {
  const call = await start(request, options);
  const { response, context } = call;
  let text: string | undefined;
  try {
    text = await readCapped(response, MAX_BODY_BYTES);
  } catch (error) {
    throw call.fail(error);
  }
  call.finish();
  if (!response.ok || text === undefined) {
    throw errorFor(response, text, context);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errorFor(response, text, context, "body is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) =>
      `${i.path.map(String).join(".") || "(body)"} ${i.message}`
    ).join("; ");
    throw errorFor(
      response,
      text,
      context,
      `body does not have the expected shape (${problems})`,
    );
  }
  return parsed.data;
}
