/**
 * What the transport promises on the wire, against raw TCP servers on
 * 127.0.0.1 that misbehave in ways `Deno.serve` cannot: the sampling POST is
 * sent at most once even on a warm keep-alive connection, the 1 MiB body cap
 * holds whatever length a response declares, and a connection that fails
 * before anything was sent (TLS handshake, a port `fetch` blocks) is not
 * reported as "may have been applied".
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import {
  getJobStatus,
  isLightlyError,
  listTags,
  triggerSampling,
} from "../mod.ts";
import { MAX_BODY_BYTES } from "../lib/core/http.ts";
import { classify } from "../lib/core/policy.ts";
import { readTextCapped } from "../lib/core/read_capped.ts";
import { fakeClock } from "./_clock.ts";
import { JOB, jobData, SENTINEL, VALID } from "./_server.ts";
import { startLightlyStub } from "../testing.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

const encoder = new TextEncoder();

/** A TCP server on 127.0.0.1 handing each connection to `handle`. */
interface TcpServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The port. */
  port: number;
  /** Connections accepted. */
  connections: number;
  /** Stops listening, closes open connections, waits for every handler. */
  close(): Promise<void>;
}

function serveTcp(handle: (conn: Deno.Conn) => Promise<void>): TcpServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  const handlers: Promise<void>[] = [];
  const state = { connections: 0 };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        state.connections++;
        open.add(conn);
        handlers.push((async () => {
          try {
            await handle(conn);
          } catch { /* the client went away */ }
          if (open.delete(conn)) conn.close();
        })());
      }
    } catch { /* closed */ }
  })();
  let closing: Promise<void> | undefined;
  const close = () =>
    closing ??= (async () => {
      listener.close();
      await accepting;
      for (const conn of open) {
        open.delete(conn);
        conn.close();
      }
      await Promise.allSettled(handlers);
    })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return state.connections;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Reads one request (head and `Content-Length` body); `undefined` at EOF. */
async function readRequest(
  conn: Deno.Conn,
  pending: { text: string },
): Promise<string | undefined> {
  const buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const end = pending.text.indexOf("\r\n\r\n");
    if (end >= 0) {
      const head = pending.text.slice(0, end);
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (pending.text.length >= end + 4 + length) {
        pending.text = pending.text.slice(end + 4 + length);
        return head;
      }
    }
    const n = await conn.read(buffer);
    if (n === null) return undefined;
    pending.text += new TextDecoder().decode(buffer.subarray(0, n));
  }
}

// ------------------------------------------------- at most one POST

