import {
  assert,
  assertEquals,
  assertMatch,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { type LightlyStub, startLightlyStub } from "../testing.ts";
import {
  call,
  samplingBody,
  samplingPath,
  triggerJob,
} from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

function triggerRequest(stub: LightlyStub, name: string): Request {
  return new Request(`${stub.url}${samplingPath(stub)}?token=${stub.token}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(samplingBody(name)),
  });
}

function tagsUrl(stub: LightlyStub): string {
  return `${stub.url}/v1/datasets/${stub.datasetId}/tags?token=${stub.token}`;
}

/** Waits (without a timed assertion) until the stub has logged `n` requests. */
async function untilLogged(stub: LightlyStub, n: number): Promise<void> {
  while (stub.requests.length < n) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

Deno.test("a latency fault waits the given time through the injected sleep, then answers as usual", async () => {
  const waits: number[] = [];
  await using stub = startLightlyStub({
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
    faults: [{ route: "tags", fault: { kind: "latency", ms: 1500 } }],
  });
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  assertEquals(reply.status, 200);
  assertEquals(reply.json[0].name, "initial-tag");
  assertEquals(waits, [1500]);
  assertEquals(stub.requests[0].faults, ["latency"]);
  await call(stub, "GET", `/v1/datasets/${stub.datasetId}/embeddings`);
  assertEquals(waits, [1500], "other routes are not delayed");
});

Deno.test("close() cuts a pending real latency short and leaves no timer behind", async () => {
  const stub = startLightlyStub({
    faults: [{ route: "job", fault: { kind: "latency", ms: 600_000 } }],
  });
  const pending = fetch(`${stub.url}/v1/jobs/0123456789abcdef01234567`).then(
    async (response) => {
      await response.body?.cancel();
      return response.status;
    },
    () => "network error",
  );
  await untilLogged(stub, 1);
  await stub.close();
  const outcome = await pending;
  assert(outcome === 503 || outcome === "network error", String(outcome));
});

Deno.test("a status fault answers 503 with Retry-After and an ApiErrorResponse, without acting", async () => {
  await using stub = startLightlyStub({
    faults: [{
      route: "trigger",
      nth: 1,
      fault: { kind: "status", status: 503, retryAfter: "2" },
    }],
  });
  const reply = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("unlucky"),
  });
  assertEquals(reply.status, 503);
  assertEquals(reply.headers.get("retry-after"), "2");
  assertEquals(reply.json.code, "SERVICE_UNAVAILABLE");
  assertEquals(reply.json.requestId, reply.headers.get("x-request-id"));
  assertEquals(stub.jobs(), [], "no job was started");
  assertEquals(stub.requests[0].status, 503);
  assertEquals(stub.requests[0].faults, ["status"]);
  const retry = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("unlucky"),
  });
  assertEquals(retry.status, 200, "nth: 1 faults the first request only");
});

Deno.test("a status fault can answer 429 with a custom code and message", async () => {
  await using stub = startLightlyStub({
    faults: [{
      route: "job",
      fault: {
        kind: "status",
        status: 429,
        retryAfter: 30,
        code: "RATE_LIMITED",
        message: "slow down",
      },
    }],
  });
  const reply = await call(stub, "GET", "/v1/jobs/0123456789abcdef01234567");
  assertEquals(reply.status, 429);
  assertEquals(reply.headers.get("retry-after"), "30");
  assertEquals([reply.json.code, reply.json.error], [
    "RATE_LIMITED",
    "slow down",
  ]);
});

Deno.test("a status fault can answer with a proxy's HTML page or an empty body", async () => {
  await using stub = startLightlyStub({
    faults: [
      {
        route: "tags",
        nth: 1,
        fault: { kind: "status", status: 502, body: "html" },
      },
      {
        route: "tags",
        nth: 2,
        fault: { kind: "status", status: 504, body: "empty" },
      },
    ],
  });
  const path = `/v1/datasets/${stub.datasetId}/tags`;
  const html = await call(stub, "GET", path);
  assertEquals(html.status, 502);
  assertEquals(html.headers.get("content-type"), "text/html");
  assertMatch(html.text, /<html>[\s\S]*502 Bad Gateway/);
  const empty = await call(stub, "GET", path);
  assertEquals(empty.status, 504);
  assertEquals(empty.text, "");
  assertEquals(empty.headers.get("content-type"), null);
  assertMatch(empty.headers.get("x-request-id") ?? "", /\S/);
  assertEquals((await call(stub, "GET", path)).status, 200);
});

Deno.test("a handled status fault acts first: the job starts, a retry of the POST gets 409 TAG_NAME_EXISTS", async () => {
  await using stub = startLightlyStub({
    faults: [{
      route: "trigger",
      nth: 1,
      fault: { kind: "status", status: 502, body: "html", handled: true },
    }],
  });
  const first = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("acted"),
  });
  assertEquals(first.status, 502);
  assertEquals(stub.jobs().length, 1, "the server acted");
  const retry = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("acted"),
  });
  assertEquals(retry.status, 409);
  assertEquals(retry.json.code, "TAG_NAME_EXISTS");
});

Deno.test("nth picks requests by their number on the route; no nth faults every one", async () => {
  await using stub = startLightlyStub({
    faults: [
      { route: "job", nth: [2, 4], fault: { kind: "status", status: 500 } },
      { route: "embeddings", fault: { kind: "status", status: 503 } },
    ],
  });
  const jobId = await triggerJob(stub, samplingBody("counted"));
  const statuses = [];
  for (let i = 0; i < 5; i++) {
    statuses.push((await call(stub, "GET", `/v1/jobs/${jobId}`)).status);
  }
  assertEquals(statuses, [200, 500, 200, 500, 200]);
  for (let i = 0; i < 3; i++) {
    const reply = await call(
      stub,
      "GET",
      `/v1/datasets/${stub.datasetId}/embeddings`,
    );
    assertEquals(reply.status, 503);
  }
});

Deno.test('route "*" counts every request, whatever its route', async () => {
  await using stub = startLightlyStub({
    faults: [{ route: "*", nth: 3, fault: { kind: "status", status: 500 } }],
  });
  const statuses = [
    (await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`)).status,
    (await call(stub, "GET", "/nowhere")).status,
    (await call(stub, "GET", `/v1/datasets/${stub.datasetId}/embeddings`))
      .status,
    (await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`)).status,
  ];
  assertEquals(statuses, [200, 404, 500, 200]);
  assertEquals(stub.requests.map((r) => r.route), [
    "tags",
    "unknown",
    "embeddings",
    "tags",
  ]);
});

Deno.test("addFault() counts nth from the moment it is added, and only on its own stub", async () => {
  await using stub = startLightlyStub();
  await using other = startLightlyStub();
  const path = (s: LightlyStub) => `/v1/datasets/${s.datasetId}/tags`;
  await call(stub, "GET", path(stub));
  await call(stub, "GET", path(stub));
  stub.addFault({
    route: "tags",
    nth: 1,
    fault: { kind: "status", status: 500 },
  });
  assertEquals((await call(other, "GET", path(other))).status, 200);
  assertEquals((await call(stub, "GET", path(stub))).status, 500);
  assertEquals((await call(stub, "GET", path(stub))).status, 200);
  assertThrows(
    () => stub.addFault({ route: "tags", nth: 0, fault: { kind: "drop" } }),
    TypeError,
    "nth",
  );
});

Deno.test("a malformed fault answers the real status with a body that is not JSON", async () => {
  await using stub = startLightlyStub({
    faults: [{ route: "trigger", fault: { kind: "malformed" } }],
  });
  const response = await fetch(triggerRequest(stub, "malformed"));
  assertEquals(response.status, 200);
  assertEquals(response.headers.get("content-type"), "application/json");
  const text = await response.text();
  assertMatch(text, /^\{"jobId":"[a-f0-9]{24}"$/);
  assertThrows(() => JSON.parse(text), SyntaxError);
  assertEquals(stub.jobs().length, 1, "the request was handled");
});

Deno.test("a truncated fault sends headers and half the body, then closes the connection", async () => {
  await using stub = startLightlyStub({
    faults: [{ route: "trigger", fault: { kind: "truncated" } }],
  });
  const response = await fetch(triggerRequest(stub, "truncated"));
  assertEquals(response.status, 200);
  const announced = Number(response.headers.get("content-length"));
  assert(announced > 0);
  await assertRejects(() => response.text(), TypeError);
  assertEquals(stub.jobs().length, 1, "the request was handled");
  assertEquals(stub.requests[0].faults, ["truncated"]);
});

Deno.test("a drop fault closes the connection without any answer: fetch rejects", async () => {
  await using stub = startLightlyStub({
    faults: [{ route: "trigger", nth: 1, fault: { kind: "drop" } }],
  });
  const error = await assertRejects(
    () => fetch(triggerRequest(stub, "dropped")),
    TypeError,
  );
  assertMatch(
    String(error.cause ?? error.message),
    /connection closed|fetch failed/,
  );
  assertEquals(stub.requests.length, 1);
  assertEquals(stub.requests[0].status, 0);
  assertEquals(stub.requests[0].faults, ["drop"]);
  assertEquals(stub.jobs(), [], "not handled: no job");
  const retry = await fetch(triggerRequest(stub, "dropped"));
  assertEquals(retry.status, 200);
  await retry.body?.cancel();
});

Deno.test("a handled drop fault acts first: the answer is lost, the job runs", async () => {
  await using stub = startLightlyStub({
    faults: [{
      route: "trigger",
      nth: 1,
      fault: { kind: "drop", handled: true },
    }],
  });
  await assertRejects(
    () => fetch(triggerRequest(stub, "lost-answer")),
    TypeError,
  );
  assertEquals(stub.jobs().length, 1);
  const retry = await fetch(triggerRequest(stub, "lost-answer"));
  assertEquals(retry.status, 409);
  assertEquals((await retry.json()).code, "TAG_NAME_EXISTS");
});

Deno.test("Deno's fetch resends a request once when a warm keep-alive connection drops it", async () => {
  await using stub = startLightlyStub();
  const warm = await fetch(tagsUrl(stub));
  await warm.body?.cancel();
  stub.addFault({ route: "tags", nth: 1, fault: { kind: "drop" } });
  const response = await fetch(tagsUrl(stub));
  assertEquals(response.status, 200, "the resend was answered");
  await response.body?.cancel();
  assertEquals(stub.requests.map((r) => r.status), [200, 0, 200]);
});

Deno.test("a handled drop on a warm connection: fetch's own resend answers 409 for the caller's own job", async () => {
  await using stub = startLightlyStub();
  const warm = await fetch(tagsUrl(stub));
  await warm.body?.cancel();
  stub.addFault({
    route: "trigger",
    nth: 1,
    fault: { kind: "drop", handled: true },
  });
  const response = await fetch(triggerRequest(stub, "resent"));
  assertEquals(response.status, 409);
  assertEquals((await response.json()).code, "TAG_NAME_EXISTS");
  assertEquals(
    stub.jobs().length,
    1,
    "one job, started by the dropped attempt",
  );
  assertEquals(
    stub.requests.map((r) => [r.route, r.status]),
    [["tags", 200], ["trigger", 0], ["trigger", 409]],
  );
});

Deno.test("a hang fault sends half the body and holds the rest until the stub closes", async () => {
  const stub = startLightlyStub({
    faults: [{ route: "tags", fault: { kind: "hang" } }],
  });
  const response = await fetch(tagsUrl(stub));
  assertEquals(response.status, 200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assertEquals(first.done, false);
  assertMatch(new TextDecoder().decode(first.value), /^\[\{"id":/);
  const rest = reader.read();
  await stub.close();
  await assertRejects(() => rest, TypeError);
});

Deno.test("a client that gives up on a hanging body leaves nothing open once the stub closes", async () => {
  await using stub = startLightlyStub({
    faults: [{ route: "job", fault: { kind: "hang" } }],
  });
  const controller = new AbortController();
  const response = await fetch(`${stub.url}/v1/jobs/x?token=${stub.token}`, {
    signal: controller.signal,
  });
  const reading = response.text();
  controller.abort();
  await assertRejects(() => reading);
});

Deno.test("latency and a terminal fault on one request apply in order", async () => {
  const waits: number[] = [];
  await using stub = startLightlyStub({
    sleep: (ms) => (waits.push(ms), Promise.resolve()),
    faults: [
      { route: "tags", fault: { kind: "latency", ms: 250 } },
      { route: "tags", fault: { kind: "status", status: 503, body: "empty" } },
    ],
  });
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  assertEquals(reply.status, 503);
  assertEquals(waits, [250]);
  assertEquals(stub.requests[0].faults, ["latency", "status"]);
});
