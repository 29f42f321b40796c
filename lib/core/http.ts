/**
 * The one place that calls `fetch`: a timeout covering headers and body, the
 * caller's signal, a body cap counted on the stream, a connection of its own
 * for the sampling POST (never re-sent by `fetch`), every body read or
 * cancelled, and each failure turned into its typed error.
 *
 * @module
 */
import type { LightlyRequest } from "./build.ts";
import { DEFAULT_TIMEOUT_MS, type HttpOptions } from "./client.ts";
import {
  AbortedError,
  LightlyApiError,
  NetworkError,
  TimeoutError,
  UnexpectedResponseError,
} from "./errors.ts";
import { redactSnippet, redactText, redactUrl, secretsOf } from "./redact.ts";
import { readTextCapped } from "./read_capped.ts";
import { ApiErrorResponseSchema, type Schema } from "./schemas.ts";

/** The largest response body read into memory: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A validator of answers: zod's `safeParse`. */
export type ResponseSchema<T> = Pick<Schema<T>, "safeParse">;

const TIMEOUT = Symbol("timeout");

/** A failure before any byte left (Deno's `client error (Connect)`, blocked ports, injected fetches' phrases). */
const CONNECT_FAILURE =
  /client error \(connect\)|requests to port \d+ are blocked|connection refused|tcp connect error|dns error|failed to lookup|name or service not known|no route to host|network is unreachable/i;

function abortForTimeout(controller: AbortController): void {
  controller.abort(TIMEOUT);
}

/** The request's method, URL and secrets: computed only for an error. */
function contextOf({ method, url, headers }: LightlyRequest) {
  return { method, url, secrets: secretsOf(url, headers) };
}

/**
 * `fetch` with no redirect followed (it would carry the `?token=` API key to
 * another host, and turn the POST into a GET). A GET shares the pooled
 * connections; any other request goes on a connection of its own, closed
 * once the headers came: Deno's `fetch` re-sends a request by itself when a
 * reused connection closes before any answer, which for the POST could start
 * a second job. A caller's `httpClient` (no idle connection either) is used
 * instead, and not closed.
 */
function send(
  request: LightlyRequest,
  o: HttpOptions,
  signal: AbortSignal,
): Promise<Response> {
  const { method, url, headers, body } = request;
  const init = { method, headers, body, signal, redirect: "manual" } as const;
  const fetchFn = o.fetch ?? fetch;
  if (method === "GET") return fetchFn(url, init);
  if (o.httpClient) return fetchFn(url, { ...init, client: o.httpClient });
  const client = globalThis.Deno?.createHttpClient?.({ poolMaxIdlePerHost: 0 });
  try {
    return fetchFn(url, { ...init, client }).finally(() => client?.close());
  } catch (error) {
    client?.close(); // an injected fetch that throws at once
    throw error;
  }
}

/** What `fetch` or the body reading threw, as a typed error (a masked copy of `fetch`'s own, which names the URL). */
function failure(
  error: unknown,
  request: LightlyRequest,
  signal: AbortSignal,
  timeoutMs: number,
): Error {
  const { method, url, secrets } = contextOf(request);
  if (signal.aborted) {
    return signal.reason === TIMEOUT
      ? new TimeoutError(timeoutMs, { method, url })
      : new AbortedError({ method, url, cause: signal.reason });
  }
  const source = error instanceof Error ? error : new Error(String(error));
  let message = source.message;
  let inner: unknown = source.cause;
  for (let depth = 0; depth < 3 && inner !== undefined; depth++) {
    message += ": " + (inner instanceof Error ? inner.message : String(inner));
    inner = inner instanceof Error ? inner.cause : undefined;
  }
  const cause = new Error(redactText(message, secrets));
  cause.name = source.name;
  cause.stack = redactText(source.stack ?? "", secrets);
  const connectFailed = CONNECT_FAILURE.test(cause.message);
  return new NetworkError(
    `${
      connectFailed ? "could not connect" : "the connection failed"
    } (${cause.message})`,
    { method, url, secrets, cause, connectFailed },
  );
}

