/**
 * The tests' one scripted fake of the Lightly API: routes → replies, every
 * request recorded, data factories. It answers in process (a `fetch` that
 * calls the router, no socket) where the network is not the subject, or over
 * a real socket (`Deno.serve` on 127.0.0.1, port 0) for transport faults; raw
 * TCP servers give the answers `Deno.serve` cannot (cut bodies, resets, hangs).
 * Each test starts its own and closes it.
 */
import { STATUS_CODE, STATUS_TEXT } from "@std/http/status";
import type {
  DatasetEmbeddingData,
  JobStatusData,
  TagData,
} from "../lib/core/types.ts";

/** One request the server saw. */
export interface SeenRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A running test server. */
export interface TestServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  url: string;
  /** Every request seen, in order. */
  requests: SeenRequest[];
  /** Stops the server and waits for it to finish. */
  close(): Promise<void>;
  /**
   * Resolves when `close()` starts: a handler (or a body stream) that waits on
   * it stalls for as long as the test needs, and never outlives the server.
   */
  released: Promise<void>;
}

/** Starts a server answering each request with `handler`. */
export function startServer(
  handler: (
    request: SeenRequest,
    index: number,
  ) => Response | Promise<Response>,
): TestServer {
  const requests: SeenRequest[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const seen: SeenRequest = {
        method: req.method,
        url: new URL(req.url),
        headers: req.headers,
        body: await req.text(),
      };
      requests.push(seen);
      return await handler(seen, requests.length - 1);
    },
  );
  let closing: Promise<void> | undefined;
  const close = () => {
    release();
    closing ??= server.shutdown();
    return closing;
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    released,
    [Symbol.asyncDispose]: close,
  };
}

/** A {@linkcode TestServer} with no socket: its `fetch` calls `handler` directly. */
export function startInProcess(
  handler: (
    request: SeenRequest,
    index: number,
  ) => Response | Promise<Response>,
): TestServer & { fetch: typeof fetch } {
  const requests: SeenRequest[] = [];
  let release!: () => void;
  const released = new Promise<void>((resolve) => release = resolve);
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const req = new Request(input, init);
    const aborted = new Promise<never>((_, reject) => {
      if (req.signal.aborted) reject(req.signal.reason);
      req.signal.addEventListener("abort", () => reject(req.signal.reason), {
        once: true,
      });
    });
    aborted.catch(() => {});
    const answer = async () => {
      const seen: SeenRequest = {
        method: req.method,
        url: new URL(req.url),
        headers: req.headers,
        body: await req.text(),
      };
      requests.push(seen);
      return await handler(seen, requests.length - 1);
    };
    return await Promise.race([aborted, answer()]);
  };
  const close = () => {
    release();
    return Promise.resolve();
  };
  return {
    url: "http://127.0.0.1:9",
    requests,
    close,
    released,
    fetch,
    [Symbol.asyncDispose]: close,
  };
}

/** A JSON response. */
export function json(
  body: unknown,
  status: number = STATUS_CODE.OK,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText: STATUS_TEXT[status as keyof typeof STATUS_TEXT],
    headers: { "content-type": "application/json", ...headers },
  });
}

/** Ids and a body that pass validation. */
export const VALID = {
  datasetId: "0123456789abcdef01234567",
  embeddingId: "89abcdef0123456789abcdef",
  body: {
    newTagName: "coreset-100",
    method: "CORESET" as const,
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
    rowCount: 4000,
  },
};

/** A secret to search for in every output. */
export const SENTINEL = "SENTINEL-s3cr3t-token-do-not-print";

/** A raw TCP server that answers every connection with fixed bytes. */
export interface RawServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  url: string;
  /** How many connections were accepted. */
  connections: number;
  /** Stops accepting and waits for the accept loop to end. */
  close(): Promise<void>;
}

/**
 * Starts a TCP server that reads each request's head, writes `reply` verbatim
 * and closes the connection: for answers `Deno.serve` cannot give, e.g. a
 * body cut short of its `Content-Length`.
 */
