import { assert, assertEquals, assertFalse, assertMatch } from "@std/assert";
import { bitMaskToIndices, startLightlyStub } from "../testing.ts";
import { call, samplingBody, triggerJob } from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

function exportPath(datasetId: string, tagId: string, query = ""): string {
  return `/v1/datasets/${datasetId}/tags/${tagId}/export/basic/filenames${query}`;
}

function nameOf(i: number): string {
  return `images/${String(Math.floor(i / 1000)).padStart(4, "0")}/sample-${
    String(i).padStart(7, "0")
  }.jpg`;
}

Deno.test("GET …/export/basic/filenames answers a tag's file names in bit order, one per line, paged in samples", async () => {
  const samples = [2, 3, 17, 500, 1001, 1999];
  await using stub = startLightlyStub({
    datasets: [{ sampleCount: 2000, tags: [{ name: "picked", samples }] }],
  });
  const tag = stub.datasets()[0].tags[1];
  const all = await call(stub, "GET", exportPath(stub.datasetId, tag.id));
  assertEquals(all.status, 200);
  assertMatch(all.headers.get("content-type")!, /^text\/plain/);
  assertEquals(all.text, samples.map(nameOf).join("\n"));
  const page = await call(
    stub,
    "GET",
    exportPath(stub.datasetId, tag.id, "?pageSize=4&pageOffset=4"),
  );
  assertEquals(page.text, samples.slice(4).map(nameOf).join("\n"));
  const past = await call(
    stub,
    "GET",
    exportPath(stub.datasetId, tag.id, "?pageSize=4&pageOffset=8"),
  );
  assertEquals([past.status, past.text], [200, ""]);
  const json = await call(
    stub,
    "GET",
    exportPath(stub.datasetId, tag.id, "?format=JSON&pageSize=2"),
  );
  assertMatch(json.headers.get("content-type")!, /^application\/json/);
  assertEquals(json.json, samples.slice(0, 2).map(nameOf));
});

Deno.test("GET …/export/basic/filenames: the new tag of a job exports exactly its totSize entries", async () => {
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 0,
    datasets: [{ sampleCount: 1000 }],
  });
  const jobId = await triggerJob(
    stub,
    samplingBody("random-37", {
      config: { stoppingCondition: { nSamples: 37 } },
    }),
  );
  const job = await call(stub, "GET", `/v1/jobs/${jobId}`);
  const tagId = job.json.result.data;
  const tag = await call(
    stub,
    "GET",
    `/v1/datasets/${stub.datasetId}/tags/${tagId}`,
  );
  const reply = await call(stub, "GET", exportPath(stub.datasetId, tagId));
  const lines = reply.text.split("\n");
  assertEquals(lines.length, tag.json.totSize);
  assertEquals(lines, bitMaskToIndices(tag.json.bitMaskData).map(nameOf));
});

Deno.test("GET …/export/basic/filenames gives datasource and signed read URLs for the same samples, and never logs them", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 3 }] });
  const path = (format: string) =>
    exportPath(
      stub.datasetId,
      stub.initialTagId,
      `?fileNameFormat=${format}&expiresIn=60&accessControl=team`,
    );
  const names = (await call(stub, "GET", path("NAME"))).text.split("\n");
  const sources = (await call(stub, "GET", path("DATASOURCE_FULL"))).text
    .split("\n");
  const reads = (await call(stub, "GET", path("REDIRECTED_READ_URL"))).text
    .split("\n");
  assertEquals(names, [0, 1, 2].map(nameOf));
  names.forEach((name, i) => {
    assertEquals(
      sources[i],
      `s3://lightly-stub-bucket/${stub.datasetId}/${name}`,
    );
    assertMatch(
      reads[i],
      /^https:\/\/lightly-stub-bucket\.s3\.amazonaws\.com\/.+\?X-Amz-Expires=60&X-Amz-Signature=[0-9a-f]+$/,
    );
    assert(reads[i].includes(`/${name}?`));
  });
  const signature = /Signature=(\w+)/.exec(reads[0])![1];
  assertFalse(
    reads[0].includes(stub.token),
    "signed by the stub, not the token",
  );
  assertFalse(JSON.stringify(stub.requests).includes(signature));
  assertEquals(stub.requests[2].route, "export");
  assertEquals(stub.requests[2].query.token, "[REDACTED]");
});

