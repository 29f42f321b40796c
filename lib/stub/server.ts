/**
 * {@linkcode startLightlyStub}: a local, faithful Lightly API for tests,
 * demos and examples, with declared faults and a request log.
 *
 * @module
 */
import {
  FaultBook,
  malformedResponse,
  statusFaultResponse,
  type StubFault,
  type StubFaultAction,
  truncatedResponse,
} from "./faults.ts";
import { handle } from "./handlers.ts";
import { type IncomingRequest, inProcessFetch } from "./in_process.ts";
import {
  resolveOptions,
  type StubJobFailure,
  type StubOptions,
} from "./options.ts";
import { logEntry, maskUrl, type StubRequestLog } from "./request_log.ts";
import { apiError, toResponse } from "./responses.ts";
import { matchRoute } from "./routes.ts";
import type { StubDatasetSeed } from "./seed.ts";
import { type StubDatasetInfo, type StubJobInfo, StubState } from "./state.ts";
import { startTcpFront, type TcpFront } from "./tcp_front.ts";

/**
 * A running Lightly API stub. Close it with `close()` or `await using`.
 *
 * @example Point a client at the stub and inspect what it sent
 * ```ts
 * import { startLightlyStub } from "./server.ts";
 *
 * await using stub = startLightlyStub();
 * const response = await fetch(`${stub.url}/v1/datasets/${stub.datasetId}/tags?token=${stub.token}`);
 * const [initial] = await response.json();
 * console.log(initial.id === stub.initialTagId, stub.requests[0].query.token); // true [REDACTED]
 * ```
 */
export interface LightlyStub extends AsyncDisposable {
  /**
   * The base URL, e.g. `http://127.0.0.1:41234` (no trailing slash);
   * `http://lightly-stub.invalid` when started with `listen: false`.
   */
  readonly url: string;
  /**
   * The stub in process: a function with the signature of
   * `globalThis.fetch` that answers requests to {@linkcode LightlyStub.url}
   * without a socket, through the same routes, authentication, faults,
   * request log and jobs. Pass it wherever a `fetch` option is taken, e.g.
   * `triggerSampling(input, { baseUrl: stub.url, fetch: stub.fetch })`.
   * Works with and without `listen`; a request to another origin rejects
   * with a `TypeError`. See the module documentation for how each fault
   * shows in process.
   */
  readonly fetch: typeof globalThis.fetch;
  /** The API key it accepts as `?token=`. */
  readonly token: string;
  /** The JWT it accepts as `Authorization: Bearer …`. */
  readonly jwt: string;
  /** The first seeded dataset (the default one unless `datasets` was given); `""` if none. */
  readonly datasetId: string;
  /** That dataset's newest processed embedding; `""` if it has none. */
  readonly embeddingId: string;
  /** That dataset's `initial-tag`; `""` if it has no samples. */
  readonly initialTagId: string;
  /**
   * Every request received, in order, secrets masked. The array is live:
   * it grows as requests come in; clear it with `requests.length = 0`.
   */
  readonly requests: StubRequestLog[];
  /**
   * Adds a fault; its `nth` counts requests to its route from now on.
   *
   * @param fault Which requests, which fault.
   * @throws {TypeError} When the declaration is invalid.
   */
  addFault(fault: StubFault): void;
  /**
   * Makes the next job triggered end `FAILED` with `error`.
   *
   * @param error The job's error text.
   */
  failNextJob(error?: string): void;
  /**
   * Adds a rule that makes matching jobs fail (see `StubOptions.failJobs`).
   *
   * @param rule Which jobs, which error.
   * @throws {TypeError} When the rule is invalid.
   */
  addJobFailure(rule: StubJobFailure): void;
  /**
   * Adds a dataset.
   *
   * @param seed Its seed; `{}` gives 1000 samples and two processed embeddings.
   * @returns A copy of the dataset, with its ids.
   * @throws {TypeError} When the seed is invalid.
   */
  addDataset(seed?: StubDatasetSeed): StubDatasetInfo;
  /** Copies of every dataset with its embeddings and tags. */
  datasets(): StubDatasetInfo[];
  /** Copies of every job, oldest first, as they stand now. */
  jobs(): StubJobInfo[];
  /**
   * Stops the stub: ends hanging bodies and pending latencies, closes every
   * connection, and resolves once nothing is left running. Safe to call twice.
   */
  close(): Promise<void>;
}

