import { assertEquals, assertMatch } from "@std/assert";
import { triggerSampling, VERSION } from "../mod.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { json, SENTINEL, startServer, VALID } from "./_server.ts";

Deno.test("triggerSampling() sends the documented wire with an API key as ?token=", async () => {
  await using server = startServer(() =>
    json({ jobId: "0123456789abcdef0123a001" })
  );
  const result = await triggerSampling(VALID, {
    baseUrl: server.url + "/",
    auth: { apiKey: SENTINEL },
  });
  assertEquals(result, { jobId: "0123456789abcdef0123a001" });
  assertEquals(server.requests.length, 1);
  const [seen] = server.requests;
  assertEquals(seen.method, "POST");
  assertEquals(
    seen.url.pathname,
    `/v1/datasets/${VALID.datasetId}/embeddings/${VALID.embeddingId}/sampling`,
  );
  assertEquals(seen.url.searchParams.get("token"), SENTINEL);
  assertEquals(seen.headers.get("content-type"), "application/json");
  assertEquals(seen.headers.get("accept"), "application/json");
  assertEquals(seen.headers.get("user-agent"), USER_AGENT);
  assertMatch(
    USER_AGENT,
    new RegExp(`^lightly-sampling/${VERSION.replaceAll(".", "\\.")} `),
  );
  assertEquals(seen.headers.get("authorization"), null);
  assertEquals(
    seen.body,
    '{"newTagName":"coreset-100","method":"CORESET","config":{"stoppingCondition":{"nSamples":100,"minDistance":-1}},"rowCount":4000}',
  );
});

Deno.test("triggerSampling() sends a bearer token as Authorization and no token parameter", async () => {
  await using server = startServer(() =>
    json({ jobId: "0123456789abcdef0123a002", extra: true })
  );
  const result = await triggerSampling(VALID, {
    baseUrl: server.url,
    auth: { bearerToken: SENTINEL },
  });
  assertEquals(result, { jobId: "0123456789abcdef0123a002", extra: true });
  const [seen] = server.requests;
  assertEquals(seen.url.search, "");
  assertEquals(seen.headers.get("authorization"), `Bearer ${SENTINEL}`);
});
