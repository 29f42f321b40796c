/**
 * The stub's request log: one entry per request, in arrival order, with every
 * secret masked (the `token` query value, `Authorization` and other secret
 * headers) so a test can print or snapshot it safely.
 *
 * @module
 */
import type { StubFaultAction } from "./faults.ts";
import type { StubRouteName } from "./routes.ts";

// The stub's own masking, independent of the client's: what a secret becomes,
// the query parameters that carry one (matched after decoding), and the
// headers whose value is one.
const REDACTED = "[REDACTED]";
const SECRET_PARAM = /^(?:token|access_token|api_key|apikey)$/i;
const SECRET_HEADER =
  /^(?:authorization|proxy-authorization|cookie)$|token|secret|password|api-?key/i;

function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADER.test(name)) return value;
  return /^bearer\s/i.test(value) ? `Bearer ${REDACTED}` : REDACTED;
}

/**
 * A URL with the values of its secret query parameters masked, for messages.
 *
 * @param url The URL.
 * @returns The URL as text, e.g. `http://h/v1/jobs/x?token=[REDACTED]`.
 *
 * @example
 * ```ts
 * import { maskUrl } from "./request_log.ts";
 * maskUrl(new URL("http://h/v1/jobs/x?token=s3cret")); // "http://h/v1/jobs/x?token=[REDACTED]"
 * ```
 */
export function maskUrl(url: URL): string {
  const masked = new URL(url);
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) masked.searchParams.set(name, REDACTED);
  }
  return masked.href.replaceAll(encodeURIComponent(REDACTED), REDACTED);
}

/**
 * One request the stub received.
 *
 * @example
 * ```ts ignore
 * const [first] = stub.requests;
 * // { method: "POST", path: "/v1/datasets/…/sampling", query: { token: "[REDACTED]" },
 * //   headers: { "content-type": "application/json", … }, body: { newTagName: … },
 * //   route: "trigger", status: 200, requestId: "stub-req-000001", faults: [] }
 * ```
 */
export interface StubRequestLog {
  /** The HTTP method. */
  method: string;
  /** The URL path, as sent (percent-encoded). */
  path: string;
  /** The query parameters; `token` is `[REDACTED]`. */
  query: Record<string, string>;
  /** The request headers, names in lower case; secret ones `[REDACTED]`. */
  headers: Record<string, string>;
  /** The body: parsed JSON, the raw text when it is not JSON, `undefined` when empty. */
  body: unknown;
  /** The route the request matched; `unknown` for none. */
  route: StubRouteName;
  /**
   * The status answered; `0` while the answer is pending and for a dropped
   * connection.
   */
  status: number;
  /** The request id the answer carried (`requestId`, `x-request-id`). */
  requestId: string;
  /** The kinds of the faults injected into this request, in order. */
  faults: StubFaultAction["kind"][];
}

/**
 * Makes the log entry of a request.
 *
 * @param request The request's method, URL and headers.
 * @param text The body text, already read.
 * @param route The matched route.
 * @param requestId The request's id.
 * @returns The entry, with `status` 0.
 *
 * @example
 * ```ts
 * import { logEntry } from "./request_log.ts";
 * const entry = logEntry(new Request("http://h/v1/jobs/x?token=s3cret"), "", "job", "stub-req-1");
 * entry.query; // { token: "[REDACTED]" }
 * ```
 */
export function logEntry(
  request: Pick<Request, "method" | "url" | "headers">,
  text: string,
  route: StubRouteName,
  requestId: string,
): StubRequestLog {
  const url = new URL(request.url);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = SECRET_PARAM.test(name) ? REDACTED : value;
  }
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) =>
    headers[name] = maskHeader(name, value)
  );
  let body: unknown = undefined;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return {
    method: request.method,
    path: url.pathname,
    query,
    headers,
    body,
    route,
    status: 0,
    requestId,
    faults: [],
  };
}
