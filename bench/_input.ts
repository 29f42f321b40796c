/** The sampling input every benchmark builds: the API doc's typical body. */
export const BENCH_INPUT = {
  datasetId: "0123456789abcdef01234567",
  embeddingId: "89abcdef0123456789abcdef",
  body: {
    newTagName: "coreset-100",
    method: "CORESET" as const,
    config: { stoppingCondition: { nSamples: 100, minDistance: -1 } },
    rowCount: 4000,
  },
};

/**
 * The minimal correct hand-written call every speed gate compares with: a
 * cleared per-call timeout (180 s) and the JSON read; pass `client` (a fresh
 * connection, `poolMaxIdlePerHost: 0`) for the POST.
 */
export async function handWritten(
  request: RequestInit & { url: string },
  client?: Deno.HttpClient,
): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 180_000);
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      client,
    });
    return await response.json();
  } finally {
    clearTimeout(timer);
  }
}