/**
 * One request under one deadline (headers and body) and the caller's signal:
 * a 2xx answer and its text, read up to `cap` bytes, or its typed error; with
 * `cap` undefined, the answer unread and unchecked (the deadline then covers
 * the headers only; the caller's signal still stops the body).
 */
async function exchange(
  request: LightlyRequest,
  o: HttpOptions,
  cap: number,
): Promise<{ response: Response; text: string }>;
async function exchange(
  request: LightlyRequest,
  o: HttpOptions,
): Promise<{ response: Response }>;
async function exchange(
  request: LightlyRequest,
  o: HttpOptions,
  cap?: number,
): Promise<{ response: Response; text?: string }> {
  const signal = o.signal;
  if (signal?.aborted) {
    const { method, url } = request;
    throw new AbortedError({ method, url, cause: signal.reason });
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(abortForTimeout, timeoutMs, controller);
  const onAbort = () => controller.abort(signal!.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let response: Response;
  let text: string | undefined;
  try {
    response = await send(request, o, controller.signal);
    if (cap === undefined) return { response };
    text = await readBody(response, cap);
  } catch (error) {
    signal?.removeEventListener("abort", onAbort);
    throw failure(error, request, controller.signal, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  signal?.removeEventListener("abort", onAbort);
  if (response.ok && text !== undefined) return { response, text };
  throw errorFor(response, text, request, cap);
}

function errorFor(
  response: Response,
  text: string | undefined,
  request: LightlyRequest,
  cap: number,
  reason?: string,
): Error {
  const header = (name: string) => response.headers.get(name) ?? undefined;
  const base = {
    ...contextOf(request),
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
    bodySnippet: text ? redactSnippet(text, base.secrets) : undefined,
    reason: text === undefined ? `body larger than ${cap} bytes` : reason ??
      (text === "" ? "empty body" : "body is not a Lightly ApiErrorResponse"),
  });
}

/** Sends `request`, returns the `Response` unread and unchecked; the timeout covers the headers only. */
export async function sendRaw(
  request: LightlyRequest,
  options: HttpOptions = {},
): Promise<Response> {
  return (await exchange(request, options)).response;
}

/**
 * A body as text, or `undefined` past `cap` bytes. Only Deno's own `fetch`
 * makes a `basic` response; when it has a plain `Content-Length` (no
 * `Transfer-Encoding`, no `Content-Encoding`), the transport reads exactly
 * that many bytes (HTTP/1.1 delimits the body by it; HTTP/2 resets a stream
 * that sends more), so a length within the cap is read whole. Any other body
 * (an injected fetch's, chunked, compressed, unsized) is counted on the stream.
 */
function readBody(
  response: Response,
  cap: number,
): Promise<string | undefined> {
  const body = response.body;
  if (body === null) return Promise.resolve("");
  const { headers } = response;
  const length = headers.get("content-length");
  if (
    response.type === "basic" && length !== null && /^\d{1,16}$/.test(length) &&
    Number(length) <= cap && !headers.has("transfer-encoding") &&
    !headers.has("content-encoding")
  ) return response.text();
  return readTextCapped(body, cap);
}

/** The options of a call, and the largest body it reads (1 MiB by default). */
export interface ReadOptions extends HttpOptions {
  /** The largest body accepted, in bytes. */
  maxBodyBytes?: number;
}

/** Sends `request` and returns its JSON answer, validated by `schema`; any other outcome is a typed error. */
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

/** Sends `request` and returns a 2xx answer's text and `Content-Type` (a 2xx body never goes into an error). */
export async function sendText(
  request: LightlyRequest,
  options: ReadOptions = {},
): Promise<{ text: string; contentType: string }> {
  const cap = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const { response, text } = await exchange(request, options, cap);
  return { text, contentType: response.headers.get("content-type") ?? "" };
}
