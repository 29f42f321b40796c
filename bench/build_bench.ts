/**
 * Builder throughput. Target: >= 1 000 000 validated builds/s
 * (`buildSamplingRequest` at <= 1 µs per call).
 */
import { buildSamplingRequest } from "../mod.ts";

const input = {
  datasetId: "0123456789abcdef01234567",
  embeddingId: "0123456789abcdef01234568",
  body: {
    newTagName: "coreset-100",
    method: "CORESET" as const,
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
    rowCount: 4000,
  },
};
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
