/**
 * Fault injection, declared per stub: which requests (route and request
 * number) get which fault, and the damaged answers themselves. Nothing here
 * is global: each stub owns its {@linkcode FaultBook}.
 *
 * @module
 */
import {
  answerHeaders,
  answerText,
  apiError,
  type StubAnswer,
  toResponse,
} from "./responses.ts";
import { ROUTE_NAMES, type StubRouteName } from "./routes.ts";

/** Adds latency, then the request is answered as usual (or by another fault). */
export interface StubLatencyFault {
  /** The fault kind. */
  kind: "latency";
  /** Milliseconds to wait before answering. */
  ms: number;
}

/** Answers with a status and a JSON, HTML or empty body, e.g. a 503 from a proxy. */
export interface StubStatusFault {
  /** The fault kind. */
  kind: "status";
  /** The HTTP status, 200–599. */
  status: number;
  /**
   * The body: an `ApiErrorResponse` (`json`), a proxy's HTML page (`html`)
   * or nothing (`empty`).
   *
   * @default {"json"}
   */
  body?: "json" | "html" | "empty";
  /**
   * A `Retry-After` header value, e.g. `"2"` or an HTTP date.
   *
   * @default {undefined} no header
   */
  retryAfter?: string | number;
  /**
   * The `code` of a JSON body.
   *
   * @default {the status text in upper snake case, e.g. "SERVICE_UNAVAILABLE"}
   */
  code?: string;
  /**
   * The `error` text of a JSON body.
   *
   * @default {"fault injected by the Lightly stub"}
   */
  message?: string;
  /**
   * Handle the request first, so its side effects happen (a job starts, the
   * tag name is taken) and only the answer is replaced: "the server acted,
   * then a proxy answered 502".
   *
   * @default {false}
   */
  handled?: boolean;
}

/** Answers with the real status and a body that is not valid JSON. */
export interface StubMalformedFault {
  /** The fault kind. The request is handled; its JSON answer loses its last character. */
  kind: "malformed";
}

/** Sends the real answer's headers with its full `Content-Length`, half the body, then closes the connection. */
export interface StubTruncatedFault {
  /** The fault kind. The request is handled first. */
  kind: "truncated";
}

/** Closes the connection without any answer. */
export interface StubDropFault {
  /** The fault kind. */
  kind: "drop";
  /**
   * Handle the request before dropping the connection, so its side effects
   * happen: "the server acted, the answer was lost".
   *
   * @default {false}
   */
  handled?: boolean;
}

/**
 * Sends the real answer's headers and half its body, then nothing until the
 * client gives up or the stub closes (which ends the connection).
 */
export interface StubHangFault {
  /** The fault kind. The request is handled first. */
  kind: "hang";
}

/** One fault; `kind` says which. */
export type StubFaultAction =
  | StubLatencyFault
  | StubStatusFault
  | StubMalformedFault
  | StubTruncatedFault
  | StubDropFault
  | StubHangFault;

/**
 * Which requests get a fault, and which fault. Several faults may match one
 * request: every `latency` applies, in order, then the first other fault.
 *
 * @example The 2nd and 3rd polls of any job lose their connection
 * ```ts
 * import type { StubFault } from "./faults.ts";
 * const fault: StubFault = { route: "job", nth: [2, 3], fault: { kind: "drop" } };
 * ```
 */
export interface StubFault {
  /** The route whose requests are counted and faulted; `"*"` counts every request. */
  route: StubRouteName | "*";
  /**
   * Which requests to that route, counted from 1 since the fault was added
   * (since the start for `options.faults`): one number or a list.
   *
   * @default {undefined} every request
   */
  nth?: number | readonly number[];
  /** What happens to those requests. */
  fault: StubFaultAction;
}

const KINDS = ["latency", "status", "malformed", "truncated", "drop", "hang"];

/**
 * Checks a fault declaration.
 *
 * @param fault The declaration.
 * @param where Its name in messages, e.g. `options.faults[0]`.
 * @throws {TypeError | RangeError} Naming the field and the rule.
 *
 * @example
 * ```ts
 * import { checkFault } from "./faults.ts";
 * checkFault({ route: "trigger", nth: 1, fault: { kind: "drop" } }, "fault");
 * ```
 */
export function checkFault(fault: StubFault, where: string): void {
  const fail = (field: string, rule: string): never => {
    throw new TypeError(`startLightlyStub(): ${where}${field} ${rule}`);
  };
  if (typeof fault !== "object" || fault === null) {
    fail("", "must be an object");
  }
  if (fault.route !== "*" && !ROUTE_NAMES.includes(fault.route)) {
    fail(".route", `must be "*" or one of ${ROUTE_NAMES.join(", ")}`);
  }
  const nth = fault.nth;
  if (
    nth !== undefined &&
    !(typeof nth === "number" ? [nth] : Array.isArray(nth) ? nth : [0])
      .every((n) => Number.isSafeInteger(n) && n >= 1)
  ) {
    fail(".nth", "must be a whole number >= 1 or a list of them");
  }
  const action = fault.fault;
  if (typeof action !== "object" || action === null) {
    fail(".fault", "must be an object");
  }
  if (!KINDS.includes(action.kind)) {
    fail(".fault.kind", `must be one of ${KINDS.join(", ")}`);
  }
  if (
    action.kind === "latency" &&
    !(Number.isFinite(action.ms) && action.ms >= 0)
  ) {
    fail(".fault.ms", "must be a number of milliseconds >= 0");
  }
  if (action.kind === "status") {
    if (
      !Number.isSafeInteger(action.status) || action.status < 200 ||
      action.status > 599
    ) {
      fail(".fault.status", "must be a whole number from 200 to 599");
    }
    if (
      action.body !== undefined &&
      !["json", "html", "empty"].includes(action.body)
    ) {
      fail(".fault.body", 'must be "json", "html" or "empty"');
    }
  }
}

