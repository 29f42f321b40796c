/**
 * Rows of docs/guarantees.md that no other test file proves, and the check
 * that every test the document names exists.
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { isLightlyError, triggerSampling } from "../mod.ts";
import { EXIT } from "../lib/cli/errors.ts";
import { SENTINEL, VALID } from "./_server.ts";
import { fakeClock } from "./_clock.ts";

/** What Deno's fetch throws when a host name does not resolve. */
function dnsFailure(url: string): TypeError {
  return new TypeError(`error sending request for url (${url})`, {
    cause: new Error(
      "client error (Connect): dns error: failed to lookup address information: Name or service not known",
    ),
  });
}

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
    retry: { clock: fakeClock(0) },
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

/**
 * The names a test file gives its tests: literal names, and a matcher for
 * each template name (`${...}` parts match any text that the file spells
 * out somewhere, so a made-up name that only fits the template's shape fails).
 */
async function testNames(
  file: string,
): Promise<{ has: (name: string) => boolean }> {
  const text = await Deno.readTextFile(new URL(file, ROOT));
  const literal = new Set<string>();
  for (const m of text.matchAll(/Deno\.test\(\s*"((?:[^"\\\n]|\\.)*)"/g)) {
    literal.add(JSON.parse(`"${m[1]}"`));
  }
  const patterns: RegExp[] = [];
  for (const m of text.matchAll(/Deno\.test\(\s*`((?:[^`\\]|\\.)*)`/g)) {
    const parts = m[1].split(/\$\{[^}]*\}/).map(escapeRegExp);
    patterns.push(new RegExp(`^${parts.join("(.+?)")}$`));
  }
  return {
    has: (name) =>
      literal.has(name) ||
      patterns.some((p) =>
        p.exec(name)?.slice(1).every((part) => text.includes(part)) ?? false
      ),
  };
}

/** The table rows of the document: each one's four cells. */
function tableRows(doc: string): string[][] {
  return doc.split("\n")
    .filter((l) =>
      l.startsWith("| ") && !l.startsWith("| failure") && !l.startsWith("| ---")
    )
    .map((l) => l.slice(1, -1).split(" | ").map((cell) => cell.trim()));
}

const doc = await Deno.readTextFile(new URL("docs/guarantees.md", ROOT));

Deno.test("docs/guarantees.md names only tests and scripts that exist, and every row has a proof", async () => {
  const rows = tableRows(doc);
  assert(rows.length >= 45, `only ${rows.length} rows`);
  let cited = 0;
  for (const row of rows) {
    assertEquals(row.length, 4, `not four cells: ${row.join(" | ")}`);
    const proof = row[3];
    const tests = [...proof.matchAll(/`(tests\/[a-z_]+\.ts)` › "([^"]+)"/g)];
    const scripts = [...proof.matchAll(/`(bench\/[a-z_]+\.ts)`/g)];
    assert(tests.length + scripts.length > 0, `a row without a proof: ${row}`);
    for (const [, file] of scripts) await Deno.stat(new URL(file, ROOT));
    for (const [, file, name] of tests) {
      assert(
        (await testNames(file)).has(name),
        `${file} has no test named ${JSON.stringify(name)}`,
      );
      cited++;
    }
  }
  assert(cited >= 95, `only ${cited} tests cited`);
});

Deno.test("docs/guarantees.md gives only exit codes the CLI has, and explains each of them", () => {
  const codes = new Set<number>(Object.values(EXIT));
  const introduction = doc.split("\n## ")[0];
  for (const code of codes) {
    assert(
      introduction.includes(`\`${code}\``),
      `the introduction does not explain exit code ${code}`,
    );
  }
  for (const [, , cli] of tableRows(doc)) {
    // Code spans (`--json`, `\x1b`) hold no exit code.
    const numbers = cli.replaceAll(/`[^`]*`/g, "").match(/\b\d+\b/g) ?? [];
    for (const n of numbers) {
      assert(codes.has(Number(n)), `exit code ${n} does not exist: ${cli}`);
    }
  }
});

Deno.test("docs/guarantees.md says why each pending clause is pending", () => {
  for (const row of tableRows(doc)) {
    for (const m of row.join(" | ").matchAll(/\*\*pending\*\*(.?.?)/g)) {
      assertEquals(
        m[1],
        " (",
        `a pending clause without its reason: ${row[0]}`,
      );
    }
  }
});
