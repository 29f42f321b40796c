/**
 * The stub without a socket: a function with the signature of
 * `globalThis.fetch` that hands each request to the stub's own request
 * handling and turns the answer back into what Deno's `fetch` would return
 * (in the manner of Hono's `testClient`).
 *
 * What the wire would add, it adds: the request headers Deno's `fetch`
 * sends by default (`host`, `user-agent`, `accept`, `content-length`…), the
 * `content-length` and `date` Deno's server sends, `response.url`. What the
 * wire would break, it breaks the way Deno's `fetch` reports it:
 *
 * - a connection closed with no answer (`drop`) → the call rejects with
 *   `TypeError("fetch failed")`, its `cause` saying "connection closed
 *   before message completed";
 * - a body shorter than its `content-length` (`truncated`, and `hang` once
 *   the stub closes) → reading it rejects with
 *   `TypeError("error reading a body from connection")`;
 * - the caller's signal aborts → the call, or the reading of the body,
 *   rejects with the signal's reason at once;
 * - a closed stub → the call rejects with `TypeError("fetch failed")`, its
 *   `cause` saying "Connection refused".
 *
 * Messages that name the request URL mask its secret query values.
 *
 * @module
 */

/** A request as the stub's handling reads it. */
export interface IncomingRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The full URL. */
  readonly url: string;
  /** The headers, as the server would receive them. */
  readonly headers: Headers;
  /** The body text; `""` when there is none. */
  readonly text: string;
}

/** What the in-process fetch needs from the stub. */
export interface InProcessOptions {
  /** The stub's base URL: requests to any other origin are refused. */
  readonly url: string;
  /** Answers a request; `undefined` means "close the connection, no answer". */
  readonly answer: (request: IncomingRequest) => Promise<Response | undefined>;
  /** Aborted when the stub closes: later calls are refused. */
  readonly closing: AbortSignal;
  /** Masks secret query values of a URL, for messages. */
  readonly maskUrl: (url: URL) => string;
}

/** An in-process fetch and the means to wait for its calls in flight. */
export interface InProcessFetch {
  /** Answers like `globalThis.fetch`, without a socket. */
  readonly fetch: typeof globalThis.fetch;
  /** Resolves once every call in flight has its answer (or none). */
  settle(): Promise<void>;
}

const CLOSED_EARLY =
  "client error (SendRequest): connection closed before message completed";
const REFUSED =
  "client error (Connect): tcp connect error: Connection refused (os error 111)";
const SHORT_BODY = "error reading a body from connection";
const USER_AGENT = `Deno/${Deno.version.deno}`;
const DECODER = new TextDecoder();

/**
 * Makes the in-process fetch of a stub.
 *
 * @param options The stub's URL, its request handling, its closing signal
 *   and its URL masking.
 * @returns The fetch, and `settle()` for the stub's `close()`.
 *
 * @example
 * ```ts
 * import { inProcessFetch } from "./in_process.ts";
 *
 * const wire = inProcessFetch({
 *   url: "http://stub.invalid",
 *   answer: (request) => Promise.resolve(new Response(`${request.method} ${request.text}`)),
 *   closing: new AbortController().signal,
 *   maskUrl: (url) => url.origin + url.pathname,
 * });
 * const response = await wire.fetch("http://stub.invalid/echo", { method: "POST", body: "hi" });
 * console.log(await response.text()); // POST hi
 * ```
 */