/** A stub's faults and its per-route request counters. */
export class FaultBook {
  #entries: { fault: StubFault; base: number }[] = [];
  #counts = new Map<StubRouteName | "*", number>();

  /**
   * Adds a fault; its `nth` counts from the next request on.
   *
   * @param fault The declaration (checked).
   * @param where Its name in error messages.
   */
  add(fault: StubFault, where = "addFault(fault)"): void {
    checkFault(fault, where);
    this.#entries.push({ fault, base: this.#counts.get(fault.route) ?? 0 });
  }

  /**
   * Counts one request to `route` and returns the faults it gets, in the
   * order they were added.
   *
   * @param route The request's route.
   * @returns The fault actions that apply.
   */
  take(route: StubRouteName): StubFaultAction[] {
    const routeCount = (this.#counts.get(route) ?? 0) + 1;
    const total = (this.#counts.get("*") ?? 0) + 1;
    this.#counts.set(route, routeCount);
    this.#counts.set("*", total);
    const actions: StubFaultAction[] = [];
    for (const { fault, base } of this.#entries) {
      if (fault.route !== "*" && fault.route !== route) continue;
      const n = (fault.route === "*" ? total : routeCount) - base;
      const nth = fault.nth;
      if (
        nth === undefined ||
        (typeof nth === "number" ? nth === n : nth.includes(n))
      ) {
        actions.push(fault.fault);
      }
    }
    return actions;
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

function statusText(status: number): string {
  return STATUS_TEXT[status] ?? (status < 400 ? "OK" : "Error");
}

/**
 * The answer of a `status` fault.
 *
 * @param fault The fault.
 * @param requestId The request's id.
 * @returns The response to send.
 *
 * @example
 * ```ts
 * import { statusFaultResponse } from "./faults.ts";
 * const response = statusFaultResponse({ kind: "status", status: 503, body: "html" }, "stub-req-1");
 * await response.body?.cancel();
 * ```
 */
export function statusFaultResponse(
  fault: StubStatusFault,
  requestId: string,
): Response {
  const { status } = fault;
  const extra: Record<string, string> = {};
  if (fault.retryAfter !== undefined) {
    extra["retry-after"] = String(fault.retryAfter);
  }
  const kind = fault.body ?? "json";
  if (kind === "json") {
    const code = fault.code ??
      statusText(status).toUpperCase().replace(/[^A-Z0-9]+/g, "_");
    const message = fault.message ?? "fault injected by the Lightly stub";
    const answer = apiError(status, code, message, requestId);
    return toResponse({ ...answer, headers: extra }, requestId);
  }
  const headers = new Headers({ ...extra, "x-request-id": requestId });
  if (kind === "empty" || [204, 205, 304].includes(status)) {
    return new Response(null, { status, headers });
  }
  const title = `${status} ${statusText(status)}`;
  headers.set("content-type", "text/html");
  return new Response(
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`,
    { status, headers },
  );
}

/**
 * The real answer with its JSON broken: the last character is cut, so the
 * body (always an object or array) no longer parses.
 *
 * @param answer The real answer.
 * @param requestId The request's id.
 * @returns The response to send.
 *
 * @example
 * ```ts
 * import { malformedResponse } from "./faults.ts";
 * const text = await malformedResponse({ status: 200, body: { jobId: "x" } }, "r").text();
 * // '{"jobId":"x"'
 * ```
 */
export function malformedResponse(
  answer: StubAnswer,
  requestId: string,
): Response {
  return new Response(answerText(answer).slice(0, -1), {
    status: answer.status,
    headers: answerHeaders(answer, requestId),
  });
}

/**
 * The real answer announced with its full `Content-Length`, of which only
 * the first half is sent. When `hold` is given the rest never comes until
 * `hold` resolves; then (or at once without it) the body ends early and the
 * server closes the connection, because the length was not met.
 *
 * @param answer The real answer.
 * @param requestId The request's id.
 * @param hold Resolves when a hanging body may end (the stub closes).
 * @returns The response to send.
 *
 * @example
 * ```ts
 * import { truncatedResponse } from "./faults.ts";
 * const response = truncatedResponse({ status: 200, body: { jobId: "x" } }, "r");
 * await response.body?.cancel();
 * ```
 */
export function truncatedResponse(
  answer: StubAnswer,
  requestId: string,
  hold?: Promise<void>,
): Response {
  const bytes = new TextEncoder().encode(answerText(answer));
  const headers = answerHeaders(answer, requestId);
  headers.set("content-length", String(bytes.byteLength));
  const half = bytes.subarray(0, Math.floor(bytes.byteLength / 2));
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(half);
      if (hold) await hold;
      try {
        controller.close();
      } catch { /* the client cancelled the body already */ }
    },
  });
  return new Response(body, { status: answer.status, headers });
}
