/**
 * The options every request shares — host, credentials, extra headers — and
 * their validation into the parts a request is assembled from.
 *
 * Validation is memoised on the last values seen (no `URL` object per call):
 * the builder's hot path compares a few strings and reuses frozen headers.
 *
 * @module
 */
import type { ValidationIssue } from "./errors.ts";
import { USER_AGENT } from "./version.ts";

/** The Lightly API's public host. */
export const DEFAULT_BASE_URL = "https://api.lightly.ai";

/**
 * How requests authenticate: an API key (sent as the `token` query parameter,
 * as Lightly's own client does) or a JWT (sent as `Authorization: Bearer …`).
 */
export type LightlyAuth = { apiKey: string } | { bearerToken: string };

/** Options shared by every request this package builds. */
export interface ClientOptions {
  /**
   * The API's base URL, `http:` or `https:`; a trailing slash is tolerated.
   *
   * @default {"https://api.lightly.ai"}
   */
  baseUrl?: string;
  /**
   * Credentials; none by default (the server will answer 401).
   *
   * @default {undefined}
   */
  auth?: LightlyAuth;
  /**
   * Extra headers sent with every request. `Authorization`, `Content-Type`,
   * `Content-Length` and `Host` are set by this package and refused here.
   *
   * @default {{}}
   */
  headers?: Readonly<Record<string, string>>;
}

/** The validated parts of {@linkcode ClientOptions} a request is made of. */
export interface ResolvedClient {
  /** Base URL without trailing slash, e.g. `https://api.lightly.ai`. */
  readonly prefix: string;
  /** `""` or `?token=<encoded api key>`. */
  readonly query: string;
  /** Frozen headers for a request with a JSON body. */
  readonly jsonHeaders: Readonly<Record<string, string>>;
  /** Frozen headers for a request without a body. */
  readonly getHeaders: Readonly<Record<string, string>>;
}

