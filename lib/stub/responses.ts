/**
 * What the stub answers, before it becomes a `Response`: a status and a JSON
 * body, so a fault can damage the real answer (cut it short, break its JSON)
 * after the request was handled. Every error body is an `ApiErrorResponse`
 * carrying the request id, which every response also sends as `x-request-id`.
 *
 * @module
 */
import type { ApiErrorResponse } from "../core/types.ts";

/** An answer of the stub: status, JSON (or text) body and extra headers. */
export interface StubAnswer {
  /** The HTTP status. */
  readonly status: number;
  /** The JSON body; the text itself when `contentType` is set. */
  readonly body: unknown;
  /** Set for a text answer (e.g. `text/plain`): `body` is sent as is. */
  readonly contentType?: string;
  /** Headers besides `content-type` and `x-request-id`. */
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * A successful JSON answer.
 *
 * @param body The JSON body.
 * @returns A `200` answer.
 *
 * @example
 * ```ts
 * import { ok } from "./responses.ts";
 * ok({ jobId: "64b0c0ffee00000000000001" }).status; // 200
 * ```
 */
export function ok(body: unknown): StubAnswer {
  return { status: 200, body };
}

/**
 * An `ApiErrorResponse` answer.
 *
 * @param status The HTTP status.
 * @param code The Lightly error code, e.g. `TAG_NAME_EXISTS`.
 * @param message The human-readable `error` text.
 * @param requestId The request's id.
 * @returns The answer.
 *
 * @example
 * ```ts
 * import { apiError } from "./responses.ts";
 * apiError(404, "JOB_UNKNOWN", "no job with this id", "stub-req-1").body;
 * // { code: "JOB_UNKNOWN", error: "no job with this id", requestId: "stub-req-1" }
 * ```
 */
export function apiError(
  status: number,
  code: string,
  message: string,
  requestId: string,
): StubAnswer {
  const body: ApiErrorResponse = { code, error: message, requestId };
  return { status, body };
}

/**
 * The headers of an answer: JSON content type, request id, extras.
 *
 * @param answer The answer.
 * @param requestId The request's id.
 * @returns A fresh `Headers`.
 *
 * @example
 * ```ts
 * import { answerHeaders, ok } from "./responses.ts";
 * answerHeaders(ok({}), "stub-req-1").get("x-request-id"); // "stub-req-1"
 * ```
 */
export function answerHeaders(answer: StubAnswer, requestId: string): Headers {
  const headers = new Headers(answer.headers);
  headers.set("content-type", answer.contentType ?? "application/json");
  headers.set("x-request-id", requestId);
  return headers;
}

/**
 * Turns an answer into a `Response`.
 *
 * @param answer The answer.
 * @param requestId The request's id, sent as `x-request-id`.
 * @returns The response.
 *
 * @example
 * ```ts
 * import { ok, toResponse } from "./responses.ts";
 * const response = toResponse(ok({ jobId: "x" }), "stub-req-1");
 * await response.body?.cancel();
 * ```
 */
export function toResponse(answer: StubAnswer, requestId: string): Response {
  return new Response(answerText(answer), {
    status: answer.status,
    headers: answerHeaders(answer, requestId),
  });
}

/**
 * The body of an answer as sent: its JSON, or its text for a text answer.
 *
 * @param answer The answer.
 * @returns The body text.
 *
 * @example
 * ```ts
 * import { answerText } from "./responses.ts";
 * answerText({ status: 200, body: "a.png", contentType: "text/plain" }); // "a.png"
 * ```
 */
export function answerText(answer: StubAnswer): string {
  return answer.contentType === undefined
    ? JSON.stringify(answer.body)
    : String(answer.body);
}
