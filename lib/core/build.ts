// The requests this package sends, as frozen `{ method, url, headers, body }`,
// built from validated snapshots only: no I/O, clock or state.
import { type Client, type ClientOptions, prepare } from "./client.ts";
import { BUILD_OPTIONS, SAMPLING_INPUT } from "./rules.ts";
import type { SamplingCreateRequest, SamplingInput } from "./types.ts";

/** Options of {@linkcode buildSamplingRequest}: the connection's. */
export type BuildOptions = ClientOptions;

/** A request ready for `fetch(request.url, request)`; print it with `formatRequest` (secrets redacted), never as is. */
export interface LightlyRequest {
  /** The HTTP method. */
  readonly method: "GET" | "POST";
  /** The full URL, with `?token=` when an API key is used. */
  readonly url: string;
  /** The headers, including `Authorization` when a bearer token is used. */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body, or `undefined` for a GET. */
  readonly body?: string;
}

/** The request {@linkcode buildSamplingRequest} returns: a POST with a JSON body. */
export interface SamplingRequest extends LightlyRequest {
  /** Always `POST`. */
  readonly method: "POST";
  /** The JSON body: absent optional fields omitted, never `null`. */
  readonly body: string;
}

/** A validated body as JSON in wire order, by hand: faster than `JSON.stringify`, and the rules admit no character that needs escaping. */
function serializeBody(b: SamplingCreateRequest): string {
  let s = '{"newTagName":"' + b.newTagName + '","method":"' + b.method +
    '","config":';
  const sc = b.config.stoppingCondition;
  if (sc === undefined) s += "{}";
  else {
    s += '{"stoppingCondition":{';
    if (sc.nSamples !== undefined) s += '"nSamples":' + sc.nSamples;
    if (sc.minDistance !== undefined) {
      s += (sc.nSamples !== undefined ? "," : "") + '"minDistance":' +
        sc.minDistance;
    }
    s += "}}";
  }
  if (b.preselectedTagId !== undefined) {
    s += ',"preselectedTagId":"' + b.preselectedTagId + '"';
  }
  if (b.queryTagId !== undefined) s += ',"queryTagId":"' + b.queryTagId + '"';
  if (b.scoreType !== undefined) s += ',"scoreType":"' + b.scoreType + '"';
  if (b.rowCount !== undefined) s += ',"rowCount":' + b.rowCount;
  return s + "}";
}

/** The frozen sampling POST of a snapshot that passed `SAMPLING_INPUT`, for `client`. */
export function samplingRequest(
  client: Client,
  input: SamplingInput,
): SamplingRequest {
  // Ids are lower-case hex: nothing to percent-encode.
  return Object.freeze({
    method: "POST" as const,
    url: client.prefix + "/v1/datasets/" + input.datasetId + "/embeddings/" +
      input.embeddingId + "/sampling" + client.query,
    headers: client.postHeaders,
    body: serializeBody(input.body),
  });
}

/** The frozen GET of `path` (encoded already, starting with one `/`) for `client`. */
export function getRequest(client: Client, path: string): LightlyRequest {
  // A path with a query already gets the token appended with `&`.
  const query = client.query !== "" && path.includes("?")
    ? "&" + client.query.slice(1)
    : client.query;
  return Object.freeze({
    method: "GET" as const,
    url: client.prefix + path + query,
    headers: client.getHeaders,
  });
}

/**
 * Validates a sampling input and its options and describes the request that
 * triggers the job: `POST /v1/datasets/{datasetId}/embeddings/{embeddingId}/sampling`.
 *
 * Pure and fast: for dry runs, your own HTTP client, or `triggerSampling`.
 * In a loop, a client from `createClient` validates the options once.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @returns A frozen `{ method, url, headers, body }` to hand to `fetch(url, init)`.
 * @throws {ValidationError} Listing every problem in `input` and `options`.
 *
 * @example Build a request and send it with your own fetch
 * ```ts
 * import { buildSamplingRequest } from "./build.ts";
 * const request = buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: {
 *     newTagName: "coreset-100",
 *     method: "CORESET",
 *     config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
 *   },
 * }, { auth: { apiKey: "MY_TOKEN" } });
 * request.url; // "https://api.lightly.ai/v1/datasets/…/sampling?token=MY_TOKEN"
 * ```
 */
export function buildSamplingRequest(
  input: SamplingInput,
  options?: BuildOptions,
): SamplingRequest {
  return buildWith(undefined, input, options);
}

/** {@linkcode buildSamplingRequest} for a client, or a free call (`client` undefined). */
export function buildWith(
  client: Client | undefined,
  input: unknown,
  options: unknown,
): SamplingRequest {
  const { client: c, args } = prepare(
    client,
    "sampling request",
    BUILD_OPTIONS,
    options,
    [SAMPLING_INPUT, input],
  );
  return samplingRequest(c, args[0] as SamplingInput);
}
