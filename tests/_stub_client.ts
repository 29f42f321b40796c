/**
 * Plain-fetch helpers for the stub's own tests: they use no client code of
 * this package, so the stub is tested on its own.
 */
import type { LightlyStub } from "../testing.ts";

/** How a test call authenticates. */
export type Auth =
  | "token"
  | "bearer"
  | "none"
  | { token?: string; bearer?: string; authorization?: string };

/** A finished call: status, headers and the body, read in full. */
export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

/** Sends a request to the stub with plain fetch and reads the whole body. */
export async function call(
  stub: LightlyStub,
  method: string,
  path: string,
  options: {
    auth?: Auth;
    body?: unknown;
    raw?: string;
    /** The fetch to send with, e.g. `stub.fetch`; `globalThis.fetch` by default. */
    fetch?: typeof fetch;
  } = {},
): Promise<Reply> {
  const url = new URL(stub.url + path);
  const headers: Record<string, string> = {};
  const auth = options.auth ?? "token";
  if (auth === "token") url.searchParams.set("token", stub.token);
  else if (auth === "bearer") headers.authorization = `Bearer ${stub.jwt}`;
  else if (typeof auth === "object") {
    if (auth.token !== undefined) url.searchParams.set("token", auth.token);
    if (auth.bearer !== undefined) {
      headers.authorization = `Bearer ${auth.bearer}`;
    }
    if (auth.authorization !== undefined) {
      headers.authorization = auth.authorization;
    }
  }
  let body: string | undefined = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await (options.fetch ?? fetch)(url, {
    method,
    headers,
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The sampling path of a dataset and embedding (the stub's defaults). */
export function samplingPath(
  stub: LightlyStub,
  ids: { datasetId?: string; embeddingId?: string } = {},
): string {
  return `/v1/datasets/${ids.datasetId ?? stub.datasetId}/embeddings/${
    ids.embeddingId ?? stub.embeddingId
  }/sampling`;
}

/** A valid SamplingCreateRequest, with overrides. */
export function samplingBody(
  newTagName: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { newTagName, method: "RANDOM", config: {}, ...extra };
}

/** Triggers a job and returns its id; fails the test on a non-200. */
export async function triggerJob(
  stub: LightlyStub,
  body: Record<string, unknown>,
  ids: { datasetId?: string; embeddingId?: string } = {},
  fetch?: typeof globalThis.fetch,
): Promise<string> {
  const reply = await call(stub, "POST", samplingPath(stub, ids), {
    body,
    fetch,
  });
  if (reply.status !== 200) {
    throw new Error(`trigger answered ${reply.status}: ${reply.text}`);
  }
  return reply.json.jobId;
}

/** Polls a job until it ends; returns every status seen, in order. */
export async function pollToEnd(
  stub: LightlyStub,
  jobId: string,
  limit = 50,
  fetch?: typeof globalThis.fetch,
  // deno-lint-ignore no-explicit-any
): Promise<any[]> {
  const seen = [];
  for (let i = 0; i < limit; i++) {
    const reply = await call(stub, "GET", `/v1/jobs/${jobId}`, { fetch });
    if (reply.status !== 200) {
      throw new Error(`poll answered ${reply.status}: ${reply.text}`);
    }
    seen.push(reply.json);
    if (reply.json.status === "FINISHED" || reply.json.status === "FAILED") {
      return seen;
    }
  }
  throw new Error(`job ${jobId} did not end in ${limit} polls`);
}

/** A test clock: starts at `start`, moves only when told. */
export function manualClock(start = 1_700_000_000_000): {
  now(): number;
  advance(ms: number): void;
} {
  let time = start;
  return {
    now: () => time,
    advance(ms: number) {
      time += ms;
    },
  };
}