export function startRawServer(reply: string): RawServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { connections: 0 };
  const handle = async (conn: Deno.Conn) => {
    try {
      const buffer = new Uint8Array(64 * 1024);
      let seen = "";
      while (!seen.includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) break;
        seen += new TextDecoder().decode(buffer.subarray(0, n));
      }
      await conn.write(new TextEncoder().encode(reply));
    } catch {
      /* the client went away */
    } finally {
      conn.close();
    }
  };
  const loop = (async () => {
    const handlers: Promise<void>[] = [];
    try {
      for await (const conn of listener) {
        state.connections++;
        handlers.push(handle(conn));
      }
    } catch { /* closed */ }
    await Promise.all(handlers);
  })();
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      listener.close();
      await loop;
    })();
    return closing;
  };
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get connections() {
      return state.connections;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

export const DATASET = "0123456789abcdef01234567";
export const JOB = "aaaaaaaaaaaaaaaaaaaaaaaa";
export const NEW_TAG = "bbbbbbbbbbbbbbbbbbbbbbbb";
export const INITIAL_TAG = "cccccccccccccccccccccccc";
export const EMBEDDING = "89abcdef0123456789abcdef";

/** One answer of a route; a function so each call gets a fresh Response. */
export type Reply = (request: SeenRequest) => Response | Promise<Response>;

/** A fake API: `"METHOD /path"` → answers used in turn, the last one repeating. */
export interface JobServer extends TestServer {
  /** How many requests matched `"METHOD /path"` (or any path when only a method is given). */
  count(route: string): number;
  /**
   * A fetch that hands each request to the routes in process (no socket);
   * in `"socket"` mode, the real fetch.
   */
  fetch: typeof fetch;
}

/**
 * Starts a fake Lightly API. Unknown routes answer 404 `NOT_FOUND`. In
 * `"in-process"` mode (for tests where the network is not the subject) no
 * socket opens: pass `fetch` to the code under test; in `"socket"` mode it
 * listens on 127.0.0.1.
 */
export function startJobServer(
  routes: Record<string, Reply | Reply[]>,
  mode: "in-process" | "socket" = "socket",
): JobServer {
  const used = new Map<string, number>();
  const start = mode === "socket" ? startServer : startInProcess;
  const server = start((request) => {
    const key = `${request.method} ${request.url.pathname}`;
    const route = routes[key];
    if (route === undefined) {
      return json({ code: "NOT_FOUND", error: `no route ${key}` }, 404);
    }
    const replies = Array.isArray(route) ? route : [route];
    const n = used.get(key) ?? 0;
    used.set(key, n + 1);
    return replies[Math.min(n, replies.length - 1)](request);
  });
  return {
    fetch: globalThis.fetch,
    ...server,
    count(route: string): number {
      const [method, path] = route.split(" ");
      return server.requests.filter((r) =>
        r.method === method && (path === undefined || r.url.pathname === path)
      ).length;
    },
  };
}

/** A route answering `body` as JSON with `status` and `headers`. */
export function reply(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Reply {
  return () => json(body, status, headers);
}

/** A job status in the API's shape. */
export function jobData(
  status: string,
  extra: Partial<JobStatusData> = {},
): JobStatusData {
  return {
    id: JOB,
    datasetId: DATASET,
    status,
    waitTimeTillNextPoll: 2,
    createdAt: 1_700_000_000_000,
    ...extra,
  };
}

/** A route answering a job status. */
export function job(status: string, extra: Partial<JobStatusData> = {}): Reply {
  return reply(jobData(status, extra));
}

/** A route answering a `FINISHED` sampling job that made `NEW_TAG`. */
export function finished(): Reply {
  return job("FINISHED", {
    result: { type: "SAMPLING", data: NEW_TAG },
    meta: { total: 10, processed: 10 },
  });
}

/** A tag in the API's shape. */
export function tagData(
  name: string,
  id: string,
  extra: Partial<TagData> = {},
): TagData {
  return {
    id,
    datasetId: DATASET,
    prevTagId: null,
    name,
    bitMaskData: "0xff",
    totSize: 4000,
    createdAt: 1_700_000_000_000,
    ...extra,
  };
}

/** An embedding in the API's shape. */
export function embeddingData(
  id: string,
  isProcessed: boolean,
  createdAt: number,
): DatasetEmbeddingData {
  return { id, name: `emb-${id.slice(0, 4)}`, isProcessed, createdAt };
}

/** Paths of the fake API. */
export const PATHS = {
  job: `/v1/jobs/${JOB}`,
  tags: `/v1/datasets/${DATASET}/tags`,
  newTag: `/v1/datasets/${DATASET}/tags/${NEW_TAG}`,
  embeddings: `/v1/datasets/${DATASET}/embeddings`,
  sampling: (embeddingId: string) =>
    `/v1/datasets/${DATASET}/embeddings/${embeddingId}/sampling`,
};

/** A `Math.random` stand-in: always `value`. */
export function constant(value: number): () => number {
  return () => value;
}

/**
 * A fetch that fails its first `refusals` calls the way Deno's fetch does
 * when nothing listens on the port (nothing is sent), then uses `inner`
 * (the real fetch by default). `calls` counts every call.
 */
export function refusingFetch(
  refusals: number,
  inner: typeof fetch = fetch,
): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  const wrapped: typeof fetch = (input, init) => {
    calls++;
    if (calls <= refusals) {
      return Promise.reject(
        new TypeError("fetch failed", {
          cause: new Error(
            "error sending request for url (http://127.0.0.1:1/): client error (Connect): tcp connect error: Connection refused (os error 111)",
          ),
        }),
      );
    }
    return inner(input, init);
  };
  return { fetch: wrapped, calls: () => calls };
}

/** A port on 127.0.0.1 that nothing listens on (it was just closed). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * A raw TCP server that reads each request's head and then either closes the
 * connection unanswered (`"reset"`) or never answers until the client goes
 * away (`"hang"`).
 */
export interface SilentServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:12345`. */
  url: string;
  /** The first line of every request received, e.g. `POST /v1/… HTTP/1.1`. */
  requests: string[];
  /** Stops listening and waits for open connections to end. */
  close(): Promise<void>;
}

/** Starts a {@linkcode SilentServer}. */
export function startSilentServer(mode: "reset" | "hang"): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const requests: string[] = [];
  const handled: Promise<void>[] = [];
  const serve = async (conn: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    let text = "";
    try {
      while (!text.includes("\r\n\r\n")) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += new TextDecoder().decode(buffer.subarray(0, n));
      }
      if (text !== "") requests.push(text.split("\r\n")[0]);
      // "hang": read (and drop) whatever comes until the client closes.
      while (mode === "hang" && await conn.read(buffer) !== null) { /* drop */ }
    } catch {
      /* the client reset the connection */
    } finally {
      conn.close();
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) handled.push(serve(conn));
    } catch { /* closed */ }
  })();
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      listener.close();
      await accepting;
      await Promise.allSettled(handled);
    })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}
