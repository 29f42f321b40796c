/**
 * Text for people: requests printed safely (dry runs, logs, "show me the
 * curl"; every function masks the API key and bearer token) and a job's
 * progress as a fraction.
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
 * @example Log a request as JSON
 * ```ts
 * import { redactRequest } from "@lightly-sampling/lightly-sampling";
 * const url = "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=secret";
 * console.log(JSON.stringify(redactRequest({ method: "GET", url, headers: {} })));
 * // {"method":"GET","url":"https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=[REDACTED]","headers":{}}
 * ```
 */
export function redactRequest(request: LightlyRequest): RedactedRequest {
  const { method, url, headers, body } = request;
  const safe = { method, url: redactUrl(url), headers: redactHeaders(headers) };
  return body === undefined ? safe : { ...safe, body: JSON.parse(body) };
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
 * import { buildSamplingRequest, formatRequest } from "@lightly-sampling/lightly-sampling";
 * const request = buildSamplingRequest({
 *   datasetId: "0123456789abcdef01234567", embeddingId: "0123456789abcdef01234568",
 *   body: { newTagName: "random-10", method: "RANDOM", config: {} },
 * }, { auth: { apiKey: "secret" } });
 * console.log(formatRequest(request)); // "POST https://api.lightly.ai/…?token=[REDACTED]\n…"
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
function envName(
  options: CurlOptions,
  key: keyof CurlOptions,
  fallback: string,
) {
  const value: unknown = options[key];
  if (value === undefined) return fallback;
  if (typeof value === "string" && ENV_NAME.test(value)) return value;
  throw new ValidationError([{
    path: `options.${key}`,
    rule: `must be a shell variable name (${ENV_NAME.source})`,
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
 * @throws {ValidationError} An environment variable name that is not a plain shell name.
 *
 * @example Print the equivalent curl command
 * ```ts
 * import { formatCurl } from "@lightly-sampling/lightly-sampling";
 * const url = "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=secret";
 * console.log(formatCurl({ method: "GET", url, headers: {} }));
 * // curl -X GET 'https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token='"$LIGHTLY_TOKEN"
 * ```
 */
export function formatCurl(
  request: LightlyRequest,
  options: CurlOptions = {},
): string {
  const tokenEnv = envName(options, "tokenEnv", "LIGHTLY_TOKEN");
  const jwtEnv = envName(options, "jwtEnv", "LIGHTLY_JWT");
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

/**
 * The characters a terminal would act on: C0 controls but tab and newline,
 * DEL and the C1 controls (`\x1b`, `\x7f`, `\u009b`). Every display that
 * shows text from a server or a file escapes or replaces them.
 */
// deno-lint-ignore no-control-regex
export const CONTROL_CHARACTERS: RegExp = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `processed / total` within [0, 1], or `undefined` when it cannot be told; every progress display reads it here. */
export function progressFraction(
  processed: unknown,
  total: unknown,
): number | undefined {
  if (
    typeof processed !== "number" || typeof total !== "number" ||
    !(total > 0) || !Number.isFinite(total) || !Number.isFinite(processed)
  ) return undefined;
  return Math.min(1, Math.max(0, processed / total));
}
