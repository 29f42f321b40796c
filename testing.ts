/**
 * An embedded, faithful Lightly API stub: test your automation, run the demo
 * and the examples with no account and no network beyond 127.0.0.1.
 *
 * {@linkcode startLightlyStub} starts a local server that answers the
 * endpoints a sampling workflow needs, the way the Lightly API does:
 *
 * | route name | endpoint |
 * | --- | --- |
 * | `trigger` | `POST /v1/datasets/{datasetId}/embeddings/{embeddingId}/sampling` |
 * | `job` | `GET /v1/jobs/{jobId}` |
 * | `tags` | `GET /v1/datasets/{datasetId}/tags` |
 * | `tag` | `GET /v1/datasets/{datasetId}/tags/{tagId}` |
 * | `embeddings` | `GET /v1/datasets/{datasetId}/embeddings` |
 * | `export` | `GET /v1/datasets/{datasetId}/tags/{tagId}/export/basic/filenames` |
 * | `embeddings2d` | `GET /v1/datasets/{datasetId}/embeddings/{embeddingId}/2d` |
 *
 * - **Checks, in order:** route (`404 NOT_FOUND`, `405 METHOD_NOT_ALLOWED`),
 *   credentials (`?token=` or `Authorization: Bearer`; else `401
 *   UNAUTHORIZED`, or `401 JWT_INVALID` for a wrong bearer token), path ids
 *   (`400 MALFORMED_REQUEST` naming the parameter), the body
 *   (`400 MALFORMED_REQUEST` for non-JSON, `400 BAD_REQUEST` naming every
 *   field that breaks `SamplingCreateRequest`), then the state:
 *   `404 DATASET_UNKNOWN`, `404 EMBEDDING_UNKNOWN`, `400 EMBEDDING_NOT_READY`,
 *   `400 TAG_QUERYTAG_NOT_IN_DATASET`, `400 TAG_PRESELECTEDTAG_NOT_IN_DATASET`,
 *   `400 TAG_NO_TAG_IN_DATASET`, `409 TAG_NAME_EXISTS`, `404 TAG_UNKNOWN`,
 *   `404 JOB_UNKNOWN`. Every error is an `ApiErrorResponse` with a
 *   `requestId`, also sent as the `x-request-id` header.
 * - **Tag names are reserved when a job is triggered**: a second trigger with
 *   the same `newTagName` answers `409 TAG_NAME_EXISTS` even while the first
 *   job still runs (a failed job frees the name), as the Lightly API does.
 * - **Jobs** go `WAITING` → `RUNNING` (`meta.processed` rising toward
 *   `meta.total`, the pool size) → `FINISHED` with `result: { type:
 *   "SAMPLING", data: <new tag id> }`, or `FAILED` with `error` when told to.
 *   By default a job advances one step per poll of `GET /v1/jobs/{jobId}`
 *   (deterministic, no clock); `jobDurationMs` switches to clock time.
 *   The new tag appears exactly when its job finishes.
 * - **The new tag** has `prevTagId` and `queryTagId` (the query tag, or the
 *   `initial-tag`), `preselectedTagId` when given, and `totSize` from
 *   `nSamples`: a fraction → `round(fraction × pool)`, a count →
 *   `min(count, pool)`, `-1` or absent → the whole pool; preselected samples
 *   in the pool are always included. `bitMaskData` has exactly `totSize` bits
 *   set, all within the pool.
 * - **What was selected:** sample `i` is the file
 *   `images/0012/sample-0012345.jpg` (1000 a folder), with a datasource URL
 *   and a read URL signed by a secret of the stub. The export answers a
 *   tag's samples in bit order from `pageOffset`, at most `pageSize`, one
 *   per line (`text/plain`; a JSON list with `format=JSON`), and `400
 *   BAD_REQUEST` naming a bad query parameter. Each processed embedding has
 *   one UMAP projection: a point per sample, in six clusters, computed on
 *   demand (a dataset of 1 000 000 samples is fine).
 * - **Faults** are declared per stub (options or `stub.addFault()`), by route
 *   and request number: latency, a status with a JSON/HTML/empty body and
 *   `Retry-After`, a malformed or truncated body, a dropped connection, a
 *   body that never finishes.
 * - **The request log** (`stub.requests`) records each request with the
 *   token and `Authorization` masked.
 *
 * Deno's `fetch` resends a request once, by itself, when a reused keep-alive
 * connection closes before any answer: a `drop` fault on the first request
 * of a warm connection is then answered by the resend (both appear in
 * `stub.requests`). Drop `nth: [1, 2]` to make the client see the failure.
 * With `handled: true` on a sampling POST, the resend answers
 * `409 TAG_NAME_EXISTS` for the caller's own job.
 *
 * @example Trigger a job, poll it, read the new tag (plain fetch)
 * ```ts
 * import { startLightlyStub } from "./testing.ts";
 *
 * await using stub = startLightlyStub();
 * const auth = `?token=${stub.token}`;
 * const trigger = await fetch(
 *   `${stub.url}/v1/datasets/${stub.datasetId}/embeddings/${stub.embeddingId}/sampling${auth}`,
 *   {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({
 *       newTagName: "coreset-100",
 *       method: "CORESET",
 *       config: { stoppingCondition: { nSamples: 100 } },
 *     }),
 *   },
 * );
 * const { jobId } = await trigger.json();
 * for (;;) {
 *   const job = await (await fetch(`${stub.url}/v1/jobs/${jobId}${auth}`)).json();
 *   if (job.status === "FINISHED") {
 *     console.log("new tag", job.result.data);
 *     break;
 *   }
 * }
 * ```
 *
 * @example Declare faults: a 503 with Retry-After, then a dropped connection
 * ```ts
 * import { startLightlyStub } from "./testing.ts";
 *
 * await using stub = startLightlyStub({
 *   faults: [
 *     { route: "trigger", nth: 1, fault: { kind: "status", status: 503, body: "html", retryAfter: "2" } },
 *     { route: "job", nth: [2, 3], fault: { kind: "drop" } },
 *   ],
 * });
 * ```
 *
 * @module
 */

export { type LightlyStub, startLightlyStub } from "./lib/stub/server.ts";
export type {
  StubClock,
  StubJobFailure,
  StubOptions,
  StubSleep,
  StubTrigger,
} from "./lib/stub/options.ts";
export type {
  StubDatasetSeed,
  StubEmbeddingSeed,
  StubTagSeed,
} from "./lib/stub/seed.ts";
export type { StubDatasetInfo, StubJobInfo } from "./lib/stub/state.ts";
export type { StubRequestLog } from "./lib/stub/request_log.ts";
export type { StubRouteName } from "./lib/stub/routes.ts";
export type {
  StubDropFault,
  StubFault,
  StubFaultAction,
  StubHangFault,
  StubLatencyFault,
  StubMalformedFault,
  StubStatusFault,
  StubTruncatedFault,
} from "./lib/stub/faults.ts";
// The API shapes the stub's own types mention.
export type {
  DatasetEmbeddingData,
  JobState,
  SamplingConfig,
  SamplingCreateRequest,
  SamplingMethod,
  StoppingCondition,
  TagData,
} from "./lib/types.ts";
export {
  bitMaskToIndices,
  countBitMask,
  indicesToBitMask,
} from "./lib/stub/bitmask.ts";
