// `triggerSampling`: validate, build, send once (again only where the server
// cannot have acted), and return the new job's id.
import { samplingRequest } from "./build.ts";
import {
  type Client,
  type CreateClientOptions,
  type HttpOptions,
  prepare,
} from "./client.ts";
import { SamplingMaybeAppliedError } from "./errors.ts";
import { sendJson, sendRaw } from "./http.ts";
import { classify, retry, systemClock } from "./policy.ts";
import { SAMPLING_INPUT, TRIGGER_OPTIONS } from "./rules.ts";
import { AsyncTaskDataSchema } from "./schemas.ts";
import type { AsyncTaskData, SamplingInput } from "./types.ts";

/** Options of {@linkcode triggerSampling}: a client's, and the call's `signal`. */
export type TriggerOptions = CreateClientOptions & Pick<HttpOptions, "signal">;

/** The default longest `Retry-After` the sampling POST honours: 60 s. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** The options of one POST, validated: the call's, over the client's. */
export type TriggerCall = Readonly<
  Pick<TriggerOptions, "signal" | "timeoutMs" | "retry">
>;

/** A 429 answer to the raw trigger, carried through the retry loop as a failure. */
class TooManyRequests {
  readonly kind = "api";
  readonly status = 429;
  readonly retryAfter: string | undefined;
  constructor(readonly response: Response) {
    this.retryAfter = response.headers.get("retry-after") ?? undefined;
  }
}

/** Sends a validated input's POST, again only when the server cannot have acted; else `SamplingMaybeAppliedError`. */
export function sendSampling(
  client: Client,
  input: SamplingInput,
  call: TriggerCall,
  raw: boolean,
): Promise<AsyncTaskData | Response> {
  const request = samplingRequest(client, input);
  const policy = call.retry ?? client.retry;
  const r = policy === false ? { maxAttempts: 1 } : policy ?? {};
  const clock = r.clock ?? systemClock;
  const timeoutMs = call.timeoutMs ?? client.timeoutMs;
  const settle = (error: unknown) => {
    if (raw && error instanceof TooManyRequests) return error.response;
    throw classify(error).maybeApplied
      ? new SamplingMaybeAppliedError({
        tagName: input.body.newTagName,
        datasetId: input.datasetId,
        cause: error,
      })
      : error;
  };
  return retry<AsyncTaskData | Response>((left) => {
    const http = client.http(
      call.signal,
      left >= timeoutMs ? timeoutMs : Math.max(1, Math.ceil(left)),
    );
    if (!raw) return sendJson(request, AsyncTaskDataSchema, http);
    return sendRaw(request, http).then((response) => {
      if (response.status === 429) throw new TooManyRequests(response);
      return response;
    });
  }, {
    maxAttempts: r.maxAttempts ?? 3,
    retryIf: (verdict) => verdict.resendPost,
    backoff: r.backoff,
    maxRetryAfterMs: r.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS,
    clock,
    signal: call.signal,
    deadline: clock.now() + timeoutMs,
    method: "POST",
    url: request.url,
    onRetry: (e) => e instanceof TooManyRequests && e.response.body?.cancel(),
  }, settle);
}

/** {@linkcode triggerSampling} and its raw twin, for a client or a free call. */
export function triggerWith<R extends boolean>(
  client: Client | undefined,
  input: unknown,
  options: unknown,
  raw: R,
): Promise<R extends true ? Response : AsyncTaskData> {
  try {
    const call = prepare<TriggerCall>(
      client,
      "sampling request",
      TRIGGER_OPTIONS,
      options,
      [SAMPLING_INPUT, input],
    );
    const snapshot = call.args[0] as SamplingInput;
    return sendSampling(call.client, snapshot, call.options, raw) as Promise<
      R extends true ? Response : AsyncTaskData
    >;
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Triggers a sampling job: validates everything (nothing is sent on bad
 * input), POSTs it, and returns the validated `{ jobId }`.
 *
 * The POST is retried only when the server provably did not act: a
 * connection that failed before anything was sent, and 429 (honouring
 * `Retry-After` up to `maxRetryAfterMs`). Each attempt is a fresh `fetch`
 * on a connection of its own, so `fetch` never re-sends it by itself. When
 * the POST may have been applied (timeout, reset, 5xx, unreadable 2xx) it is
 * never retried and `SamplingMaybeAppliedError` is thrown, whatever the
 * `retry` option. `timeoutMs` bounds the whole call, retries and waits
 * included.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @returns The server's `AsyncTaskData`, `{ jobId }` (unknown fields kept).
 * @throws {ValidationError} Bad input or options, all listed; nothing was sent.
 * @throws {SamplingMaybeAppliedError} The POST may have been applied; check for the tag name before trying again.
 * @throws {LightlyApiError} The API said no; a 429 once retries or time are spent.
 * @throws {UnexpectedResponseError} A 4xx answer that is not the API's (e.g. an HTML page).
 * @throws {NetworkError} Could not connect, on every attempt (`connectFailed`: nothing was sent).
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
 * ```
 */
export function triggerSampling(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<AsyncTaskData> {
  return triggerWith(undefined, input, options, false);
}

/**
 * Like {@linkcode triggerSampling} but returns the `Response` untouched (no
 * status check, body unread), like the Python client's
 * `skip_deserialization`. Input is validated all the same; `timeoutMs`
 * covers the wait for the headers, not the body: read or cancel the body.
 * A refused connection and a 429 are retried (the 429's body cancelled); a
 * timeout or reset before the headers came throws
 * `SamplingMaybeAppliedError`; any other status is returned as is.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @returns The raw `Response`.
 * @throws {ValidationError} Bad input or options; nothing was sent.
 * @throws {SamplingMaybeAppliedError} No headers came, and the POST may have been applied.
 * @throws {NetworkError | AbortedError} Could not connect on any attempt, or the caller aborted.
 */
export function triggerSamplingRaw(
  input: SamplingInput,
  options: TriggerOptions = {},
): Promise<Response> {
  return triggerWith(undefined, input, options, true);
}
