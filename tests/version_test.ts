/** The version the package reports is the version it is published as. */
import { assertEquals, assertMatch } from "@std/assert";
import { buildSamplingRequest, VERSION } from "../mod.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { buildGetRequest } from "./_get_request.ts";
import { objectId, validInput } from "./_arbitraries.ts";
import { checkProperty, fc } from "./_property.ts";

/** deno.json is JSONC (it has comments): read the fields by pattern. */
async function denoJsonField(field: string): Promise<string> {
  const text = await Deno.readTextFile(
    new URL("../deno.json", import.meta.url),
  );
  const match = new RegExp(`^\\s*"${field}"\\s*:\\s*"([^"]*)"`, "m").exec(
    text,
  );
  if (!match) throw new Error(`deno.json has no "${field}"`);
  return match[1];
}

Deno.test("VERSION equals deno.json's version", async () => {
  assertEquals(VERSION, await denoJsonField("version"));
  assertMatch(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
});

Deno.test("USER_AGENT names the module and its version", async () => {
  const name = await denoJsonField("name"); // "@scope/lightly-sampling"
  const module = name.split("/").at(-1)!;
  assertEquals(module, "lightly-sampling");
  assertEquals(USER_AGENT, `${module}/${VERSION} (Deno)`);
});

/** Options of every kind: host, credentials, extra headers (never User-Agent). */
const options = fc.record({
  baseUrl: fc.option(
    fc.constantFrom(
      "https://api.lightly.ai",
      "http://127.0.0.1:8731/",
      "https://proxy.example.com/lightly",
    ),
    { nil: undefined },
  ),
  auth: fc.option(
    fc.oneof(
      fc.record({ apiKey: fc.string({ minLength: 1 }).map((s) => `k${s}`) }),
      fc.record({ bearerToken: fc.constantFrom("eyJ.e30.sig", "t0k3n") }),
    ),
    { nil: undefined },
  ).map((auth) =>
    auth && "apiKey" in auth
      ? { apiKey: auth.apiKey.replace(/[^\x21-\x7e]/g, "x") }
      : auth
  ),
  headers: fc.option(
    fc.dictionary(
      fc.constantFrom("X-Trace-Id", "Accept-Language", "X-Team"),
      fc.constantFrom("a", "b-1", "fr"),
    ),
    { nil: undefined },
  ),
}, { requiredKeys: [] });

Deno.test("every built request, sampling POST or GET, carries USER_AGENT whatever the input and options", (t) => {
  checkProperty(
    fc.property(validInput, options, objectId, (input, opts, id) => {
      const post = buildSamplingRequest(input as never, opts);
      assertEquals(post.headers["User-Agent"], USER_AGENT);
      const get = buildGetRequest(`/v1/jobs/${id}`, opts);
      assertEquals(get.headers["User-Agent"], USER_AGENT);
    }),
    500,
    t,
  );
});
