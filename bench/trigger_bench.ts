/**
 * `triggerSampling` and `getJobStatus` against the minimal correct
 * hand-written call (the baseline of `bench/trigger_overhead.ts`): a cleared
 * per-call timeout, the POST on a never-used connection, the JSON read.
 * Target (gated by `trigger_overhead.ts`): <= 1.10x each.
 */
import { buildSamplingRequest, getJobStatus, triggerSampling } from "../mod.ts";
import { USER_AGENT } from "../lib/core/version.ts";
import { BENCH_INPUT, handWritten } from "./_input.ts";

const JOB_ID = "0123456789abcdef0123abcd";
const JOB = JSON.stringify({
  id: JOB_ID,
  status: "RUNNING",
  waitTimeTillNextPoll: 1,
  createdAt: 1_700_000_000_000,
});
const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    const body = req.method === "POST" ? `{"jobId":"${JOB_ID}"}` : JOB;
    return new Response(body, {
      headers: { "content-type": "application/json" },
    });
  },
);
const baseUrl = `http://127.0.0.1:${server.addr.port}`;
const input = BENCH_INPUT;
const options = { baseUrl, auth: { apiKey: "bench-token" } };
const post = buildSamplingRequest(input, options);
const get = {
  method: "GET",
  url: `${baseUrl}/v1/jobs/${JOB_ID}?token=bench-token`,
  headers: { "Accept": "application/json", "User-Agent": USER_AGENT },
};

Deno.bench(
  "hand-written POST (timeout, fresh connection) + json()",
  { group: "trigger", baseline: true },
  async () => {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      await handWritten(post, client);
    } finally {
      client.close();
    }
  },
);

Deno.bench("triggerSampling", { group: "trigger" }, async () => {
  await triggerSampling(input, options);
});

Deno.bench(
  "hand-written GET (timeout, pooled) + json()",
  { group: "job status", baseline: true },
  async () => {
    await handWritten(get);
  },
);

Deno.bench("getJobStatus", { group: "job status" }, async () => {
  await getJobStatus(JOB_ID, options);
});

globalThis.addEventListener("unload", () => server.shutdown());
