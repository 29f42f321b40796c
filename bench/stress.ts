/**
 * Stress gate (`deno task stress`, run by CI after the tests): the Lightly
 * stub in another process (`bench/stress_server.ts`) answering with 429s,
 * 503s and dropped connections — before and after the server acted — to
 *
 * 1. 10 000 `triggerSampling()` calls through the library, 64 at a time;
 * 2. a 10 000-line `cli.ts trigger --batch - --json`, 32 at a time.
 *
 * For each it checks, against what the server saw and did:
 *
 * - every call / line is accounted for exactly once;
 * - a success is a job on the server (its job id), a refusal is no job, and
 *   server-side jobs = reported successes + reported maybe-applied that the
 *   server acted on (a maybe-applied that it did not act on is counted apart);
 * - no sampling POST was sent twice: for each tag name, every POST but the
 *   last was refused with 429 (the only answer after which re-sending is safe);
 *
 * and prints the figures and the peak RSS of each process. Exits 1 on any
 * violation, 2 when it runs out of time (2.5 minutes).
 *
 * Run: deno task stress [count] [seed]
 */
import { pooledMap } from "@std/async/pool";
import { TextLineStream } from "@std/streams/text-line-stream";
import { isLightlyError, triggerSampling } from "../mod.ts";
import type { StubFault } from "../testing.ts";
import type { StressReport } from "./stress_server.ts";

const COUNT = Number(Deno.args[0] ?? 10_000);
const SEED = Number(Deno.args[1] ?? 0x57e55);
const LIBRARY_CONCURRENCY = 64;
const CLI_CONCURRENCY = 32;
const TIME_LIMIT_MS = 150_000;

const ROOT = new URL("..", import.meta.url).pathname;
const started = performance.now();
const deadline = AbortSignal.timeout(TIME_LIMIT_MS);
/** The child processes still running, killed if time runs out. */
const children = new Set<Deno.ChildProcess>();
deadline.addEventListener("abort", () => {
  console.error(`stress: over ${TIME_LIMIT_MS / 1000} s, giving up`);
  for (const child of children) {
    try {
      child.kill("SIGKILL");
    } catch { /* ended already */ }
  }
  Deno.exit(2);
});

function spawn(command: Deno.Command): Deno.ChildProcess {
  const child = command.spawn();
  children.add(child);
  child.status.finally(() => children.delete(child));
  return child;
}

/**
 * The peak resident set of process `pid`, in KiB (Linux `VmHWM`). Deno reads
 * /proc only with --allow-all, so `cat` reads it; NaN when it cannot.
 */
async function peakRssKiB(pid: number): Promise<number> {
  try {
    const { stdout } = await new Deno.Command("cat", {
      args: [`/proc/${pid}/status`],
      stderr: "null",
    }).output();
    const status = new TextDecoder().decode(stdout);
    return Number(/^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? NaN);
  } catch {
    return NaN; // not Linux, or no cat
  }
}

/** Samples a process's peak RSS every 250 ms until stopped; the highest seen. */
function rssSampler(pid: number): { stop(): Promise<number> } {
  let peak = NaN;
  let busy: Promise<void> = Promise.resolve();
  const sample = () =>
    busy = busy.then(async () => {
      const kib = await peakRssKiB(pid);
      if (Number.isFinite(kib)) {
        peak = Number.isFinite(peak) ? Math.max(peak, kib) : kib;
      }
    });
  const timer = setInterval(sample, 250);
  sample();
  return {
    async stop() {
      clearInterval(timer);
      await busy;
      return peak;
    },
  };
}

// ------------------------------------------------------------ fault plan

/** mulberry32: a small seeded PRNG, so a run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Each fault with its share of the sampling POSTs. A batch pauses every
 * worker for at least the backoff (0.5 s) on each 429, so the CLI half gets a
 * tenth of the library's share of 429s: 3 % would keep a 10 000-line batch
 * paused for most of its run (about 90 s), past this gate's time bound.
 */
function faultMix(share429: number): [StubFault["fault"], number][] {
  return [
    [{ kind: "status", status: 429, retryAfter: "0" }, share429],
    [{ kind: "status", status: 503, body: "html" }, 0.005],
    [{ kind: "status", status: 503, handled: true }, 0.005],
    [{ kind: "drop" }, 0.005],
    [{ kind: "drop", handled: true }, 0.005],
  ];
}

