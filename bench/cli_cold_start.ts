/**
 * Ratio gate: cold start of `cli.ts trigger --dry-run` against an empty
 * `deno run`, both run as fresh processes in alternation, in one run (the
 * module cache is warm for both: "cold" means a new process). Prints the ratio
 * of medians; exits 1 above the target (2).
 *
 * Run: deno run --allow-run --allow-read bench/cli_cold_start.ts [runs]
 */
const TARGET = 2;
const runs = Number(Deno.args[0] ?? 15);
const root = new URL("..", import.meta.url).pathname;

const empty = ["run", "--quiet", `${root}bench/fixtures/empty.ts`];
const dryRun = [
  "run",
  "--quiet",
  `${root}cli.ts`,
  "trigger",
  "--dry-run",
  "--dataset-id",
  "0123456789abcdef01234567",
  "--embedding-id",
  "89abcdef0123456789abcdef",
  "--tag-name",
  "coreset-100",
  "--method",
  "coreset",
  "--n-samples",
  "100",
];

async function time(args: string[]): Promise<number> {
  const t0 = performance.now();
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "null",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).output();
  const elapsed = performance.now() - t0;
  if (code !== 0) throw new Error(`deno ${args.join(" ")} exited ${code}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

await time(empty);
await time(dryRun); // fill the module cache first
const emptyTimes: number[] = [];
const cliTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  emptyTimes.push(await time(empty));
  cliTimes.push(await time(dryRun));
}
const ratio = median(cliTimes) / median(emptyTimes);
console.log(
  `empty deno run: ${
    median(emptyTimes).toFixed(1)
  } ms, cli.ts trigger --dry-run: ${median(cliTimes).toFixed(1)} ms, ratio ${
    ratio.toFixed(2)
  } (target <= ${TARGET})`,
);
if (ratio > TARGET) Deno.exit(1);
