/**
 * The options every request shares — host, credentials, extra headers — and
 * their validation into the parts a request is assembled from.
 *
 * Each option field is read exactly once, into plain values that are then
 * validated and used: a getter or a Proxy cannot show one value to the check
 * and another to the request. Nothing is remembered between calls.
 *
 * @module
 */
import type { ValidationIssue } from "./errors.ts";
import { RULES } from "./rules.ts";
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
  /** Frozen headers: with `Content-Type` for a request with a JSON body. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A base URL that passed {@linkcode checkBaseUrl}. */
export interface CheckedBaseUrl {
  /** Origin and path without trailing slash: every request URL starts with it. */
  readonly prefix: string;
  /** `host[:port]` as the URL parser normalised it, e.g. `127.0.0.1:8080`. */
  readonly host: string;
  /**
   * `true` for `http:` to a host that is not this machine (see
   * {@linkcode isLoopbackHostname}): a token sent there crosses the network
   * in clear text.
   */
  readonly cleartext: boolean;
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
// A valid API key that encodeQueryValue would leave as it is (most are).
const PLAIN_KEY = /^[A-Za-z0-9_.-]+$/;
// A loopback IPv4 address as the URL parser writes every numeric host
// (`127.1`, `2130706433`, `0x7f.1` all become dotted decimal).
const LOOPBACK_V4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

const COMMON_HEADERS = {
  "Accept": "application/json",
  "User-Agent": USER_AGENT,
};
const JSON_HEADERS = Object.freeze({
  "Content-Type": "application/json",
  ...COMMON_HEADERS,
});
const GET_HEADERS = Object.freeze({ ...COMMON_HEADERS });
const DEFAULT_BASE: CheckedBaseUrl = Object.freeze({
  prefix: DEFAULT_BASE_URL,
  host: new URL(DEFAULT_BASE_URL).host,
  cleartext: false,
});
// The last base URL accepted, and its parts: a memo of a pure function of
// one string (a primitive, read once from the options), so whoever filled
// it, the same string gets the same parts. It saves parsing a URL per
// request in a loop.
let lastBaseUrl: string = DEFAULT_BASE_URL;
let lastChecked: CheckedBaseUrl = DEFAULT_BASE;
const DEFAULT_JSON_CLIENT: ResolvedClient = Object.freeze({
  prefix: DEFAULT_BASE_URL,
  query: "",
  headers: JSON_HEADERS,
});
const DEFAULT_GET_CLIENT: ResolvedClient = Object.freeze({
  prefix: DEFAULT_BASE_URL,
  query: "",
  headers: GET_HEADERS,
});

/**
 * Whether a URL's `hostname`, as the URL parser normalised it, is this
 * machine: exactly `localhost`, an address in `127.0.0.0/8`, or `[::1]`.
 *
 * Nothing else, because `fetch` resolves every other name through the
 * system resolver, which may ask DNS: `evil.localhost`, `localhost.evil.com`
 * and `127.0.0.1.nip.io` are whatever DNS says. `localhost.` (with the
 * trailing dot of a fully qualified name) is refused too: whether it reaches
 * `/etc/hosts` or DNS depends on the resolver. Numeric forms count once the
 * parser has normalised them (`http://127.1`, `http://2130706433`,
 * `http://[0:0:0:0:0:0:0:1]`); IPv4-mapped `[::ffff:127.0.0.1]` does not.
 *
 * @param hostname `new URL(…).hostname`.
 * @returns `true` for a loopback host.
 *
 * @example
 * ```ts
 * import { isLoopbackHostname } from "./client.ts";
 * isLoopbackHostname(new URL("http://127.1").hostname); // true
 * isLoopbackHostname(new URL("http://evil.localhost").hostname); // false
 * ```
 */
export function isLoopbackHostname(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" ||
    LOOPBACK_V4.test(hostname);
}

/**
 * The one base-URL rule: an absolute `http:` or `https:` URL without
 * credentials, query or fragment. Pushes an issue (never echoing credentials
 * or a query) or returns the normalised parts.
 *
 * @param baseUrl The value to check; `undefined` means the default.
 * @param issues Where a problem is pushed.
 * @param path The name the issue gives the value.
 * @returns The parts, or `undefined` when an issue was pushed.
 *
 * @example
 * ```ts
 * import { checkBaseUrl } from "./client.ts";
 * const checked = checkBaseUrl("http://127.1:8080/api/", []);
 * checked?.prefix; // "http://127.0.0.1:8080/api"
 * checkBaseUrl("http://lightly.internal", [])?.cleartext; // true
 * ```
 */
export function checkBaseUrl(
  baseUrl: unknown,
  issues: ValidationIssue[],
  path = "options.baseUrl",
): CheckedBaseUrl | undefined {
  if (baseUrl === undefined) return DEFAULT_BASE;
  if (baseUrl === lastBaseUrl) return lastChecked;
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
  lastChecked = Object.freeze({
    prefix: (url.origin + url.pathname).replace(/\/+$/, ""),
    host: url.host,
    cleartext: url.protocol === "http:" && !isLoopbackHostname(url.hostname),
  });
  lastBaseUrl = baseUrl;
  return lastChecked;
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
): value is string {
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

/** The credentials, read once: what goes into the query and the headers. */
interface ReadAuth {
  readonly query: string;
  readonly authorization?: string;
}

const NO_AUTH: ReadAuth = Object.freeze({ query: "" });
const NO_HEADERS: readonly (readonly [string, string])[] = Object.freeze([]);

function readAuth(
  auth: unknown,
  issues: ValidationIssue[],
): ReadAuth | undefined {
  if (auth === undefined) return NO_AUTH;
  const path = "options.auth";
  if (typeof auth !== "object" || auth === null) {
    issues.push({ path, rule: "must be { apiKey } or { bearerToken }" });
    return undefined;
  }
  const a = auth as { apiKey?: unknown; bearerToken?: unknown };
  let unknown = 0;
  let hasKey: boolean;
  let hasBearer: boolean;
  let secret: unknown;
  let at = path;
  try {
    for (const name in a) {
      if (name === "apiKey" || name === "bearerToken") continue;
      unknown++;
      issues.push({
        path: `${path}.${name}`,
        rule: "is not a known field (use apiKey or bearerToken)",
      });
    }
    hasKey = "apiKey" in a;
    hasBearer = "bearerToken" in a;
    if (hasKey !== hasBearer) {
      at = hasKey ? "options.auth.apiKey" : "options.auth.bearerToken";
      secret = hasKey ? a.apiKey : a.bearerToken;
    }
  } catch {
    issues.push({ path: at, rule: RULES.unreadable });
    return undefined;
  }
  if (hasKey && hasBearer) {
    issues.push({
      path,
      rule: "must have either apiKey or bearerToken, not both",
    });
  } else if (hasKey) {
    if (typeof secret === "string" && PLAIN_KEY.test(secret)) {
      return { query: "?token=" + secret };
    }
    if (credentialIssue(at, secret, issues)) {
      return { query: "?token=" + encodeQueryValue(secret) };
    }
  } else if (hasBearer) {
    if (credentialIssue(at, secret, issues)) {
      return { query: "", authorization: "Bearer " + secret };
    }
  } else if (unknown === 0) {
    issues.push({ path, rule: "must have apiKey or bearerToken" });
  }
  return undefined;
}

/** The extra headers, each name listed once and each value read once. */
function readHeaders(
  headers: unknown,
  issues: ValidationIssue[],
): readonly (readonly [string, string])[] | undefined {
  if (headers === undefined) return NO_HEADERS;
  const path = "options.headers";
  let names: string[];
  try {
    if (
      typeof headers !== "object" || headers === null ||
      Array.isArray(headers)
    ) {
      issues.push({ path, rule: "must be an object of strings" });
      return undefined;
    }
    names = Object.keys(headers);
  } catch {
    issues.push({ path, rule: RULES.unreadable });
    return undefined;
  }
  const before = issues.length;
  const pairs: [string, string][] = [];
  for (const name of names) {
    const at = `${path}.${name}`;
    if (!HEADER_NAME.test(name)) {
      issues.push({ path: at, rule: "is not a valid header name" });
    } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
      issues.push({
        path: at,
        rule: name.toLowerCase() === "authorization"
          ? "is set by this package: use options.auth"
          : "is set by this package and cannot be overridden",
      });
    } else {
      let value: unknown;
      try {
        value = (headers as Record<string, unknown>)[name];
      } catch {
        issues.push({ path: at, rule: RULES.unreadable });
        continue;
      }
      if (typeof value !== "string") {
        issues.push({ path: at, rule: "must be a string" });
      } else if (HEADER_VALUE_BAD.test(value)) {
        issues.push({
          path: at,
          rule: "must not contain line breaks or control characters",
        });
      } else pairs.push([name, value]);
    }
  }
  return issues.length === before ? pairs : undefined;
}

function makeHeaders(
  withBody: boolean,
  authorization: string | undefined,
  extra: readonly (readonly [string, string])[],
): Readonly<Record<string, string>> {
  if (authorization === undefined && extra.length === 0) {
    return withBody ? JSON_HEADERS : GET_HEADERS;
  }
  const headers: Record<string, string> = withBody
    ? { "Content-Type": "application/json", ...COMMON_HEADERS }
    : { ...COMMON_HEADERS };
  if (authorization !== undefined) headers["Authorization"] = authorization;
  for (const [name, value] of extra) {
    // Replace ours whatever the case, or fetch would send both values.
    const lower = name.toLowerCase();
    for (const own of Object.keys(headers)) {
      if (own.toLowerCase() === lower) delete headers[own];
    }
    // defineProperty: a header named `__proto__` is a header, not a prototype.
    Object.defineProperty(headers, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return Object.freeze(headers);
}

/**
 * Validates {@linkcode ClientOptions}, pushing every problem onto `issues`.
 * Reads `baseUrl`, `auth` (and its key) and `headers` (and each value)
 * exactly once; what it returns is made of those reads only.
 *
 * @param options The caller's options (may be anything).
 * @param issues Where problems are collected.
 * @param withBody Whether the request has a JSON body (adds `Content-Type`).
 * @returns The resolved parts, or `undefined` when `issues` grew.
 *
 * @example
 * ```ts
 * import { resolveClient } from "./client.ts";
 * const client = resolveClient({ baseUrl: "http://127.0.0.1:8080/" }, [], false);
 * client?.prefix; // "http://127.0.0.1:8080"
 * ```
 */
export function resolveClient(
  options: ClientOptions | undefined,
  issues: ValidationIssue[],
  withBody: boolean,
): ResolvedClient | undefined {
  if (options === undefined) {
    return withBody ? DEFAULT_JSON_CLIENT : DEFAULT_GET_CLIENT;
  }
  if (typeof options !== "object" || options === null) {
    issues.push({ path: "options", rule: "must be an object" });
    return undefined;
  }
  // One read each: everything below sees these values, and only these.
  let baseUrl: unknown;
  let auth: unknown;
  let headers: unknown;
  let at = "options.baseUrl";
  try {
    baseUrl = options.baseUrl;
    at = "options.auth";
    auth = options.auth;
    at = "options.headers";
    headers = options.headers;
  } catch {
    issues.push({ path: at, rule: RULES.unreadable });
    return undefined;
  }
  const before = issues.length;
  const base = checkBaseUrl(baseUrl, issues);
  const credentials = readAuth(auth, issues);
  const extra = readHeaders(headers, issues);
  if (
    base === undefined || credentials === undefined || extra === undefined ||
    issues.length !== before
  ) return undefined;
  return {
    prefix: base.prefix,
    query: credentials.query,
    headers: makeHeaders(withBody, credentials.authorization, extra),
  };
}