/** Which sampling POSTs (by arrival number) get which fault. */
function faultPlan(
  requests: number,
  seed: number,
  share429: number,
): StubFault[] {
  const FAULT_MIX = faultMix(share429);
  const random = prng(seed);
  const nths = FAULT_MIX.map(() => [] as number[]);
  for (let n = 1; n <= requests; n++) {
    let r = random();
    for (let i = 0; i < FAULT_MIX.length; i++) {
      if (r < FAULT_MIX[i][1]) {
        nths[i].push(n);
        break;
      }
      r -= FAULT_MIX[i][1];
    }
  }
  return FAULT_MIX.map(([fault], i) => ({
    route: "trigger",
    nth: nths[i],
    fault,
  }));
}

// ------------------------------------------------------------ the server

interface ServerInfo {
  url: string;
  token: string;
  datasetId: string;
  embeddingId: string;
}

interface Server {
  info: ServerInfo;
  pid: number;
  report(): Promise<StressReport>;
  close(): Promise<void>;
}

function lines(stream: ReadableStream<Uint8Array>): AsyncIterator<string> {
  return stream.pipeThrough(new TextDecoderStream())
    .pipeThrough(new TextLineStream() as TransformStream<string, string>)
    [Symbol.asyncIterator]();
}

async function startServer(faults: StubFault[]): Promise<Server> {
  const child = spawn(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--allow-net=127.0.0.1",
        "--allow-read=/proc/self/status",
        `${ROOT}bench/stress_server.ts`,
        JSON.stringify(faults),
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }),
  );
  const out = lines(child.stdout);
  const writer = child.stdin.getWriter();
  const next = async () => {
    const { value, done } = await out.next();
    if (done) throw new Error("the stub process ended early");
    return JSON.parse(value);
  };
  const info = await next() as ServerInfo;
  return {
    info,
    pid: child.pid,
    async report() {
      await writer.write(new TextEncoder().encode("report\n"));
      return await next() as StressReport;
    },
    async close() {
      await writer.write(new TextEncoder().encode("close\n"));
      await writer.close();
      await out.return?.();
      await child.status;
    },
  };
}

// ------------------------------------------------------------ checking

/** How one trigger (a call, or a batch line) ended, as its caller saw it. */
interface Outcome {
  tagName: string;
  /** `ok`: the job id came back; `maybe`: maybe applied; `refused`: anything else. */
  result: "ok" | "maybe" | "refused";
  jobId?: string;
  /** For a refusal: kind, status and code. */
  why?: string;
}

interface Figures {
  calls: number;
  ok: number;
  maybeApplied: number;
  maybeActed: number;
  refused: number;
  serverJobs: number;
  posts: number;
  sentTwice: number;
  extraPosts: number;
  faults: Record<string, number>;
  refusals: Record<string, number>;
}

/** Checks outcomes against the server's report; returns figures and violations. */
function check(
  phase: string,
  names: readonly string[],
  outcomes: readonly Outcome[],
  report: StressReport,
): { figures: Figures; violations: string[] } {
  const violations: string[] = [];
  const fail = (message: string) => violations.push(`${phase}: ${message}`);
  const byName = new Map<string, Outcome[]>();
  for (const o of outcomes) {
    byName.set(o.tagName, [...(byName.get(o.tagName) ?? []), o]);
  }
  for (const name of names) {
    const n = byName.get(name)?.length ?? 0;
    if (n !== 1) fail(`${name} accounted for ${n} times, not once`);
  }
  if (outcomes.length !== names.length) {
    fail(`${outcomes.length} outcomes for ${names.length} calls`);
  }
  const f: Figures = {
    calls: names.length,
    ok: 0,
    maybeApplied: 0,
    maybeActed: 0,
    refused: 0,
    serverJobs: 0,
    posts: 0,
    sentTwice: 0,
    extraPosts: 0,
    faults: {},
    refusals: {},
  };
  const ours = new Set(names);
  for (const [name, ids] of Object.entries(report.jobs)) {
    if (!ours.has(name)) continue;
    f.serverJobs += ids.length;
    if (ids.length > 1) fail(`${name} has ${ids.length} jobs on the server`);
  }
  for (const o of outcomes) {
    const jobs = report.jobs[o.tagName] ?? [];
    if (o.result === "ok") {
      f.ok++;
      if (!jobs.includes(o.jobId!)) {
        fail(
          `${o.tagName} succeeded with job ${o.jobId}, which the server does not have`,
        );
      }
    } else if (o.result === "maybe") {
      f.maybeApplied++;
      if (jobs.length > 0) f.maybeActed++;
    } else {
      f.refused++;
      f.refusals[o.why!] = (f.refusals[o.why!] ?? 0) + 1;
      if (jobs.length > 0) {
        fail(
          `${o.tagName} was reported refused (${o.why}) but the server started job ${
            jobs[0]
          }`,
        );
      }
    }
  }
  if (f.serverJobs !== f.ok + f.maybeActed) {
    fail(
      `server jobs ${f.serverJobs} != successes ${f.ok} + maybe-applied acted on ${f.maybeActed}`,
    );
  }
  for (const name of names) {
    const posts = report.posts[name] ?? [];
    f.posts += posts.length;
    for (const p of posts) {
      const key = p.faults.length === 0
        ? `${p.status}`
        : `${p.status} ${p.faults.join("+")}`;
      f.faults[key] = (f.faults[key] ?? 0) + 1;
    }
    // Every POST but the last must have been refused with 429 (not acted on).
    const resentAfter = posts.slice(0, -1).filter((p) => p.status !== 429);
    if (resentAfter.length > 0) {
      f.sentTwice++;
      f.extraPosts += resentAfter.length;
      fail(
        `${name}: POST sent again after ${
          resentAfter.map((p) =>
            `${p.status || "a dropped connection"} (${
              p.faults.join("+") || "no fault"
            })`
          ).join(", ")
        }`,
      );
    }
  }
  return { figures: f, violations };
}

