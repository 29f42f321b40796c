/**
 * Gate: validated builds per second of `buildSamplingRequest` on fresh
 * inputs — new input and options objects every call, as a caller building
 * one request per row passes them, so nothing from the last call can be
 * reused — measured over five one-second-ish rounds of a tight loop (no
 * bench-harness overhead per call). Prints the median; exits 1 below the
 * target (1 000 000 builds/s).
 *
 * Run: deno run bench/build_throughput.ts
 */
import { buildSamplingRequest, type SamplingInput } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const TARGET = 1_000_000;
const { datasetId, embeddingId, body } = BENCH_INPUT;
const { nSamples, minDistance } = body.config.stoppingCondition;

function freshInput(): SamplingInput {
  return {
    datasetId,
    embeddingId,
    body: {
      newTagName: body.newTagName,
      method: body.method,
      config: { stoppingCondition: { nSamples, minDistance } },
      rowCount: body.rowCount,
    },
  };
}

let sink = 0;
const rates: number[] = [];
for (let round = 0; round < 6; round++) {
  const n = 1_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    sink += buildSamplingRequest(freshInput(), {
      auth: { apiKey: "bench-token" },
    }).body.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  if (round > 0) rates.push(rate); // round 0 warms the JIT
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(
  `buildSamplingRequest: ${
    (median / 1e6).toFixed(2)
  } M validated builds/s on fresh inputs (target >= ${
    TARGET / 1e6
  } M; checksum ${sink})`,
);
if (median < TARGET) Deno.exit(1);
