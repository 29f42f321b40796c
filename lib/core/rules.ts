/**
 * THE table: every rule checked before sending, as data (path, required,
 * type, checks, rule text), each rule text written once.
 *
 * @module
 */
import type { ValidationIssue } from "./errors.ts";
import { MAX_TIMER_MS } from "./policy.ts";
import {
  type Check,
  FUNCTION,
  isObject,
  NUMBER,
  OBJECT,
  Rejected,
  type Spec,
  STRING,
  type Table,
  table,
  TYPE_RULES,
} from "./validate.ts";

/** A MongoDB ObjectId as the Lightly API writes it: 24 lower-case hex digits. */
export const OBJECT_ID_PATTERN: RegExp = /^[a-f0-9]{24}$/;
/** The rule every `newTagName` must match (and be at least 3 characters long). */
export const TAG_NAME_PATTERN: RegExp = /^[a-zA-Z0-9][a-zA-Z0-9 .:;=@_-]+$/;
/** The rule every `scoreType` must match (and be at least 1 character long). */
export const SCORE_TYPE_PATTERN: RegExp = /^[a-zA-Z0-9_+=,.@:\/-]*$/;
/** The sampling methods the API knows. */
export const SAMPLING_METHODS = [
  "ACTIVE_LEARNING",
  "CORAL",
  "CORESET",
  "RANDOM",
] as const;
/** The states a job can be in, as the API documents them today. */
export const JOB_STATES = [
  "UNKNOWN",
  "WAITING",
  "RUNNING",
  "FAILED",
  "FINISHED",
] as const;
/** What an export entry can be: a file name, a datasource URL, a signed read URL. */
const FILE_NAME_FORMATS = ["NAME", "DATASOURCE_FULL", "REDIRECTED_READ_URL"];

/** The Lightly API's public host. */
export const DEFAULT_BASE_URL = "https://api.lightly.ai";

/** The rule texts of the sampling input, and those every field shares. */
export const RULES = {
  objectId:
    `must be a 24-character lower-case hex ObjectId (${OBJECT_ID_PATTERN.source})`,
  tagNameLength: "must be at least 3 characters long",
  tagNamePattern:
    `must start with a letter or digit and contain only letters, digits, spaces and . : ; = @ _ - (${TAG_NAME_PATTERN.source})`,
  method: `must be one of ${SAMPLING_METHODS.join(", ")}`,
  nSamples:
    "must be -1 (off), a fraction in (0, 1], or a whole number of samples above 1",
  minDistance: "must be -1 (off) or a number >= 0",
  scoreTypeLength: "must be at least 1 character long",
  scoreTypePattern:
    `must contain only letters, digits and _ + = , . @ : / - (${SCORE_TYPE_PATTERN.source})`,
  rowCount: "must be a whole number >= 1",
  unknownField: "is not a known field",
  ...TYPE_RULES,
} as const;

