import { assert, assertEquals, assertMatch, assertRejects } from "@std/assert";
import {
  isLightlyError,
  type SelectionInput,
  type SelectionStep,
  type SelectOptions,
  selectSamples,
} from "../mod.ts";
import { fakeClock } from "./_clock.ts";
import {
  DATASET,
  EMBEDDING,
  embeddingData,
  finished,
  INITIAL_TAG,
  JOB,
  job,
  NEW_TAG,
  PATHS,
  type Reply,
  reply,
  SENTINEL,
  startJobServer,
  tagData,
} from "./_server.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

const OLD_EMBEDDING = "1111111111111111111111ab";
const UNPROCESSED = "2222222222222222222222ab";
const OTHER_TAG = "dddddddddddddddddddddddd";

const INPUT: SelectionInput = {
  datasetId: DATASET,
  body: {
    newTagName: "coreset-100",
    method: "CORESET",
    config: { stoppingCondition: { nSamples: 100 } },
  },
};

/** A healthy dataset: "initial-tag" is deliberately not the first tag. */
function routes(
  overrides: Record<string, Reply | Reply[]> = {},
): Record<string, Reply | Reply[]> {
  return {
    [`GET ${PATHS.embeddings}`]: reply([
      embeddingData(UNPROCESSED, false, 3000),
      embeddingData(OLD_EMBEDDING, true, 1000),
      embeddingData(EMBEDDING, true, 2000),
    ]),
    [`GET ${PATHS.tags}`]: reply([
      tagData("labelled", OTHER_TAG, { totSize: 50, prevTagId: INITIAL_TAG }),
      tagData("initial-tag", INITIAL_TAG, { totSize: 4000 }),
    ]),
    [`POST ${PATHS.sampling(EMBEDDING)}`]: reply({ jobId: JOB }),
    [`GET ${PATHS.job}`]: [job("RUNNING"), finished()],
    [`GET ${PATHS.newTag}`]: reply(
      tagData("coreset-100", NEW_TAG, {
        totSize: 100,
        prevTagId: INITIAL_TAG,
      }),
    ),
    ...overrides,
  };
}

function options(
  server: { url: string; fetch: typeof fetch },
  extra: SelectOptions = {},
): SelectOptions {
  return {
    baseUrl: server.url,
    fetch: server.fetch,
    auth: { apiKey: SENTINEL },
    clock: fakeClock(),
    ...extra,
  };
}

function posts(server: { requests: { method: string }[] }): number {
  return server.requests.filter((r) => r.method === "POST").length;
}

Deno.test("selectSamples() resolves the newest processed embedding, takes rowCount from initial-tag, and returns the new tag", async () => {
  await using server = startJobServer(routes(), "in-process");
  const steps: SelectionStep[] = [];
  const statuses: string[] = [];
  const result = await selectSamples(
    INPUT,
    options(server, {
      onStep: (s) => steps.push(s),
      onProgress: (e) => statuses.push(e.status),
    }),
  );
  assertEquals(steps, [
    "resolve-embedding",
    "preflight",
    "trigger",
    "wait",
    "fetch-tag",
  ]);
  assertEquals(statuses, ["RUNNING", "FINISHED"]);
  assertEquals(result.jobId, JOB);
  assertEquals(result.tagId, NEW_TAG);
  assertEquals(result.tag.name, "coreset-100");
  assertEquals(result.embeddingId, EMBEDDING);
  assertEquals(result.rowCount, 4000);
  assertEquals(result.job.status, "FINISHED");
  const post = server.requests.filter((r) => r.method === "POST");
  assertEquals(post.length, 1);
  assertEquals(post[0].url.pathname, PATHS.sampling(EMBEDDING));
  assertEquals(JSON.parse(post[0].body), { ...INPUT.body, rowCount: 4000 });
  assertEquals(
    server.requests.map((r) => `${r.method} ${r.url.pathname}`),
    [
      `GET ${PATHS.embeddings}`,
      `GET ${PATHS.tags}`,
      `POST ${PATHS.sampling(EMBEDDING)}`,
      `GET ${PATHS.job}`,
      `GET ${PATHS.job}`,
      `GET ${PATHS.newTag}`,
    ],
  );
});

