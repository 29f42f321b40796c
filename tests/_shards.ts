/**
 * The quick suite in a few isolates. `deno test tests/` gives every test file
 * its own isolate, and each one pays ~0.1 s of CPU to start and to load the
 * library, zod and fast-check again: with ~50 files, a third of the suite's
 * CPU. `deno task test` instead runs `tests/_shard_<i>.ts`, each of which
 * imports its share of the test files (dealt out by rough weight), so the
 * files of a shard share one isolate and `--parallel` runs the shards side
 * by side.
 *
 * Files of a shard share globals: a test that replaces one (`globalThis.fetch`,
 * an environment variable) restores it before it ends, and
 * `Deno.test.sanitizer()` holds for the whole shard. `deno test tests/` (one
 * isolate per file) runs every test file, the smoke ones included.
 */

/** How many shards `deno task test` runs (`tests/_shard_0.ts` …). */
export const SHARDS = 2;

/**
 * The files `deno task test:smoke` (CI) runs instead (`tests/_smoke.ts`):
 * each compiles the package by URL into an empty `DENO_DIR` in a child Deno,
 * a second or two of CPU apiece, as much as the rest of a shard.
 */
export const SMOKE: readonly string[] = [
  "url_import_test.ts",
  "cli_url_test.ts",
];

/**
 * Rough seconds of the slow files (the rest count 0.1), to deal them out
 * evenly: a stale entry costs balance, never a test.
 */
const SECONDS: Record<string, number> = {
  "redaction_test.ts": 1.0,
  "export_test.ts": 0.9,
  "response_properties_test.ts": 0.8,
  "stub_in_process_test.ts": 0.7,
  "cli_tty_test.ts": 0.6,
  "permissions_test.ts": 0.5,
};

/** The test files of each shard: the slowest first, each to the lightest shard so far. */
export async function shardFiles(): Promise<string[][]> {
  const dir = new URL("./", import.meta.url);
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (
      entry.isFile && entry.name.endsWith("_test.ts") &&
      !SMOKE.includes(entry.name)
    ) files.push(entry.name);
  }
  const cost = (name: string) => SECONDS[name] ?? 0.1;
  files.sort((a, b) => cost(b) - cost(a) || (a < b ? -1 : 1));
  const shards = Array.from({ length: SHARDS }, () => ({
    files: [] as string[],
    seconds: 0,
  }));
  for (const name of files) {
    const lightest = shards.reduce((min, s) =>
      s.seconds < min.seconds ? s : min
    );
    lightest.files.push(name);
    lightest.seconds += cost(name);
  }
  return shards.map((s) => s.files.sort());
}

/** Imports the test files of shard `index` (or the smoke tests): their `Deno.test`s register here. */
export async function loadShard(index: number | "smoke"): Promise<void> {
  const files = index === "smoke" ? SMOKE : (await shardFiles())[index];
  for (const name of files) await import(new URL(name, import.meta.url).href);
}