/** {@linkcode OBJECT_ID_PATTERN}, by hand (a regex costs half a build; a property test holds both equal). */
export function isObjectId(v: unknown): v is string {
  if (typeof v !== "string" || v.length !== 24) return false;
  for (let i = 0; i < 24; i++) {
    const c = v.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** Checks that `v` is a valid `rowCount` (see `RULES.rowCount`). */
export function isValidRowCount(v: number): boolean {
  return v >= 1 && Number.isSafeInteger(v);
}

// ------------------------------------------------------------- the inputs

const OBJECT_ID: Spec = {
  required: true,
  type: STRING,
  checks: [{ test: isObjectId, rule: RULES.objectId }],
};

/** A path id (`jobId`, `datasetId`, …): a required ObjectId. */
export function objectId(name: string): Table {
  return table(name, OBJECT_ID);
}

/** A field whose type check is `test`, reported as `rule`. */
function is(test: Check["test"], rule: Check["rule"], spec?: Spec): Spec {
  return { ...spec, type: { test, rule } };
}

const CLOSED = { type: OBJECT, unknown: RULES.unknownField };
const OPTIONAL_ID: Spec = { ...OBJECT_ID, required: false };

/** A string of `min` characters or more that matches `re`: rules `${name}Length`, `${name}Pattern`. */
function text(name: "tagName" | "scoreType", min: number, re: RegExp): Spec {
  return {
    type: STRING,
    checks: [
      { test: (v: string) => v.length >= min, rule: RULES[`${name}Length`] },
      { test: (v: string) => re.test(v), rule: RULES[`${name}Pattern`] },
    ],
  };
}

function number(name: keyof typeof RULES, test: (v: number) => boolean): Spec {
  return { type: NUMBER, checks: [{ test, rule: RULES[name] }] };
}

const METHODS: readonly unknown[] = SAMPLING_METHODS;
/** {@linkcode RULES}`.method`, with a hint when only the case is wrong. */
function methodRule(v: unknown): string {
  const upper = typeof v === "string" ? v.toUpperCase() : "";
  return METHODS.includes(upper)
    ? `${RULES.method} (did you mean ${upper}? the API is case-sensitive)`
    : RULES.method;
}

const STOPPING_CONDITION: Spec = {
  ...CLOSED,
  fields: {
    nSamples: number(
      "nSamples",
      (v) =>
        v === -1 || (v > 0 && v <= 1) || (v > 1 && Number.isSafeInteger(v)),
    ),
    minDistance: number("minDistance", (v) => v === -1 || v >= 0),
  },
};
const BODY: Spec = {
  ...CLOSED,
  required: true,
  prefix: "",
  fields: {
    newTagName: { ...text("tagName", 3, TAG_NAME_PATTERN), required: true },
    method: is((v) => METHODS.includes(v), methodRule, { required: true }),
    config: {
      ...CLOSED,
      required: true,
      fields: { stoppingCondition: STOPPING_CONDITION },
    },
    preselectedTagId: OPTIONAL_ID,
    queryTagId: OPTIONAL_ID,
    scoreType: text("scoreType", 1, SCORE_TYPE_PATTERN),
    rowCount: number("rowCount", isValidRowCount),
  },
};

function samplingInput(embeddingRequired: boolean): Table {
  return table("", {
    ...CLOSED,
    required: true,
    // Body fields are named by their wire path: a top-level key says so.
    unknown: `${RULES.unknownField} (at the top level, next to body)`,
    fields: {
      datasetId: OBJECT_ID,
      embeddingId: { ...OBJECT_ID, required: embeddingRequired },
      body: BODY,
    },
  });
}

/** `{ datasetId, embeddingId, body }` of `triggerSampling` and the builder. */
export const SAMPLING_INPUT: Table = samplingInput(true);
/** `{ datasetId, embeddingId?, body }` of `selectSamples`. */
export const SELECTION_INPUT: Table = samplingInput(false);

/** `findTagByName`'s name. */
export const TAG_NAME: Table = table(
  "name",
  is(
    (v) => typeof v === "string" && v !== "",
    "must be a non-empty string",
    { required: true },
  ),
);

// ----------------------------------------------------------------- options

/** A number option: in `[min, max]`, whole when `integer`, or `Infinity` when allowed. */
function range(
  min: number,
  max = MAX_TIMER_MS,
  { integer = false, infinite = false } = {},
): Spec {
  return is(
    (v) =>
      typeof v === "number" &&
      ((infinite && v === Infinity) ||
        (v >= min && v <= max && (!integer || Number.isInteger(v)))),
    `must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}${
      infinite ? " (or Infinity)" : ""
    }`,
  );
}

const WHOLE = { integer: true };
const REQUEST_TIMEOUT = is(
  (v) => typeof v === "number" && v > 0 && v <= MAX_TIMER_MS,
  `must be a positive, finite number of milliseconds, at most ${MAX_TIMER_MS}`,
);
const BACKOFF: Spec = {
  type: OBJECT,
  fields: {
    initialDelayMs: range(0),
    maxDelayMs: range(0),
    multiplier: range(1, 1000),
    jitter: range(0, 1),
    random: { type: FUNCTION },
  },
};
const CLOCK: Spec = { read: readClock };
const RETRY = is(
  (v) => v === false || isObject(v),
  "must be an object or false",
  {
    fields: {
      maxAttempts: range(1, 100, WHOLE),
      maxRetryAfterMs: range(0),
      backoff: BACKOFF,
      clock: CLOCK,
    },
  },
);
const SIGNAL = is((v) => v instanceof AbortSignal, "must be an AbortSignal", {
  keep: true,
});
const FETCH = is(
  (v) => typeof v === "function",
  "must be a function like globalThis.fetch",
);
const HTTP_CLIENT = is(
  (v) => isObject(v) && typeof v.close === "function",
  "must be a Deno.HttpClient",
  { keep: true },
);
type Fields = Readonly<Record<string, Spec>>;
/** The options every request shares: where to, as whom, with which extra headers. */
const CONNECTION: Fields = {
  baseUrl: { read: readBaseUrl },
  auth: { read: readAuth }, // a secret: its issues never show the value
  headers: { read: readHeaders },
  fetch: FETCH,
  httpClient: HTTP_CLIENT,
};
/** The options of one request. */
const REQUEST: Fields = { signal: SIGNAL, timeoutMs: REQUEST_TIMEOUT };
/** The options of a retrying read: `waitForJob`'s and an export's. */
const RETRYING_READ: Fields = {
  signal: SIGNAL,
  requestTimeoutMs: REQUEST_TIMEOUT,
  maxConsecutiveFailures: range(1, 1000, WHOLE),
  clock: CLOCK,
  backoff: BACKOFF,
};
const WAIT: Fields = {
  requestTimeoutMs: REQUEST_TIMEOUT,
  timeoutMs: range(1, MAX_TIMER_MS, { infinite: true }),
  minIntervalMs: range(0),
  maxIntervalMs: {
    ...range(0),
    checks: [{
      test: (v: number, min) => !(typeof min === "number" && min > v),
      rule: "must be at least options.minIntervalMs",
      with: "minIntervalMs",
    }],
  },
  ...RETRYING_READ,
  onProgress: { type: FUNCTION },
};

/** The options of one call, as a client's method takes them and as a free function does (with the connection's). */
export interface OptionTables {
  /** The call's own options. */
  readonly call: Table;
  /** The call's and the connection's options. */
  readonly free: Table;
}

const root = (fields: Fields) => table("options", { type: OBJECT, fields });

function options(call: Fields): OptionTables {
  return { call: root(call), free: root({ ...CONNECTION, ...call }) };
}

/** Options of `createClient`: the connection, the request timeout, the POST's retry policy. */
export const CLIENT_OPTIONS: Table = root({
  ...CONNECTION,
  timeoutMs: REQUEST_TIMEOUT,
  retry: RETRY,
});
/** Options of `buildSamplingRequest`. */
export const BUILD_OPTIONS: OptionTables = options({});
/** Options of a single read (`getJobStatus`, `getTag`, …). */
export const READ_OPTIONS: OptionTables = options(REQUEST);
/** Options of `triggerSampling`. */
export const TRIGGER_OPTIONS: OptionTables = options({
  ...REQUEST,
  retry: RETRY,
});
/** Options of `waitForJob`. */
export const WAIT_OPTIONS: OptionTables = options(WAIT);
/** Options of the exports. */
export const EXPORT_OPTIONS: OptionTables = options({
  ...RETRYING_READ,
  fileNameFormat: is(
    (v) => FILE_NAME_FORMATS.includes(v as string),
    `must be one of ${FILE_NAME_FORMATS.join(", ")}`,
  ),
  pageSize: range(1, MAX_TIMER_MS, WHOLE),
  expiresIn: range(1, MAX_TIMER_MS, WHOLE),
  accessControl: { type: STRING },
  onPage: { type: FUNCTION },
});
/** Options of `selectSamples`. */
export const SELECT_OPTIONS: OptionTables = options({
  ...WAIT,
  retry: RETRY,
  onStep: { type: FUNCTION },
});

// ------------------------------------------- options with a shape of their own

/** A base URL that passed the rule: its parts. */
export interface CheckedBaseUrl {
  /** Origin and path without trailing slash: every request URL starts with it. */
  readonly prefix: string;
  /** `host[:port]` as the URL parser normalised it. */
  readonly host: string;
  /** `http:` to another machine: a token would cross the network in clear text. */
  readonly cleartext: boolean;
}

/** A custom reader's refusal of one rule. */
function refuse(path: string, rule: string): Rejected {
  return new Rejected([{ path, rule }]);
}

function readBaseUrl(value: unknown, path: string): unknown {
  const issues: ValidationIssue[] = [];
  return value === undefined
    ? undefined
    : checkBaseUrl(value, issues, path) ?? new Rejected(issues);
}

/** A base URL as the URL parser writes it (lower-case host, no IDNA label, no default port, dot segment or escape): read without the parser, which costs more than a call's other checks; a property test holds both ways equal. */
const CANONICAL_URL =
  /^(https?):\/\/((?:(?!xn--)[a-z0-9-]+\.)*(?!xn--)[a-z][a-z0-9-]*|(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?::([1-9]\d{0,4}))?((?:\/(?!\.\.?(?:\/|$))[\w.~-]+)*)\/*$/;

/** This machine as the URL parser writes it: `localhost`, `127.0.0.0/8`, `[::1]`. */
const LOOPBACK = /^(localhost|\[::1\]|127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

function baseUrlParts(
  protocol: string,
  hostname: string,
  host: string,
  prefix: string,
): CheckedBaseUrl {
  const cleartext = protocol === "http:" && !LOOPBACK.test(hostname);
  return Object.freeze({ prefix, host, cleartext });
}

/** The base-URL rule (absolute http(s), no credentials, query or fragment): the parts, or an issue pushed. */
export function checkBaseUrl(
  baseUrl: unknown,
  issues: ValidationIssue[],
  path = "options.baseUrl",
): CheckedBaseUrl | undefined {
  baseUrl ??= DEFAULT_BASE_URL;
  if (typeof baseUrl !== "string") {
    issues.push({ path, rule: RULES.string, received: typeof baseUrl });
    return undefined;
  }
  const m = CANONICAL_URL.exec(baseUrl);
  const [, scheme, hostname, port] = m ?? [];
  const defaultPort = scheme === "http" ? "80" : "443";
  if (m && (!port || (Number(port) <= 65535 && port !== defaultPort))) {
    const host = port ? `${hostname}:${port}` : hostname;
    return baseUrlParts(
      `${scheme}:`,
      hostname,
      host,
      `${scheme}://${host}${m[4]}`,
    );
  }
  const url = URL.parse(baseUrl);
  const credentials = url !== null &&
    (url.username !== "" || url.password !== "");
  const rule = url === null
    ? "must be an absolute http(s) URL"
    : url.protocol !== "http:" && url.protocol !== "https:"
    ? "must use http: or https:"
    : credentials
    ? "must not carry credentials (use options.auth)"
    : url.search || url.hash || /[?#]/.test(baseUrl)
    ? "must not have a query or fragment"
    : undefined;
  if (rule !== undefined || url === null) {
    // Shown without userinfo, query or fragment: they may hold a secret.
    const shown = baseUrl.replace(/^([^/?#]*\/\/)?[^/?#]*@/, "$1")
      .replace(/[?#].*$/s, "").slice(0, 80);
    issues.push({
      path,
      rule: rule!,
      received: credentials ? undefined : JSON.stringify(shown),
    });
    return undefined;
  }
  let prefix = url.origin + url.pathname;
  // Trailing slashes cut by hand: `/\/+$/` is quadratic on a long run of them.
  let end = prefix.length;
  while (prefix[end - 1] === "/") end--;
  prefix = prefix.slice(0, end);
  return baseUrlParts(url.protocol, url.hostname, url.host, prefix);
}

/** The credentials as read once: one of the two. */
export interface CheckedAuth {
  /** The API key, sent as `?token=`. */
  readonly apiKey?: string;
  /** The bearer token, sent as `Authorization`. */
  readonly bearerToken?: string;
}

function readAuth(auth: unknown, path: string): unknown {
  if (auth === undefined) return undefined;
  if (typeof auth !== "object" || auth === null) {
    return refuse(path, "must be { apiKey } or { bearerToken }");
  }
  // The key is a secret: an issue names the rule, never the value.
  const issues: ValidationIssue[] = [];
  let at = path;
  try {
    for (const key in auth) {
      if (key !== "apiKey" && key !== "bearerToken") {
        issues.push({
          path: `${path}.${key}`,
          rule: `${RULES.unknownField} (use apiKey or bearerToken)`,
        });
      }
    }
    const apiKey = "apiKey" in auth, bearer = "bearerToken" in auth;
    let rule = apiKey && bearer
      ? "must have either apiKey or bearerToken, not both"
      : apiKey || bearer || issues.length > 0
      ? undefined
      : "must have apiKey or bearerToken";
    let secret: unknown;
    if (apiKey !== bearer) {
      const name = apiKey ? "apiKey" : "bearerToken";
      at = `${path}.${name}`;
      secret = (auth as Record<string, unknown>)[name];
      rule = typeof secret !== "string"
        ? RULES.string
        : /^[\x21-\x7e]+$/.test(secret)
        ? undefined
        : "must be non-empty printable ASCII, without spaces or control characters";
    }
    if (rule !== undefined) issues.push({ path: at, rule });
    if (issues.length > 0 || apiKey === bearer) return new Rejected(issues);
    return apiKey ? { apiKey: secret } : { bearerToken: secret };
  } catch {
    return refuse(at, RULES.unreadable);
  }
}

const RESERVED_HEADERS = ["content-type", "content-length", "host"];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// Control characters, and anything fetch cannot send (not a ByteString).
// deno-lint-ignore no-control-regex
const HEADER_VALUE_BAD = /[\u0000-\u0008\u000a-\u001f\u007f\u0100-\uffff]/;

function readHeaders(headers: unknown, path: string): unknown {
  if (headers === undefined) return undefined;
  const issues: ValidationIssue[] = [];
  const pairs: [string, string][] = [];
  try {
    if (!isObject(headers)) return refuse(path, "must be an object of strings");
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      // A reserved or malformed name is refused unread.
      let rule = !HEADER_NAME.test(name)
        ? "is not a valid header name"
        : lower === "authorization"
        ? "is set by this package: use options.auth"
        : RESERVED_HEADERS.includes(lower)
        ? "is set by this package and cannot be overridden"
        : undefined;
      let value: unknown;
      if (rule === undefined) {
        try {
          value = headers[name];
        } catch {
          rule = RULES.unreadable;
        }
      }
      rule ??= typeof value !== "string"
        ? RULES.string
        : HEADER_VALUE_BAD.test(value)
        ? "must not contain line breaks or control characters"
        : undefined;
      if (rule === undefined) pairs.push([name, value as string]);
      else issues.push({ path: `${path}.${name}`, rule });
    }
  } catch {
    return refuse(path, RULES.unreadable);
  }
  return issues.length > 0 ? new Rejected(issues) : Object.freeze(pairs);
}

function readClock(clock: unknown, path: string): unknown {
  if (clock === undefined) return undefined;
  let now: unknown, sleep: unknown;
  try {
    now = (clock as { now?: unknown } | null)?.now;
    sleep = (clock as { sleep?: unknown } | null)?.sleep;
  } catch {
    return refuse(path, RULES.unreadable);
  }
  if (typeof now !== "function" || typeof sleep !== "function") {
    return refuse(path, "must have now() and sleep(ms, signal) methods");
  }
  return Object.freeze({
    now: () => now.call(clock),
    sleep: (ms: number, signal?: AbortSignal) => sleep.call(clock, ms, signal),
  });
}
