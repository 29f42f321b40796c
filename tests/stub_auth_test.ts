import { assert, assertEquals } from "@std/assert";
import { startLightlyStub } from "../testing.ts";
import { call } from "./_stub_client.ts";

// Deno 2.8+ turns these off by default: the stub must leave nothing running.
Deno.test.sanitizer({ ops: true, resources: true });

const SECRET_TOKEN = "SENTINEL-stub-token-never-echoed";
const SECRET_JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0In0.SENTINEL-signature";

function tagsPath(datasetId: string): string {
  return `/v1/datasets/${datasetId}/tags`;
}

Deno.test("the stub accepts its API key as ?token=", async () => {
  await using stub = startLightlyStub({ token: SECRET_TOKEN });
  const reply = await call(stub, "GET", tagsPath(stub.datasetId));
  assertEquals(reply.status, 200);
});

Deno.test("the stub accepts its JWT as Authorization: Bearer", async () => {
  await using stub = startLightlyStub({ jwt: SECRET_JWT });
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: "bearer",
  });
  assertEquals(reply.status, 200);
});

Deno.test("no credentials answer 401 UNAUTHORIZED with a request id", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: "none",
  });
  assertEquals(reply.status, 401);
  assertEquals(reply.json.code, "UNAUTHORIZED");
  assertEquals(typeof reply.json.error, "string");
  assertEquals(reply.json.requestId, reply.headers.get("x-request-id"));
});

Deno.test("a wrong token answers 401 UNAUTHORIZED and never repeats it", async () => {
  await using stub = startLightlyStub({ token: SECRET_TOKEN });
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: { token: "wrong-SENTINEL" },
  });
  assertEquals(reply.status, 401);
  assertEquals(reply.json.code, "UNAUTHORIZED");
  assert(!reply.text.includes("wrong-SENTINEL"));
  assert(!reply.text.includes(SECRET_TOKEN));
});

Deno.test("a wrong bearer token answers 401 JWT_INVALID", async () => {
  await using stub = startLightlyStub({ jwt: SECRET_JWT });
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: { bearer: "eyJ.wrong.jwt" },
  });
  assertEquals(reply.status, 401);
  assertEquals(reply.json.code, "JWT_INVALID");
  assert(!reply.text.includes(SECRET_JWT));
});

Deno.test("an Authorization header of another scheme answers 401 UNAUTHORIZED", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: { authorization: `Basic ${btoa("user:pass")}` },
  });
  assertEquals(reply.status, 401);
  assertEquals(reply.json.code, "UNAUTHORIZED");
});

Deno.test("a valid token is enough even next to a wrong bearer token", async () => {
  await using stub = startLightlyStub();
  const reply = await call(stub, "GET", tagsPath(stub.datasetId), {
    auth: { token: stub.token, bearer: "wrong" },
  });
  assertEquals(reply.status, 200);
});

Deno.test("every authenticated route refuses a request without credentials", async () => {
  await using stub = startLightlyStub();
  const id = "0123456789abcdef01234567";
  const routes: [string, string][] = [
    ["POST", `/v1/datasets/${id}/embeddings/${id}/sampling`],
    ["GET", `/v1/jobs/${id}`],
    ["GET", `/v1/datasets/${id}/tags`],
    ["GET", `/v1/datasets/${id}/tags/${id}`],
    ["GET", `/v1/datasets/${id}/embeddings`],
  ];
  for (const [method, path] of routes) {
    const reply = await call(stub, method, path, { auth: "none" });
    assertEquals(reply.status, 401, `${method} ${path}`);
  }
  assertEquals(
    stub.requests.map((r) => r.route),
    ["trigger", "job", "tags", "tag", "embeddings"],
  );
});
