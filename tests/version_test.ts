/** The version the package reports is the version it is published as. */
import { assertEquals, assertMatch } from "@std/assert";
import { buildSamplingRequest, USER_AGENT, VERSION } from "../mod.ts";
import { VALID } from "./_server.ts";

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

Deno.test("every built request carries USER_AGENT", () => {
  const request = buildSamplingRequest(VALID, { auth: { apiKey: "k" } });
  assertEquals(request.headers["User-Agent"], USER_AGENT);
});