const SERVICE_GONE = "the Lightly stub is closing";

/**
 * Starts a local Lightly API stub: `POST …/sampling`, `GET /v1/jobs/{jobId}`,
 * the tag and embedding reads, with Lightly's authentication, validation,
 * error codes and job lifecycle, plus declared faults. Synchronous: the stub
 * listens when this returns.
 *
 * @param options Seeds, credentials, job timing, failures, faults, clock.
 * @returns The running stub.
 * @throws {TypeError | RangeError} When an option or seed is invalid (nothing
 *   is left listening).
 * @throws {Deno.errors.AddrInUse} When `port` is taken.
 *
 * @example Trigger a job and poll it to the end with plain fetch
 * ```ts
 * import { startLightlyStub } from "./server.ts";
 *
 * await using stub = startLightlyStub({ waitingPolls: 0, runningPolls: 1 });
 * const base = `${stub.url}/v1/datasets/${stub.datasetId}`;
 * const auth = `?token=${stub.token}`;
 * const { jobId } = await (await fetch(
 *   `${base}/embeddings/${stub.embeddingId}/sampling${auth}`,
 *   {
 *     method: "POST",
 *     headers: { "content-type": "application/json" },
 *     body: JSON.stringify({ newTagName: "random-10", method: "RANDOM", config: { stoppingCondition: { nSamples: 10 } } }),
 *   },
 * )).json();
 * let job;
 * do {
 *   job = await (await fetch(`${stub.url}/v1/jobs/${jobId}${auth}`)).json();
 * } while (job.status !== "FINISHED");
 * const tag = await (await fetch(`${base}/tags/${job.result.data}${auth}`)).json();
 * console.log(tag.name, tag.totSize); // random-10 10
 * ```
 */
