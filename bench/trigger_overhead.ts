/**
 * Ratio gate: `triggerSampling` against a bare `fetch` + `response.json()` of
 * the same prebuilt request, interleaved in rounds against one local server so
 * machine noise hits both alike. Prints the ratio of medians; exits 1 when it
 * is above the target (1.10).
 *
 * Like for like: the sampling POST goes on a fresh connection (so `fetch`
 * never re-sends it), and so does the bare fetch here, through the same kind
 * of per-request client. What a fresh connection costs is measured apart, in
 * `bench/trigger_fresh_connection.ts`.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/trigger_overhead.ts [rounds]
 */
import { buildSamplingRequest, triggerSampling } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const TARGET = 1.10;
const rounds = Number(Deno.args[0] ?? 30);
const perRound = 200;

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    return new Response('{"jobId":"0123456789abcdef0123abcd"}', {
      headers: { "content-type": "application/json" },
    });
  },
);
const options = {
  baseUrl: `http://127.0.0.1:${server.addr.port}`,
  auth: { apiKey: "bench-token" },
};
const input = BENCH_INPUT;
const prebuilt = buildSamplingRequest(input, options);

async function bare(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const response = await fetch(prebuilt.url, { ...prebuilt, client });
      await response.json();
    } finally {
      client.close();
    }
  }
  return performance.now() - t0;
}

async function library(): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) await triggerSampling(input, options);
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

// Warm both paths (JIT, connection pool) before measuring.
await bare();
await library();
const bareTimes: number[] = [];
const libTimes: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    bareTimes.push(await bare());
    libTimes.push(await library());
  } else {
    libTimes.push(await library());
    bareTimes.push(await bare());
  }
}
await server.shutdown();
const ratio = median(libTimes) / median(bareTimes);
const us = (ms: number) => (ms / perRound * 1000).toFixed(1);
console.log(
  `bare fetch: ${us(median(bareTimes))} µs/request, triggerSampling: ${
    us(median(libTimes))
  } µs/request, ratio ${ratio.toFixed(3)} (target <= ${TARGET})`,
);
if (ratio > TARGET) Deno.exit(1);
