import { assert, assertEquals, assertMatch } from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import {
  call,
  manualClock,
  pollToEnd,
  samplingBody,
  triggerJob,
} from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

async function tagNames(
  stub: { datasetId: string } & Parameters<typeof call>[0],
): Promise<string[]> {
  const reply = await call(stub, "GET", `/v1/datasets/${stub.datasetId}/tags`);
  return reply.json.map((t: { name: string }) => t.name);
}

Deno.test("a job answers WAITING, then RUNNING with processed rising, then FINISHED with the new tag's id", async () => {
  const waitingPolls = 2, runningPolls = 3;
  await using stub = startLightlyStub({
    waitingPolls,
    runningPolls,
    datasets: [{ sampleCount: 400 }],
  });
  const jobId = await triggerJob(stub, samplingBody("lifecycle"));
  const seen = await pollToEnd(stub, jobId);
  assertEquals(
    seen.map((s) => s.status),
    ["WAITING", "WAITING", "RUNNING", "RUNNING", "RUNNING", "FINISHED"],
  );
  const processed = seen.map((s) => s.meta.processed);
  assertEquals(processed[0], 0);
  for (let i = 1; i < processed.length; i++) {
    assert(processed[i] >= processed[i - 1], `processed fell at poll ${i + 1}`);
  }
  const running = seen.filter((s) => s.status === "RUNNING");
  assert(running.every((s) => s.meta.processed > 0 && s.meta.processed < 400));
  assert(seen.every((s) => s.meta.total === 400 && s.id === jobId));
  const finished = seen.at(-1);
  assertEquals(finished.meta.processed, 400);
  assertEquals(finished.result.type, "SAMPLING");
  assertMatch(finished.result.data, /^[a-f0-9]{24}$/);
  assertEquals(typeof finished.finishedAt, "number");
  assertEquals(finished.datasetId, stub.datasetId);
  assertEquals(finished.error, undefined);
});

Deno.test("the new tag appears exactly on the poll that finishes its job", async () => {
  await using stub = startLightlyStub({ waitingPolls: 1, runningPolls: 1 });
  const jobId = await triggerJob(stub, samplingBody("appears-late"));
  assertEquals(await tagNames(stub), ["initial-tag"]);
  assertEquals(
    (await call(stub, "GET", `/v1/jobs/${jobId}`)).json.status,
    "WAITING",
  );
  assertEquals(await tagNames(stub), ["initial-tag"]);
  assertEquals(
    (await call(stub, "GET", `/v1/jobs/${jobId}`)).json.status,
    "RUNNING",
  );
  assertEquals(await tagNames(stub), ["initial-tag"]);
  const done = await call(stub, "GET", `/v1/jobs/${jobId}`);
  assertEquals(done.json.status, "FINISHED");
  assertEquals(await tagNames(stub), ["initial-tag", "appears-late"]);
  const tag = await call(
    stub,
    "GET",
    `/v1/datasets/${stub.datasetId}/tags/${done.json.result.data}`,
  );
  assertEquals(tag.json.name, "appears-late");
  assertEquals(tag.json.createdAt, done.json.finishedAt);
  const again = await call(stub, "GET", `/v1/jobs/${jobId}`);
  assertEquals(
    again.json.result,
    done.json.result,
    "a finished job stays finished",
  );
  assertEquals(await tagNames(stub), ["initial-tag", "appears-late"]);
});

Deno.test("every job status carries the configured waitTimeTillNextPoll", async () => {
  await using stub = startLightlyStub({
    waitTimeTillNextPoll: 7,
    waitingPolls: 0,
    runningPolls: 1,
  });
  const seen = await pollToEnd(
    stub,
    await triggerJob(stub, samplingBody("wait-7")),
  );
  assertEquals(seen.map((s) => s.waitTimeTillNextPoll), [7, 7]);
});

Deno.test("with no waiting or running polls a job finishes on its first poll", async () => {
  await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 0 });
  const seen = await pollToEnd(
    stub,
    await triggerJob(stub, samplingBody("fast")),
  );
  assertEquals(seen.map((s) => s.status), ["FINISHED"]);
});

