/**
 * Every way a trigger can fail, against local servers: the typed error, its
 * fields, and that nothing leaks (bodies read or cancelled, no timers left).
 *
 * The request layer (`sendJson`, the one fetch call site) is exercised
 * directly for the full matrix; `triggerSampling` may wrap an outcome that
 * "may have been applied" (5xx, timeout, reset) in another error whose
 * `cause` is the typed error checked here, so `underlying()` unwraps it.
 */
import {
  assert,
  assertEquals,
  assertInstanceOf,
  assertMatch,
  assertRejects,
  assertStringIncludes,
} from "@std/assert";
import {
  AbortedError,
  buildSamplingRequest,
  getJobStatus,
  isLightlyError,
  LightlyApiError,
  LightlyError,
  type LightlyErrorKind,
  NetworkError,
  TimeoutError,
  triggerSampling,
  triggerSamplingRaw,
  UnexpectedResponseError,
  ValidationError,
} from "../mod.ts";
import { AsyncTaskDataSchema } from "../schemas.ts";
import type { HttpOptions } from "../lib/core/client.ts";
import { MAX_BODY_BYTES, sendJson } from "../lib/core/http.ts";
import {
  json,
  SENTINEL,
  startRawServer,
  startServer,
  type TestServer,
  VALID,
} from "./_server.ts";

const PATH =
  `/v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`;

/** The redacted URL errors must carry for a request to `base` with an API key. */
function redactedUrl(base: string): string {
  return `${base}${PATH}?token=[REDACTED]`;
}

/** POSTs VALID to `base` through the request layer, with an API key. */
function post(base: string, options: HttpOptions = {}): Promise<unknown> {
  const request = buildSamplingRequest(VALID, {
    baseUrl: base,
    auth: { apiKey: SENTINEL },
  });
  return sendJson(request, AsyncTaskDataSchema, options);
}

/** The rejection of `promise`; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  }
}

/** `value` as an instance of `type`; fails the test otherwise. */
function as<T>(value: unknown, type: abstract new (...args: never[]) => T): T {
  if (!(value instanceof type)) {
    throw new Error(`expected a ${type.name}, got ${Deno.inspect(value)}`);
  }
  return value;
}

/**
 * Awaits `promise`; should it still be pending after 10 s (a broken timeout
 * or abort), closes `server`, which ends every stall, so the test fails on
 * its assertions instead of hanging. A safety net, not a timed assertion.
 */
async function guarded<T>(
  server: { close(): Promise<void> },
  promise: Promise<T>,
): Promise<T> {
  const guard = setTimeout(() => server.close(), 10_000);
  try {
    return await promise;
  } finally {
    clearTimeout(guard);
  }
}

/** The typed error under a "may have been applied" wrapper, if any. */
function underlying(error: unknown): unknown {
  return isLightlyError(error) && error.kind === "maybe-applied"
    ? (error as Error).cause
    : error;
}

/** A body of `total` bytes streamed in 64 KiB chunks, recording cancellation. */
function endlessBody(total: number) {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let cancel!: () => void;
  const state = {
    pulled: 0,
    cancelled: new Promise<void>((resolve) => cancel = resolve),
    stream: undefined as unknown as ReadableStream<Uint8Array>,
  };
  state.stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
    cancel() {
      cancel();
    },
  });
  return state;
}

/** A body that sends `head` and then waits until the server closes. */
function stalledBody(server: TestServer, head = '{"jobId":') {
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(head));
      await server.released;
      controller.close();
    },
  });
}

// ------------------------------------------------------------ API errors

const API_CASES: [number, string][] = [
  [400, "BAD_REQUEST"],
  [401, "UNAUTHORIZED"],
  [403, "FORBIDDEN"],
  [404, "DATASET_UNKNOWN"],
  [409, "TAG_NAME_EXISTS"],
  [429, "TOO_MANY_REQUESTS"],
  [500, "JOB_CREATION_FAILED"],
];

