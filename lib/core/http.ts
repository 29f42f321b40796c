/**
 * The one place that calls `fetch`: per-call timeout covering headers and
 * body, the caller's abort signal, a body size cap counted on the stream,
 * a connection of its own for the sampling POST (never re-sent by `fetch`),
 * every body read or cancelled, secrets kept out of errors, and status →
 * typed error mapping.
 *
 * @module
 */
import type { LightlyRequest } from "./build.ts";
import {
  AbortedError,
  LightlyApiError,
  NetworkError,
  TimeoutError,
  UnexpectedResponseError,
  ValidationError,
} from "./errors.ts";
import { redactSnippet, redactText, redactUrl, secretsOf } from "./redact.ts";
import { readTextCapped } from "./read_capped.ts";
import { ApiErrorResponseSchema } from "./schemas.ts";
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
   * The sampling POST is sent at most once only as far as this `fetch` goes:
   * its `init` carries `client`, a `Deno.HttpClient` that never reuses a
   * connection, so Deno's `fetch` cannot re-send it on its own. A wrapper
   * that passes `init` on to Deno's `fetch` keeps that guarantee; a `fetch`
   * that drops `client`, or retries by itself, decides alone whether the
   * POST can arrive twice.
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
/** The longest delay `setTimeout` honours (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMEOUT_MS = 2_147_483_647;

interface Context {
  readonly method: string;
  readonly url: string;
  readonly secrets: readonly string[];
}

function checkTimeout(timeoutMs: unknown): number {
  if (timeoutMs === undefined) return DEFAULT_TIMEOUT_MS;
  if (
    typeof timeoutMs !== "number" || !(timeoutMs > 0) ||
    !(timeoutMs <= MAX_TIMEOUT_MS)
  ) {
    // setTimeout fires at once for delays above 2^31 - 1 ms: refuse them.
    throw new ValidationError([{
      path: "options.timeoutMs",
      rule:
        `must be a positive, finite number of milliseconds, at most ${MAX_TIMEOUT_MS}`,
      received: describeValue(timeoutMs),
    }], "request options");
  }
  return timeoutMs;
}

function sanitizedCause(error: unknown, secrets: readonly string[]): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  // Deno's fetch throws "fetch failed" and keeps the detail (e.g. "Connection
  // refused") in `cause`: fold up to three levels of causes into the message.
  let message = source.message;
  let inner: unknown = source.cause;
  for (let depth = 0; depth < 3 && inner !== undefined; depth++) {
    message += ": " + (inner instanceof Error ? inner.message : String(inner));
    inner = inner instanceof Error ? inner.cause : undefined;
  }
  const copy = new Error(redactText(message, secrets));
  copy.name = source.name;
  copy.stack = redactText(source.stack ?? "", secrets);
  return copy;
}

/**
 * Whether a fetch failure happened before any byte of the request left: then
 * the server cannot have acted. Deno's fetch says `client error (Connect)`
 * for everything that fails while connecting (TCP, DNS, TLS handshake,
 * proxy), and refuses some ports (e.g. 6000, 10080) before connecting; the
 * other phrases cover fetches injected by the caller.
 */
function isConnectFailure(message: string): boolean {
  return /client error \(connect\)|requests to port \d+ are blocked|connection refused|tcp connect error|dns error|failed to lookup|name or service not known|no route to host|network is unreachable/i
    .test(message);
}

function abortForTimeout(controller: AbortController): void {
  controller.abort(TIMEOUT);
}

/**
 * One in-flight request: its timer, its link to the caller's signal, and the
 * mapping of failures to typed errors. A class rather than closures keeps the
 * request path to one allocation; the redacted context is computed only when
 * an error needs it.
 */
class Call {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #request: LightlyRequest;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  #context: Context | undefined;

  constructor(
    request: LightlyRequest,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ) {
    this.#request = request;
    this.#timeoutMs = timeoutMs;
    this.#signal = signal;
    this.#timer = setTimeout(abortForTimeout, timeoutMs, this.#controller);
    signal?.addEventListener("abort", this, { once: true });
  }

