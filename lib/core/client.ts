/**
 * The options every call shares, each declared and documented once here
 * (each call's options type is made of them), and a client: those options
 * validated once into URL prefix, token query, headers and secrets;
 * {@linkcode prepare} validates a call.
 *
 * @module
 */
import type { BackoffOptions, Clock } from "./policy.ts";
import { secretsOf } from "./redact.ts";
import {
  type CheckedAuth,
  type CheckedBaseUrl,
  DEFAULT_BASE_URL,
  type OptionTables,
} from "./rules.ts";
import { ValidationError, type ValidationIssue } from "./errors.ts";
import type { Table } from "./validate.ts";
import { USER_AGENT } from "./version.ts";

/** The default per-request timeout: 180 s, like Lightly's own client. */
export const DEFAULT_TIMEOUT_MS = 180_000;

/**
 * How requests authenticate: an API key (sent as the `token` query parameter,
 * as Lightly's own client does) or a JWT (sent as `Authorization: Bearer …`).
 */
export type LightlyAuth = { apiKey: string } | { bearerToken: string };

/** Where requests go, as whom, with which extra headers: options of every call. */
export interface ClientOptions {
  /** The API's base URL, `http:` or `https:`; a trailing slash is tolerated.
   * @default {"https://api.lightly.ai"} */
  baseUrl?: string;
  /** Credentials; none by default (the server will answer 401).
   * @default {undefined} */
  auth?: LightlyAuth;
  /**
   * Extra headers sent with every request. `Authorization`, `Content-Type`,
   * `Content-Length` and `Host` are set by this package and refused here.
   * @default {{}} */
  headers?: Readonly<Record<string, string>>;
}

/** How a request is sent: options of every call that goes over the network. */
export interface HttpOptions {
  /**
   * The `fetch` to use, e.g. a wrapped one for logging or tests.
   *
   * The sampling POST is sent at most once only as far as this `fetch` goes:
   * its `init` carries `client`, a `Deno.HttpClient` that never reuses a
   * connection, so Deno's `fetch` cannot re-send it on its own. A wrapper
   * that passes `init` on to Deno's `fetch` keeps that guarantee; a `fetch`
   * that drops `client`, or retries by itself, decides alone whether the
   * POST can arrive twice.
   * @default {globalThis.fetch} */
  fetch?: typeof fetch;
  /**
   * The `Deno.HttpClient` of every request but a GET, owned (and closed) by
   * the caller: one for many POSTs saves making one per POST. It must be
   * made with `Deno.createHttpClient({ poolMaxIdlePerHost: 0 })`, which keeps
   * no idle connection, so each POST still goes on a fresh one; with any
   * other, whether the POST can arrive twice is the caller's to decide.
   * @default {a client of its own per request, closed after it} */
  httpClient?: Deno.HttpClient;
  /** Stops the request (and any body reading) at once.
   * @default {undefined} */
  signal?: AbortSignal;
  /**
   * Limit of each request, headers and body, in milliseconds; the sampling
   * POST's is one deadline for all its attempts and the waits between them.
   * @default {180000} */
  timeoutMs?: number;
}

/**
 * When the sampling POST is sent again: only after a connection that failed
 * before anything was sent (`NetworkError` with `connectFailed`) and after a
 * `429`. A wait that would pass the call's `timeoutMs` deadline is not
 * started: the last error is thrown.
 */
export interface TriggerRetryOptions {
  /** Attempts in all, the first one included (1 = never retry).
   * @default {3} */
  maxAttempts?: number;
  /**
   * The longest `Retry-After` honoured, in milliseconds; a 429 asking to
   * wait longer is thrown as is, not retried.
   * @default {60000} */
  maxRetryAfterMs?: number;
  /** The backoff between failed attempts; a longer `Retry-After` wins.
   * @default {{}} (see {@linkcode BackoffOptions}) */
  backoff?: BackoffOptions;
  /** Where time comes from; tests pass a fake clock.
   * @default {systemClock} */
  clock?: Clock;
}

/** The options of `createClient`, held and used by every call; a call's `timeoutMs` and `retry` override them. */
export interface CreateClientOptions
  extends ClientOptions, Omit<HttpOptions, "signal"> {
  /**
   * The sampling POST's retry policy, or `false` to send it exactly once.
   * Either way, an outcome that may have been applied is reported as
   * `SamplingMaybeAppliedError` (the original error as `cause`).
   * @default {{}} (see {@linkcode TriggerRetryOptions}) */
  retry?: TriggerRetryOptions | false;
}

const COMMON_HEADERS = {
  "Accept": "application/json",
  "User-Agent": USER_AGENT,
};
const JSON_HEADERS = Object.freeze({
  "Content-Type": "application/json",
  ...COMMON_HEADERS,
});
const GET_HEADERS = Object.freeze({ ...COMMON_HEADERS });
/** Whether a key is only letters, digits and `_ . -`: percent-encoding keeps it as it is. */
function isPlainKey(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const plain = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) || c === 95 || c === 46 || c === 45;
    if (!plain) return false;
  }
  return true;
}

