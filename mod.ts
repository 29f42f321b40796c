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
 * @example Trigger a coreset selection
 * ```ts ignore
 * import { triggerSampling } from "./mod.ts";
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
  DEFAULT_BASE_URL,
  type LightlyAuth,
} from "./lib/core/client.ts";
export {
  type CallOptions,
  createClient,
  type CreateClientOptions,
  type Held,
  LightlyClient,
} from "./lib/client.ts";
export {
  DEFAULT_TIMEOUT_MS,
  type HttpOptions,
  MAX_BODY_BYTES,
} from "./lib/core/http.ts";
export {
  type CurlOptions,
  formatCurl,
  formatRequest,
  type RedactedRequest,
  redactRequest,
} from "./lib/display/format.ts";
export {
  REDACTED,
  redactHeaders,
  redactText,
  redactUrl,
} from "./lib/core/redact.ts";
export { USER_AGENT, VERSION } from "./lib/core/version.ts";

// Jobs, reads and the workflow.
export {
  DEFAULT_MAX_RETRY_AFTER_MS,
  DEFAULT_TRIGGER_ATTEMPTS,
  type TriggerRetryOptions,
} from "./lib/core/trigger.ts";
export {
  DEFAULT_MAX_CONSECUTIVE_FAILURES,
  DEFAULT_MAX_INTERVAL_MS,
  DEFAULT_MIN_INTERVAL_MS,
  DEFAULT_WAIT_TIMEOUT_MS,
  getJobStatus,
  type JobOptions,
  type JobProgress,
  type RetryingReadOptions,
  waitForJob,
  type WaitOptions,
  type WaitResult,
} from "./lib/jobs/wait.ts";
export {
  findTagByName,
  getEmbeddings2d,
  getTag,
  listEmbeddings,
  listTags,
  MAX_EMBEDDING_2D_BYTES,
} from "./lib/jobs/reads.ts";
export {
  DEFAULT_EXPORT_PAGE_SIZE,
  type ExportOptions,
  type ExportProgress,
  type ExportRecordsOptions,
  exportTagFilenames,
  exportTagFileRecords,
  MAX_EXPORT_PAGE_BYTES,
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
  DEFAULT_BACKOFF,
  parseRetryAfter,
  systemClock,
} from "./lib/core/policy.ts";

// Notebook display.
export {
  displayJob,
  displayRequest,
  displayTag,
  displayTags,
  type JobDisplayInput,
  type JobSnapshot,
  JUPYTER_DISPLAY,
  type MimeBundle,
  type RichDisplay,
} from "./lib/display/notebook.ts";
export {
  DEFAULT_MAX_BACKGROUND_POINTS,
  displaySelection,
  type SelectionCounts,
  type SelectionDisplay,
  type SelectionDisplayInput,
} from "./lib/display/selection.ts";

// Errors.
export {
  AbortedError,
  isLightlyError,
  JobDeadlineError,
  type JobDeadlineErrorOptions,
  JobResultMissingError,
  LightlyApiError,
  type LightlyApiErrorOptions,
  LightlyError,
  type LightlyErrorKind,
  type LightlyErrorKinds,
  type LightlyErrorOptions,
  NetworkError,
  type NetworkErrorOptions,
  PollFailedError,
  type PollFailedErrorOptions,
  type ResponseErrorOptions,
  SamplingJobFailedError,
  SamplingMaybeAppliedError,
  type SamplingMaybeAppliedErrorOptions,
  type SelectionRefusal,
  type SelectionStep,
  SelectionStepError,
  type SelectionStepErrorOptions,
  TimeoutError,
  UnexpectedResponseError,
  type UnexpectedResponseErrorOptions,
  ValidationError,
  type ValidationIssue,
} from "./lib/core/errors.ts";

// Rules, schemas and types.
export {
  isValidMinDistance,
  isValidNSamples,
  isValidRowCount,
  JOB_STATES,
  OBJECT_ID_PATTERN,
  type RuleName,
  RULES,
  SAMPLING_METHODS,
  SCORE_TYPE_PATTERN,
  TAG_NAME_PATTERN,
} from "./lib/core/rules.ts";
export {
  ApiErrorResponseSchema,
  AsyncTaskDataSchema,
  DatasetEmbeddingDataSchema,
  Embedding2dDataSchema,
  Embedding2dListSchema,
  EmbeddingListSchema,
  JobResultSchema,
  JobStatusDataSchema,
  JobStatusMetaSchema,
  ObjectIdSchema,
  type SafeParseResult,
  type Schema,
  TagDataSchema,
  TagListSchema,
} from "./lib/core/schemas.ts";
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