Deno.test("GET …/export/basic/filenames refuses a bad query parameter with 400 BAD_REQUEST naming it", async () => {
  await using stub = startLightlyStub();
  for (
    const [query, name] of [
      ["?fileNameFormat=URL", "fileNameFormat"],
      ["?format=CSV", "format"],
      ["?pageSize=0", "pageSize"],
      ["?pageOffset=-1", "pageOffset"],
      ["?pageSize=2.5", "pageSize"],
      ["?expiresIn=soon", "expiresIn"],
      ["?includeMetaData=yes", "includeMetaData"],
    ]
  ) {
    const reply = await call(
      stub,
      "GET",
      exportPath(stub.datasetId, stub.initialTagId, query),
    );
    assertEquals(reply.status, 400, query);
    assertEquals(reply.json.code, "BAD_REQUEST");
    assert(reply.json.error.includes(name), reply.json.error);
  }
});

Deno.test("GET …/export/basic/filenames checks credentials, ids and the tag like the other routes", async () => {
  await using stub = startLightlyStub();
  const unknown = "0123456789abcdef01234567";
  const path = exportPath(stub.datasetId, stub.initialTagId);
  assertEquals((await call(stub, "GET", path, { auth: "none" })).status, 401);
  assertEquals((await call(stub, "GET", path, { auth: "bearer" })).status, 200);
  const malformed = await call(stub, "GET", exportPath(stub.datasetId, "x"));
  assertEquals([malformed.status, malformed.json.code], [
    400,
    "MALFORMED_REQUEST",
  ]);
  const noTag = await call(stub, "GET", exportPath(stub.datasetId, unknown));
  assertEquals([noTag.status, noTag.json.code], [404, "TAG_UNKNOWN"]);
  const noSet = await call(stub, "GET", exportPath(unknown, stub.initialTagId));
  assertEquals([noSet.status, noSet.json.code], [404, "DATASET_UNKNOWN"]);
  const post = await call(stub, "POST", path);
  assertEquals(post.status, 405);
});

Deno.test("the export route takes faults like the others: a truncated page", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 50 }] });
  stub.addFault({ route: "export", nth: 1, fault: { kind: "truncated" } });
  const url = `${stub.url}${
    exportPath(stub.datasetId, stub.initialTagId)
  }?token=${stub.token}`;
  const response = await fetch(url);
  assertEquals(response.status, 200);
  let failed = false;
  try {
    await response.text();
  } catch {
    failed = true;
  }
  assert(failed, "the body ends before its Content-Length");
  assertEquals(stub.requests[0].faults, ["truncated"]);
});

Deno.test("the stub holds a dataset of 1 000 000 samples and pages its export without trouble", async () => {
  await using stub = startLightlyStub({
    datasets: [{ sampleCount: 1_000_000 }],
  });
  const last = await call(
    stub,
    "GET",
    exportPath(
      stub.datasetId,
      stub.initialTagId,
      "?pageSize=5000&pageOffset=999998",
    ),
  );
  assertEquals(last.text, `${nameOf(999_998)}\n${nameOf(999_999)}`);
});

Deno.test("GET …/embeddings/{embeddingId}/2d answers one UMAP projection, a point per sample, in clusters", async () => {
  await using stub = startLightlyStub({
    datasets: [{
      sampleCount: 3000,
      embeddings: [{ name: "ready" }, { name: "fresh", isProcessed: false }],
    }],
  });
  const [ready, fresh] = stub.datasets()[0].embeddings;
  const path = (id: string) =>
    `/v1/datasets/${stub.datasetId}/embeddings/${id}/2d`;
  const reply = await call(stub, "GET", path(ready.id));
  assertEquals(reply.status, 200);
  assertEquals(reply.json.length, 1);
  const [p] = reply.json;
  assertEquals(
    [p.datasetId, p.embeddingId, p.dimensionalityReductionMethod],
    [stub.datasetId, ready.id, "UMAP"],
  );
  assertMatch(p.id, /^[a-f0-9]{24}$/);
  assertEquals(typeof p.createdAt, "number");
  const xs: number[] = p.coordinatesDimension1;
  const ys: number[] = p.coordinatesDimension2;
  assertEquals([xs.length, ys.length], [3000, 3000]);
  assert([...xs, ...ys].every(Number.isFinite));
  // Clustered: the points gather around six centres on a ring of radius 6.
  const angles = new Set(
    xs.map((x, i) => Math.round(Math.atan2(ys[i], x) / (Math.PI / 3))),
  );
  assert(angles.size >= 6, `six clusters, got ${angles.size}`);
  assertEquals((await call(stub, "GET", path(ready.id))).json, reply.json);
  assertEquals((await call(stub, "GET", path(fresh.id))).json, []);
  const unknown = await call(stub, "GET", path("0123456789abcdef01234567"));
  assertEquals([unknown.status, unknown.json.code], [404, "EMBEDDING_UNKNOWN"]);
});