for (const [status, code] of API_CASES) {
  Deno.test(`a ${status} ApiErrorResponse becomes a LightlyApiError with status, code, message, request id and labels`, async () => {
    await using server = startServer(() =>
      json(
        {
          code,
          error: `server says ${code.toLowerCase()}`,
          requestId: `req-${status}`,
          errorLabels: ["label-a", "label-b"],
          addedLater: { kept: true },
        },
        status,
        status === 429 ? { "retry-after": "7" } : {},
      )
    );
    const error = as(await rejection(post(server.url)), LightlyApiError);
    assertInstanceOf(error, LightlyError);
    assert(isLightlyError(error, "api") && isLightlyError(error));
    assertEquals(error.kind, "api");
    assertEquals(error.name, "LightlyApiError");
    assertEquals(error.status, status);
    assertEquals(error.code, code);
    assertEquals(error.serverMessage, `server says ${code.toLowerCase()}`);
    assertEquals(error.requestId, `req-${status}`);
    assertEquals(error.errorLabels, ["label-a", "label-b"]);
    assertEquals(error.retryAfter, status === 429 ? "7" : undefined);
    assertEquals(error.method, "POST");
    assertEquals(error.url, redactedUrl(server.url));
    assertEquals(
      error.message,
      `POST ${
        redactedUrl(server.url)
      } answered ${status} ${code}: server says ${code.toLowerCase()} (request id req-${status})`,
    );
    assertEquals(server.requests.length, 1);
  });
}

Deno.test("triggerSampling() reports a 4xx ApiErrorResponse as a LightlyApiError, sent once", async () => {
  for (const [status, code] of API_CASES.filter(([s]) => s < 429)) {
    await using server = startServer(() =>
      json({ code, error: "no", requestId: "r" }, status)
    );
    const error = await rejection(
      triggerSampling(VALID, { baseUrl: server.url, auth: { apiKey: "k" } }),
    );
    if (!isLightlyError(error, "api")) throw new Error(`got ${error}`);
    assertEquals([error.status, error.code, error.requestId], [
      status,
      code,
      "r",
    ]);
    assertEquals(server.requests.length, 1);
  }
});

Deno.test("triggerSampling() reports a 500 ApiErrorResponse with the LightlyApiError reachable", async () => {
  await using server = startServer(() =>
    json({ code: "INTERNAL", error: "boom" }, 500)
  );
  const error = underlying(
    await rejection(triggerSampling(VALID, { baseUrl: server.url })),
  );
  if (!isLightlyError(error, "api")) throw new Error(`got ${error}`);
  assertEquals([error.status, error.code], [500, "INTERNAL"]);
  assertEquals(server.requests.length, 1, "a 500 POST is never retried");
});

Deno.test("a LightlyApiError takes its request id from x-request-id when the body has none", async () => {
  await using server = startServer(() =>
    json({ code: "NOT_FOUND", error: "gone" }, 404, {
      "x-request-id": "hdr-42",
    })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "api")) throw new Error(`got ${error}`);
  assertEquals(error.requestId, "hdr-42");
  assertEquals(error.errorLabels, undefined);
  assertStringIncludes(error.message, "(request id hdr-42)");
});

Deno.test("a LightlyApiError prefers the body's request id over the header's", async () => {
  await using server = startServer(() =>
    json({ code: "X", error: "y", requestId: "body-1" }, 400, {
      "x-request-id": "hdr-1",
    })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "api")) throw new Error(`got ${error}`);
  assertEquals(error.requestId, "body-1");
});

Deno.test("a LightlyApiError keeps going when optional fields are malformed, and keeps Retry-After of a 503", async () => {
  await using server = startServer(() =>
    json(
      { code: "BUSY", error: "later", requestId: 7, errorLabels: "x" },
      503,
      {
        "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT",
      },
    )
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "api")) throw new Error(`got ${error}`);
  assertEquals(error.status, 503);
  assertEquals(error.requestId, undefined);
  assertEquals(error.errorLabels, undefined);
  assertEquals(error.retryAfter, "Wed, 21 Oct 2015 07:28:00 GMT");
  assertEquals(error.message.includes("request id"), false);
});

// --------------------------------------------------- unexpected responses

