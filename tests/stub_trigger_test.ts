import { assertEquals, assertMatch } from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import {
  call,
  pollToEnd,
  samplingBody,
  samplingPath,
  triggerJob,
} from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

const UNKNOWN = "0123456789abcdef01234567";

Deno.test("POST …/sampling answers 200 { jobId } with a fresh ObjectId", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "POST", samplingPath(stub), {
    body: {
      newTagName: "coreset-100",
      method: "CORESET",
      config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
      rowCount: 1000,
    },
  });
  assertEquals(reply.status, 200);
  assertEquals(Object.keys(reply.json), ["jobId"]);
  assertMatch(reply.json.jobId, /^[a-f0-9]{24}$/);
  assertEquals(stub.jobs().map((j) => j.id), [reply.json.jobId]);
  assertEquals(stub.jobs()[0].request.newTagName, "coreset-100");
});

Deno.test("a body that breaks SamplingCreateRequest answers 400 BAD_REQUEST naming every field", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "POST", samplingPath(stub), {
    body: {
      newTagName: "x",
      method: "coreset",
      config: { stoppingCondition: { nSamples: "2", extra: 1 }, more: {} },
      queryTagId: "NOT-AN-ID",
      scoreType: null,
      bogus: true,
    },
  });
  assertEquals(reply.status, 400);
  assertEquals(reply.json.code, "BAD_REQUEST");
  for (
    const field of [
      "newTagName",
      "method",
      "config.stoppingCondition.nSamples",
      "config.stoppingCondition.extra",
      "config.more",
      "queryTagId",
      "scoreType",
      "bogus",
    ]
  ) {
    assertMatch(
      reply.json.error,
      new RegExp(`(^|[ ;])${field.replaceAll(".", "\\.")} `),
      field,
    );
  }
  assertEquals(stub.jobs(), [], "nothing was started");
});

Deno.test("the stub accepts what the API accepts where it sets no range: any number as nSamples, minDistance and rowCount", async () => {
  await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 0 });
  const cases: [Record<string, unknown>, number][] = [
    [{ config: { stoppingCondition: { nSamples: 2.5 } } }, 2],
    [{ config: { stoppingCondition: { nSamples: 0 } } }, 0],
    [{ config: { stoppingCondition: { nSamples: -7 } } }, 1000],
    [
      { config: { stoppingCondition: { minDistance: -0.5 } }, rowCount: 0 },
      1000,
    ],
    [{ config: {}, rowCount: 12.5 }, 1000],
  ];
  for (const [i, [extra, totSize]] of cases.entries()) {
    const body = samplingBody(`lenient-${i}`, extra);
    const jobId = await triggerJob(stub, body);
    const [end] = (await pollToEnd(stub, jobId)).slice(-1);
    const tag = await call(
      stub,
      "GET",
      `/v1/datasets/${stub.datasetId}/tags/${end.result.data}`,
    );
    assertEquals(tag.json.totSize, totSize, JSON.stringify(extra));
  }
});

Deno.test("a body that is not a JSON object answers 400 BAD_REQUEST", async () => {
  await using stub = startLightlyStub();
  for (const raw of ["[]", "null", '"text"', "42"]) {
    const reply = await call(stub, "POST", samplingPath(stub), { raw });
    assertEquals(reply.status, 400, raw);
    assertEquals(reply.json.code, "BAD_REQUEST", raw);
    assertMatch(reply.json.error, /body must be an object/, raw);
  }
});

Deno.test("a missing body or required field answers 400 BAD_REQUEST naming it", async () => {
  await using stub = startLightlyStub();
  const empty = await call(stub, "POST", samplingPath(stub));
  assertEquals(empty.status, 400);
  assertEquals(empty.json.code, "BAD_REQUEST");
  assertMatch(empty.json.error, /body is required/);
  const noConfig = await call(stub, "POST", samplingPath(stub), {
    body: { newTagName: "abc", method: "RANDOM" },
  });
  assertEquals(noConfig.json.code, "BAD_REQUEST");
  assertMatch(noConfig.json.error, /config is required/);
});

Deno.test("a body that is not JSON answers 400 MALFORMED_REQUEST", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "POST", samplingPath(stub), {
    raw: "{newTagName:",
  });
  assertEquals(reply.status, 400);
  assertEquals(reply.json.code, "MALFORMED_REQUEST");
  assertMatch(reply.json.error, /not valid JSON/);
});