function refusal(error: unknown): string {
  if (!isLightlyError(error)) return `not a LightlyError: ${String(error)}`;
  const e = error as { kind: string; status?: number; code?: string };
  return [e.kind, e.status, e.code].filter((x) => x !== undefined).join(" ");
}

// ------------------------------------------------------------ the phases

function tagNames(prefix: string): string[] {
  return Array.from(
    { length: COUNT },
    (_, i) => `${prefix}-${String(i + 1).padStart(6, "0")}`,
  );
}

async function libraryPhase(server: Server) {
  const { info } = server;
  const names = tagNames("lib");
  const options = {
    baseUrl: info.url,
    auth: { apiKey: info.token },
    signal: deadline,
  };
  const outcomes: Outcome[] = [];
  const results = pooledMap(
    LIBRARY_CONCURRENCY,
    names,
    async (tagName: string) => {
      try {
        const { jobId } = await triggerSampling({
          datasetId: info.datasetId,
          embeddingId: info.embeddingId,
          body: {
            newTagName: tagName,
            method: "RANDOM",
            config: { stoppingCondition: { nSamples: 5 } },
          },
        }, options);
        outcomes.push({ tagName, result: "ok", jobId });
      } catch (error) {
        outcomes.push(
          isLightlyError(error, "maybe-applied")
            ? { tagName, result: "maybe" }
            : { tagName, result: "refused", why: refusal(error) },
        );
      }
    },
  );
  for await (const _ of results) { /* outcomes are recorded as they end */ }
  return { names, outcomes };
}

interface CliLine {
  line?: number;
  ok?: boolean;
  jobId?: string;
  error?: { kind?: string; status?: number; code?: string };
  summary?: { lines: number; ok: number; failed: number };
}