Deno.test("in clock mode a job's state follows the injected clock, polled or not", async () => {
  const clock = manualClock();
  await using stub = startLightlyStub({
    clock,
    jobWaitingMs: 1000,
    jobDurationMs: 5000,
    datasets: [{ sampleCount: 100 }],
  });
  const jobId = await triggerJob(stub, samplingBody("timed"));
  const created = clock.now();
  const status = async () =>
    (await call(stub, "GET", `/v1/jobs/${jobId}`)).json;
  assertEquals((await status()).status, "WAITING");
  clock.advance(999);
  assertEquals((await status()).status, "WAITING");
  clock.advance(1);
  const started = await status();
  assertEquals([started.status, started.meta.processed], ["RUNNING", 0]);
  clock.advance(2000);
  const half = await status();
  assertEquals([half.status, half.meta.processed], ["RUNNING", 50]);
  clock.advance(1999);
  assertEquals((await status()).status, "RUNNING");
  clock.advance(10_000);
  // Not polled: the tag exists anyway, created when the job ended.
  assertEquals(await tagNames(stub), ["initial-tag", "timed"]);
  const done = await status();
  assertEquals(done.status, "FINISHED");
  assertEquals(done.finishedAt, created + 5000);
  assertEquals(done.createdAt, created);
});

Deno.test("failJobs fails jobs by tag name, RegExp or predicate with the given error", async () => {
  await using stub = startLightlyStub({
    waitingPolls: 0,
    runningPolls: 1,
    failJobs: [
      { match: "exact-name", error: "exact" },
      { match: /^broken-/, error: "pattern" },
      { match: (t) => t.body.method === "CORAL", error: "predicate" },
    ],
  });
  const outcomes: Record<string, string | undefined> = {};
  for (
    const [name, method] of [
      ["exact-name", "RANDOM"],
      ["broken-1", "RANDOM"],
      ["coral-1", "CORAL"],
      ["healthy", "RANDOM"],
    ]
  ) {
    const jobId = await triggerJob(stub, samplingBody(name, { method }));
    const seen = await pollToEnd(stub, jobId);
    const end = seen.at(-1);
    assertEquals(seen[0].status, "RUNNING", "a failing job runs first");
    outcomes[name] = end.status === "FAILED" ? end.error : end.status;
    if (end.status === "FAILED") {
      assertEquals(end.result, undefined);
      assertEquals(typeof end.finishedAt, "number");
    }
  }
  assertEquals(outcomes, {
    "exact-name": "exact",
    "broken-1": "pattern",
    "coral-1": "predicate",
    healthy: "FINISHED",
  });
  assertEquals(await tagNames(stub), ["initial-tag", "healthy"]);
});

Deno.test("failNextJob() fails exactly the next job; addJobFailure() adds a lasting rule", async () => {
  await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 0 });
  stub.failNextJob();
  const first =
    (await pollToEnd(stub, await triggerJob(stub, samplingBody("one")))).at(-1);
  const second =
    (await pollToEnd(stub, await triggerJob(stub, samplingBody("two")))).at(-1);
  assertEquals(first.status, "FAILED");
  assertMatch(first.error, /failed/);
  assertEquals(second.status, "FINISHED");
  stub.addJobFailure({ match: /^doomed/, error: "no GPU" });
  for (const name of ["doomed-a", "doomed-b"]) {
    const end =
      (await pollToEnd(stub, await triggerJob(stub, samplingBody(name)))).at(
        -1,
      );
    assertEquals([end.status, end.error], ["FAILED", "no GPU"]);
  }
});

Deno.test("jobs() shows each job's state, polls and outcome without polling it", async () => {
  await using stub = startLightlyStub({ waitingPolls: 1, runningPolls: 1 });
  const jobId = await triggerJob(stub, samplingBody("watched"));
  assertEquals(stub.jobs()[0].status, "WAITING");
  assertEquals(stub.jobs()[0].polls, 0);
  await pollToEnd(stub, jobId);
  const [job] = stub.jobs();
  assertEquals(job.polls, 3);
  assertEquals(job.status, "FINISHED");
  assertEquals(job.datasetId, stub.datasetId);
  assertEquals(job.embeddingId, stub.embeddingId);
  const tag = stub.datasets()[0].tags.find((t) => t.id === job.tagId);
  assertEquals(tag?.name, "watched");
});
