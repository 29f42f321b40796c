/**
 * The stub's endpoints, in the order a Lightly server checks a request:
 * credentials, path ids, body, then the state (dataset, embedding, tags,
 * name). Each handler returns the answer the real API would give.
 *
 * @module
 */
import type { SamplingCreateRequest } from "../core/types.ts";
import {
  OBJECT_ID,
  OBJECT_ID_RULE,
  samplingRequestProblems,
} from "./api_rules.ts";
import { checkAuth } from "./auth.ts";
import { embeddings2dAnswer, exportAnswer } from "./export.ts";
import { apiError, ok, type StubAnswer } from "./responses.ts";
import type { RouteMatch } from "./routes.ts";
import { StubProblem, type StubState } from "./state.ts";

/** A request as the handlers see it. */
export interface HandlerRequest {
  /** The matched route and its parameters. */
  readonly match: RouteMatch;
  /** The request URL. */
  readonly url: URL;
  /** The request headers. */
  readonly headers: Headers;
  /** The body text. */
  readonly text: string;
  /** The request id to answer with. */
  readonly requestId: string;
}

/** What the handlers need from the stub. */
export interface HandlerContext {
  /** The state. */
  readonly state: StubState;
  /** The credentials accepted. */
  readonly token: string;
  /** The JWT accepted. */
  readonly jwt: string;
  /** What signs the read URLs of exports. */
  readonly readUrlSignature: string;
}

/**
 * Answers a request as the Lightly API would.
 *
 * @param request The request.
 * @param context The stub's state and credentials.
 * @returns The answer.
 *
 * @example
 * ```ts ignore
 * const answer = handle(request, { state, token, jwt });
 * ```
 */
export function handle(
  request: HandlerRequest,
  context: HandlerContext,
): StubAnswer {
  const { match, requestId } = request;
  if (match.route === "unknown") {
    if (match.allow !== undefined) {
      // Lightly's ApiErrorCode list has no code for a wrong method.
      const answer = apiError(
        405,
        "BAD_REQUEST",
        `this path answers ${match.allow} only`,
        requestId,
      );
      return { ...answer, headers: { allow: match.allow } };
    }
    return apiError(404, "NOT_FOUND", "no such endpoint", requestId);
  }
  const failure = checkAuth(request.url, request.headers, context);
  if (failure) return apiError(401, failure.code, failure.message, requestId);
  for (const name of ["datasetId", "embeddingId", "tagId", "jobId"]) {
    const value = match.params[name];
    if (value !== undefined && !OBJECT_ID.test(value)) {
      return apiError(
        400,
        "MALFORMED_REQUEST",
        `path parameter ${name} ${OBJECT_ID_RULE}`,
        requestId,
      );
    }
  }
  const { state } = context;
  const { params } = match;
  try {
    switch (match.route) {
      case "trigger":
        return trigger(request, state);
      case "job":
        return ok(state.pollJob(params.jobId));
      case "tags":
        return ok(state.tags(params.datasetId));
      case "tag":
        return ok(state.tag(params.datasetId, params.tagId));
      case "embeddings":
        return ok(state.embeddings(params.datasetId));
      case "export":
        return exportAnswer(
          request.url,
          params.datasetId,
          () => state.tagSamples(params.datasetId, params.tagId),
          context.readUrlSignature,
          requestId,
        );
      case "embeddings2d": {
        const { embedding, sampleCount } = state.embedding(
          params.datasetId,
          params.embeddingId,
        );
        return embeddings2dAnswer(params.datasetId, sampleCount, embedding);
      }
    }
  } catch (error) {
    if (!(error instanceof StubProblem)) throw error;
    return apiError(error.status, error.code, error.message, requestId);
  }
}

function trigger(request: HandlerRequest, state: StubState): StubAnswer {
  const { requestId } = request;
  let json: unknown;
  try {
    json = request.text === "" ? undefined : JSON.parse(request.text);
  } catch {
    return apiError(
      400,
      "MALFORMED_REQUEST",
      "the request body is not valid JSON",
      requestId,
    );
  }
  const problems = samplingRequestProblems(json);
  if (problems.length > 0) {
    return apiError(
      400,
      "BAD_REQUEST",
      `invalid SamplingCreateRequest: ${problems.join("; ")}`,
      requestId,
    );
  }
  const { datasetId, embeddingId } = request.match.params;
  const jobId = state.trigger({
    datasetId,
    embeddingId,
    body: json as SamplingCreateRequest,
  });
  return ok({ jobId });
}
