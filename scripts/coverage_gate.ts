/**
 * The coverage gate: reads the lcov report `deno coverage --lcov` wrote for
 * `lib/`, prints each file's line coverage and the total, and exits 1 when
 * the total is under the threshold (95 %).
 *
 * Usage: `deno run --allow-read=coverage scripts/coverage_gate.ts coverage/lcov.info [threshold]`
 *
 * @module
 */

/** Lines found and hit per source file of an lcov report (`SF`, `LF`, `LH` records). */
export function lineCoverage(
  lcov: string,
): { file: string; found: number; hit: number }[] {
  const files: { file: string; found: number; hit: number }[] = [];
  let current: { file: string; found: number; hit: number } | undefined;
  for (const line of lcov.split("\n")) {
    const [key, value = ""] = line.split(/:(.*)/s);
    if (key === "SF") current = { file: value, found: 0, hit: 0 };
    else if (key === "LF" && current) current.found = Number(value);
    else if (key === "LH" && current) current.hit = Number(value);
    else if (key === "end_of_record" && current) {
      files.push(current);
      current = undefined;
    }
  }
  return files;
}

function percent(hit: number, found: number): string {
  return (found === 0 ? 100 : (100 * hit) / found).toFixed(1).padStart(6);
}

if (import.meta.main) {
  const [path, threshold = "95"] = Deno.args;
  if (!path) {
    console.error("usage: coverage_gate.ts <lcov.info> [threshold]");
    Deno.exit(2);
  }
  const files = lineCoverage(await Deno.readTextFile(path));
  if (files.length === 0) {
    console.error(`${path}: no source file in the report`);
    Deno.exit(1);
  }
  const name = (file: string) => file.replace(/^.*?\/lib\//, "lib/");
  const width = Math.max(...files.map((f) => name(f.file).length));
  for (const f of files.sort((a, b) => a.file < b.file ? -1 : 1)) {
    console.log(
      `${name(f.file).padEnd(width)} ${percent(f.hit, f.found)} % ${
        `${f.hit}/${f.found}`.padStart(11)
      }`,
    );
  }
  const hit = files.reduce((n, f) => n + f.hit, 0);
  const found = files.reduce((n, f) => n + f.found, 0);
  const total = found === 0 ? 100 : (100 * hit) / found;
  console.log(
    `${"total".padEnd(width)} ${percent(hit, found)} % ${
      `${hit}/${found}`.padStart(11)
    }`,
  );
  if (total < Number(threshold)) {
    console.error(
      `line coverage ${total.toFixed(1)} % is under ${threshold} %`,
    );
    Deno.exit(1);
  }
}
