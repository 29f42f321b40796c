/**
 * Gate: validated builds per second of `buildSamplingRequest`, measured over
 * five one-second-ish rounds of a tight loop (no bench-harness overhead per
 * call). Prints the median; exits 1 below the target (1 000 000 builds/s).
 *
 * Run: deno run bench/build_throughput.ts
 */
import { buildSamplingRequest } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const TARGET = 1_000_000;
const input = BENCH_INPUT;
const options = { auth: { apiKey: "bench-token" } };

let sink = 0;
const rates: number[] = [];
for (let round = 0; round < 6; round++) {
  const n = 1_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    sink += buildSamplingRequest(input, options).body.length;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  if (round > 0) rates.push(rate); // round 0 warms the JIT
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)];
console.log(
  `buildSamplingRequest: ${
    (median / 1e6).toFixed(2)
  } M validated builds/s (target >= ${TARGET / 1e6} M; checksum ${sink})`,
);
if (median < TARGET) Deno.exit(1);
