/**
 * The Lightly stub in a process of its own, for `bench/stress.ts`: the load
 * and the server then do not share one event loop.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/stress_server.ts '<faults JSON>'
 *
 * Prints one JSON line `{ url, token, datasetId, embeddingId }` once it
 * listens, then answers each line on stdin:
 *
 * - `report`: one JSON line, what the server saw and did — the sampling POSTs
 *   per tag name (status answered and faults injected, in arrival order),
 *   and the jobs per tag name;
 * - `close` (or the end of stdin): closes the stub and exits.
 */
import { TextLineStream } from "@std/streams/text-line-stream";
import { startLightlyStub, type StubFault } from "../testing.ts";

/** One sampling POST as the server saw it. */
export interface SeenPost {
  /** The status answered; 0 for a dropped connection. */
  status: number;
  /** The faults injected, e.g. `["drop"]`. */
  faults: string[];
}

/** The answer to `report`. */
export interface StressReport {
  /** Sampling POSTs per `newTagName`, in arrival order. */
  posts: Record<string, SeenPost[]>;
  /** Job ids per `newTagName`. */
  jobs: Record<string, string[]>;
  /** Every request the stub received. */
  requests: number;
}

if (import.meta.main) {
  const faults = JSON.parse(Deno.args[0] ?? "[]") as StubFault[];
  const stub = startLightlyStub({
    datasets: [{ sampleCount: 100 }],
    faults,
  });
  console.log(JSON.stringify({
    url: stub.url,
    token: stub.token,
    datasetId: stub.datasetId,
    embeddingId: stub.embeddingId,
  }));

  const report = (): StressReport => {
    const posts: Record<string, SeenPost[]> = {};
    for (const r of stub.requests) {
      if (r.route !== "trigger" || r.method !== "POST") continue;
      const name = (r.body as { newTagName?: unknown })?.newTagName;
      if (typeof name !== "string") continue;
      (posts[name] ??= []).push({ status: r.status, faults: r.faults });
    }
    const jobs: Record<string, string[]> = {};
    for (const job of stub.jobs()) {
      (jobs[job.request.newTagName] ??= []).push(job.id);
    }
    return {
      posts,
      jobs,
      requests: stub.requests.length,
    };
  };

  const lines = Deno.stdin.readable
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new TextLineStream() as TransformStream<string, string>);
  for await (const line of lines) {
    if (line.trim() === "report") console.log(JSON.stringify(report()));
    if (line.trim() === "close") break;
  }
  await stub.close();
  Deno.exit(0);
}