Deno.test("an HTML 502 from a proxy becomes an UnexpectedResponseError with a snippet", async () => {
  await using server = startServer(() =>
    new Response(
      "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>nginx</body>\n</html>",
      {
        status: 502,
        headers: { "content-type": "text/html", "x-request-id": "px-1" },
      },
    )
  );
  const error = as(await rejection(post(server.url)), UnexpectedResponseError);
  assert(
    isLightlyError(error, "unexpected-response") &&
      !isLightlyError(error, "api"),
  );
  assertEquals(error.kind, "unexpected-response");
  assertEquals(error.name, "UnexpectedResponseError");
  assertEquals(error.status, 502);
  assertEquals(error.contentType, "text/html");
  assertEquals(error.requestId, "px-1");
  assertEquals(error.reason, "body is not a Lightly ApiErrorResponse");
  assertEquals(
    error.bodySnippet,
    "<html> <head><title>502 Bad Gateway</title></head> <body>nginx</body> </html>",
  );
  assertEquals(error.url, redactedUrl(server.url));
  assertEquals(
    error.message,
    `POST ${
      redactedUrl(server.url)
    } answered 502 (text/html) with an unexpected response: body is not a Lightly ApiErrorResponse`,
  );
});

Deno.test("an empty 503 becomes an UnexpectedResponseError saying so, with Retry-After", async () => {
  await using server = startServer(() =>
    new Response(null, { status: 503, headers: { "retry-after": "30" } })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.status, 503);
  assertEquals(error.reason, "empty body");
  assertEquals(error.bodySnippet, undefined);
  assertEquals(error.retryAfter, "30");
});

Deno.test("a 200 whose body is not AsyncTaskData becomes an UnexpectedResponseError naming the field", async () => {
  for (
    const body of [
      { id: "x" },
      { jobId: "" },
      { jobId: 5 },
      { jobId: "../../x" },
      { jobId: "job-1" },
      [],
      null,
    ]
  ) {
    await using server = startServer(() => json(body));
    const error = await rejection(post(server.url));
    if (!isLightlyError(error, "unexpected-response")) {
      throw new Error(`got ${error}`);
    }
    assertEquals(error.status, 200);
    assertMatch(error.reason, /^body does not have the expected shape \(/);
    if (body !== null && !Array.isArray(body)) {
      assertStringIncludes(error.reason, "jobId");
    }
    assertEquals(error.bodySnippet, JSON.stringify(body));
  }
});

Deno.test("triggerSampling() refuses a 200 whose jobId is not an ObjectId, as an answer that may have started a job", async () => {
  for (const jobId of ["../../x", "job-1", "AAAAAAAAAAAAAAAAAAAAAAAA"]) {
    await using server = startServer(() => json({ jobId }));
    const error = await rejection(
      triggerSampling(VALID, { baseUrl: server.url, retry: false }),
    );
    assertEquals(isLightlyError(error) && error.kind, "maybe-applied");
    const cause = underlying(error);
    if (!isLightlyError(cause, "unexpected-response")) {
      throw new Error(`got ${cause}`);
    }
    assertEquals(cause.status, 200);
    assertStringIncludes(cause.reason, "jobId");
    assertStringIncludes(cause.reason, "ObjectId");
  }
});

Deno.test("a 200 whose body is not JSON becomes an UnexpectedResponseError", async () => {
  await using server = startServer(() =>
    new Response("OK", { headers: { "content-type": "text/plain" } })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.status, 200);
  assertEquals(error.reason, "body is not valid JSON");
  assertEquals(error.bodySnippet, "OK");
  assertEquals(error.contentType, "text/plain");
});

Deno.test("triggerSampling() reports a 200 with the wrong shape with the UnexpectedResponseError reachable", async () => {
  await using server = startServer(() => json({ job: "x" }));
  const error = underlying(
    await rejection(triggerSampling(VALID, { baseUrl: server.url })),
  );
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.status, 200);
  assertEquals(server.requests.length, 1);
});

Deno.test("a streamed body over 1 MiB (no Content-Length) is cancelled, not buffered", async () => {
  const body = endlessBody(256 * 1024 * 1024);
  await using server = startServer(() =>
    new Response(body.stream, { status: 500 })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.status, 500);
  assertEquals(error.reason, `body larger than ${MAX_BODY_BYTES} bytes`);
  assertEquals(error.bodySnippet, undefined);
  await body.cancelled; // the client hung up: the server's stream was cancelled
  assert(
    body.pulled < 64 * 1024 * 1024,
    `the server produced ${body.pulled} bytes of a 256 MiB body`,
  );
});

Deno.test("a 2xx body over 1 MiB is refused the same way", async () => {
  const body = endlessBody(256 * 1024 * 1024);
  await using server = startServer(() => new Response(body.stream));
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.status, 200);
  assertEquals(error.reason, `body larger than ${MAX_BODY_BYTES} bytes`);
  await body.cancelled;
});

