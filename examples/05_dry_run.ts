/**
 * Build a request without sending it: print it with the token masked, and as
 * an equivalent curl command that reads the token from $LIGHTLY_TOKEN.
 * Needs no network permission.
 *
 *   deno run examples/05_dry_run.ts
 */
import { buildSamplingRequest, formatCurl, formatRequest } from "../mod.ts";

const request = buildSamplingRequest({
  datasetId: "0123456789abcdef01234567",
  embeddingId: "89abcdef0123456789abcdef",
  body: {
    newTagName: "coreset-100",
    method: "CORESET",
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
    rowCount: 4000,
  },
}, { auth: { apiKey: "this-secret-is-never-printed" } });

console.log(formatRequest(request));
console.log();
console.log(formatCurl(request));