export function inProcessFetch(options: InProcessOptions): InProcessFetch {
  const origin = new URL(options.url).origin;
  const inFlight = new Set<Promise<unknown>>();

  function failure(url: URL, detail: string): TypeError {
    return new TypeError("fetch failed", {
      cause: new Error(
        `error sending request for url (${options.maskUrl(url)}): ${detail}`,
      ),
    });
  }

  async function fetch(
    input: string | URL | Request,
    init?: RequestInit,
  ): Promise<Response> {
    const request = new Request(input, init);
    const { signal } = request;
    if (signal.aborted) throw signal.reason;
    const url = new URL(request.url);
    if (url.origin !== origin) {
      throw new TypeError(
        `stub.fetch() answers only ${origin}, not ${url.origin}`,
      );
    }
    if (options.closing.aborted) throw failure(url, REFUSED);
    const bytes = request.body === null
      ? undefined
      : new Uint8Array(await request.arrayBuffer());
    if (options.closing.aborted) throw failure(url, REFUSED);
    const headers = new Headers(request.headers);
    for (
      const [name, value] of [
        ["accept", "*/*"],
        ["accept-encoding", "gzip,br"],
        ["accept-language", "*"],
        ["host", url.host],
        ["user-agent", USER_AGENT],
      ]
    ) {
      if (!headers.has(name)) headers.set(name, value);
    }
    if (bytes !== undefined) {
      headers.set("content-length", String(bytes.byteLength));
    }
    const work = options.answer({
      method: request.method,
      url: request.url,
      headers,
      text: bytes === undefined ? "" : DECODER.decode(bytes),
    });
    inFlight.add(work);
    work.finally(() => inFlight.delete(work)).catch(() => {});
    const response = await untilAborted(work, signal);
    if (response === undefined) throw failure(url, CLOSED_EARLY);
    return await deliver(response, url, signal);
  }

  return {
    fetch,
    async settle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** `work`, or the signal's reason as soon as it aborts (a late answer's body is cancelled). */
function untilAborted(
  work: Promise<Response | undefined>,
  signal: AbortSignal,
): Promise<Response | undefined> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      work.then((late) => late?.body?.cancel()).catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      },
      (error) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The answer as `fetch` would hand it over: server headers added, body framed. */
async function deliver(
  response: Response,
  url: URL,
  signal: AbortSignal,
): Promise<Response> {
  const headers = new Headers(response.headers);
  if (!headers.has("date")) headers.set("date", new Date().toUTCString());
  let source: ReadableStream<Uint8Array> | Uint8Array | null = response.body;
  let length = Number(headers.get("content-length") ?? NaN);
  if (Number.isNaN(length)) {
    // A body without a declared length is complete in memory: measure it.
    source = new Uint8Array(await response.arrayBuffer());
    length = source.byteLength;
    headers.set("content-length", String(length));
  }
  const delivered = new Response(
    response.body === null ? null : framed(source!, length, signal),
    { status: response.status, headers },
  );
  Object.defineProperty(delivered, "url", { value: url.href });
  return delivered;
}

/**
 * `source` as the client reads it off a connection: an error when it ends
 * before `length` bytes (the connection closed early), or when `signal`
 * aborts (with its reason).
 */
function framed(
  source: ReadableStream<Uint8Array> | Uint8Array,
  length: number,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = source instanceof Uint8Array
    ? whole(source)
    : source.getReader();
  let received = 0;
  let onAbort: (() => void) | undefined;
  const detach = () => {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      onAbort = () => {
        controller.error(signal.reason);
        reader.cancel().catch(() => {});
      };
      signal.addEventListener("abort", onAbort, { once: true });
    },
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch {
        chunk = { done: true, value: undefined };
      }
      if (signal.aborted) return; // errored by onAbort already
      if (chunk.done) {
        detach();
        if (received < length) controller.error(new TypeError(SHORT_BODY));
        else controller.close();
        return;
      }
      received += chunk.value.byteLength;
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      detach();
      return reader.cancel(reason);
    },
  });
}

/** A reader over bytes already in memory: one chunk, then done. */
function whole(
  bytes: Uint8Array,
): Pick<ReadableStreamDefaultReader<Uint8Array>, "read" | "cancel"> {
  let done = bytes.byteLength === 0;
  return {
    read() {
      if (done) return Promise.resolve({ done: true, value: undefined });
      done = true;
      return Promise.resolve({ done: false, value: bytes });
    },
    cancel() {
      done = true;
      return Promise.resolve();
    },
  };
}
