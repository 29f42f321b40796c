/**
 * The explicit client: `createClient()` validates its options once, holds
 * them, and every method uses them; clients share nothing.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import * as lib from "../mod.ts";
import {
  buildSamplingRequest,
  createClient,
  isLightlyError,
  ValidationError,
} from "../mod.ts";
import { startLightlyStub } from "../testing.ts";
import { fakeClock } from "./_clock.ts";
import {
  DATASET,
  finished,
  JOB,
  job,
  NEW_TAG,
  PATHS,
  reply,
  SENTINEL,
  startJobServer,
  tagData,
  VALID,
} from "./_server.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("createClient() reads its options once: a getter that answers differently later changes no request", async () => {
  await using server = startJobServer({
    [`POST ${PATHS.sampling(VALID.embeddingId)}`]: reply({ jobId: JOB }),
    [`GET ${PATHS.job}`]: [job("RUNNING"), finished()],
    [`GET ${PATHS.newTag}`]: reply(tagData("coreset-100", NEW_TAG)),
  });
  let reads = 0;
  const lightly = createClient({
    get baseUrl() {
      reads++;
      return reads === 1 ? server.url : "http://127.0.0.1:9";
    },
    auth: { apiKey: SENTINEL },
  });
  assertEquals(await lightly.triggerSampling(VALID), { jobId: JOB });
  const waited = await lightly.waitForJob(JOB, { clock: fakeClock() });
  assertEquals(waited.tagId, NEW_TAG);
  assertEquals((await lightly.getTag(DATASET, NEW_TAG)).id, NEW_TAG);
  assertEquals(reads, 1);
  assert(
    server.requests.every((r) => r.url.searchParams.get("token") === SENTINEL),
  );
  assertEquals(
    lightly.buildSamplingRequest(VALID),
    buildSamplingRequest(VALID, {
      baseUrl: server.url,
      auth: { apiKey: SENTINEL },
    }),
  );
});

Deno.test("createClient() refuses bad options, every one listed, and a method refuses its own", () => {
  const error = assertThrows(
    () =>
      createClient({
        baseUrl: "ftp://x",
        auth: { apiKey: "" },
        timeoutMs: 0,
        retry: { maxAttempts: 0 },
      }),
    ValidationError,
  );
  assertEquals(error.issues.map((i: { path: string }) => i.path), [
    "options.baseUrl",
    "options.auth.apiKey",
    "options.timeoutMs",
    "options.retry.maxAttempts",
  ]);
  const lightly = createClient();
  const call = assertThrows(
    () => lightly.exportTagFilenames(DATASET, "x", { pageSize: 0 }),
    ValidationError,
  );
  assertEquals(call.issues.map((i: { path: string }) => i.path), [
    "tagId",
    "options.pageSize",
  ]);
});

Deno.test("clients share nothing: each sends its own credentials to its own host, whatever the other did", async () => {
  await using a = startJobServer(
    { [`GET ${PATHS.job}`]: finished() },
    "in-process",
  );
  await using b = startJobServer(
    { [`GET ${PATHS.job}`]: finished() },
    "in-process",
  );
  const first = createClient({
    baseUrl: a.url,
    fetch: a.fetch,
    auth: { apiKey: "key-a" },
  });
  const second = createClient({
    baseUrl: b.url,
    fetch: b.fetch,
    auth: { bearerToken: "jwt-b" },
  });
  for (let i = 0; i < 2; i++) {
    await first.getJobStatus(JOB);
    await second.getJobStatus(JOB);
  }
  assertEquals(a.requests.map((r) => r.url.searchParams.get("token")), [
    "key-a",
    "key-a",
  ]);
  assertEquals(b.requests.map((r) => r.headers.get("authorization")), [
    "Bearer jwt-b",
    "Bearer jwt-b",
  ]);
  assert(b.requests.every((r) => !r.url.search.includes("token")));
});

const tooMany = reply({ code: "SLOW_DOWN", error: "later" }, 429, {
  "retry-after": "1",
});

Deno.test("a client's retry policy is a default a call may override", async () => {
  await using server = startJobServer({
    [`POST ${PATHS.sampling(VALID.embeddingId)}`]: [
      tooMany,
      tooMany,
      reply({ jobId: JOB }),
    ],
  }, "in-process");
  const clock = fakeClock();
  const once = createClient({
    baseUrl: server.url,
    fetch: server.fetch,
    retry: false,
  });
  const error = await once.triggerSampling(VALID).catch((e) => e);
  assert(isLightlyError(error, "api") && error.status === 429, String(error));
  const result = await once.triggerSampling(VALID, { retry: { clock } });
  assertEquals(result, { jobId: JOB });
  assertEquals(clock.sleeps, [1000]);
});

Deno.test("every method of a client is the free function of its name with the client's options: the same requests, the same answers", async () => {
  await using stub = startLightlyStub({
    listen: false,
    waitingPolls: 0,
    runningPolls: 0,
  });
  const held = {
    baseUrl: stub.url,
    fetch: stub.fetch,
    auth: { apiKey: stub.token },
  };
  const lightly = createClient(held);
  const clock = fakeClock();
  const { datasetId, embeddingId, initialTagId } = stub;
  const input = (name: string) => ({
    datasetId,
    embeddingId,
    body: { newTagName: name, method: "RANDOM" as const, config: {} },
  });
  /** What a call sent (secrets masked by the stub) and what it answered. */
  async function run(call: () => unknown) {
    stub.requests.length = 0;
    let answer = await call();
    if (answer instanceof Response) {
      await answer.body?.cancel();
      answer = answer.status;
    } else if (
      answer !== null && typeof answer === "object" &&
      Symbol.asyncIterator in answer
    ) {
      answer = await Array.fromAsync(answer as AsyncIterable<unknown>);
    }
    const sent = stub.requests.map((r) =>
      `${r.method} ${r.path} ${JSON.stringify(r.query)} ${
        JSON.stringify(r.body)
      }`
    );
    return { sent, answer };
  }
  const { jobId } = await lib.triggerSampling(input("tag-first"), held);
  // Each method, and how its free twin is called: the same arguments, the held options added.
  const calls: { [K in keyof typeof lightly]: [() => unknown, () => unknown] } =
    {
      buildSamplingRequest: [
        () => lightly.buildSamplingRequest(input("tag-a")),
        () => lib.buildSamplingRequest(input("tag-a"), held),
      ],
      triggerSampling: [
        () => lightly.triggerSampling(input("tag-b")).then(Object.keys),
        () => lib.triggerSampling(input("tag-c"), held).then(Object.keys),
      ],
      triggerSamplingRaw: [
        () => lightly.triggerSamplingRaw(input("tag-b")),
        () => lib.triggerSamplingRaw(input("tag-c"), held),
      ],
      getJobStatus: [
        () => lightly.getJobStatus(jobId),
        () => lib.getJobStatus(jobId, held),
      ],
      waitForJob: [
        () => lightly.waitForJob(jobId, { clock }),
        () => lib.waitForJob(jobId, { ...held, clock }),
      ],
      getTag: [
        () => lightly.getTag(datasetId, initialTagId),
        () => lib.getTag(datasetId, initialTagId, held),
      ],
      listTags: [
        () => lightly.listTags(datasetId),
        () => lib.listTags(datasetId, held),
      ],
      findTagByName: [
        () => lightly.findTagByName(datasetId, "initial-tag"),
        () => lib.findTagByName(datasetId, "initial-tag", held),
      ],
      listEmbeddings: [
        () => lightly.listEmbeddings(datasetId),
        () => lib.listEmbeddings(datasetId, held),
      ],
      getEmbeddings2d: [
        () => lightly.getEmbeddings2d(datasetId, embeddingId),
        () => lib.getEmbeddings2d(datasetId, embeddingId, held),
      ],
      exportTagFilenames: [
        () =>
          lightly.exportTagFilenames(datasetId, initialTagId, { pageSize: 7 }),
        () =>
          lib.exportTagFilenames(datasetId, initialTagId, {
            ...held,
            pageSize: 7,
          }),
      ],
      exportTagFileRecords: [
        () =>
          lightly.exportTagFileRecords(datasetId, initialTagId, {
            expiresIn: 60,
          }),
        () =>
          lib.exportTagFileRecords(datasetId, initialTagId, {
            ...held,
            expiresIn: 60,
          }),
      ],
      selectSamples: [
        () =>
          lightly.selectSamples({ datasetId, body: input("tag-d").body }, {
            clock,
          })
            .then((r) => r.rowCount),
        () =>
          lib.selectSamples({ datasetId, body: input("tag-e").body }, {
            ...held,
            clock,
          }).then((r) => r.rowCount),
      ],
    };
  for (const [name, [method, free]] of Object.entries(calls)) {
    const [viaClient, viaFree] = [await run(method), await run(free)];
    // Each trigger names its own tag and makes its own job and tag: the rest must agree.
    const unnamed = (sent: string[]) =>
      sent.map((line) =>
        line.replace(/"newTagName":"[\w-]+"/, "")
          .replace(/\/(jobs|tags)\/[0-9a-f]{24} /, "/$1/{new} ")
      );
    assertEquals(unnamed(viaClient.sent), unnamed(viaFree.sent), name);
    assertEquals(viaClient.answer, viaFree.answer, name);
  }
});
