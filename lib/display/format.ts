/**
 * Printing requests safely: for dry runs, logs and "show me the curl".
 * Every function here masks the API key and bearer token.
 *
 * @module
 */
import type { LightlyRequest } from "../core/build.ts";
import { ValidationError } from "../core/errors.ts";
import { redactHeaders, redactUrl } from "../core/redact.ts";
import { describeValue } from "../core/validate.ts";

/** A request with its secrets masked, safe to print or `JSON.stringify`. */
export interface RedactedRequest {
  /** The HTTP method. */
  readonly method: string;
  /** The URL with `token` masked. */
  readonly url: string;
  /** The headers with `Authorization` and other secrets masked. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body, parsed back from JSON, or `undefined` for a GET. */
  readonly body?: unknown;
}

/**
 * Returns a copy of `request` with every secret masked and the body parsed,
 * ready for `JSON.stringify`.
 *
 * @param request A request from a builder of this package.
 * @returns The redacted copy.
 *
 * @example
 * ```ts
 * import { buildSamplingRequest } from "../core/build.ts";
 * import { redactRequest } from "./format.ts";
 * const request = buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } });
 * redactRequest(request).url; // "https://api.lightly.ai/…/sampling?token=[REDACTED]"
 * ```
 */
export function redactRequest(request: LightlyRequest): RedactedRequest {
  const out: { -readonly [K in keyof RedactedRequest]: RedactedRequest[K] } = {
    method: request.method,
    url: redactUrl(request.url),
    headers: redactHeaders(request.headers),
  };
  if (request.body !== undefined) out.body = JSON.parse(request.body);
  return out;
}

/**
 * Formats `request` for people: the request line, the headers and the
 * pretty-printed body, with every secret masked.
 *
 * @param request A request from a builder of this package.
 * @returns Multi-line text.
 *
 * @example Print a dry run
 * ```ts
 * import { buildSamplingRequest } from "../core/build.ts";
 * import { formatRequest } from "./format.ts";
 * console.log(formatRequest(buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } })));
 * ```
 */
export function formatRequest(request: LightlyRequest): string {
  const safe = redactRequest(request);
  const lines = [`${safe.method} ${safe.url}`];
  for (const [name, value] of Object.entries(safe.headers)) {
    lines.push(`${name}: ${value}`);
  }
  if (safe.body !== undefined) {
    lines.push("", JSON.stringify(safe.body, null, 2));
  }
  return lines.join("\n");
}

/** Options of {@linkcode formatCurl}. */
export interface CurlOptions {
  /**
   * Environment variable the printed command reads the API key from.
   *
   * @default {"LIGHTLY_TOKEN"}
   */
  tokenEnv?: string;
  /**
   * Environment variable the printed command reads the bearer token from.
   *
   * @default {"LIGHTLY_JWT"}
   */
  jwtEnv?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The name of a shell variable, checked: it is pasted into a command line. */
function envName(value: unknown, fallback: string, path: string): string {
  if (value === undefined) return fallback;
  if (typeof value === "string" && ENV_NAME.test(value)) return value;
  throw new ValidationError([{
    path,
    rule: "must be a shell variable name (^[A-Za-z_][A-Za-z0-9_]*$)",
    received: describeValue(value),
  }], "curl options");
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * Formats `request` as an equivalent `curl` command that reads the secret
 * from an environment variable (`$LIGHTLY_TOKEN` / `$LIGHTLY_JWT`) instead of
 * printing it.
 *
 * @param request A request from a builder of this package.
 * @param options Names of the environment variables.
 * @returns One shell command, split over lines with `\`.
 * @throws {ValidationError} When an environment variable name is not
 *   a plain shell variable name.
 *
 * @example
 * ```ts
 * import { buildSamplingRequest } from "../core/build.ts";
 * import { formatCurl } from "./format.ts";
 * console.log(formatCurl(buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567",
 *   embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } })));
 * // curl -X POST 'https://api.lightly.ai/…/sampling?token='"$LIGHTLY_TOKEN" \
 * ```
 */
export function formatCurl(
  request: LightlyRequest,
  options: CurlOptions = {},
): string {
  const tokenEnv = envName(
    options.tokenEnv,
    "LIGHTLY_TOKEN",
    "options.tokenEnv",
  );
  const jwtEnv = envName(options.jwtEnv, "LIGHTLY_JWT", "options.jwtEnv");
  const match = /^(.*[?&]token=)[^&#]*(.*)$/.exec(request.url);
  const url = match
    ? `${quote(match[1])}"$${tokenEnv}"${match[2] ? quote(match[2]) : ""}`
    : quote(redactUrl(request.url));
  const parts = [`curl -X ${request.method} ${url}`];
  const safe = redactHeaders(request.headers);
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.toLowerCase() === "authorization" && /^bearer\s/i.test(value)) {
      parts.push(`-H "${name}: Bearer $${jwtEnv}"`);
    } else {
      parts.push(`-H ${quote(`${name}: ${safe[name]}`)}`);
    }
  }
  if (request.body !== undefined) {
    parts.push(`--data-raw ${quote(request.body)}`);
  }
  return parts.join(" \\\n  ");
}
