/**
 * A minimal local HTTP server for the core tests: `Deno.serve` on 127.0.0.1,
 * port 0, recording every request. Each test starts its own and closes it.
 */
import { STATUS_CODE, STATUS_TEXT } from "@std/http/status";

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
