/**
 * `triggerSampling` overhead against a bare `fetch` of the same request.
 * Target: triggerSampling <= 1.10x bare fetch + `response.json()`.
 * Both talk to the same local server in this process, in one run, each POST
 * on a fresh connection (as the library sends it).
 */
import { buildSamplingRequest, triggerSampling } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    return new Response('{"jobId":"0123456789abcdef0123abcd"}', {
      headers: { "content-type": "application/json" },
    });
  },
);
const baseUrl = `http://127.0.0.1:${server.addr.port}`;
const input = BENCH_INPUT;
const options = { baseUrl, auth: { apiKey: "bench-token" } };
const prebuilt = buildSamplingRequest(input, options);

Deno.bench(
  "bare fetch + json()",
  { group: "trigger", baseline: true },
  async () => {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const response = await fetch(prebuilt.url, { ...prebuilt, client });
      await response.json();
    } finally {
      client.close();
    }
  },
);

Deno.bench("triggerSampling", { group: "trigger" }, async () => {
  await triggerSampling(input, options);
});

globalThis.addEventListener("unload", () => server.shutdown());