async function cliPhase(server: Server) {
  const { info } = server;
  const names = tagNames("cli");
  const child = spawn(
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-prompt",
        "--allow-net=127.0.0.1",
        "--allow-env=LIGHTLY_TOKEN",
        `${ROOT}cli.ts`,
        "trigger",
        "--batch",
        "-",
        "--concurrency",
        String(CLI_CONCURRENCY),
        "--json",
        "--base-url",
        info.url,
      ],
      env: { LIGHTLY_TOKEN: info.token, NO_COLOR: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }),
  );
  const sampler = rssSampler(child.pid);
  const input = names.map((tagName) =>
    JSON.stringify({
      datasetId: info.datasetId,
      embeddingId: info.embeddingId,
      body: {
        newTagName: tagName,
        method: "RANDOM",
        config: { stoppingCondition: { nSamples: 5 } },
      },
    })
  ).join("\n") + "\n";
  const writing = (async () => {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input));
    await writer.close();
  })();
  const stderr = new Response(child.stderr).text();
  const printed: CliLine[] = [];
  const out = lines(child.stdout);
  for (let r = await out.next(); !r.done; r = await out.next()) {
    if (r.value.trim() !== "") printed.push(JSON.parse(r.value));
  }
  await writing;
  // The last sample may come after the exit: the peak stays what was seen.
  const cliPeak = await sampler.stop();
  const status = await child.status;
  const outcomes: Outcome[] = [];
  const extra: string[] = [];
  let summary: CliLine["summary"];
  for (const p of printed) {
    if (p.summary) {
      summary = p.summary;
      continue;
    }
    const tagName = names[(p.line ?? 0) - 1];
    if (tagName === undefined) {
      extra.push(`an output line for input line ${p.line}`);
      continue;
    }
    if (p.ok) outcomes.push({ tagName, result: "ok", jobId: p.jobId });
    else if (p.error?.kind === "maybe-applied") {
      outcomes.push({ tagName, result: "maybe" });
    } else {
      outcomes.push({
        tagName,
        result: "refused",
        why: [p.error?.kind, p.error?.status, p.error?.code].filter((x) =>
          x !== undefined
        ).join(" "),
      });
    }
  }
  const ok = outcomes.filter((o) => o.result === "ok").length;
  if (!summary) extra.push("no summary line");
  else if (
    summary.lines !== COUNT || summary.ok !== ok ||
    summary.ok + summary.failed !== COUNT
  ) {
    extra.push(
      `summary ${
        JSON.stringify(summary)
      } does not match ${COUNT} lines, ${ok} ok`,
    );
  }
  const expectedCode = ok === COUNT ? 0 : [1, 3];
  if (![expectedCode].flat().includes(status.code)) {
    extra.push(`exit code ${status.code}: ${(await stderr).slice(0, 500)}`);
  }
  return { names, outcomes, extra, cliPeak, code: status.code };
}

// ------------------------------------------------------------ main

function kib(n: number): string {
  return Number.isFinite(n) ? `${(n / 1024).toFixed(0)} MiB` : "n/a";
}

function print(phase: string, f: Figures, ms: number): void {
  console.log(
    `${phase}: ${f.calls} calls in ${(ms / 1000).toFixed(1)} s: ${f.ok} ok, ` +
      `${f.maybeApplied} maybe applied (${f.maybeActed} acted on by the server), ` +
      `${f.refused} refused; server jobs ${f.serverJobs}; sampling POSTs ${f.posts}; ` +
      `POSTs sent twice: ${f.sentTwice} tag names (${f.extraPosts} extra POSTs)`,
  );
  console.log(`  POSTs by answer: ${JSON.stringify(f.faults)}`);
  if (f.refused > 0) console.log(`  refusals: ${JSON.stringify(f.refusals)}`);
}

const violations: string[] = [];
// Sampling POSTs the plan covers: the calls, plus 429 retries and resends.
const PLANNED = Math.ceil(COUNT * 1.2);

{
  const server = await startServer(faultPlan(PLANNED, SEED, 0.03));
  const t0 = performance.now();
  const { names, outcomes } = await libraryPhase(server);
  const ms = performance.now() - t0;
  const report = await server.report();
  const serverPeak = await peakRssKiB(server.pid);
  await server.close();
  const result = check("library", names, outcomes, report);
  print("library", result.figures, ms);
  console.log(
    `  peak RSS: this process ${
      kib(await peakRssKiB(Deno.pid))
    }, stub process ${kib(serverPeak)}`,
  );
  violations.push(...result.violations);
}
{
  const server = await startServer(faultPlan(PLANNED, SEED + 1, 0.003));
  const t0 = performance.now();
  const { names, outcomes, extra, cliPeak, code } = await cliPhase(server);
  const ms = performance.now() - t0;
  const report = await server.report();
  const serverPeak = await peakRssKiB(server.pid);
  await server.close();
  const result = check("cli --batch", names, outcomes, report);
  print("cli --batch", result.figures, ms);
  console.log(
    `  exit code ${code}; peak RSS: CLI process ${kib(cliPeak)}, stub process ${
      kib(serverPeak)
    }`,
  );
  violations.push(
    ...extra.map((e) => `cli --batch: ${e}`),
    ...result.violations,
  );
}

console.log(
  `stress: total ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
if (violations.length > 0) {
  console.log(
    `stress: FAILED, ${violations.length} violation(s), the first ones:`,
  );
  for (const v of violations.slice(0, 30)) console.log(`  - ${v}`);
  Deno.exit(1);
}
console.log("stress: ok");
Deno.exit(0);
