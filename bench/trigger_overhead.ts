/**
 * Ratio gates: `triggerSampling` and `getJobStatus` against the minimal
 * correct hand-written client doing the same call, interleaved in rounds
 * against one local server so machine noise hits both alike. Prints the ratio
 * of medians for each; exits 1 when one is above the target (1.10).
 *
 * The baseline is what a careful hand-written call must do anyway, not a bare
 * `fetch` that could hang forever or re-send a POST:
 * - a per-call timeout: an `AbortController` and a `setTimeout`, cleared;
 * - the sampling POST on a never-used connection
 *   (`Deno.createHttpClient({ poolMaxIdlePerHost: 0 })`, closed after), so
 *   Deno's `fetch` never re-sends it; the GET on the pooled connection;
 * - reading the JSON answer.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/trigger_overhead.ts [rounds]
 */
import {
  buildSamplingRequest,
  createClient,
  getJobStatus,
  triggerSampling,
} from "../mod.ts";
import { checkBaseUrl } from "../lib/core/rules.ts";
import { JobStatusDataSchema } from "../schemas.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { BENCH_INPUT, handWritten } from "./_input.ts";

const TARGET = 1.10;
const rounds = Number(Deno.args[0] ?? 30);
const perRound = 200;

const JOB_ID = "0123456789abcdef0123abcd";
const JOB = JSON.stringify({
  id: JOB_ID,
  status: "RUNNING",
  waitTimeTillNextPoll: 1,
  createdAt: 1_700_000_000_000,
});
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    const body = req.method === "POST" ? `{"jobId":"${JOB_ID}"}` : JOB;
    return new Response(body, {
      headers: { "content-type": "application/json" },
    });
  },
);
const options = {
  baseUrl: `http://127.0.0.1:${server.addr.port}`,
  auth: { apiKey: "bench-token" },
};
const input = BENCH_INPUT;
const post = buildSamplingRequest(input, options);
const get = {
  method: "GET",
  url: `${options.baseUrl}/v1/jobs/${JOB_ID}?token=bench-token`,
  headers: { "Accept": "application/json", "User-Agent": USER_AGENT },
};

async function time(call: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) await call();
  return performance.now() - t0;
}

const client = createClient(options);

const gates = [
  {
    name: "triggerSampling",
    baseline: async () => {
      const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
      try {
        return await handWritten(post, client);
      } finally {
        client.close();
      }
    },
    library: () => triggerSampling(input, options),
  },
  {
    name: "getJobStatus",
    baseline: () => handWritten(get),
    library: () => getJobStatus(JOB_ID, options),
  },
];

/**
 * Not gated: where `getJobStatus`'s time goes, each row against the same
 * hand-written GET — the answer's validation (zod), the base URL's parsing
 * and checks, the call on a client (options validated once, the answer
 * read with redirects refused, capped, validated).
 */
const parts = [
  {
    name: "hand-written + the answer's zod schema",
    library: async () => JobStatusDataSchema.parse(await handWritten(get)),
  },
  {
    name: "hand-written + the base URL's check",
    library: () => {
      checkBaseUrl(options.baseUrl, []);
      return handWritten(get);
    },
  },
  {
    name: "client.getJobStatus (createClient once)",
    library: () => client.getJobStatus(JOB_ID),
  },
].map((part) => ({ ...part, baseline: () => handWritten(get), part: true }));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let failed = false;
for (const gate of [...gates, ...parts]) {
  // Warm both paths (JIT, connection pool) before measuring.
  await time(gate.baseline);
  await time(gate.library);
  const baseTimes: number[] = [];
  const libTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) {
      baseTimes.push(await time(gate.baseline));
      libTimes.push(await time(gate.library));
    } else {
      libTimes.push(await time(gate.library));
      baseTimes.push(await time(gate.baseline));
    }
  }
  const ratio = median(libTimes) / median(baseTimes);
  const us = (ms: number) => (ms / perRound * 1000).toFixed(1);
  console.log(
    `${gate.name}: hand-written ${us(median(baseTimes))} µs/call, library ${
      us(median(libTimes))
    } µs/call, ratio ${ratio.toFixed(3)}${
      "part" in gate ? "" : ` (target <= ${TARGET})`
    }`,
  );
  if (!("part" in gate) && ratio > TARGET) failed = true;
}
await server.shutdown();
if (failed) Deno.exit(1);