Deno.test("selectSamples() uses a given embeddingId and rowCount without resolving them", async () => {
  await using server = startJobServer(
    routes({
      [`POST ${PATHS.sampling(OLD_EMBEDDING)}`]: reply({ jobId: JOB }),
      [`GET ${PATHS.tags}`]: reply([tagData("labelled", OTHER_TAG)]),
    }),
    "in-process",
  );
  const result = await selectSamples(
    {
      ...INPUT,
      embeddingId: OLD_EMBEDDING,
      body: { ...INPUT.body, rowCount: 123 },
    },
    options(server),
  );
  assertEquals(result.embeddingId, OLD_EMBEDDING);
  assertEquals(result.rowCount, 123);
  assertEquals(server.count(`GET ${PATHS.embeddings}`), 0);
  assertEquals(server.count(`GET ${PATHS.tags}`), 1);
  const [post] = server.requests.filter((r) => r.method === "POST");
  assertEquals(JSON.parse(post.body).rowCount, 123);
});

Deno.test("selectSamples() refuses a newTagName that already exists and sends no POST", async () => {
  await using server = startJobServer(
    routes({
      [`GET ${PATHS.tags}`]: reply([
        tagData("initial-tag", INITIAL_TAG),
        tagData("coreset-100", OTHER_TAG),
      ]),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "preflight");
  assertEquals(error.reason, "TAG_NAME_EXISTS");
  assertMatch(error.message, /"coreset-100"/);
  assertMatch(error.message, /nothing was sent/);
  assertEquals(posts(server), 0);
});

Deno.test("selectSamples() refuses a dataset without a processed embedding and sends no POST", async () => {
  await using server = startJobServer(
    routes({
      [`GET ${PATHS.embeddings}`]: reply([
        embeddingData(UNPROCESSED, false, 3000),
      ]),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "resolve-embedding");
  assertEquals(error.reason, "NO_PROCESSED_EMBEDDING");
  assertEquals(posts(server), 0);
  assertEquals(server.count(`GET ${PATHS.tags}`), 0);
});

Deno.test("selectSamples() refuses a dataset without initial-tag (found by name) and sends no POST", async () => {
  await using server = startJobServer(
    routes({
      [`GET ${PATHS.tags}`]: reply([tagData("labelled", OTHER_TAG)]),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "preflight");
  assertEquals(error.reason, "NO_INITIAL_TAG");
  assertMatch(error.message, /initial-tag/);
  assertEquals(posts(server), 0);
});

Deno.test("selectSamples() refuses a dataset without tags and one whose initial-tag is empty", async () => {
  for (
    const [tags, reason] of [
      [[], "NO_TAGS"],
      [
        [tagData("initial-tag", INITIAL_TAG, { totSize: 0 })],
        "INITIAL_TAG_EMPTY",
      ],
    ] as const
  ) {
    await using server = startJobServer(
      routes({ [`GET ${PATHS.tags}`]: reply(tags) }),
      "in-process",
    );
    const error = await assertRejects(() =>
      selectSamples(INPUT, options(server))
    );
    assert(isLightlyError(error, "workflow"));
    assertEquals(error.reason, reason);
    assertEquals(posts(server), 0);
  }
});

Deno.test("selectSamples() refuses bad input and options before sending anything", async () => {
  await using server = startJobServer(routes(), "in-process");
  const error = await assertRejects(() =>
    selectSamples(
      {
        datasetId: "nope",
        embeddingId: "ABC",
        body: { ...INPUT.body, newTagName: "x" },
      },
      options(server, { maxIntervalMs: -1, retry: { maxAttempts: 0 } }),
    )
  );
  assert(isLightlyError(error, "validation"));
  const paths = error.issues.map((i: { path: string }) => i.path);
  for (const path of ["datasetId", "embeddingId", "newTagName"]) {
    assert(paths.includes(path), `${path} in ${paths}`);
  }
  const second = await assertRejects(() =>
    selectSamples(
      INPUT,
      options(server, { maxIntervalMs: -1, retry: { maxAttempts: 0 } }),
    )
  );
  assert(isLightlyError(second, "validation"));
  assertEquals(
    second.issues.map((i: { path: string }) => i.path),
    ["options.maxIntervalMs", "options.retry.maxAttempts"],
  );
  assertEquals(server.requests.length, 0);
});

Deno.test("selectSamples() names the wait step and the job when the job fails", async () => {
  await using server = startJobServer(
    routes({
      [`GET ${PATHS.job}`]: job("FAILED", { error: "out of memory" }),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "wait");
  assertEquals(error.jobId, JOB);
  assert(isLightlyError(error.cause, "job-failed"));
  assertMatch(error.message, /step "wait".*out of memory/);
  assertEquals(server.count(`GET ${PATHS.newTag}`), 0);
});

Deno.test("selectSamples() names the trigger step and keeps the maybe-applied cause on a 500", async () => {
  await using server = startJobServer(
    routes({
      [`POST ${PATHS.sampling(EMBEDDING)}`]: reply(
        { code: "INTERNAL", error: "boom" },
        500,
      ),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "trigger");
  assert(isLightlyError(error.cause, "maybe-applied"));
  assertMatch(error.message, /may have been applied/);
  assertEquals(posts(server), 1);
  assertEquals(JSON.stringify(error).includes(SENTINEL), false);
  assertEquals(error.message.includes(SENTINEL), false);
});

Deno.test("selectSamples() retries the POST after a 429 using the workflow's clock", async () => {
  const clock = fakeClock();
  await using server = startJobServer(
    routes({
      [`POST ${PATHS.sampling(EMBEDDING)}`]: [
        reply({ code: "TOO_MANY", error: "later" }, 429, {
          "retry-after": "4",
        }),
        reply({ jobId: JOB }),
      ],
    }),
    "in-process",
  );
  const result = await selectSamples(INPUT, options(server, { clock }));
  assertEquals(result.tagId, NEW_TAG);
  assertEquals(posts(server), 2);
  assertEquals(clock.sleeps, [4000, 2000]);
});

Deno.test("selectSamples() names the fetch-tag step when the new tag cannot be read", async () => {
  await using server = startJobServer(
    routes({
      [`GET ${PATHS.newTag}`]: reply(
        { code: "TAG_UNKNOWN", error: "gone" },
        404,
      ),
    }),
    "in-process",
  );
  const error = await assertRejects(() =>
    selectSamples(INPUT, options(server))
  );
  assert(isLightlyError(error, "workflow"));
  assertEquals(error.step, "fetch-tag");
  assertEquals(error.jobId, JOB);
  assert(isLightlyError(error.cause, "api"));
  assertEquals(error.cause.code, "TAG_UNKNOWN");
});

Deno.test("selectSamples() never sends a request to a path made of a job id or tag id the server made up", async () => {
  const cases: [SelectionStep, Record<string, Reply | Reply[]>][] = [
    ["trigger", {
      [`POST ${PATHS.sampling(EMBEDDING)}`]: reply({ jobId: "../../x" }),
    }],
    ["wait", {
      [`GET ${PATHS.job}`]: job("FINISHED", {
        result: { type: "SAMPLING", data: "../../x" },
      }),
    }],
  ];
  for (const [step, overrides] of cases) {
    await using server = startJobServer(routes(overrides), "in-process");
    const error = await assertRejects(() =>
      selectSamples(INPUT, options(server))
    );
    assert(isLightlyError(error, "workflow"));
    assertEquals(error.step, step);
    assertMatch(error.message, /ObjectId/);
    for (const request of server.requests) {
      assert(
        !/\/x$|\.\./.test(request.url.pathname),
        `${request.method} ${request.url.pathname}`,
      );
    }
    assertEquals(posts(server), 1);
  }
});
