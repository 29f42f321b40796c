import {
  assert,
  assertEquals,
  assertMatch,
  assertNotEquals,
  assertRejects,
  assertThrows,
} from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import { call, samplingBody, samplingPath } from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

const OBJECT_ID = /^[a-f0-9]{24}$/;

Deno.test("startLightlyStub() listens on 127.0.0.1 with a free port and exposes the seeded ids", async () => {
  await using stub = startLightlyStub();
  assertMatch(stub.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assertMatch(stub.datasetId, OBJECT_ID);
  assertMatch(stub.embeddingId, OBJECT_ID);
  assertMatch(stub.initialTagId, OBJECT_ID);
  assertNotEquals(stub.token, "");
  assertNotEquals(stub.jwt, "");
  const [dataset] = stub.datasets();
  assertEquals(dataset.id, stub.datasetId);
  assertEquals(dataset.embeddings[0].id, stub.embeddingId);
  assertEquals(dataset.tags[0].id, stub.initialTagId);
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  assertEquals(reply.status, 200);
});

Deno.test("startLightlyStub() gives each stub its own random token and JWT unless told", async () => {
  await using a = startLightlyStub();
  await using b = startLightlyStub({ token: "my-token", jwt: "a.b.c" });
  await using c = startLightlyStub();
  assertNotEquals(a.token, c.token);
  assertNotEquals(a.jwt, c.jwt);
  assertMatch(a.jwt, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  assertEquals(b.token, "my-token");
  assertEquals(b.jwt, "a.b.c");
});

Deno.test("startLightlyStub() refuses a non-loopback hostname and bad options before listening", () => {
  assertThrows(
    () => startLightlyStub({ hostname: "0.0.0.0" }),
    RangeError,
    "options.hostname must be a loopback address",
  );
  assertThrows(
    () => startLightlyStub({ runningPolls: -1 }),
    RangeError,
    "options.runningPolls",
  );
  assertThrows(
    () => startLightlyStub({ port: 70000 }),
    RangeError,
    "options.port",
  );
  assertThrows(
    () =>
      startLightlyStub({
        faults: [{ route: "nope" as "job", fault: { kind: "drop" } }],
      }),
    TypeError,
    "options.faults[0].route",
  );
  assertThrows(
    () => startLightlyStub({ datasets: [{ sampleCount: -5 }] }),
    TypeError,
    "options.datasets[0].sampleCount",
  );
  assertThrows(
    () => startLightlyStub({ datasets: [{ id: "0123456789ABCDEF01234567" }] }),
    TypeError,
    "options.datasets[0].id",
  );
});

Deno.test("startLightlyStub() never echoes a bad token option in its error", () => {
  const secret = "bad token with spaces";
  const error = assertThrows(
    () => startLightlyStub({ token: secret }),
    TypeError,
    "options.token",
  );
  assert(!error.message.includes(secret));
});

Deno.test("startLightlyStub() throws on a taken port and leaves nothing listening", async () => {
  await using first = startLightlyStub();
  const port = Number(new URL(first.url).port);
  assertThrows(() => startLightlyStub({ port }), Deno.errors.AddrInUse);
});

Deno.test("close() stops the stub: new connections are refused and a second close() is harmless", async () => {
  const stub = startLightlyStub();
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  assertEquals(reply.status, 200);
  await stub.close();
  await stub.close();
  await assertRejects(() => fetch(`${stub.url}/v1/jobs/x`), TypeError);
});

Deno.test("await using closes the stub at the end of the block", async () => {
  let url: string;
  {
    await using stub = startLightlyStub();
    url = stub.url;
    assertEquals((await call(stub, "GET", "/v1/nothing")).status, 404);
  }
  await assertRejects(() => fetch(`${url}/v1/jobs/x`), TypeError);
});

Deno.test("an unknown route answers 404 NOT_FOUND and a wrong method 405 with Allow", async () => {
  await using stub = startLightlyStub();
  const missing = await call(stub, "GET", "/v2/datasets", { auth: "none" });
  assertEquals(missing.status, 404);
  assertEquals(missing.json.code, "NOT_FOUND");
  assertMatch(missing.json.requestId, /\S/);
  const wrong = await call(stub, "GET", samplingPath(stub));
  assertEquals(wrong.status, 405);
  assertEquals(wrong.headers.get("allow"), "POST");
  // Lightly's ApiErrorCode list has no code for a wrong method: the generic one.
  assertEquals(wrong.json.code, "BAD_REQUEST");
  const wrongJob = await call(
    stub,
    "DELETE",
    "/v1/jobs/0123456789abcdef01234567",
  );
  assertEquals(wrongJob.status, 405);
  assertEquals(wrongJob.headers.get("allow"), "GET");
});

Deno.test("every answer carries its request id as x-request-id, also in the error body", async () => {
  await using stub = startLightlyStub();
  const ok = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  const bad = await call(stub, "GET", `/v1/jobs/0123456789abcdef01234567`);
  const okId = ok.headers.get("x-request-id");
  assert(okId);
  assertEquals(bad.json.requestId, bad.headers.get("x-request-id"));
  assertNotEquals(okId, bad.json.requestId);
  assertEquals(stub.requests.map((r) => r.requestId), [
    okId,
    bad.json.requestId,
  ]);
});

Deno.test("the request log records each request with the token and Authorization masked", async () => {
  await using stub = startLightlyStub();
  await call(stub, "POST", samplingPath(stub) + "?extra=1", {
    body: samplingBody("logged-tag"),
  });
  await call(stub, "GET", `/v1/datasets/${stub.datasetId}/embeddings`, {
    auth: "bearer",
  });
  await call(stub, "POST", samplingPath(stub), { raw: "not json" });
  assertEquals(stub.requests.length, 3);
  const [post, get, raw] = stub.requests;
  assertEquals(post.method, "POST");
  assertEquals(post.path, samplingPath(stub));
  assertEquals(post.route, "trigger");
  assertEquals(post.status, 200);
  assertEquals(post.query, { extra: "1", token: "[REDACTED]" });
  assertEquals(post.headers["content-type"], "application/json");
  assertEquals(post.body, samplingBody("logged-tag"));
  assertEquals(post.faults, []);
  assertEquals(get.route, "embeddings");
  assertEquals(get.headers.authorization, "Bearer [REDACTED]");
  assertEquals(get.query, {});
  assertEquals(get.body, undefined);
  assertEquals(raw.body, "not json");
  assertEquals(raw.status, 400);
  const printed = JSON.stringify(stub.requests);
  assert(!printed.includes(stub.token), "the token leaked into the log");
  assert(!printed.includes(stub.jwt), "the JWT leaked into the log");
});

Deno.test("the request log masks a percent-encoded token parameter too", async () => {
  await using stub = startLightlyStub({ token: "tok+en/1" });
  const url = `${stub.url}/v1/datasets/${stub.datasetId}/tags?%74oken=${
    encodeURIComponent(stub.token)
  }`;
  const response = await fetch(url);
  assertEquals(response.status, 200);
  await response.body?.cancel();
  assertEquals(stub.requests[0].query, { token: "[REDACTED]" });
});

Deno.test("the request log masks other secret headers: cookies, API keys, tokens", async () => {
  await using stub = startLightlyStub();
  const response = await fetch(
    `${stub.url}/v1/datasets/${stub.datasetId}/tags?token=${stub.token}`,
    {
      headers: {
        cookie: "session=SENTINEL-1",
        "x-api-key": "SENTINEL-2",
        "x-auth-token": "SENTINEL-3",
        accept: "application/json",
      },
    },
  );
  await response.body?.cancel();
  const { headers } = stub.requests[0];
  assertEquals(headers.cookie, "[REDACTED]");
  assertEquals(headers["x-api-key"], "[REDACTED]");
  assertEquals(headers["x-auth-token"], "[REDACTED]");
  assertEquals(headers.accept, "application/json");
});

Deno.test("addDataset() adds a dataset the endpoints serve, with fresh ids", async () => {
  await using stub = startLightlyStub({ datasets: [] });
  assertEquals(stub.datasetId, "");
  assertEquals(stub.embeddingId, "");
  const added = stub.addDataset({ sampleCount: 8 });
  assertMatch(added.id, OBJECT_ID);
  const reply = await call(stub, "GET", `/v1/datasets/${added.id}/tags`);
  assertEquals(reply.status, 200);
  assertEquals(reply.json[0].totSize, 8);
  assertEquals(reply.json[0].bitMaskData, "0xff");
  assertThrows(
    () => stub.addDataset({ id: added.id }),
    TypeError,
    "already used",
  );
});

Deno.test("an injected clock makes every id and timestamp the same on each run", async () => {
  const clock = { now: () => 1_700_000_000_000 };
  await using a = startLightlyStub({ clock });
  await using b = startLightlyStub({ clock });
  assertEquals(a.datasets(), b.datasets());
  assertEquals(a.datasetId.slice(0, 8), (1_700_000_000).toString(16));
});