export function startLightlyStub(options: StubOptions = {}): LightlyStub {
  const resolved = resolveOptions(options);
  const state = new StubState(resolved);
  const faults = new FaultBook();
  resolved.faults.forEach((fault, i) =>
    faults.add(fault, `options.faults[${i}]`)
  );
  const requests: StubRequestLog[] = [];
  const closing = new AbortController();
  const released = new Promise<void>((resolve) =>
    closing.signal.addEventListener("abort", () => resolve(), { once: true })
  );
  const context = {
    state,
    token: resolved.token,
    jwt: resolved.jwt,
    // Read URLs are signed with a secret of this stub, never the API token.
    readUrlSignature: crypto.randomUUID().replaceAll("-", ""),
  };
  let sequence = 0;

  /** Answers a request; `undefined` when its connection is to be dropped. */
  async function reply(
    request: IncomingRequest,
  ): Promise<Response | undefined> {
    sequence += 1;
    const requestId = `stub-req-${String(sequence).padStart(6, "0")}`;
    const url = new URL(request.url);
    const match = matchRoute(request.method, url.pathname);
    const { text } = request;
    const entry = logEntry(request, text, match.route, requestId);
    requests.push(entry);
    const answer = () =>
      handle(
        { match, url, headers: request.headers, text, requestId },
        context,
      );
    try {
      let terminal: StubFaultAction | undefined;
      for (const action of faults.take(match.route)) {
        if (action.kind !== "latency") {
          terminal = action;
          entry.faults.push(action.kind);
          break;
        }
        entry.faults.push(action.kind);
        await resolved.sleep(action.ms, closing.signal);
      }
      if (closing.signal.aborted) throw closing.signal.reason;
      const response = respond(terminal, answer, requestId);
      entry.status = response?.status ?? 0;
      return response;
    } catch (error) {
      const gone = closing.signal.aborted;
      const failure = apiError(
        gone ? 503 : 500,
        gone ? "SERVICE_UNAVAILABLE" : "STUB_INTERNAL_ERROR",
        gone ? SERVICE_GONE : `the Lightly stub failed: ${String(error)}`,
        requestId,
      );
      entry.status = failure.status;
      return toResponse(failure, requestId);
    }
  }

  /** The response for a request and its terminal fault; `undefined` when dropped. */
  function respond(
    fault: StubFaultAction | undefined,
    answer: () => ReturnType<typeof handle>,
    requestId: string,
  ): Response | undefined {
    switch (fault?.kind) {
      case undefined:
      case "latency":
        return toResponse(answer(), requestId);
      case "status":
        if (fault.handled) answer();
        return statusFaultResponse(fault, requestId);
      case "malformed":
        return malformedResponse(answer(), requestId);
      case "truncated":
        return truncatedResponse(answer(), requestId);
      case "hang":
        return truncatedResponse(answer(), requestId, released);
      case "drop":
        if (fault.handled) answer();
        return undefined;
    }
  }

  /** The socket's handler: read the body, answer, or drop the connection. */
  async function serve(
    request: Request,
    info: Deno.ServeHandlerInfo<Deno.NetAddr>,
  ): Promise<Response> {
    let text = "";
    try {
      text = await request.text();
    } catch { /* the client went away mid-body: answered below, unread */ }
    const { method, url, headers } = request;
    const response = await reply({ method, url, headers, text });
    if (response !== undefined) return response;
    front?.drop(info.remoteAddr.port);
    return new Response(null);
  }

  const socket = resolved.listen ? listen(resolved, serve) : undefined;
  const front = socket?.front;
  const url = front
    ? `http://${hostOf(front.addr)}:${front.addr.port}`
    : NO_SOCKET_URL;
  const wire = inProcessFetch({
    url,
    answer: reply,
    closing: closing.signal,
    maskUrl,
  });

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    closed ??= (async () => {
      closing.abort(new Error(SERVICE_GONE));
      await front?.close();
      await socket?.inner.shutdown();
      await wire.settle();
    })();

  const first = state.datasets()[0];
  return {
    url,
    fetch: wire.fetch,
    token: resolved.token,
    jwt: resolved.jwt,
    datasetId: first?.id ?? "",
    embeddingId: first?.embeddings.find((e) => e.isProcessed)?.id ?? "",
    initialTagId: first?.tags.find((t) => t.name === "initial-tag")?.id ?? "",
    requests,
    addFault(fault) {
      faults.add(fault);
    },
    failNextJob(error) {
      state.addFailure({ once: true, error }, true);
    },
    addJobFailure(rule) {
      state.addFailure(rule);
    },
    addDataset(seed = {}) {
      return state.addDataset(seed);
    },
    datasets: () => state.datasets(),
    jobs: () => state.jobs(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** The `url` of a stub started with `listen: false`: a name that never resolves. */
const NO_SOCKET_URL = "http://lightly-stub.invalid";

function hostOf(addr: Deno.NetAddr): string {
  return addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
}

/**
 * Opens the stub's sockets: the public listener (first: it is the call that
 * fails on a taken port, and a sync failure must leave nothing running),
 * the inner server, and the front that forwards one to the other.
 */
function listen(
  options: { readonly hostname: string; readonly port: number },
  serve: Deno.ServeHandler<Deno.NetAddr>,
): { front: TcpFront; inner: Deno.HttpServer<Deno.NetAddr> } {
  const listener = Deno.listen({
    hostname: options.hostname,
    port: options.port,
    transport: "tcp",
  });
  let inner: Deno.HttpServer<Deno.NetAddr>;
  try {
    inner = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
    }, serve);
  } catch (error) {
    listener.close();
    throw error;
  }
  return { front: startTcpFront(listener, inner.addr.port), inner };
}