Deno.test("triggerSampling() sends the POST at most once when a warm connection drops", async () => {
  const seen: string[] = [];
  await using server = serveTcp(async (conn) => {
    const pending = { text: "" };
    for (;;) {
      const head = await readRequest(conn, pending);
      if (head === undefined) return;
      seen.push(head.split(" ")[0]);
      // A POST is read whole, then the connection closes with no answer.
      if (!head.startsWith("GET")) return;
      const body = JSON.stringify(jobData("RUNNING"));
      await conn.write(encoder.encode(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
          `connection: keep-alive\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      ));
    }
  });
  const options = { baseUrl: server.url, auth: { apiKey: SENTINEL } };
  // Any GET leaves a keep-alive connection in fetch's pool.
  await getJobStatus(JOB, options);
  const error = await triggerSampling(VALID, {
    ...options,
    retry: { clock: fakeClock() },
  }).catch((e) => e);
  assert(isLightlyError(error, "maybe-applied"), `got ${error}`);
  assert(isLightlyError(error.cause, "network"));
  assertEquals(error.cause.connectFailed, false);
  assertEquals(seen.filter((method) => method === "POST").length, 1);
});

Deno.test("triggerSampling() against the stub: a handled drop on a warm connection is maybe-applied after one POST", async () => {
  await using stub = startLightlyStub();
  const options = { baseUrl: stub.url, auth: { apiKey: stub.token } };
  await listTags(stub.datasetId, options); // warms a keep-alive connection
  stub.addFault({
    route: "trigger",
    nth: 1,
    fault: { kind: "drop", handled: true },
  });
  const error = await triggerSampling({
    datasetId: stub.datasetId,
    embeddingId: stub.embeddingId,
    body: { newTagName: "dropped-once", method: "RANDOM", config: {} },
  }, options).catch((e) => e);
  assert(isLightlyError(error, "maybe-applied"), `got ${error}`);
  assertEquals(
    stub.requests.map((r) => [r.route, r.status]),
    [["tags", 200], ["trigger", 0]],
  );
  assertEquals(stub.jobs().length, 1, "the one POST started the job");
});

Deno.test("an injected fetch gets a fresh-connection client for the POST and none for reads", async () => {
  const clients: unknown[] = [];
  const recording =
    ((_url: string, init: RequestInit & { client?: unknown }) => {
      clients.push(init.client);
      return Promise.resolve(
        new Response(
          JSON.stringify(
            init.method === "POST" ? { jobId: JOB } : jobData("RUNNING"),
          ),
        ),
      );
    }) as typeof fetch;
  const options = { baseUrl: "http://127.0.0.1:9", fetch: recording };
  await getJobStatus(JOB, options);
  await triggerSampling(VALID, options);
  assertEquals(clients.length, 2);
  assertEquals(clients[0], undefined);
  assert(clients[1] instanceof Deno.HttpClient);
});

// ------------------------------------------------------- the body cap

/** Up to 64 MiB the client could pull: more means the cap did not hold. */
const FLOOD_LIMIT = 64 * 1024 * 1024;

/** A raw server answering `head`, then `piece` again and again until the client hangs up (or 64 MiB), then `tail`. */
function serveFlood(head: string, piece: Uint8Array, tail = "") {
  const result = { written: 0, cut: false };
  const server = serveTcp(async (conn) => {
    await readRequest(conn, { text: "" });
    await conn.write(encoder.encode(head));
    try {
      while (result.written < FLOOD_LIMIT) {
        for (let at = 0; at < piece.length;) {
          at += await conn.write(piece.subarray(at));
        }
        result.written += piece.length;
      }
      await conn.write(encoder.encode(tail));
    } catch {
      result.cut = true; // the client closed the connection
    }
  });
  return { server, result };
}

Deno.test("the 1 MiB cap holds when Content-Length lies next to an endless chunked body", async () => {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const flood = serveFlood(
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
      "content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n",
    new Uint8Array([
      ...encoder.encode(`${chunk.length.toString(16)}\r\n`),
      ...chunk,
      ...encoder.encode("\r\n"),
    ]),
    "0\r\n\r\n",
  );
  await using server = flood.server;
  const error = await getJobStatus(JOB, { baseUrl: server.url }).catch((e) =>
    e
  );
  assert(isLightlyError(error, "unexpected-response"), `got ${error}`);
  assertEquals(error.reason, `body larger than ${MAX_BODY_BYTES} bytes`);
  await server.close();
  const { written, cut } = flood.result;
  assert(cut, `the client read all ${written} bytes`);
  assert(written < FLOOD_LIMIT);
});

Deno.test("a plain Content-Length read whole stops at that length however much the server sends", async () => {
  // Five bytes announced, then an endless body: the transport delimits it.
  const flood = serveFlood(
    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
      'content-length: 5\r\n\r\n{"id"',
    new Uint8Array(64 * 1024).fill(0x20),
  );
  await using server = flood.server;
  const error = await getJobStatus(JOB, { baseUrl: server.url }).catch((e) =>
    e
  );
  assert(isLightlyError(error, "unexpected-response"), `got ${error}`);
  assertEquals(error.reason, "body is not valid JSON");
  assertEquals(error.bodySnippet, '{"id"');
  await server.close();
  const { written } = flood.result;
  assert(written < FLOOD_LIMIT, `the client read all ${written} bytes`);
});

Deno.test("readTextCapped() reads byte streams and chunk streams alike, up to exactly the cap", async () => {
  const text = "é".repeat(3000) + "end"; // 6003 bytes; "é" is 2 bytes in UTF-8
  const size = encoder.encode(text).byteLength;
  const byteStream = () => new Blob([text]).stream(); // read with a BYOB reader
  const chunkStream = () => new Response(text).body!; // read chunk by chunk
  for (const stream of [byteStream, chunkStream]) {
    assertEquals(await readTextCapped(stream(), size), text);
    assertEquals(await readTextCapped(stream(), size - 1), undefined);
    assertEquals(await readTextCapped(new Blob([]).stream(), 0), "");
  }
  let cancelled = false;
  const endless = new ReadableStream<Uint8Array>({
    type: "bytes",
    pull(controller) {
      controller.enqueue(new Uint8Array(4096));
    },
    cancel() {
      cancelled = true;
    },
  });
  assertEquals(await readTextCapped(endless, 10_000), undefined);
  assert(cancelled);
});

// ------------------------------------- failures before anything was sent

Deno.test("triggerSampling() retries a failed TLS handshake: nothing was sent, so it may not have been applied", async () => {
  for (const answer of ["HTTP/1.1 400 Bad Request\r\n\r\n", ""]) {
    const requests: string[] = [];
    await using server = serveTcp(async (conn) => {
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer);
      requests.push(new TextDecoder().decode(buffer.subarray(0, n ?? 0)));
      if (answer !== "") await conn.write(encoder.encode(answer));
    });
    const clock = fakeClock();
    const error = await triggerSampling(VALID, {
      baseUrl: `https://127.0.0.1:${server.port}`,
      auth: { apiKey: SENTINEL },
      retry: { clock, backoff: { jitter: 0 } },
    }).catch((e) => e);
    assert(isLightlyError(error, "network"), `got ${error}`);
    assertEquals(error.connectFailed, true);
    assertMatch(error.message, /could not connect/);
    assertEquals(clock.sleeps, [500, 1000]);
    assertEquals(classify(error).exitCode, 3);
    await server.close();
    assertEquals(server.connections, 3);
    assert(requests.every((bytes) => !bytes.includes("POST")));
  }
});

Deno.test("triggerSampling() retries a port that fetch blocks: nothing was sent", async () => {
  const clock = fakeClock();
  const error = await triggerSampling(VALID, {
    baseUrl: "http://127.0.0.1:6000",
    retry: { clock, backoff: { jitter: 0 } },
  }).catch((e) => e);
  assert(isLightlyError(error, "network"), `got ${error}`);
  assertEquals(error.connectFailed, true);
  assertMatch(error.message, /port 6000 are blocked/);
  assertEquals(clock.sleeps, [500, 1000]);
  assertEquals(classify(error).exitCode, 3);
});
