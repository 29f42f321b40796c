import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  bitMaskToIndices,
  countBitMask,
  indicesToBitMask,
  type LightlyStub,
  startLightlyStub,
  type TagData,
} from "../testing.ts";
import { call, pollToEnd, samplingBody, triggerJob } from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

async function sample(
  stub: LightlyStub,
  body: Record<string, unknown>,
): Promise<TagData> {
  const jobId = await triggerJob(stub, body);
  const end = (await pollToEnd(stub, jobId)).at(-1);
  assertEquals(end.status, "FINISHED");
  const reply = await call(
    stub,
    "GET",
    `/v1/datasets/${stub.datasetId}/tags/${end.result.data}`,
  );
  assertEquals(reply.status, 200);
  return reply.json;
}

function nSamples(n: number | undefined): Record<string, unknown> {
  return n === undefined
    ? { config: {} }
    : { config: { stoppingCondition: { nSamples: n } } };
}

Deno.test("the new tag's size follows nSamples: fraction, count, over-large count, -1 and absent", async () => {
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 0,
    datasets: [{ sampleCount: 1000 }],
  });
  const cases: [number | undefined, number][] = [
    [0.1, 100],
    [0.3333, 333],
    [1, 1000],
    [250, 250],
    [5000, 1000],
    [-1, 1000],
    [undefined, 1000],
  ];
  for (const [i, [n, expected]] of cases.entries()) {
    const tag = await sample(stub, samplingBody(`size-${i}`, nSamples(n)));
    assertEquals(tag.totSize, expected, `nSamples ${n}`);
    assertEquals(countBitMask(tag.bitMaskData), tag.totSize, `nSamples ${n}`);
  }
});

Deno.test("the new tag records its query tag as prevTagId and queryTagId, defaulting to the initial tag", async () => {
  await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 0 });
  const tag = await sample(stub, samplingBody("from-initial", nSamples(10)));
  assertEquals(tag.prevTagId, stub.initialTagId);
  assertEquals(tag.queryTagId, stub.initialTagId);
  assertEquals(tag.preselectedTagId, undefined);
  assertEquals(tag.datasetId, stub.datasetId);
  assertEquals(tag.name, "from-initial");
  assertEquals(typeof tag.createdAt, "number");
});

Deno.test("a query tag is the pool: the selection stays inside it and sizes against it", async () => {
  const pool = [3, 10, 11, 12, 40, 41, 42, 43, 90, 99];
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 0,
    datasets: [{ sampleCount: 100, tags: [{ name: "pool", samples: pool }] }],
  });
  const poolTag = stub.datasets()[0].tags[1];
  const tag = await sample(
    stub,
    samplingBody("in-pool", { queryTagId: poolTag.id, ...nSamples(0.5) }),
  );
  assertEquals(tag.totSize, 5);
  assertEquals(tag.prevTagId, poolTag.id);
  assertEquals(tag.queryTagId, poolTag.id);
  const chosen = bitMaskToIndices(tag.bitMaskData);
  assertEquals(chosen.length, 5);
  assert(chosen.every((i) => pool.includes(i)), `outside the pool: ${chosen}`);
});

Deno.test("preselected samples in the pool are part of the selection and count toward nSamples", async () => {
  const labelled = [2, 4, 6];
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 0,
    datasets: [{
      sampleCount: 50,
      tags: [{ name: "labelled", samples: labelled }],
    }],
  });
  const labelledTag = stub.datasets()[0].tags[1];
  const tag = await sample(
    stub,
    samplingBody("with-labels", {
      preselectedTagId: labelledTag.id,
      ...nSamples(10),
    }),
  );
  assertEquals(tag.totSize, 10);
  assertEquals(tag.preselectedTagId, labelledTag.id);
  const chosen = bitMaskToIndices(tag.bitMaskData);
  assertEquals(chosen.length, 10);
  assert(
    labelled.every((i) => chosen.includes(i)),
    `labels missing: ${chosen}`,
  );
});

Deno.test("more preselected samples than nSamples keeps them all", async () => {
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 0,
    datasets: [{
      sampleCount: 20,
      tags: [{ name: "many", samples: [0, 1, 2, 3, 4, 5] }],
    }],
  });
  const many = stub.datasets()[0].tags[1];
  const tag = await sample(
    stub,
    samplingBody("keep-all", { preselectedTagId: many.id, ...nSamples(3) }),
  );
  assertEquals(bitMaskToIndices(tag.bitMaskData), [0, 1, 2, 3, 4, 5]);
  assertEquals(tag.totSize, 6);
});

Deno.test("the meta.total of a job is the size of its pool", async () => {
  await using stub = startLightlyStub({
    waitingPolls: 1,
    runningPolls: 0,
    datasets: [{
      sampleCount: 64,
      tags: [{ name: "quarter", samples: [0, 1, 2, 3] }],
    }],
  });
  const quarter = stub.datasets()[0].tags[1];
  const jobId = await triggerJob(
    stub,
    samplingBody("small", { queryTagId: quarter.id }),
  );
  const [first] = await pollToEnd(stub, jobId);
  assertEquals(first.meta, { total: 4, processed: 0 });
});

Deno.test("indicesToBitMask() and bitMaskToIndices() agree with Lightly's layout (sample 0 is bit 0)", () => {
  assertEquals(indicesToBitMask([]), "0x0");
  assertEquals(indicesToBitMask([0]), "0x1");
  assertEquals(indicesToBitMask([0, 1, 3]), "0xb");
  assertEquals(indicesToBitMask([4]), "0x10");
  assertEquals(indicesToBitMask([3, 3, 0]), "0x9");
  assertEquals(BigInt(indicesToBitMask([0, 70])), (1n << 70n) | 1n);
  assertEquals(bitMaskToIndices("0x0"), []);
  assertEquals(bitMaskToIndices("0xb"), [0, 1, 3]);
  assertEquals(bitMaskToIndices("0x010"), [4]);
  const many = Array.from({ length: 300 }, (_, i) => i * 7);
  assertEquals(bitMaskToIndices(indicesToBitMask(many)), many);
  assertEquals(countBitMask(indicesToBitMask(many)), 300);
  assertEquals(countBitMask("0xff"), 8);
});

Deno.test("bitmask helpers refuse malformed input with a clear error", () => {
  assertThrows(() => bitMaskToIndices("ff"), TypeError, "^0x[a-f0-9]+$");
  assertThrows(() => countBitMask("0xFF"), TypeError, "^0x[a-f0-9]+$");
  assertThrows(() => indicesToBitMask([-1]), RangeError, "whole number");
  assertThrows(() => indicesToBitMask([1.5]), RangeError, "whole number");
});
