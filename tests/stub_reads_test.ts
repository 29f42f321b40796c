import { assert, assertEquals, assertMatch } from "@std/assert";
import { countBitMask, startLightlyStub } from "../testing.ts";
import { call } from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

const UNKNOWN = "0123456789abcdef01234567";

Deno.test("GET …/embeddings lists the embeddings newest first", async () => {
  await using stub = startLightlyStub({
    datasets: [{
      embeddings: [
        { name: "older", createdAt: 1000 },
        { name: "newest", createdAt: 3000, isProcessed: false },
        { name: "middle", createdAt: 2000, is2d: true },
      ],
    }],
  });
  const reply = await call(
    stub,
    "GET",
    `/v1/datasets/${stub.datasetId}/embeddings`,
  );
  assertEquals(reply.status, 200);
  assertEquals(reply.json.map((e: { name: string }) => e.name), [
    "newest",
    "middle",
    "older",
  ]);
  const [newest, middle] = reply.json;
  assertEquals(newest.isProcessed, false);
  assertEquals(middle.is2d, true);
  assertMatch(newest.id, /^[a-f0-9]{24}$/);
  assertEquals(stub.embeddingId, middle.id, "the newest processed one");
});

Deno.test("GET …/tags lists the initial-tag first, with totSize and a full bitmask", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 10 }] });
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  assertEquals(reply.status, 200);
  assertEquals(reply.json.length, 1);
  const [initial] = reply.json;
  assertEquals(initial.id, stub.initialTagId);
  assertEquals(initial.datasetId, stub.datasetId);
  assertEquals(initial.name, "initial-tag");
  assertEquals(initial.prevTagId, null);
  assertEquals(initial.totSize, 10);
  assertEquals(initial.bitMaskData, "0x3ff");
  assertEquals(typeof initial.createdAt, "number");
});

Deno.test("GET …/tags/{tagId} answers one tag; seeded tags keep their samples", async () => {
  const labelledId = "64b0c0ffee00000000000001";
  await using stub = startLightlyStub({
    datasets: [{
      sampleCount: 100,
      tags: [{ id: labelledId, name: "labelled", samples: [1, 5, 99] }],
    }],
  });
  const reply = await call(
    stub,
    "GET",
    `/v1/datasets/${stub.datasetId}/tags/${labelledId}`,
  );
  assertEquals(reply.status, 200);
  assertEquals(reply.json.name, "labelled");
  assertEquals(reply.json.totSize, 3);
  assertEquals(countBitMask(reply.json.bitMaskData), 3);
  assertEquals(reply.json.prevTagId, stub.initialTagId);
});

Deno.test("malformed path ids answer 400 MALFORMED_REQUEST naming the parameter", async () => {
  await using stub = startLightlyStub();
  const cases: [string, string][] = [
    ["/v1/jobs/NOT-AN-ID", "jobId"],
    ["/v1/jobs/0123456789ABCDEF01234567", "jobId"],
    [`/v1/datasets/${UNKNOWN.slice(1)}/tags`, "datasetId"],
    [`/v1/datasets/${stub.datasetId}/tags/zz`, "tagId"],
    [`/v1/datasets/%E0%A4%A/embeddings`, "datasetId"],
    [`/v1/datasets/${stub.datasetId}/embeddings/x/sampling`, "embeddingId"],
  ];
  for (const [path, field] of cases) {
    const method = path.endsWith("/sampling") ? "POST" : "GET";
    const reply = await call(stub, method, path, {
      body: method === "POST" ? {} : undefined,
    });
    assertEquals(reply.status, 400, path);
    assertEquals(reply.json.code, "MALFORMED_REQUEST", path);
    assertMatch(reply.json.error, new RegExp(`\\b${field}\\b`), path);
    assertMatch(reply.json.requestId, /\S/);
  }
});

Deno.test("unknown ids answer 404 DATASET_UNKNOWN, TAG_UNKNOWN and JOB_UNKNOWN", async () => {
  await using stub = startLightlyStub();
  const cases: [string, string][] = [
    [`/v1/datasets/${UNKNOWN}/tags`, "DATASET_UNKNOWN"],
    [`/v1/datasets/${UNKNOWN}/embeddings`, "DATASET_UNKNOWN"],
    [`/v1/datasets/${UNKNOWN}/tags/${stub.initialTagId}`, "DATASET_UNKNOWN"],
    [`/v1/datasets/${stub.datasetId}/tags/${UNKNOWN}`, "TAG_UNKNOWN"],
    [`/v1/jobs/${UNKNOWN}`, "JOB_UNKNOWN"],
  ];
  for (const [path, code] of cases) {
    const reply = await call(stub, "GET", path);
    assertEquals(reply.status, 404, path);
    assertEquals(reply.json.code, code, path);
    assertEquals(reply.json.requestId, reply.headers.get("x-request-id"));
  }
});

Deno.test("a tag of another dataset is TAG_UNKNOWN in this one", async () => {
  await using stub = startLightlyStub({ datasets: [{}, {}] });
  const [first, second] = stub.datasets();
  const reply = await call(
    stub,
    "GET",
    `/v1/datasets/${first.id}/tags/${second.tags[0].id}`,
  );
  assertEquals(reply.status, 404);
  assertEquals(reply.json.code, "TAG_UNKNOWN");
});

Deno.test("every error body is an ApiErrorResponse: code, error, requestId, nothing else", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "GET", `/v1/jobs/${UNKNOWN}`);
  assertEquals(Object.keys(reply.json).sort(), ["code", "error", "requestId"]);
  assertEquals(reply.headers.get("content-type"), "application/json");
  assert(reply.json.error.length > 0);
});
