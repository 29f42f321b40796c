/**
 * Proves the package works imported by URL, the way users import it: the
 * repository is served over HTTP on 127.0.0.1, and a fresh Deno (empty
 * `DENO_DIR`, working directory outside the repository, `--no-config`, so
 * this repository's `deno.json` and import map are never seen) resolves every
 * entry point `deno.json` lists, imports `mod.ts` and `testing.ts` from that
 * server and runs `cli.ts` from it.
 *
 * A bare specifier (`"zod"`, `"@std/assert"`) in any file reachable from
 * those entry points makes these tests fail: `deno info` reports it even in
 * a type-only import (which `deno run` never loads), and `deno run` fails on
 * it. npm packages are downloaded from the npm registry into the fresh
 * `DENO_DIR`.
 */
import { assert, assertEquals, assertMatch } from "@std/assert";
import { fileURLToPath } from "node:url";
import { serveDirectory } from "./_file_server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `deno <args>` in `cwd` with its own `DENO_DIR` and no colour. */
async function deno(
  args: string[],
  cwd: string,
  denoDir: string,
): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { DENO_DIR: denoDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** The parts of `deno info --json` read here. */
interface ModuleGraph {
  modules: {
    kind?: string;
    specifier: string;
    error?: string;
    dependencies?: {
      specifier: string;
      code?: { error?: string };
      type?: { error?: string };
    }[];
  }[];
}

/**
 * Every problem of a module graph loaded by URL: a module or import that did
 * not resolve (a bare specifier, a missing file), or a module from anywhere
 * but the file server or npm.
 */
function graphProblems(graph: ModuleGraph, base: string): string[] {
  const problems: string[] = [];
  for (const module of graph.modules) {
    if (module.error) problems.push(`${module.specifier}: ${module.error}`);
    if (module.kind === "esm" && !module.specifier.startsWith(`${base}/`)) {
      problems.push(`${module.specifier} is not served by ${base}`);
    }
    for (const dependency of module.dependencies ?? []) {
      for (const error of [dependency.code?.error, dependency.type?.error]) {
        if (error) {
          problems.push(
            `${module.specifier} imports "${dependency.specifier}": ${error}`,
          );
        }
      }
    }
  }
  return problems;
}

/** The files `deno.json` lists under `exports` (its `//` comment lines dropped). */
async function entryPoints(): Promise<string[]> {
  const text = await Deno.readTextFile(
    new URL("../deno.json", import.meta.url),
  );
  const config = JSON.parse(text.replace(/^\s*\/\/.*$/gm, ""));
  return Object.values<string>(config.exports).map((file) =>
    file.replace(/^\.\//, "")
  );
}

function describe(run: Run): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`;
}

/** The script a user writes: imports by URL, starts the stub, triggers a job. */
function userScript(base: string): string {
  return `
import { triggerSampling } from "${base}/mod.ts";
import { startLightlyStub } from "${base}/testing.ts";

await using stub = startLightlyStub();
const { jobId } = await triggerSampling({
  datasetId: stub.datasetId,
  embeddingId: stub.embeddingId,
  body: { newTagName: "by-url", method: "RANDOM", config: { stoppingCondition: { nSamples: 10 } } },
}, { baseUrl: stub.url, auth: { apiKey: stub.token } });
console.log("job " + jobId);
console.log("stub requests " + stub.requests.length);
`;
}

Deno.test("the package works imported by URL into a fresh Deno, with no deno.json in sight", async (t) => {
  await using server = await serveDirectory(ROOT);
  const work = await Deno.makeTempDir({ prefix: "lightly-url-import-" });
  const denoDir = `${work}/deno_dir`;
  try {
    const entries = await entryPoints();
    assert(entries.includes("mod.ts"), `deno.json exports: ${entries}`);
    for (const entry of entries) {
      await t.step(
        `every import reachable from ${entry} resolves by URL, type-only ones included`,
        async () => {
          const run = await deno(
            [
              "info",
              "--json",
              "--no-config",
              `--allow-import=${server.host}`,
              `${server.url}/${entry}`,
            ],
            work,
            denoDir,
          );
          assertEquals(run.code, 0, describe(run));
          const graph: ModuleGraph = JSON.parse(run.stdout);
          assertEquals(graphProblems(graph, server.url), []);
          assert(graph.modules.length > 1, describe(run));
        },
      );
    }

    await t.step(
      "a script imports mod.ts and testing.ts by URL and triggers a job against the stub",
      async () => {
        await Deno.writeTextFile(`${work}/main.ts`, userScript(server.url));
        const run = await deno(
          [
            "run",
            "--no-config",
            `--allow-import=${server.host}`,
            "--allow-net=127.0.0.1",
            "main.ts",
          ],
          work,
          denoDir,
        );
        assertEquals(run.code, 0, describe(run));
        assertMatch(run.stdout, /^job [a-f0-9]{24}$/m, describe(run));
        assertMatch(run.stdout, /^stub requests 1$/m, describe(run));
        const served = new Set(
          server.served.filter((s) => s.status === 200).map((s) => s.path),
        );
        for (const path of ["/mod.ts", "/testing.ts", "/lib/core/schemas.ts"]) {
          assert(served.has(path), `${path} was not fetched over HTTP`);
        }
      },
    );

    await t.step("deno run http://…/cli.ts --help exits 0", async () => {
      const run = await deno(
        [
          "run",
          "--no-config",
          `--allow-import=${server.host}`,
          `${server.url}/cli.ts`,
          "--help",
        ],
        work,
        denoDir,
      );
      assertEquals(run.code, 0, describe(run));
      assertMatch(run.stdout, /usage/i, describe(run));
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
});

Deno.test("the file server sends .ts as application/typescript and refuses path traversal", async () => {
  await using server = await serveDirectory(ROOT);
  const ok = await fetch(`${server.url}/mod.ts`);
  assertEquals(ok.status, 200);
  assertMatch(ok.headers.get("content-type") ?? "", /^application\/typescript/);
  assertEquals(await ok.text(), await Deno.readTextFile(`${ROOT}/mod.ts`));

  // fetch() normalises `..` away, so traversal attempts go out on a raw socket.
  for (
    const path of [
      "/../../etc/passwd",
      "/..%2f..%2fetc%2fpasswd",
      "/lib/..%2f..%2fdeno.json",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/lib%5c..%5c..%5cdeno.json",
      "/.git/config",
      "/%00mod.ts",
    ]
  ) {
    const status = await rawGet(server.host, path);
    assert(
      status === 403 || status === 404,
      `${path} answered ${status}, not 403/404`,
    );
  }
});

/** Sends `GET <path>` exactly as written and returns the status code. */
async function rawGet(host: string, path: string): Promise<number> {
  const [hostname, port] = host.split(":");
  using conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(
      `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
    ),
  );
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  const head = new TextDecoder().decode(chunks[0] ?? new Uint8Array());
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
}
