/**
 * `buildSamplingRequest`: validated input in, a frozen, printable request
 * description out. Pure: no I/O, no clock, no environment, no state kept
 * between calls. Every input and option field is read once into plain data;
 * only that data is validated and used.
 *
 * @module
 */
import { isCertainlyValidInput } from "./_fast_check.ts";
import {
  type ClientOptions,
  resolveClient,
  type ResolvedClient,
} from "./client.ts";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import type { SamplingCreateRequest, SamplingInput } from "./types.ts";
import {
  collectInputIssues,
  snapshotInput,
  UNREADABLE,
} from "./check_input.ts";
import { describeValue } from "./validate.ts";

// deno-lint-ignore no-control-regex
const GET_PATH = /^\/(?!\/)[^#\s\u0000-\u001f\u007f]*$/;

/** Options of {@linkcode buildSamplingRequest}: host, credentials, extra headers. */
export type BuildOptions = ClientOptions;

/**
 * A request ready for `fetch(request.url, request)`: frozen, plain, and
 * serialisable. Print it with `formatRequest` (secrets redacted), never as is.
 */
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

/**
 * Serialises a validated body. Strings are written without escaping: the
 * schema's patterns admit no quote, backslash or control character, so the
 * output is byte-for-byte what `JSON.stringify` gives, in wire field order.
 */
function serializeBody(b: SamplingCreateRequest): string {
  let s = '{"newTagName":"' + b.newTagName + '","method":"' + b.method +
    '","config":';
  const sc = b.config.stoppingCondition;
  if (sc === undefined) {
    s += "{}";
  } else {
    s += '{"stoppingCondition":{';
    if (sc.nSamples !== undefined) {
      s += '"nSamples":' + sc.nSamples;
      if (sc.minDistance !== undefined) s += ',"minDistance":' + sc.minDistance;
    } else if (sc.minDistance !== undefined) {
      s += '"minDistance":' + sc.minDistance;
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

function assemble(
  input: SamplingInput,
  client: ResolvedClient,
): SamplingRequest {
  // Path ids are validated as lower-case hex: percent-encoding leaves them as they are.
  return Object.freeze({
    method: "POST" as const,
    url: client.prefix + "/v1/datasets/" + input.datasetId + "/embeddings/" +
      input.embeddingId + "/sampling" + client.query,
    headers: client.headers,
    body: serializeBody(input.body),
  });
}

/**
 * Validates a sampling input and its options and describes the request that
 * triggers the job: `POST /v1/datasets/{datasetId}/embeddings/{embeddingId}/sampling`.
 *
 * Pure and fast (no I/O, no clock, no environment): use it for dry runs, for
 * your own HTTP client, or through {@linkcode triggerSampling}.
 *
 * @param input The dataset and embedding ids and the wire-format body.
 * @param options Base URL, credentials and extra headers.
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
  // Read once: a getter or Proxy cannot show the check one value and the
  // request another.
  const issues: ValidationIssue[] = [];
  const snapshot = snapshotInput(input, issues);
  const client = resolveClient(options, issues, true);
  if (client !== undefined && isCertainlyValidInput(snapshot)) {
    return assemble(snapshot, client);
  }
  // Input issues first; a snapshot that could not be read has reported why.
  if (snapshot !== UNREADABLE) issues.unshift(...collectInputIssues(snapshot));
  if (issues.length > 0 || client === undefined) {
    throw new ValidationError(issues);
  }
  // Valid, but outside the fast check's simple shape.
  return assemble(snapshot as SamplingInput, client);
}

/**
 * Describes a GET of `path` (which must start with `/` and be encoded
 * already) with the shared options: host, credentials, extra headers. The
 * reads and the job poller use it.
 *
 * @param path The API path, e.g. `/v1/jobs/0123456789abcdef01234567`.
 * @param options Base URL, credentials and extra headers.
 * @returns A frozen `{ method: "GET", url, headers }`.
 * @throws {ValidationError} When `path` or `options` are invalid.
 *
 * @example
 * ```ts
 * import { buildGetRequest } from "./build.ts";
 * buildGetRequest("/v1/jobs/0123456789abcdef01234567").url;
 * // "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567"
 * ```
 */
export function buildGetRequest(
  path: string,
  options?: ClientOptions,
): LightlyRequest {
  const issues: ValidationIssue[] = [];
  // A path not starting with one `/` would change the host (`@evil`, `//evil`).
  const pathOk = typeof path === "string" && GET_PATH.test(path);
  if (!pathOk) {
    issues.push({
      path: "path",
      rule:
        "must start with a single / and contain no #, spaces or control characters",
      received: describeValue(path),
    });
  }
  const client = resolveClient(options, issues, false);
  if (client === undefined || !pathOk) {
    throw new ValidationError(
      issues,
      pathOk ? "options" : "GET request",
    );
  }
  // A path with a query already gets the token appended with `&`.
  const query = client.query !== "" && path.includes("?")
    ? "&" + client.query.slice(1)
    : client.query;
  return Object.freeze({
    method: "GET" as const,
    url: client.prefix + path + query,
    headers: client.headers,
  });
}
