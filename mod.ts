/**
 * Build and trigger sampling (selection) jobs on the Lightly API from Deno.
 *
 * - {@linkcode buildSamplingRequest}: validated input → a frozen, printable
 *   `{ method, url, headers, body }`. Pure: no I/O, no clock, no environment.
 * - {@linkcode triggerSampling}: the same, sent with `fetch`, answered with a
 *   validated `{ jobId }` or a typed {@linkcode LightlyError}.
 *
 * Every bad input is refused before anything is sent, with one
 * {@linkcode ValidationError} that lists every problem. Secrets (API
 * key, bearer token) never appear in any error, log line or printed request.
 *
 * In a loop, or for a script that talks to one API, {@linkcode createClient}
 * validates the options once and offers every call as a method.
 *
 * Two more entry points: `./display` (jobs, tags, requests and selections
 * rendered in Jupyter notebooks) and `./schemas` (zod schemas of the API's
 * answers, and the request rules' patterns and enums).
 *
 * @example Trigger a coreset selection
 * ```ts
 * import { triggerSampling } from "@lightly-sampling/lightly-sampling";
 *
 * const { jobId } = await triggerSampling({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: {
 *     newTagName: "coreset-100",
 *     method: "CORESET",
 *     config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
 *   },
 * }, { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * console.log(`job ${jobId} started`);
 * ```
 *
 * @module
 */

// Building and sending a sampling request (core).
export {
  type BuildOptions,
  buildSamplingRequest,
  type LightlyRequest,
  type SamplingRequest,
} from "./lib/core/build.ts";
export {
  type TriggerOptions,
  triggerSampling,
  triggerSamplingRaw,
} from "./lib/core/trigger.ts";
export {
  type ClientOptions,
  type CreateClientOptions,
  type HttpOptions,
  type LightlyAuth,
  type TriggerRetryOptions,
} from "./lib/core/client.ts";
export {
  type ClientMethod,
  createClient,
  type Held,
  type LightlyClient,
} from "./lib/client.ts";
export {
  type CurlOptions,
  formatCurl,
  formatRequest,
  type RedactedRequest,
  redactRequest,
} from "./lib/display/format.ts";
export { REDACTED } from "./lib/core/redact.ts";
export { VERSION } from "./lib/core/version.ts";

// Jobs, reads and the workflow.
export {
  type JobProgress,
  type RetryingReadOptions,
  waitForJob,
  type WaitOptions,
  type WaitResult,
} from "./lib/jobs/wait.ts";
export {
  findTagByName,
  getEmbeddings2d,
  getJobStatus,
  getTag,
  type JobOptions,
  listEmbeddings,
  listTags,
} from "./lib/jobs/reads.ts";
export {
  type ExportOptions,
  type ExportProgress,
  type ExportRecordsOptions,
  exportTagFilenames,
  exportTagFileRecords,
  type TagFileRecord,
} from "./lib/jobs/export.ts";
export {
  INITIAL_TAG_NAME,
  type SelectionInput,
  type SelectionResult,
  type SelectOptions,
  selectSamples,
} from "./lib/jobs/workflow.ts";
export {
  backoffDelay,
  type BackoffOptions,
  type Clock,
  parseRetryAfter,
  systemClock,
} from "./lib/core/policy.ts";
// Errors.
export {
  AbortedError,
  isLightlyError,
  JobDeadlineError,
  JobResultMissingError,
  LightlyApiError,
  LightlyError,
  type LightlyErrorInit,
  type LightlyErrorKind,
  type LightlyErrorKinds,
  type LightlyErrorOptions,
  NetworkError,
  PollFailedError,
  SamplingJobFailedError,
  SamplingMaybeAppliedError,
  type SelectionRefusal,
  type SelectionStep,
  SelectionStepError,
  TimeoutError,
  UnexpectedResponseError,
  ValidationError,
  type ValidationIssue,
} from "./lib/core/errors.ts";

// The API's data.
export type {
  ApiErrorResponse,
  AsyncTaskData,
  DatasetEmbeddingData,
  DimensionalityReductionMethod,
  Embedding2dData,
  FileNameFormat,
  JobResult,
  JobState,
  JobStatusData,
  JobStatusMeta,
  SamplingConfig,
  SamplingCreateRequest,
  SamplingInput,
  SamplingMethod,
  StoppingCondition,
  TagData,
} from "./lib/core/types.ts";
