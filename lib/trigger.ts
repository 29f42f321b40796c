/**
 * `triggerSampling`: validate, build, send, and return the new job's id.
 *
 * @module
 */
import { type BuildOptions, buildSamplingRequest } from "./build.ts";
import { type HttpOptions, sendJson, sendRaw } from "./http.ts";
import { AsyncTaskDataSchema } from "./schema.ts";
import type { AsyncTaskData, SamplingInput } from "./types.ts";

/** Options of {@linkcode triggerSampling}: the builder's plus fetch, signal, timeout. */
export interface TriggerOptions extends BuildOptions, HttpOptions {}

/**
 * Triggers a sampling job: validates everything (nothing is sent on bad
 * input), POSTs it, and returns the validated `{ jobId }`. The POST is sent
 * once: it is not idempotent, so it is never retried here.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @param options Base URL, credentials, headers, fetch, signal, timeout.
 * @returns The server's `AsyncTaskData`, `{ jobId }` (unknown fields kept).
 * @throws {SamplingValidationError} Bad input; nothing was sent.
 * @throws {LightlyApiError} The API said no (status, code, message, request id).
 * @throws {UnexpectedResponseError} An answer that is not the API's (HTML, empty, wrong shape).
 * @throws {NetworkError} No answer; `connectFailed` tells whether anything was sent.
 * @throws {TimeoutError} No full answer within `timeoutMs`.
 * @throws {AbortedError} The caller's signal fired.
 *
 * @example Trigger a coreset selection of 100 samples
 * ```ts ignore
 * import { triggerSampling } from "./trigger.ts";
 * const { jobId } = await triggerSampling({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: {
 *     newTagName: "coreset-100",
 *     method: "CORESET",
 *     config: { stoppingCondition: { nSamples: 100 } },
 *   },
 * }, { auth: { apiKey: Deno.env.get("LIGHTLY_TOKEN")! } });
 * console.log(jobId);
 * ```
 */
export function triggerSampling(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<AsyncTaskData> {
  try {
    const request = buildSamplingRequest(input, options);
    return sendJson(request, AsyncTaskDataSchema, options);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Like {@linkcode triggerSampling} but returns the `Response` untouched (no
 * status check, body unread), like the Python client's
 * `skip_deserialization`. Input is validated all the same. `timeoutMs` covers
 * only the wait for the headers; you must read or cancel the body.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @param options Base URL, credentials, headers, fetch, signal, timeout.
 * @returns The raw `Response`.
 * @throws {SamplingValidationError} Bad input; nothing was sent.
 * @throws {NetworkError | TimeoutError | AbortedError} When no response came.
 *
 * @example Inspect the raw answer
 * ```ts ignore
 * import { triggerSamplingRaw } from "./trigger.ts";
 * const response = await triggerSamplingRaw({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * });
 * console.log(response.status, await response.text());
 * ```
 */
export function triggerSamplingRaw(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<Response> {
  try {
    const request = buildSamplingRequest(input, options);
    return sendRaw(request, options);
  } catch (error) {
    return Promise.reject(error);
  }
}
