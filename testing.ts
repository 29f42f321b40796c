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
 * - **Checks, in order:** route (`404 NOT_FOUND`, `405 BAD_REQUEST` with `Allow`),
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
 * - **The API's rules, not the client's**: the stub checks requests with
 *   its own copy of the rules the Lightly API documents and shares no code
 *   with this package's client, so a client bug cannot hide behind it. It
 *   accepts what the API accepts: any JSON number as `nSamples`,
 *   `minDistance` or `rowCount` (the API sets no range for them).
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
 *   `min(floor(count), pool)`, `-1` (any negative) or absent → the whole
 *   pool; preselected samples
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
 * connection closes before any answer: with a plain `fetch`, a `drop` fault
 * on the first request of a warm connection is then answered by the resend
 * (both appear in `stub.requests`). Drop `nth: [1, 2]` to make it see the
 * failure. With `handled: true` on a plain-`fetch` sampling POST, the resend
 * answers `409 TAG_NAME_EXISTS` for the caller's own job. This package's
 * `triggerSampling` sends the POST on a fresh connection, which `fetch`
 * never resends: a `drop` on it is one request and a
 * `SamplingMaybeAppliedError`.
 *
 * ## In process: `stub.fetch`, `listen: false`
 *
 * `stub.fetch` has the signature of `globalThis.fetch` and answers requests
 * to `stub.url` without a socket, through the same routes, authentication,
 * faults, request log and jobs; pass it as the `fetch` option of this
 * package's functions. `startLightlyStub({ listen: false })` opens no socket
 * at all (no network permission needed; `stub.url` is then
 * `http://lightly-stub.invalid`, which never resolves). What a socket would
 * add is added: the request headers Deno's `fetch` sends by default, the
 * response's `content-length` and `date`, `response.url`. Faults behave so:
 *
 * | fault | through the socket | through `stub.fetch` |
 * | --- | --- | --- |
 * | `latency` | waits, then answers | the same; the caller's abort rejects at once |
 * | `status`, `malformed` | the damaged answer | the same answer |
 * | `truncated` | half the body, connection closed | half the body, then reading rejects with `TypeError("error reading a body from connection")`, as Deno's `fetch` does |
 * | `hang` | half the body, then nothing | the same; reading ends with the caller's abort (its reason) or, when the stub closes, with that `TypeError` |
 * | `drop` | connection closed, no answer | the call rejects with `TypeError("fetch failed")`, its `cause` saying "connection closed before message completed", as Deno's does |
 *
 * There is no connection to reuse, so in process a `drop` always reaches the
 * caller (no automatic resend: as with a fresh connection). After `close()`
 * a call rejects like a refused connection (`TypeError("fetch failed")`,
 * cause "Connection refused"). Messages that name the URL mask the token.
 * An unread body holds no socket, so the test sanitizers do not flag it in
 * process: keep the socket for tests of resource hygiene.
 *
 * @example Run the library against the stub in process, with no socket
 * ```ts
 * import { startLightlyStub } from "./testing.ts";
 * import { triggerSampling } from "./mod.ts";
 *
 * await using stub = startLightlyStub({ listen: false });
 * const { jobId } = await triggerSampling({
 *   datasetId: stub.datasetId,
 *   embeddingId: stub.embeddingId,
 *   body: { newTagName: "coreset-100", method: "CORESET", config: {} },
 * }, { baseUrl: stub.url, auth: { apiKey: stub.token }, fetch: stub.fetch });
 * console.log(stub.jobs()[0].id === jobId); // true
 * ```
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
} from "./lib/core/types.ts";
export {
  bitMaskToIndices,
  countBitMask,
  indicesToBitMask,
} from "./lib/stub/bitmask.ts";
