/**
 * `trigger --batch` at scale, against a local server that answers every
 * POST with a job id:
 *
 * - peak RSS of the CLI (`/usr/bin/time -f %M`) for each line count given
 *   (default 10 000 and 100 000), gate 200 MiB at 100 000 lines;
 * - throughput at 10 000 lines against the minimal hand-written pool
 *   (`bench/fixtures/fetch_pool.ts`: parse, POST on a fresh connection,
 *   read the JSON), both at concurrency 32, as whole processes, interleaved;
 *   prints the ratio of medians (CLI lines/s ÷ pool lines/s), gate 0.9;
 * - that every line was reported exactly once (one JSON line per line
 *   number, and a summary).
 *
 * Exits 1 when a gate fails. Run: deno task bench:batch [lines…]
 */
const RSS_LINES = 100_000;
const RSS_TARGET_MIB = 200;
const RATIO_LINES = 10_000;
const RATIO_TARGET = 0.9;
const CONCURRENCY = 32;
const ROUNDS = 5;

const root = new URL("..", import.meta.url).pathname;
const counts = Deno.args.length > 0
  ? Deno.args.map(Number)
  : [RATIO_LINES, RSS_LINES];
const TOKEN = "bench-token-0123456789";

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    return new Response('{"jobId":"0123456789abcdef0123abcd"}', {
      headers: { "content-type": "application/json" },
    });
  },
);
const baseUrl = `http://127.0.0.1:${server.addr.port}`;

/** A batch file of `n` lines, about 170 bytes each. */
async function batchFile(n: number): Promise<string> {
  const file = await Deno.makeTempFile({ suffix: ".jsonl" });
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({
      datasetId: "0123456789abcdef01234567",
      embeddingId: "89abcdef0123456789abcdef",
      body: {
        newTagName: `bench-${String(i).padStart(6, "0")}`,
        method: "CORESET",
        config: { stoppingCondition: { nSamples: 100 } },
      },
    }));
  }
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  return file;
}

interface Run {
  ms: number;
  rssMiB: number;
  stdout: string;
}

/**
 * Runs `deno args` under /usr/bin/time: wall time, peak RSS, and stdout
 * when `keep` (else stdout goes to /dev/null, so that reading it does not
 * slow the child down).
 */
async function run(args: string[], keep = false): Promise<Run> {
  const rssFile = await Deno.makeTempFile();
  const t0 = performance.now();
  const child = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", "-o", rssFile, Deno.execPath(), ...args],
    env: { NO_COLOR: "1", LIGHTLY_TOKEN: TOKEN },
    stdout: keep ? "piped" : "null",
    stderr: "piped",
  }).output();
  const ms = performance.now() - t0;
  const rssKiB = Number(
    (await Deno.readTextFile(rssFile)).trim().split("\n").at(-1),
  );
  await Deno.remove(rssFile);
  if (!child.success) {
    throw new Error(
      `deno ${args.join(" ")} failed:\n${
        new TextDecoder().decode(child.stderr).slice(0, 2000)
      }`,
    );
  }
  return {
    ms,
    rssMiB: rssKiB / 1024,
    stdout: keep ? new TextDecoder().decode(child.stdout) : "",
  };
}

function cli(file: string): string[] {
  return [
    "run",
    "--quiet",
    "--allow-net=127.0.0.1",
    "--allow-env",
    `--allow-read=${file}`,
    `${root}cli.ts`,
    "trigger",
    "--batch",
    file,
    "--concurrency",
    String(CONCURRENCY),
    "--json",
    "--base-url",
    baseUrl,
  ];
}

function pool(file: string): string[] {
  return [
    "run",
    "--quiet",
    "--allow-net=127.0.0.1",
    "--allow-env",
    `--allow-read=${file}`,
    `${root}bench/fixtures/fetch_pool.ts`,
    file,
    baseUrl,
    String(CONCURRENCY),
  ];
}

/** Every line number from 1 to n reported exactly once, then a summary. */
function checkReport(stdout: string, n: number): void {
  const seen = new Uint8Array(n + 1);
  let summary: { ok?: number } | undefined;
  for (const text of stdout.split("\n")) {
    if (text === "") continue;
    const doc = JSON.parse(text);
    if (doc.summary) summary = doc.summary;
    else if (doc.ok === true && seen[doc.line]++ === 0) continue;
    else throw new Error(`line ${doc.line} reported twice or failed: ${text}`);
  }
  if (seen.indexOf(0, 1) !== -1 || summary?.ok !== n) {
    throw new Error(
      `not every line was reported once (summary ${JSON.stringify(summary)})`,
    );
  }
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
let failed = false;

for (const n of counts) {
  const file = await batchFile(n);
  try {
    const first = await run(cli(file), true);
    checkReport(first.stdout, n);
    const gate = n === RSS_LINES ? ` (target <= ${RSS_TARGET_MIB} MiB)` : "";
    console.log(
      `${n} lines: peak RSS ${first.rssMiB.toFixed(0)} MiB${gate}, ${
        (n / first.ms * 1000).toFixed(0)
      } lines/s`,
    );
    if (n === RSS_LINES && first.rssMiB > RSS_TARGET_MIB) failed = true;
    if (n !== RATIO_LINES) continue;
    const cliMs: number[] = [];
    const poolMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      poolMs.push((await run(pool(file))).ms);
      cliMs.push((await run(cli(file))).ms);
    }
    const ratio = median(poolMs) / median(cliMs);
    console.log(
      `${n} lines at concurrency ${CONCURRENCY}: fetch pool ${
        median(poolMs).toFixed(0)
      } ms, ` +
        `cli ${median(cliMs).toFixed(0)} ms, throughput ratio ${
          ratio.toFixed(2)
        } (target >= ${RATIO_TARGET})`,
    );
    if (ratio < RATIO_TARGET) failed = true;
  } finally {
    await Deno.remove(file);
  }
}
await server.shutdown();
if (failed) Deno.exit(1);
