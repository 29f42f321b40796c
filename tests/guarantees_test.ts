/**
 * Rows of docs/guarantees.md that no other test file proves, and the check
 * that every test the document names exists.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { isLightlyError, triggerSampling } from "../mod.ts";
import { SENTINEL, VALID } from "./_server.ts";

/** What Deno's fetch throws when a host name does not resolve. */
function dnsFailure(url: string): TypeError {
  return new TypeError(`error sending request for url (${url})`, {
    cause: new Error(
      "client error (Connect): dns error: failed to lookup address information: Name or service not known",
    ),
  });
}

const instantClock = {
  now: () => 0,
  sleep: () => Promise.resolve(),
};

Deno.test("triggerSampling() reports a DNS failure as a NetworkError that could not connect, without the API key", async () => {
  let calls = 0;
  let error: unknown;
  try {
    await triggerSampling(VALID, {
      baseUrl: "https://api.lightly.invalid",
      auth: { apiKey: SENTINEL },
      retry: false,
      fetch: (input) => {
        calls++;
        return Promise.reject(dnsFailure(String(input)));
      },
    });
  } catch (e) {
    error = e;
  }
  if (!isLightlyError(error, "network")) throw new Error(`got ${error}`);
  assertEquals(error.connectFailed, true);
  assertStringIncludes(error.message, "could not connect");
  assertStringIncludes((error.cause as Error).message, "dns error");
  assertEquals(calls, 1);
  const printed = [
    error.message,
    error.stack,
    JSON.stringify(error),
    Deno.inspect(error, { depth: Infinity, showHidden: true }),
  ].join("\n");
  assert(!printed.includes(SENTINEL), printed);
});

Deno.test("triggerSampling() retries a DNS failure like a refused connection: nothing reached the server", async () => {
  let calls = 0;
  const result = await triggerSampling(VALID, {
    baseUrl: "https://api.lightly.invalid",
    retry: { clock: instantClock },
    fetch: (input) => {
      calls++;
      return calls < 3
        ? Promise.reject(dnsFailure(String(input)))
        : Promise.resolve(Response.json({ jobId: "0123456789abcdef01234567" }));
    },
  });
  assertEquals(result.jobId, "0123456789abcdef01234567");
  assertEquals(calls, 3);
});

const ROOT = new URL("../", import.meta.url);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The names a test file gives its tests, as literals and as patterns (template names). */
async function testNames(
  file: string,
): Promise<{ literal: Set<string>; patterns: RegExp[] }> {
  const text = await Deno.readTextFile(new URL(file, ROOT));
  const literal = new Set<string>();
  for (const m of text.matchAll(/Deno\.test\(\s*"((?:[^"\\\n]|\\.)*)"/g)) {
    literal.add(JSON.parse(`"${m[1]}"`));
  }
  const patterns: RegExp[] = [];
  for (const m of text.matchAll(/Deno\.test\(\s*`((?:[^`\\]|\\.)*)`/g)) {
    const parts = m[1].split(/\$\{[^}]*\}/).map(escapeRegExp);
    patterns.push(new RegExp(`^${parts.join(".+")}$`));
  }
  return { literal, patterns };
}

Deno.test("docs/guarantees.md names only tests and scripts that exist, and every row has a proof", async () => {
  const doc = await Deno.readTextFile(new URL("docs/guarantees.md", ROOT));
  const rows = doc.split("\n").filter((l) =>
    l.startsWith("| ") && !l.startsWith("| failure") && !l.startsWith("| ---")
  );
  assert(rows.length >= 25, `only ${rows.length} rows`);
  let cited = 0;
  for (const row of rows) {
    const proof = row.split(" | ").at(-1)!;
    const tests = [...proof.matchAll(/`(tests\/[a-z_]+\.ts)` › "([^"]+)"/g)];
    const scripts = [...proof.matchAll(/`(bench\/[a-z_]+\.ts)`/g)];
    assert(tests.length + scripts.length > 0, `a row without a proof: ${row}`);
    for (const [, file] of scripts) await Deno.stat(new URL(file, ROOT));
    for (const [, file, name] of tests) {
      const { literal, patterns } = await testNames(file);
      assert(
        literal.has(name) || patterns.some((p) => p.test(name)),
        `${file} has no test named ${JSON.stringify(name)}`,
      );
      cited++;
    }
  }
  assert(cited >= 40, `only ${cited} tests cited`);
});