  /** The signal passed to fetch: fires on timeout or the caller's abort. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The request's method, redacted URL and secrets (for errors only). */
  get context(): Context {
    return this.#context ??= {
      method: this.#request.method,
      url: redactUrl(this.#request.url),
      secrets: secretsOf(this.#request.url, this.#request.headers),
    };
  }

  /** The caller's signal fired: abort fetch with its reason. */
  handleEvent(): void {
    this.#controller.abort(this.#signal!.reason);
  }

  /** Clears the timer only: the caller's signal still stops body reading. */
  stopTimer(): void {
    clearTimeout(this.#timer);
  }

  /** Clears the timer and detaches from the caller's signal. */
  finish(): void {
    clearTimeout(this.#timer);
    this.#signal?.removeEventListener("abort", this);
  }

  /** Maps a failure (of fetch or of body reading) to a typed error. */
  fail(error: unknown): Error {
    this.finish();
    const { method, url, secrets } = this.context;
    const where = { method, url };
    const controller = this.#controller;
    if (controller.signal.aborted) {
      return controller.signal.reason === TIMEOUT
        ? new TimeoutError(this.#timeoutMs, where)
        : new AbortedError({ ...where, cause: controller.signal.reason });
    }
    // fetch names the URL (and so the token) in its messages: keep a sanitized copy only.
    const cause = sanitizedCause(error, secrets);
    const connectFailed = isConnectFailure(cause.message);
    return new NetworkError(
      `${
        connectFailed ? "could not connect" : "the connection failed"
      } (${cause.message})`,
      { ...where, cause, connectFailed },
    );
  }
}

/**
 * Checks the options and opens a call (its timer starts now). Synchronous,
 * so the request path has no extra promise before `fetch`.
 */
function open(request: LightlyRequest, options: HttpOptions): Call {
  const timeoutMs = checkTimeout(options.timeoutMs);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new ValidationError([{
      path: "options.fetch",
      rule: "must be a function like globalThis.fetch",
      received: describeValue(options.fetch),
    }], "request options");
  }
  const signal = options.signal;
  if (signal?.aborted) {
    throw new AbortedError({
      method: request.method,
      url: redactUrl(request.url),
      cause: signal.reason,
    });
  }
  return new Call(request, timeoutMs, signal);
}

/**
 * A client whose connections are never reused, for requests that must not be
 * sent twice. Deno's `fetch` re-sends a request once, by itself, when a
 * reused keep-alive connection closes before any answer: for the sampling
 * POST that could start a second job, or answer `409 TAG_NAME_EXISTS` for
 * the caller's own. A fresh connection costs one handshake (TCP, and TLS
 * for https). `undefined` outside Deno.
 */
function freshConnection(): Deno.HttpClient | undefined {
  return globalThis.Deno?.createHttpClient?.({ poolMaxIdlePerHost: 0 });
}

/**
 * Runs `fetch` for an open call. GETs share the pooled connections; any
 * other method (the sampling POST) goes on a connection of its own, whose
 * client is closed once the headers came (the body stays readable).
 */
async function send(
  call: Call,
  request: LightlyRequest,
  options: HttpOptions,
): Promise<Response> {
  const client = request.method === "GET" ? undefined : freshConnection();
  try {
    return await (options.fetch ?? fetch)(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: call.signal,
      // A redirect would carry the ?token= API key to another host (and turn
      // the POST into a GET): never follow one, report it instead.
      redirect: "manual",
      client,
    });
  } finally {
    client?.close();
  }
}

function errorFor(
  response: Response,
  text: string | undefined,
  context: Context,
  reason?: string,
): Error {
  const status = response.status;
  // Everything the server sent is masked too: a server may echo the token.
  const safe = (text: string | null | undefined) =>
    text === null || text === undefined
      ? undefined
      : redactText(text, context.secrets);
  const contentType = safe(response.headers.get("content-type"));
  const headerRequestId = safe(response.headers.get("x-request-id"));
  const retryAfter = safe(response.headers.get("retry-after"));
  const base = {
    method: context.method,
    url: context.url,
    status,
    retryAfter,
  };
  if (reason === undefined && status >= 300 && status < 400) {
    const location = safe(response.headers.get("location"));
    reason = `a redirect${
      location ? ` to ${redactUrl(location)}` : ""
    }, which is not followed so that credentials never travel to another host: set baseUrl to the final address`;
  }
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
        requestId: safe(body.requestId) ?? headerRequestId,
        errorLabels: body.errorLabels?.map((label) =>
          redactText(label, context.secrets)
        ),
      });
    }
  }
  return new UnexpectedResponseError({
    ...base,
    contentType,
    requestId: headerRequestId,
    bodySnippet: text === "" ? undefined : redactSnippet(text, context.secrets),
    reason: safe(reason) ??
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
  const call = open(request, options);
  let response: Response;
  try {
    response = await send(call, request, options);
  } catch (error) {
    throw call.fail(error);
  }
  // The caller owns the body from here on: only the header wait was timed,
  // and the caller's signal stays attached so it still stops body reading.
  call.stopTimer();
  return response;
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
 * import { AsyncTaskDataSchema } from "./schemas.ts";
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
  const call = open(request, options);
  let response: Response;
  let text: string | undefined;
  try {
    response = await send(call, request, options);
    // Always read through the capped stream: a declared Content-Length is
    // never trusted (sent alongside `Transfer-Encoding: chunked`, or with a
    // compressed body, it says nothing about the bytes that follow).
    text = response.body === null
      ? ""
      : await readTextCapped(response.body, MAX_BODY_BYTES);
  } catch (error) {
    throw call.fail(error);
  }
  call.finish();
  if (!response.ok || text === undefined) {
    throw errorFor(response, text, call.context);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errorFor(response, text, call.context, "body is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) =>
      `${i.path.map(String).join(".") || "(body)"} ${i.message}`
    ).join("; ");
    throw errorFor(
      response,
      text,
      call.context,
      `body does not have the expected shape (${problems})`,
    );
  }
  return parsed.data;
}

/** Options of {@linkcode sendText}: those of every call, plus a body cap. */
export interface TextOptions extends HttpOptions {
  /** The largest 2xx body accepted, in bytes (read through a capped stream). */
  maxBodyBytes: number;
}

/**
 * Sends `request` and reads a 2xx answer as text, up to `maxBodyBytes`:
 * for answers larger than the 1 MiB JSON cap (export pages, 2-D embeddings).
 * The body is never put into an error: it may hold signed read URLs.
 *
 * @param request A request from a builder of this package.
 * @param options fetch, signal, timeout and the body cap.
 * @returns The body and its `Content-Type` (`""` when absent).
 * @throws {LightlyApiError | UnexpectedResponseError} A non-2xx answer, or a body over the cap.
 * @throws {NetworkError | TimeoutError | AbortedError} When no (full) answer came.
 *
 * @example
 * ```ts ignore
 * import { sendText } from "./http.ts";
 * import { buildGetRequest } from "./build.ts";
 * const request = buildGetRequest("/v1/datasets/0123456789abcdef01234567/embeddings");
 * const { text } = await sendText(request, { maxBodyBytes: 1 << 26 });
 * ```
 */
export async function sendText(
  request: LightlyRequest,
  options: TextOptions,
): Promise<{ text: string; contentType: string }> {
  const call = open(request, options);
  let response: Response;
  let text: string | undefined;
  try {
    response = await send(call, request, options);
    text = response.body === null
      ? ""
      : await readTextCapped(response.body, options.maxBodyBytes);
  } catch (error) {
    throw call.fail(error);
  }
  call.finish();
  if (!response.ok && text !== undefined) {
    throw errorFor(response, text, call.context);
  }
  const contentType = response.headers.get("content-type") ?? "";
  if (text === undefined) {
    throw new UnexpectedResponseError({
      method: call.context.method,
      url: call.context.url,
      status: response.status,
      contentType: redactText(contentType, call.context.secrets),
      reason: `body larger than ${options.maxBodyBytes} bytes`,
    });
  }
  return { text, contentType };
}
