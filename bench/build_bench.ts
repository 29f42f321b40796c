/**
 * Builder throughput. Target: >= 1 000 000 validated builds/s
 * (`buildSamplingRequest` at <= 1 µs per call).
 */
import { buildSamplingRequest } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const input = BENCH_INPUT;
const options = { auth: { apiKey: "bench-token" } };

Deno.bench("buildSamplingRequest (valid, api key)", {
  group: "build",
  baseline: true,
}, () => {
  buildSamplingRequest(input, options);
});
Deno.bench(
  "buildSamplingRequest (valid, no options)",
  { group: "build" },
  () => {
    buildSamplingRequest(input);
  },
);
Deno.bench(
  "JSON.stringify of the body alone (reference)",
  { group: "build" },
  () => {
    JSON.stringify(input.body);
  },
);
