import { assert, assertEquals, assertRejects } from "@std/assert";
import {
  getJobStatus,
  isLightlyError,
  triggerSampling,
  UnexpectedResponseError,
} from "../mod.ts";
import { SENTINEL, startServer, VALID } from "./_server.ts";

Deno.test("triggerSampling() does not follow a redirect, so the API key never reaches another host", async () => {
  await using target = startServer(() => new Response("should not be reached"));
  await using server = startServer((seen) =>
    new Response(null, {
      status: 307,
      headers: { location: `${target.url}/elsewhere${seen.url.search}` },
    })
  );
  const error = await assertRejects(
    () =>
      triggerSampling(VALID, {
        baseUrl: server.url,
        auth: { apiKey: SENTINEL },
        retry: false,
      }),
  );
  // Ambiguous for a POST (it may have been applied): the cause says why.
  const cause = isLightlyError(error, "unexpected-response")
    ? error
    : (error as { cause?: unknown }).cause;
  if (!(cause instanceof UnexpectedResponseError)) throw error;
  assertEquals(cause.status, 307);
  assert(cause.reason.includes("redirect"), cause.reason);
  assertEquals(target.requests.length, 0);
  assert(!JSON.stringify(cause).includes(SENTINEL));
  assert(!String(error).includes(SENTINEL));
});

Deno.test("getJobStatus() reports a redirect as an unexpected response naming the redacted target", async () => {
  await using server = startServer(() =>
    new Response(null, {
      status: 302,
      headers: { location: `http://127.0.0.1:9/v1/jobs/x?token=${SENTINEL}` },
    })
  );
  const error = await assertRejects(
    () =>
      getJobStatus("0123456789abcdef01234567", {
        baseUrl: server.url,
        auth: { apiKey: SENTINEL },
      }),
    UnexpectedResponseError,
  );
  assert(error.message.includes("token=[REDACTED]"), error.message);
  assert(!error.message.includes(SENTINEL));
});