Deno.test("an unknown dataset or embedding answers 404 DATASET_UNKNOWN / EMBEDDING_UNKNOWN", async () => {
  await using stub = startLightlyStub({ datasets: [{}, {}] });
  const [, other] = stub.datasets();
  const body = samplingBody("some-tag");
  const noDataset = await call(
    stub,
    "POST",
    samplingPath(stub, { datasetId: UNKNOWN }),
    { body },
  );
  assertEquals(noDataset.status, 404);
  assertEquals(noDataset.json.code, "DATASET_UNKNOWN");
  const noEmbedding = await call(
    stub,
    "POST",
    samplingPath(stub, { embeddingId: UNKNOWN }),
    { body },
  );
  assertEquals(noEmbedding.status, 404);
  assertEquals(noEmbedding.json.code, "EMBEDDING_UNKNOWN");
  const foreign = await call(
    stub,
    "POST",
    samplingPath(stub, { embeddingId: other.embeddings[0].id }),
    { body },
  );
  assertEquals(
    foreign.json.code,
    "EMBEDDING_UNKNOWN",
    "another dataset's embedding",
  );
});

Deno.test("an embedding that is not processed answers 400 EMBEDDING_NOT_READY", async () => {
  await using stub = startLightlyStub({
    datasets: [{ embeddings: [{ isProcessed: false }, {}] }],
  });
  const [pending, ready] = stub.datasets()[0].embeddings;
  assertEquals(stub.embeddingId, ready.id);
  const reply = await call(
    stub,
    "POST",
    samplingPath(stub, { embeddingId: pending.id }),
    {
      body: samplingBody("not-yet"),
    },
  );
  assertEquals(reply.status, 400);
  assertEquals(reply.json.code, "EMBEDDING_NOT_READY");
});

Deno.test("a query or preselected tag of another dataset answers 400 TAG_QUERYTAG/PRESELECTEDTAG_NOT_IN_DATASET", async () => {
  await using stub = startLightlyStub({ datasets: [{}, {}] });
  const [, other] = stub.datasets();
  const query = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("query-elsewhere", { queryTagId: other.tags[0].id }),
  });
  assertEquals(query.status, 400);
  assertEquals(query.json.code, "TAG_QUERYTAG_NOT_IN_DATASET");
  const preselected = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("pre-elsewhere", { preselectedTagId: UNKNOWN }),
  });
  assertEquals(preselected.status, 400);
  assertEquals(preselected.json.code, "TAG_PRESELECTEDTAG_NOT_IN_DATASET");
});

Deno.test("a dataset without samples answers 400 TAG_NO_TAG_IN_DATASET", async () => {
  await using stub = startLightlyStub({ datasets: [{ sampleCount: 0 }] });
  assertEquals(stub.initialTagId, "");
  const reply = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("from-nothing"),
  });
  assertEquals(reply.status, 400);
  assertEquals(reply.json.code, "TAG_NO_TAG_IN_DATASET");
});

Deno.test("an existing tag name answers 409 TAG_NAME_EXISTS", async () => {
  await using stub = startLightlyStub({
    datasets: [{ tags: [{ name: "labelled", samples: [0] }] }],
  });
  for (const name of ["initial-tag", "labelled"]) {
    const reply = await call(stub, "POST", samplingPath(stub), {
      body: samplingBody(name),
    });
    assertEquals(reply.status, 409, name);
    assertEquals(reply.json.code, "TAG_NAME_EXISTS", name);
  }
});

Deno.test("a tag name is taken from the trigger on: a second POST gets 409 while the first job runs", async () => {
  await using stub = startLightlyStub({ waitingPolls: 1, runningPolls: 2 });
  const jobId = await triggerJob(stub, samplingBody("twice"));
  const again = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("twice"),
  });
  assertEquals(again.status, 409);
  assertEquals(again.json.code, "TAG_NAME_EXISTS");
  assertEquals(stub.jobs()[0].status, "WAITING");
  await pollToEnd(stub, jobId);
  const after = await call(stub, "POST", samplingPath(stub), {
    body: samplingBody("twice"),
  });
  assertEquals(after.json.code, "TAG_NAME_EXISTS", "now the tag itself exists");
  assertEquals(stub.jobs().length, 1);
});

Deno.test("tag names are per dataset: the same name may be used in two datasets", async () => {
  await using stub = startLightlyStub({ datasets: [{}, {}] });
  const [a, b] = stub.datasets();
  await triggerJob(stub, samplingBody("shared"), {
    datasetId: a.id,
    embeddingId: a.embeddings[0].id,
  });
  await triggerJob(stub, samplingBody("shared"), {
    datasetId: b.id,
    embeddingId: b.embeddings[0].id,
  });
  assertEquals(stub.jobs().length, 2);
});

Deno.test("a failed job frees its tag name", async () => {
  await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 0 });
  stub.failNextJob("out of memory");
  const jobId = await triggerJob(stub, samplingBody("retry-me"));
  const [ended] = (await pollToEnd(stub, jobId)).slice(-1);
  assertEquals(ended.status, "FAILED");
  const retried = await triggerJob(stub, samplingBody("retry-me"));
  const [finished] = (await pollToEnd(stub, retried)).slice(-1);
  assertEquals(finished.status, "FINISHED");
});