/** `encodeURIComponent`, `! ' ( ) * ~` too (`redactUrl` stops at `'` and `)`). */
function encodeQueryValue(value: string): string {
  return isPlainKey(value) ? value : encodeURIComponent(value).replace(
    /[!'()*~]/g,
    (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase(),
  );
}

function headersWith(
  base: Readonly<Record<string, string>>,
  authorization: string | undefined,
  extra: readonly (readonly [string, string])[],
): Readonly<Record<string, string>> {
  if (authorization === undefined && extra.length === 0) return base;
  const headers: Record<string, string> = { ...base };
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

/** The snapshot of the options a client is made of (see `rules.ts`). */
export interface ClientSnapshot
  extends Readonly<Omit<CreateClientOptions, keyof ClientOptions>> {
  readonly baseUrl?: CheckedBaseUrl;
  readonly auth?: CheckedAuth;
  readonly headers?: readonly (readonly [string, string])[];
}

/** Validated options, held: the parts of every request, and the secrets to mask. */
export class Client {
  /** Base URL without trailing slash, e.g. `https://api.lightly.ai`. */
  readonly prefix: string;
  /** `""` or `?token=<encoded api key>`. */
  readonly query: string;
  /** Frozen headers of a request with a JSON body. */
  readonly postHeaders: Readonly<Record<string, string>>;
  /** Frozen headers of a GET. */
  readonly getHeaders: Readonly<Record<string, string>>;
  readonly fetch: typeof fetch | undefined;
  readonly httpClient: Deno.HttpClient | undefined;
  readonly timeoutMs: number;
  readonly retry: TriggerRetryOptions | false | undefined;

  /** `defaults`: `timeoutMs` and `retry` are held (`createClient`), not a free call's own. */
  constructor(o: ClientSnapshot = {}, defaults = false) {
    this.prefix = o.baseUrl?.prefix ?? DEFAULT_BASE_URL;
    const { apiKey, bearerToken } = o.auth ?? {};
    this.query = apiKey === undefined
      ? ""
      : "?token=" + encodeQueryValue(apiKey);
    const authorization = bearerToken === undefined
      ? undefined
      : "Bearer " + bearerToken;
    const extra = o.headers ?? [];
    this.postHeaders = headersWith(JSON_HEADERS, authorization, extra);
    this.getHeaders = headersWith(GET_HEADERS, authorization, extra);
    this.fetch = o.fetch;
    this.httpClient = o.httpClient;
    this.timeoutMs = (defaults ? o.timeoutMs : undefined) ?? DEFAULT_TIMEOUT_MS;
    this.retry = defaults ? o.retry : undefined;
  }

  /** The secrets this client sends: masked wherever they could surface. */
  get secrets(): readonly string[] {
    return secretsOf(this.query, this.postHeaders);
  }

  /** The options of one request: the call's `timeoutMs`, or the client's. */
  http(signal?: AbortSignal, timeoutMs?: number): HttpOptions {
    return {
      fetch: this.fetch,
      httpClient: this.httpClient,
      signal,
      timeoutMs: timeoutMs ?? this.timeoutMs,
    };
  }
}

/** A call's client and the snapshots of its arguments and options. */
export interface Prepared<O> {
  /** The client: the one given, or one made of the options. */
  readonly client: Client;
  /** The arguments' snapshots, in order. */
  readonly args: readonly unknown[];
  /** The options' snapshot (`{}` when none were given). */
  readonly options: O;
}

/** Validates a call's arguments and options together (one `ValidationError`); a free call makes its client of them. */
export function prepare<O>(
  client: Client | undefined,
  subject: string,
  tables: OptionTables,
  options: unknown,
  ...args: [Table, unknown][]
): Prepared<O> {
  const table = client === undefined ? tables.free : tables.call;
  const snapshot = table.read(options);
  let ok = table.check(snapshot);
  const snapshots: unknown[][] = [];
  for (let i = 0; i < args.length; i++) {
    const read = args[i][0].read(args[i][1]);
    ok = args[i][0].check(read) && ok;
    snapshots.push(read);
  }
  if (!ok) {
    // Again, collecting every problem: the arguments', then the options'.
    const issues: ValidationIssue[] = [];
    for (let i = 0; i < args.length; i++) {
      args[i][0].check(snapshots[i], issues);
    }
    table.check(snapshot, issues);
    throw new ValidationError(issues, subject);
  }
  const o = (table.plain(snapshot) ?? {}) as O & ClientSnapshot;
  const plain: unknown[] = [];
  for (let i = 0; i < args.length; i++) {
    plain.push(args[i][0].plain(snapshots[i]));
  }
  return { client: client ?? new Client(o), args: plain, options: o };
}