Deno.test("a body announcing more than 1 MiB in Content-Length is cancelled after at most 1 MiB", async () => {
  const total = 64 * 1024 * 1024;
  const body = endlessBody(total);
  await using server = startServer(() =>
    new Response(body.stream, {
      status: 502,
      headers: { "content-length": String(total) },
    })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.reason, `body larger than ${MAX_BODY_BYTES} bytes`);
  await body.cancelled;
  assert(body.pulled < total / 2, `the server produced ${body.pulled} bytes`);
});

Deno.test("a gzip body with a small Content-Length that inflates past 1 MiB is capped", async () => {
  const inflated = new Uint8Array(4 * MAX_BODY_BYTES).fill(0x20);
  const gzip = new Uint8Array(
    await new Response(
      new Blob([inflated]).stream().pipeThrough(new CompressionStream("gzip")),
    ).arrayBuffer(),
  );
  assert(gzip.byteLength < 64 * 1024);
  await using server = startServer(() =>
    new Response(gzip, {
      status: 500,
      headers: {
        "content-encoding": "gzip",
        "content-length": String(gzip.byteLength),
      },
    })
  );
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "unexpected-response")) {
    throw new Error(`got ${error}`);
  }
  assertEquals(error.reason, `body larger than ${MAX_BODY_BYTES} bytes`);
});

// -------------------------------------------------------- network errors

Deno.test("a refused connection becomes a NetworkError with connectFailed true", async () => {
  const server = startServer(() => json({ jobId: "never" }));
  const url = server.url;
  await server.close(); // the port is free again: nothing listens on it
  const error = as(await rejection(post(url)), NetworkError);
  assert(isLightlyError(error, "network"));
  assertEquals(error.kind, "network");
  assertEquals(error.name, "NetworkError");
  assertEquals(error.connectFailed, true);
  assertEquals(error.url, redactedUrl(url));
  assertStringIncludes(
    error.message,
    `POST ${redactedUrl(url)} failed: could not connect`,
  );
  assertInstanceOf(error.cause, Error);
  assertMatch((error.cause as Error).message, /connection refused/i);
});

Deno.test("triggerSampling() without retries reports a refused connection as a NetworkError", async () => {
  const server = startServer(() => json({ jobId: "never" }));
  const url = server.url;
  await server.close();
  const error = await rejection(
    triggerSampling(VALID, { baseUrl: url, retry: false }),
  );
  if (!isLightlyError(error, "network")) throw new Error(`got ${error}`);
  assertEquals(error.connectFailed, true);
});

Deno.test("a connection dropped mid-body becomes a NetworkError with connectFailed false", async () => {
  await using server = startRawServer(
    'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"jobId":"j',
  );
  const error = underlying(await rejection(post(server.url)));
  if (!isLightlyError(error, "network")) throw new Error(`got ${error}`);
  assertEquals(error.connectFailed, false);
  assertStringIncludes(error.message, "failed: the connection failed");
  assertEquals(server.connections, 1);
});

Deno.test("a connection closed before any answer becomes a NetworkError with connectFailed false", async () => {
  await using server = startRawServer("");
  const error = await rejection(post(server.url));
  if (!isLightlyError(error, "network")) throw new Error(`got ${error}`);
  assertEquals(error.connectFailed, false);
});

// -------------------------------------------------------------- timeouts

Deno.test("a server that delays its headers past timeoutMs gives a TimeoutError", async () => {
  await using server = startServer(async () => {
    await server.released;
    return json({ jobId: "late" });
  });
  const error = as(
    await guarded(server, rejection(post(server.url, { timeoutMs: 100 }))),
    TimeoutError,
  );
  assert(isLightlyError(error, "timeout"));
  assertEquals(error.kind, "timeout");
  assertEquals(error.name, "TimeoutError");
  assertEquals(error.timeoutMs, 100);
  assertEquals(error.url, redactedUrl(server.url));
  assertEquals(
    error.message,
    `POST ${redactedUrl(server.url)} timed out after 100 ms`,
  );
  assertEquals(server.requests.length, 1);
});

Deno.test("a server that sends headers then stalls the body gives a TimeoutError (the limit covers the body)", async () => {
  await using server = startServer(() =>
    new Response(stalledBody(server), {
      headers: { "content-type": "application/json" },
    })
  );
  const error = await guarded(
    server,
    rejection(post(server.url, { timeoutMs: 100 })),
  );
  if (!isLightlyError(error, "timeout")) throw new Error(`got ${error}`);
  assertEquals(error.timeoutMs, 100);
});

