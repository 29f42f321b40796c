/**
 * A minimal local HTTP server for the core tests: `Deno.serve` on 127.0.0.1,
 * port 0, recording every request. Each test starts its own and closes it.
 */

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
}

/** Starts a server answering each request with `handler`. */
export function startServer(
  handler: (
    request: SeenRequest,
    index: number,
  ) => Response | Promise<Response>,
): TestServer {
  const requests: SeenRequest[] = [];
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
  const close = async () => {
    await server.shutdown();
  };
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A JSON response. */
export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
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
