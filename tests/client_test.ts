/**
 * The explicit client: `createClient()` validates its options once, holds
 * them, and every method uses them; clients share nothing.
 */
import { assert, assertEquals, assertThrows } from "@std/assert";
import {
  buildSamplingRequest,
  createClient,
  isLightlyError,
  ValidationError,
} from "../mod.ts";
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
