import { assert, assertEquals, assertRejects } from "@std/assert";
import { getTag, isLightlyError, listEmbeddings, listTags } from "../mod.ts";
import {
  DATASET,
  EMBEDDING,
  embeddingData,
  INITIAL_TAG,
  NEW_TAG,
  PATHS,
  reply,
  SENTINEL,
  startJobServer,
  tagData,
} from "./_server.ts";

// Deno 2.8+ turned the ops and resources sanitizers off by default: on here.
Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("getTag() GETs /v1/datasets/{datasetId}/tags/{tagId} with the credentials and keeps unknown fields", async () => {
  const tag = { ...tagData("coreset-100", NEW_TAG), futureField: [1, 2] };
  await using server = startJobServer(
    { [`GET ${PATHS.newTag}`]: reply(tag) },
    "in-process",
  );
  const got = await getTag(DATASET, NEW_TAG, {
    baseUrl: server.url,
    fetch: server.fetch,
    auth: { bearerToken: SENTINEL },
  });
  assertEquals(got, tag);
  assertEquals(
    server.requests[0].headers.get("authorization"),
    `Bearer ${SENTINEL}`,
  );
});

Deno.test("listTags() returns the dataset's tags in the server's order", async () => {
  const tags = [
    tagData("coreset-50", NEW_TAG, { prevTagId: INITIAL_TAG }),
    tagData("initial-tag", INITIAL_TAG),
  ];
  await using server = startJobServer(
    { [`GET ${PATHS.tags}`]: reply(tags) },
    "in-process",
  );
  assertEquals(
    await listTags(DATASET, { baseUrl: server.url, fetch: server.fetch }),
    tags,
  );
  assertEquals(server.count(`GET ${PATHS.tags}`), 1);
});

Deno.test("listEmbeddings() returns the dataset's embeddings, unknown fields kept", async () => {
  const embeddings = [
    { ...embeddingData(EMBEDDING, true, 2), is2d: false, extra: "kept" },
  ];
  await using server = startJobServer({
    [`GET ${PATHS.embeddings}`]: reply(embeddings),
  }, "in-process");
  assertEquals(
    await listEmbeddings(DATASET, { baseUrl: server.url, fetch: server.fetch }),
    embeddings,
  );
});

Deno.test("the reads refuse ids that are not ObjectIds, naming each, before sending", async () => {
  await using server = startJobServer({}, "in-process");
  const tagError = await assertRejects(() =>
    getTag("x", "Z".repeat(24), { baseUrl: server.url, fetch: server.fetch })
  );
  assert(isLightlyError(tagError, "validation"));
  assertEquals(
    tagError.issues.map((i: { path: string }) => i.path),
    ["datasetId", "tagId"],
  );
  for (const read of [listTags, listEmbeddings]) {
    const error = await assertRejects(() =>
      read("not-an-id", { baseUrl: server.url, fetch: server.fetch })
    );
    assert(isLightlyError(error, "validation"));
    assertEquals(error.issues[0].path, "datasetId");
  }
  assertEquals(server.requests.length, 0);
});

Deno.test("the reads report an API refusal and a malformed list as typed errors", async () => {
  await using server = startJobServer({
    [`GET ${PATHS.tags}`]: reply(
      { code: "DATASET_UNKNOWN", error: "no dataset" },
      404,
    ),
    [`GET ${PATHS.embeddings}`]: reply([{ id: EMBEDDING }]),
  }, "in-process");
  const refused = await assertRejects(() =>
    listTags(DATASET, { baseUrl: server.url, fetch: server.fetch })
  );
  assert(isLightlyError(refused, "api"));
  assertEquals(refused.code, "DATASET_UNKNOWN");
  const malformed = await assertRejects(() =>
    listEmbeddings(DATASET, { baseUrl: server.url, fetch: server.fetch })
  );
  assert(isLightlyError(malformed, "unexpected-response"));
  assertEquals(malformed.status, 200);
});
