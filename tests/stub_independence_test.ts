/**
 * The stub is an independent oracle: it shares the API's types with the
 * client, never its code. A rule, a validator or a redaction borrowed from
 * the client would make the stub agree with the client's bugs.
 */
import { assert, assertEquals } from "@std/assert";

interface GraphDependency {
  specifier: string;
  code?: { specifier: string };
  type?: { specifier: string };
}

interface GraphModule {
  specifier: string;
  dependencies?: GraphDependency[];
}

const ROOT = new URL("../", import.meta.url);
const TESTING = new URL("testing.ts", ROOT).href;
const STUB_DIR = new URL("lib/stub/", ROOT).href;
const TYPES = new URL("lib/core/types.ts", ROOT).href;

/** The module graph of `testing.ts`, as Deno resolves it. */
async function graphOfTesting(): Promise<GraphModule[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "testing.ts"],
    cwd: ROOT,
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assertEquals(output.code, 0, `deno info failed:\n${stderr}`);
  return JSON.parse(new TextDecoder().decode(output.stdout)).modules;
}

function isStubCode(specifier: string): boolean {
  return specifier === TESTING || specifier.startsWith(STUB_DIR);
}

Deno.test("the stub imports nothing from the client but `import type` from lib/core/types.ts, and no zod", async () => {
  const modules = await graphOfTesting();
  const problems: string[] = [];
  for (const module of modules) {
    const from = module.specifier.slice(ROOT.href.length);
    if (!isStubCode(module.specifier) && module.specifier !== TYPES) {
      problems.push(`${module.specifier} is loaded by testing.ts`);
    }
    for (const dependency of module.dependencies ?? []) {
      const code = dependency.code?.specifier;
      const type = dependency.type?.specifier;
      if (code !== undefined && !isStubCode(code)) {
        problems.push(
          `${from} imports code from ${dependency.specifier} (only \`import type\` from ../core/types.ts may leave lib/stub)`,
        );
      }
      if (type !== undefined && !isStubCode(type) && type !== TYPES) {
        problems.push(`${from} imports types from ${dependency.specifier}`);
      }
    }
  }
  assertEquals(problems, []);
});

Deno.test("every file under lib/stub is part of testing.ts's graph, so the independence check sees it", async () => {
  const loaded = new Set((await graphOfTesting()).map((m) => m.specifier));
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("lib/stub/", ROOT))) {
    if (entry.isFile && entry.name.endsWith(".ts")) files.push(entry.name);
  }
  assert(files.length > 0);
  const stray = files.filter((name) => !loaded.has(STUB_DIR + name));
  assertEquals(stray, [], "files under lib/stub that testing.ts never loads");
});