const RESERVED_HEADERS = new Set([
  "authorization",
  "content-type",
  "content-length",
  "host",
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters, and anything fetch cannot send (not a ByteString).
// deno-lint-ignore no-control-regex
const HEADER_VALUE_BAD = /[\u0000-\u0008\u000a-\u001f\u007f\u0100-\uffff]/;
// Anything but printable ASCII: spaces, control characters, non-ASCII.
const CREDENTIAL_BAD = /[^\u0021-\u007e]/;

function makeClient(
  prefix: string,
  query: string,
  authorization: string | undefined,
  extra: Readonly<Record<string, string>> | undefined,
): ResolvedClient {
  const common: Record<string, string> = {
    "Accept": "application/json",
    "User-Agent": USER_AGENT,
  };
  if (authorization !== undefined) common["Authorization"] = authorization;
  if (extra !== undefined) {
    for (const name of Object.keys(extra)) {
      // Replace ours whatever the case, or fetch would send both values.
      const lower = name.toLowerCase();
      for (const own of Object.keys(common)) {
        if (own.toLowerCase() === lower) delete common[own];
      }
      common[name] = extra[name];
    }
  }
  return Object.freeze({
    prefix,
    query,
    jsonHeaders: Object.freeze({
      "Content-Type": "application/json",
      ...common,
    }),
    getHeaders: Object.freeze(common),
  });
}

const DEFAULT_CLIENT = makeClient(DEFAULT_BASE_URL, "", undefined, undefined);

let lastBase: string | undefined;
let lastPrefix = DEFAULT_BASE_URL;
let lastKey: string | undefined;
let lastKeyKind: "apiKey" | "bearerToken" | undefined;
let lastClient: ResolvedClient | undefined;
/** The `baseUrl` argument `lastClient` was made from (not normalised). */
let lastBaseArg: string | undefined;

/**
 * Validates the base URL and returns it without trailing slashes, or pushes
 * an issue. Memoised on the last string seen.
 */
function resolvePrefix(
  baseUrl: unknown,
  issues: ValidationIssue[],
): string | undefined {
  if (baseUrl === undefined) return DEFAULT_BASE_URL;
  if (baseUrl === lastBase) return lastPrefix;
  const path = "options.baseUrl";
  if (typeof baseUrl !== "string") {
    issues.push({ path, rule: "must be a string", received: typeof baseUrl });
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    issues.push({
      path,
      rule: "must be an absolute http(s) URL",
      received: showBaseUrl(baseUrl),
    });
    return undefined;
  }
  const rule = url.protocol !== "http:" && url.protocol !== "https:"
    ? "must use http: or https:"
    : url.username || url.password
    ? "must not carry credentials (use options.auth)"
    : url.search || url.hash || baseUrl.includes("?") || baseUrl.includes("#")
    ? "must not have a query or fragment"
    : undefined;
  if (rule !== undefined) {
    // Credentials in the URL are secrets: never echo such a value; the query
    // (which may hold ?token=) is never shown either.
    const shown = url.username || url.password
      ? undefined
      : showBaseUrl(baseUrl);
    issues.push({ path, rule, received: shown });
    return undefined;
  }
  const prefix = (url.origin + url.pathname).replace(/\/+$/, "");
  lastBase = baseUrl;
  lastPrefix = prefix;
  return prefix;
}

/**
 * Percent-encodes a query value, including the `! ' ( ) * ~` that
 * `encodeURIComponent` leaves as they are: a URL printed after `redactUrl`
 * must not show any part of the key (`redactUrl` stops at `'` and `)`).
 */
function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*~]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

/** A base URL as an error may show it: without userinfo, query or fragment. */
function showBaseUrl(baseUrl: string): string {
  const shown = baseUrl.replace(/^([^/?#]*\/\/)?[^/?#]*@/, "$1")
    .replace(/[?#].*$/s, "");
  return JSON.stringify(shown.slice(0, 80));
}

function credentialIssue(
  path: string,
  value: unknown,
  issues: ValidationIssue[],
): boolean {
  // The value is a secret: the issue names the rule, never the value.
  if (typeof value !== "string") {
    issues.push({ path, rule: "must be a string" });
    return false;
  }
  if (value.length === 0 || CREDENTIAL_BAD.test(value)) {
    issues.push({
      path,
      rule:
        "must be non-empty printable ASCII, without spaces or control characters",
    });
    return false;
  }
  return true;
}

function checkHeaders(
  headers: unknown,
  issues: ValidationIssue[],
): headers is Readonly<Record<string, string>> {
  if (
    typeof headers !== "object" || headers === null || Array.isArray(headers)
  ) {
    issues.push({
      path: "options.headers",
      rule: "must be an object of strings",
    });
    return false;
  }
  const before = issues.length;
  for (const name of Object.keys(headers)) {
    const path = `options.headers.${name}`;
    const value = (headers as Record<string, unknown>)[name];
    if (!HEADER_NAME.test(name)) {
      issues.push({ path, rule: "is not a valid header name" });
    } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
      issues.push({
        path,
        rule: name.toLowerCase() === "authorization"
          ? "is set by this package: use options.auth"
          : "is set by this package and cannot be overridden",
      });
    } else if (typeof value !== "string") {
      issues.push({ path, rule: "must be a string" });
    } else if (HEADER_VALUE_BAD.test(value)) {
      issues.push({
        path,
        rule: "must not contain line breaks or control characters",
      });
    }
  }
  return issues.length === before;
}

/**
 * Validates {@linkcode ClientOptions}, pushing every problem onto `issues`.
 *
 * @param options The caller's options (may be anything).
 * @param issues Where problems are collected.
 * @returns The resolved parts, or `undefined` when `issues` grew.
 *
 * @example
 * ```ts
 * import { resolveClient } from "./client_options.ts";
 * const issues = [];
 * const client = resolveClient({ baseUrl: "http://127.0.0.1:8080/" }, issues);
 * client?.prefix; // "http://127.0.0.1:8080"
 * ```
 */
export function resolveClient(
  options: ClientOptions | undefined,
  issues: ValidationIssue[],
): ResolvedClient | undefined {
  if (options === undefined) return DEFAULT_CLIENT;
  if (typeof options !== "object" || options === null) {
    issues.push({ path: "options", rule: "must be an object" });
    return undefined;
  }
  if (isSameAsLast(options)) return lastClient;
  const before = issues.length;
  const prefix = resolvePrefix(options.baseUrl, issues);
  const auth = options.auth as Record<string, unknown> | undefined;
  let keyKind: "apiKey" | "bearerToken" | undefined;
  let key: string | undefined;
  if (auth !== undefined) {
    if (typeof auth !== "object" || auth === null) {
      issues.push({
        path: "options.auth",
        rule: "must be { apiKey } or { bearerToken }",
      });
    } else {
      const names = Object.keys(auth);
      const unknown = names.filter((n) =>
        n !== "apiKey" && n !== "bearerToken"
      );
      for (const n of unknown) {
        issues.push({
          path: `options.auth.${n}`,
          rule: "is not a known field (use apiKey or bearerToken)",
        });
      }
      if ("apiKey" in auth && "bearerToken" in auth) {
        issues.push({
          path: "options.auth",
          rule: "must have either apiKey or bearerToken, not both",
        });
      } else if ("apiKey" in auth) {
        if (credentialIssue("options.auth.apiKey", auth.apiKey, issues)) {
          keyKind = "apiKey";
          key = auth.apiKey as string;
        }
      } else if ("bearerToken" in auth) {
        if (
          credentialIssue("options.auth.bearerToken", auth.bearerToken, issues)
        ) {
          keyKind = "bearerToken";
          key = auth.bearerToken as string;
        }
      } else if (unknown.length === 0) {
        issues.push({
          path: "options.auth",
          rule: "must have apiKey or bearerToken",
        });
      }
    }
  }
  const headers = options.headers;
  const headersOk = headers === undefined || checkHeaders(headers, issues);
  if (issues.length !== before || prefix === undefined || !headersOk) {
    return undefined;
  }
  if (headers === undefined) {
    if (
      lastClient !== undefined && lastClient.prefix === prefix &&
      lastKey === key && lastKeyKind === keyKind
    ) return lastClient;
  }
  const client = makeClient(
    prefix,
    keyKind === "apiKey" ? `?token=${encodeQueryValue(key!)}` : "",
    keyKind === "bearerToken" ? `Bearer ${key}` : undefined,
    headers,
  );
  if (headers === undefined) {
    lastClient = client;
    lastKey = key;
    lastKeyKind = keyKind;
    lastBaseArg = options.baseUrl;
  }
  return client;
}

/**
 * The hot path: options without extra headers, with the very base URL and
 * credential validated last time, need no new validation.
 */
function isSameAsLast(options: ClientOptions): boolean {
  if (
    lastClient === undefined || options.headers !== undefined ||
    options.baseUrl !== lastBaseArg
  ) return false;
  const auth = options.auth as Record<string, unknown> | undefined;
  if (auth === undefined) return lastKeyKind === undefined;
  if (typeof auth !== "object" || auth === null || lastKeyKind === undefined) {
    return false;
  }
  for (const name in auth) if (name !== lastKeyKind) return false;
  return auth[lastKeyKind] === lastKey;
}