Deno.test("triggerSampling() reports a timeout with the TimeoutError reachable, sent once", async () => {
  await using server = startServer(async () => {
    await server.released;
    return json({ jobId: "late" });
  });
  const error = underlying(
    await guarded(
      server,
      rejection(
        triggerSampling(VALID, { baseUrl: server.url, timeoutMs: 100 }),
      ),
    ),
  );
  if (!isLightlyError(error, "timeout")) throw new Error(`got ${error}`);
  assertEquals(server.requests.length, 1);
});

Deno.test("an invalid timeoutMs is a validation error and nothing is sent", async () => {
  await using server = startServer(() => json({ jobId: "j" }));
  for (const timeoutMs of [0, -1, NaN, Infinity, 2 ** 31, "100", null]) {
    for (
      const call of [
        // The request layer gets validated snapshots only: the public
        // calls check the option (a read's as well as the trigger's).
        () =>
          getJobStatus("0123456789abcdef01234567", {
            baseUrl: server.url,
            timeoutMs: timeoutMs as number,
          }),
        () =>
          triggerSampling(VALID, {
            baseUrl: server.url,
            timeoutMs: timeoutMs as number,
          }),
        () =>
          triggerSamplingRaw(VALID, {
            baseUrl: server.url,
            timeoutMs: timeoutMs as number,
          }),
      ]
    ) {
      const error = await rejection(call());
      if (!isLightlyError(error, "validation")) throw new Error(`got ${error}`);
      assertEquals(error.issues.map((i) => i.path), ["options.timeoutMs"]);
      assertMatch(error.issues[0].rule, /^must be a positive, finite number/);
    }
  }
  assertEquals(server.requests.length, 0);
});

Deno.test("the largest valid timeoutMs does not fire at once", async () => {
  const jobId = "0123456789abcdef0123abcd";
  await using server = startServer(() => json({ jobId }));
  assertEquals(await post(server.url, { timeoutMs: 2 ** 31 - 1 }), { jobId });
});

// ---------------------------------------------------------------- aborts

Deno.test("a signal aborted before the call gives an AbortedError and sends nothing", async () => {
  await using server = startServer(() => json({ jobId: "j" }));
  const reason = new Error("user pressed ctrl-c");
  const controller = new AbortController();
  controller.abort(reason);
  let fetched = 0;
  const fetch = (() => {
    fetched++;
    throw new Error("must not be called");
  }) as typeof globalThis.fetch;
  for (
    const call of [
      () => post(server.url, { signal: controller.signal, fetch }),
      () =>
        triggerSampling(VALID, {
          baseUrl: server.url,
          signal: controller.signal,
          fetch,
        }),
      () =>
        triggerSamplingRaw(VALID, {
          baseUrl: server.url,
          signal: controller.signal,
          fetch,
        }),
    ]
  ) {
    const error = as(await rejection(call()), AbortedError);
    assert(isLightlyError(error, "aborted"));
    assertEquals(error.kind, "aborted");
    assertEquals(error.name, "AbortedError");
    assertEquals(error.cause, reason);
    assertEquals(error.method, "POST");
  }
  assertEquals(fetched, 0);
  assertEquals(server.requests.length, 0);
});

Deno.test("a signal aborted while waiting for headers gives an AbortedError whose cause is the reason", async () => {
  let arrived!: () => void;
  const seen = new Promise<void>((resolve) => arrived = resolve);
  await using server = startServer(async () => {
    arrived();
    await server.released;
    return json({ jobId: "late" });
  });
  const controller = new AbortController();
  const reason = new Error("stop");
  const pending = rejection(post(server.url, { signal: controller.signal }));
  await seen;
  controller.abort(reason);
  const error = await guarded(server, pending);
  if (!isLightlyError(error, "aborted")) throw new Error(`got ${error}`);
  assertEquals(error.cause, reason);
  assertEquals(error.url, redactedUrl(server.url));
  assertEquals(
    error.message,
    `POST ${redactedUrl(server.url)} was aborted by the caller`,
  );
});

