/**
 * The one place that calls `fetch`: a per-call timeout covering headers and
 * body, the caller's abort signal, a body size cap counted on the stream, a
 * connection of its own for the sampling POST (never re-sent by `fetch`),
 * every body read or cancelled, and status → typed error.
 *
 * @module
 */
import type { LightlyRequest } from "./build.ts";
import { DEFAULT_TIMEOUT_MS } from "./client.ts";
import {
  AbortedError,
  LightlyApiError,
  NetworkError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.ts";
import { redactSnippet, redactText, redactUrl, secretsOf } from "./redact.ts";
import { readTextCapped } from "./read_capped.ts";
import { HTTP_OPTIONS } from "./rules.ts";
import { ApiErrorResponseSchema } from "./schemas.ts";
import { validate } from "./validate.ts";

export { DEFAULT_TIMEOUT_MS };
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
const CONNECT_FAILURE =
  /client error \(connect\)|requests to port \d+ are blocked|connection refused|tcp connect error|dns error|failed to lookup|name or service not known|no route to host|network is unreachable/i;

function abortForTimeout(controller: AbortController): void {
  controller.abort(TIMEOUT);
}

interface Context {
  readonly method: string;
  readonly url: string;
  readonly secrets: readonly string[];
}

/** The request's method, URL and secrets: computed only for an error. */
function contextOf(request: LightlyRequest): Context {
  const { method, url, headers } = request;
  return { method, url, secrets: secretsOf(url, headers) };
}

/**
 * One request in flight: its timer, its link to the caller's signal, and the
 * mapping of failures to typed errors. A class rather than closures keeps the
 * request path to one allocation; the error context is computed only when
 * an error needs it.
 */
class Call {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #request: LightlyRequest;
  readonly #signal: AbortSignal | undefined;
  readonly #timeoutMs: number;
  readonly fetch: typeof fetch;

  constructor(request: LightlyRequest, options: HttpOptions) {
    // Read once and checked: everything below uses the snapshot.
    const o: HttpOptions = validate("request options", [HTTP_OPTIONS], [
      options,
    ])[0] ?? {};
    const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const fetchFn = o.fetch;
    const signal = o.signal;
    if (signal?.aborted) {
      throw new AbortedError({
        method: request.method,
        url: request.url,
        cause: signal.reason,
      });
    }
    this.#request = request;
    this.#timeoutMs = timeoutMs;
    this.#signal = signal;
    this.fetch = fetchFn ?? fetch;
    this.#timer = setTimeout(abortForTimeout, timeoutMs, this.#controller);
    signal?.addEventListener("abort", this, { once: true });
  }

  /** The caller's signal fired: abort fetch with its reason. */
  handleEvent(): void {
    this.#controller.abort(this.#signal!.reason);
  }

  /**
   * Sends the request. GETs share the pooled connections; any other method
   * (the sampling POST) goes on a connection of its own, closed once the
   * headers came (the body stays readable): Deno's `fetch` re-sends a request
   * by itself when a reused keep-alive connection closes before any answer,
   * which for the POST could start a second job.
   */
  async send(): Promise<Response> {
    const request = this.#request;
    const client = request.method === "GET"
      ? undefined
      : globalThis.Deno?.createHttpClient?.({ poolMaxIdlePerHost: 0 });
    try {
      return await this.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: this.#controller.signal,
        // A redirect would carry the ?token= API key to another host (and
        // turn the POST into a GET): never follow one, report it instead.
        redirect: "manual",
        client,
      });
    } finally {
      client?.close();
    }
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
    const { method, url, secrets } = contextOf(this.#request);
    const signal = this.#controller.signal;
    if (signal.aborted) {
      return signal.reason === TIMEOUT
        ? new TimeoutError(this.#timeoutMs, { method, url })
        : new AbortedError({ method, url, cause: signal.reason });
    }
    // fetch names the URL (and so the token) in its messages: keep a sanitized copy only.
    const cause = sanitizedCause(error, secrets);
    const connectFailed = CONNECT_FAILURE.test(cause.message);
    return new NetworkError(
      `${
        connectFailed ? "could not connect" : "the connection failed"
      } (${cause.message})`,
      { method, url, secrets, cause, connectFailed },
    );
  }
}

function errorFor(
  response: Response,
  text: string | undefined,
  request: LightlyRequest,
  cap: number,
  reason?: string,
): Error {
  const context = contextOf(request);
  const header = (name: string) => response.headers.get(name) ?? undefined;
  const base = {
    method: context.method,
    url: context.url,
    secrets: context.secrets,
    status: response.status,
    retryAfter: header("retry-after"),
  };
  const requestId = header("x-request-id");
  if (reason === undefined && response.status >= 300 && response.status < 400) {
    const location = header("location");
    reason = `a redirect${
      location ? ` to ${redactUrl(location)}` : ""
    }, which is not followed so that credentials never travel to another host: set baseUrl to the final address`;
  }
  if (text !== undefined && reason === undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch { /* not JSON: reported below */ }
    const parsed = ApiErrorResponseSchema.safeParse(json);
    if (parsed.success) {
      const body = parsed.data;
      return new LightlyApiError({
        ...base,
        code: body.code,
        serverMessage: body.error,
        requestId: body.requestId ?? requestId,
        errorLabels: body.errorLabels,
      });
    }
  }
  return new UnexpectedResponseError({
    ...base,
    contentType: header("content-type"),
    requestId,
    bodySnippet: text ? redactSnippet(text, context.secrets) : undefined,
    reason: text === undefined ? `body larger than ${cap} bytes` : reason ??
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
 */
export async function sendRaw(
  request: LightlyRequest,
  options: HttpOptions = {},
): Promise<Response> {
  const call = new Call(request, options);
  let response: Response;
  try {
    response = await call.send();
  } catch (error) {
    throw call.fail(error);
  }
  // The caller owns the body from here on: only the header wait was timed,
  // and the caller's signal stays attached so it still stops body reading.
  call.stopTimer();
  return response;
}

/**
 * Sends `request` and reads the whole answer through the capped stream (a
 * declared `Content-Length` is never trusted): the 2xx body's text, or the
 * typed error of any other answer.
 */
async function exchange(
  request: LightlyRequest,
  options: HttpOptions,
  cap: number,
): Promise<{ response: Response; text: string }> {
  const call = new Call(request, options);
  let response: Response;
  let text: string | undefined;
  try {
    response = await call.send();
    text = response.body === null
      ? ""
      : await readTextCapped(response.body, cap);
  } catch (error) {
    throw call.fail(error);
  }
  call.finish();
  if (!response.ok || text === undefined) {
    throw errorFor(response, text, request, cap);
  }
  return { response, text };
}

/** Options of {@linkcode sendJson} and {@linkcode sendText}: those of every call, and a body cap. */
export interface ReadOptions extends HttpOptions {
  /**
   * The largest body accepted, in bytes.
   *
   * @default {1048576}
   */
  maxBodyBytes?: number;
}

/**
 * Sends `request`, reads the JSON answer (at most `maxBodyBytes`) and
 * validates it with `schema`.
 *
 * @param request A request from a builder of this package.
 * @param schema Validates the 2xx body.
 * @param options fetch, signal, timeout and the body cap.
 * @returns The validated body.
 * @throws {LightlyApiError} A non-2xx answer with an `ApiErrorResponse` body.
 * @throws {UnexpectedResponseError} Any other unusable answer.
 * @throws {NetworkError | TimeoutError | AbortedError} When no (full) answer came.
 */
export async function sendJson<T>(
  request: LightlyRequest,
  schema: ResponseSchema<T>,
  options: ReadOptions = {},
): Promise<T> {
  const cap = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const { response, text } = await exchange(request, options, cap);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw errorFor(response, text, request, cap, "body is not valid JSON");
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 3).map((i) =>
    `${i.path.map(String).join(".") || "(body)"} ${i.message}`
  ).join("; ");
  throw errorFor(
    response,
    text,
    request,
    cap,
    `body does not have the expected shape (${problems})`,
  );
}

/**
 * Sends `request` and reads a 2xx answer as text, up to `maxBodyBytes`. The
 * body of a 2xx is never put into an error: it may hold signed read URLs.
 *
 * @param request A request from a builder of this package.
 * @param options fetch, signal, timeout and the body cap.
 * @returns The body and its `Content-Type` (`""` when absent).
 * @throws {LightlyApiError | UnexpectedResponseError} A non-2xx answer, or a body over the cap.
 * @throws {NetworkError | TimeoutError | AbortedError} When no (full) answer came.
 */
export async function sendText(
  request: LightlyRequest,
  options: ReadOptions = {},
): Promise<{ text: string; contentType: string }> {
  const cap = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const { response, text } = await exchange(request, options, cap);
  return { text, contentType: response.headers.get("content-type") ?? "" };
}
