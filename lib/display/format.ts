import type { LightlyRequest } from "../core/build.ts";
import { describeValue, ValidationError } from "../core/errors.ts";
import { redactHeaders, redactUrl } from "../core/redact.ts";

/** A request with its secrets masked and its body parsed: safe to print or `JSON.stringify`. */
export type RedactedRequest = Omit<LightlyRequest, "body"> & {
  /** The body, parsed back from JSON, or `undefined` for a GET. */
  readonly body?: unknown;
};

/** Returns a copy of `request` with every secret masked and the body parsed: log it with `JSON.stringify`. */
export function redactRequest(request: LightlyRequest): RedactedRequest {
  const { method, url, headers, body } = request;
  const safe = { method, url: redactUrl(url), headers: redactHeaders(headers) };
  return body === undefined ? safe : { ...safe, body: JSON.parse(body) };
}

/**
 * Formats `request` for people: the request line, the headers and the
 * pretty-printed body, with every secret masked.
 *
 * @example Print a dry run
 * ```ts
 * import { formatRequest } from "@lightly-sampling/lightly-sampling";
 * const url = "https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=secret";
 * console.log(formatRequest({ method: "GET", url, headers: {} }));
 * // GET https://api.lightly.ai/v1/jobs/0123456789abcdef01234567?token=[REDACTED]
 * ```
 */
export function formatRequest(request: LightlyRequest): string {
  const { method, url, headers, body } = redactRequest(request);
  return [
    `${method} ${url}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ...body === undefined ? [] : ["", JSON.stringify(body, null, 2)],
  ].join("\n");
}

/** Options of {@linkcode formatCurl}. */
export interface CurlOptions {
  /** Environment variable the printed command reads the API key from.
   * @default {"LIGHTLY_TOKEN"} */
  tokenEnv?: string;
  /** Environment variable the printed command reads the bearer token from.
   * @default {"LIGHTLY_JWT"} */
  jwtEnv?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A shell variable's name, checked: it is pasted into a command line. */
function envName(options: CurlOptions, key: keyof CurlOptions, or: string) {
  const value: unknown = options[key];
  if (value === undefined) return or;
  if (typeof value === "string" && ENV_NAME.test(value)) return value;
  throw new ValidationError([{
    path: `options.${key}`,
    rule: `must be a shell variable name (${ENV_NAME.source})`,
    received: describeValue(value),
  }], "curl options");
}

/**
 * Formats `request` as an equivalent `curl` command, one shell command split
 * over lines with `\`, that reads the secret from an environment variable
 * (`$LIGHTLY_TOKEN` / `$LIGHTLY_JWT`) instead of printing it.
 *
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
  const safe = redactHeaders(request.headers);
  return [
    `curl -X ${request.method} ${url}`,
    ...Object.entries(request.headers).map(([name, value]) =>
      name.toLowerCase() === "authorization" && /^bearer\s/i.test(value)
        ? `-H "${name}: Bearer $${jwtEnv}"`
        : `-H ${quote(`${name}: ${safe[name]}`)}`
    ),
    ...request.body === undefined ? [] : [`--data-raw ${quote(request.body)}`],
  ].join(" \\\n  ");
}

/** What a terminal acts on (C0 but tab and newline, DEL, C1): every display of foreign text escapes or replaces it. */
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