Deno.test("a signal aborted while the body is read gives an AbortedError", async () => {
  let arrived!: () => void;
  const seen = new Promise<void>((resolve) => arrived = resolve);
  await using server = startServer(() => {
    arrived();
    return new Response(stalledBody(server));
  });
  const controller = new AbortController();
  const pending = rejection(
    triggerSampling(VALID, { baseUrl: server.url, signal: controller.signal }),
  );
  await seen;
  controller.abort("reason as a string");
  const error = await guarded(server, pending);
  if (!isLightlyError(error, "aborted")) throw new Error(`got ${error}`);
  assertEquals(error.cause, "reason as a string");
});

Deno.test("triggerSamplingRaw() leaves the caller's signal able to stop body reading", async () => {
  await using server = startServer(() => new Response(stalledBody(server)));
  const controller = new AbortController();
  const response = await triggerSamplingRaw(VALID, {
    baseUrl: server.url,
    signal: controller.signal,
    timeoutMs: 60_000,
  });
  const reading = response.text();
  controller.abort(new Error("stop reading"));
  await assertRejects(() => guarded(server, reading));
});

// ------------------------------------------------- validation sends nothing

Deno.test("invalid input or options send nothing, from every entry point", async () => {
  await using server = startServer(() => json({ jobId: "j" }));
  let fetched = 0;
  const fetch = ((...args: Parameters<typeof globalThis.fetch>) => {
    fetched++;
    return globalThis.fetch(...args);
  }) as typeof globalThis.fetch;
  const bad = { ...VALID, body: { ...VALID.body, newTagName: "x" } };
  for (
    const call of [
      () => triggerSampling(bad, { baseUrl: server.url, fetch }),
      () => triggerSamplingRaw(bad, { baseUrl: server.url, fetch }),
      () =>
        triggerSampling(VALID, {
          baseUrl: server.url,
          fetch,
          headers: { Host: "x" },
        }),
      () => triggerSampling(null as never, { baseUrl: server.url, fetch }),
    ]
  ) {
    const error = as(await rejection(call()), ValidationError);
    assertStringIncludes(error.message, "nothing was sent");
  }
  assertEquals(fetched, 0);
  assertEquals(server.requests.length, 0);
});

Deno.test("triggerSampling() returns a rejected promise for bad input instead of throwing", () => {
  let threw = false;
  let promise: Promise<unknown> | undefined;
  try {
    promise = triggerSampling({} as never);
  } catch {
    threw = true;
  }
  assertEquals(threw, false);
  return assertRejects(() => promise!, ValidationError);
});

// ------------------------------------------------------------ raw escape

Deno.test("triggerSamplingRaw() returns the Response untouched, 2xx and 4xx alike", async () => {
  await using server = startServer((_, i) =>
    i === 0 ? json({ jobId: "j", extra: 1 }, 200, { "x-custom": "a" }) : json(
      { code: "TAG_NAME_EXISTS", error: "exists" },
      409,
    )
  );
  const ok = await triggerSamplingRaw(VALID, { baseUrl: server.url });
  assertInstanceOf(ok, Response);
  assertEquals(ok.status, 200);
  assertEquals(ok.headers.get("x-custom"), "a");
  assertEquals(ok.bodyUsed, false);
  assertEquals(await ok.json(), { jobId: "j", extra: 1 });

  const conflict = await triggerSamplingRaw(VALID, { baseUrl: server.url });
  assertEquals(conflict.status, 409);
  assertEquals(
    await conflict.text(),
    '{"code":"TAG_NAME_EXISTS","error":"exists"}',
  );
  assertEquals(server.requests.length, 2);
  assertEquals(server.requests[0].body, server.requests[1].body);
});

Deno.test("triggerSamplingRaw() validates its input before sending", async () => {
  await using server = startServer(() => json({ jobId: "j" }));
  const error = await rejection(
    triggerSamplingRaw(
      { ...VALID, datasetId: "0123456789ABCDEF01234567" },
      { baseUrl: server.url },
    ),
  );
  if (!isLightlyError(error, "validation")) throw new Error(`got ${error}`);
  assertEquals(error.issues.map((i) => i.path), ["datasetId"]);
  assertEquals(server.requests.length, 0);
});

// ---------------------------------------------------------- injected fetch

