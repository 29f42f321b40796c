/**
 * The stub's route table: the Lightly endpoints a sampling workflow needs
 * (and the two that show what it selected), matched by method and path, with their path parameters
 * percent-decoded (an undecodable one is kept raw, to be refused as
 * malformed).
 *
 * @module
 */

/** The names of the stub's routes, as used by faults and the request log. */
export type StubRouteName =
  | "trigger"
  | "job"
  | "tags"
  | "tag"
  | "embeddings"
  | "export"
  | "embeddings2d"
  | "unknown";

/** Every {@linkcode StubRouteName}. */
export const ROUTE_NAMES: readonly StubRouteName[] = [
  "trigger",
  "job",
  "tags",
  "tag",
  "embeddings",
  "export",
  "embeddings2d",
  "unknown",
];

/** A matched request: its route and path parameters. */
export interface RouteMatch {
  /** The route; `unknown` for no route or a wrong method. */
  readonly route: StubRouteName;
  /** The path parameters by name, percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** Set when the path is known but the method is not: the allowed method. */
  readonly allow?: string;
}

const TABLE: readonly {
  route: Exclude<StubRouteName, "unknown">;
  method: string;
  pattern: readonly string[];
}[] = [
  {
    route: "trigger",
    method: "POST",
    pattern: "v1/datasets/:datasetId/embeddings/:embeddingId/sampling".split(
      "/",
    ),
  },
  { route: "job", method: "GET", pattern: "v1/jobs/:jobId".split("/") },
  {
    route: "tags",
    method: "GET",
    pattern: "v1/datasets/:datasetId/tags".split("/"),
  },
  {
    route: "tag",
    method: "GET",
    pattern: "v1/datasets/:datasetId/tags/:tagId".split("/"),
  },
  {
    route: "embeddings",
    method: "GET",
    pattern: "v1/datasets/:datasetId/embeddings".split("/"),
  },
  {
    route: "export",
    method: "GET",
    pattern: "v1/datasets/:datasetId/tags/:tagId/export/basic/filenames".split(
      "/",
    ),
  },
  {
    route: "embeddings2d",
    method: "GET",
    pattern: "v1/datasets/:datasetId/embeddings/:embeddingId/2d".split("/"),
  },
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Finds the route of a request.
 *
 * @param method The HTTP method.
 * @param pathname The URL path, still percent-encoded.
 * @returns The route and its parameters; `unknown` (with `allow` when only
 *   the method is wrong) when nothing matches.
 *
 * @example
 * ```ts
 * import { matchRoute } from "./routes.ts";
 * matchRoute("GET", "/v1/jobs/abc"); // { route: "job", params: { jobId: "abc" } }
 * ```
 */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const segments = pathname.split("/").slice(1);
  let allow: string | undefined;
  for (const entry of TABLE) {
    const { pattern } = entry;
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      if (part.startsWith(":")) {
        params[part.slice(1)] = decode(segments[i]);
        return true;
      }
      return part === segments[i];
    });
    if (!fits) continue;
    if (entry.method === method) return { route: entry.route, params };
    allow = entry.method;
  }
  return { route: "unknown", params: {}, allow };
}