Deno.test("triggerSampling() uses the injected fetch and not the global one", async () => {
  const calls: { url: string; init: RequestInit }[] = [];
  const fakeFetch = ((url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(json({ jobId: "0123456789abcdef0123fa6e" }));
  }) as typeof globalThis.fetch;
  const saved = globalThis.fetch;
  globalThis.fetch = () => Promise.reject(new Error("global fetch used"));
  try {
    const result = await triggerSampling(VALID, {
      baseUrl: "http://127.0.0.1:9",
      auth: { bearerToken: "jwt" },
      fetch: fakeFetch,
    });
    assertEquals(result, { jobId: "0123456789abcdef0123fa6e" });
  } finally {
    globalThis.fetch = saved;
  }
  assertEquals(calls.length, 1);
  const [{ url, init }] = calls;
  assertEquals(url, `http://127.0.0.1:9${PATH}`);
  assertEquals(init.method, "POST");
  assertEquals(
    init.body,
    buildSamplingRequest(VALID).body,
  );
  assertEquals(
    (init.headers as Record<string, string>)["Authorization"],
    "Bearer jwt",
  );
  assertInstanceOf(init.signal, AbortSignal);
});

Deno.test("an injected fetch that throws becomes a NetworkError", async () => {
  const error = await rejection(post("http://127.0.0.1:9", {
    fetch: () => Promise.reject(new TypeError("offline")),
  }));
  if (!isLightlyError(error, "network")) throw new Error(`got ${error}`);
  assertEquals(error.connectFailed, false);
  assertStringIncludes(error.message, "offline");
});

// ----------------------------------------------------------- type guards

const GUARDS: [LightlyErrorKind, (e: unknown) => boolean][] = [
  ["validation", (e: unknown) => isLightlyError(e, "validation")],
  ["api", (e: unknown) => isLightlyError(e, "api")],
  [
    "unexpected-response",
    (e: unknown) => isLightlyError(e, "unexpected-response"),
  ],
  ["network", (e: unknown) => isLightlyError(e, "network")],
  ["timeout", (e: unknown) => isLightlyError(e, "timeout")],
  ["aborted", (e: unknown) => isLightlyError(e, "aborted")],
];

Deno.test("type guards accept an error from another copy of the module (the Symbol.for brand)", () => {
  const brand = Symbol.for("lightly-sampling.LightlyError");
  for (const [kind, guard] of GUARDS) {
    const foreign = { [brand]: true, kind, name: "X", message: "m" };
    assert(guard(foreign), kind);
    assert(isLightlyError(foreign), kind);
    for (const [other, otherGuard] of GUARDS) {
      if (other !== kind) {
        assertEquals(otherGuard(foreign), false, `${kind}/${other}`);
      }
    }
  }
});

Deno.test("type guards refuse lookalikes without the brand", () => {
  const brand = Symbol.for("lightly-sampling.LightlyError");
  const lookalikes: unknown[] = [
    Object.assign(new Error("x"), { kind: "api", name: "LightlyApiError" }),
    { kind: "timeout", name: "TimeoutError", message: "m" },
    { [brand]: false, kind: "network" },
    { [brand]: "true", kind: "network" },
    { [Symbol("lightly-sampling.LightlyError")]: true, kind: "network" },
    { "lightly-sampling.LightlyError": true, kind: "network" },
    null,
    undefined,
    "LightlyError",
    42,
  ];
  for (const value of lookalikes) {
    assertEquals(isLightlyError(value), false, Deno.inspect(value));
    for (const [kind, guard] of GUARDS) {
      assertEquals(guard(value), false, `${kind}: ${Deno.inspect(value)}`);
    }
  }
});

Deno.test("type guards tell real errors apart by kind", () => {
  const errors: [LightlyErrorKind, Error][] = [
    ["validation", new ValidationError([{ path: "p", rule: "r" }])],
    [
      "api",
      new LightlyApiError({ status: 400, code: "C", serverMessage: "m" }),
    ],
    [
      "unexpected-response",
      new UnexpectedResponseError({ status: 502, reason: "html" }),
    ],
    ["network", new NetworkError("down", { connectFailed: true })],
    ["timeout", new TimeoutError(5)],
    ["aborted", new AbortedError()],
  ];
  for (const [kind, error] of errors) {
    assert(isLightlyError(error));
    assertInstanceOf(error, LightlyError);
    for (const [guardKind, guard] of GUARDS) {
      assertEquals(guard(error), guardKind === kind, `${kind}/${guardKind}`);
    }
  }
  assertEquals(isLightlyError(new Error("plain")), false);
});
