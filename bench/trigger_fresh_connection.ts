/**
 * What sending the sampling POST on a fresh connection costs: `triggerSampling`
 * as shipped (a connection of its own per POST, so `fetch` never re-sends it)
 * against the same call on a pooled keep-alive connection (the behaviour
 * before, reproduced by a `fetch` that drops the fresh-connection `client`),
 * interleaved in rounds against one local server. Informational, no gate: on
 * loopback the difference is one TCP handshake; against the real API it is
 * one TCP and TLS handshake, about one more round trip plus TLS per trigger.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/trigger_fresh_connection.ts [rounds]
 */
import { triggerSampling } from "../mod.ts";
import { BENCH_INPUT } from "./_input.ts";

const rounds = Number(Deno.args[0] ?? 20);
const perRound = 200;

const server = Deno.serve(
  { hostname: "127.0.0.1", port: 0, onListen() {} },
  async (req) => {
    await req.body?.cancel();
    return new Response('{"jobId":"0123456789abcdef0123abcd"}', {
      headers: { "content-type": "application/json" },
    });
  },
);
const fresh = {
  baseUrl: `http://127.0.0.1:${server.addr.port}`,
  auth: { apiKey: "bench-token" },
};
const pooled = {
  ...fresh,
  fetch: ((input, init) => {
    const { client: _fresh, ...rest } = init as RequestInit & {
      client?: Deno.HttpClient;
    };
    return fetch(input, rest);
  }) as typeof fetch,
};

async function run(options: typeof fresh): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < perRound; i++) {
    await triggerSampling(BENCH_INPUT, options);
  }
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

await run(fresh);
await run(pooled);
const freshTimes: number[] = [];
const pooledTimes: number[] = [];
for (let r = 0; r < rounds; r++) {
  if (r % 2 === 0) {
    freshTimes.push(await run(fresh));
    pooledTimes.push(await run(pooled));
  } else {
    pooledTimes.push(await run(pooled));
    freshTimes.push(await run(fresh));
  }
}
await server.shutdown();
const us = (ms: number) => (ms / perRound * 1000).toFixed(1);
console.log(
  `pooled connection (before): ${us(median(pooledTimes))} µs/trigger, ` +
    `fresh connection (now): ${us(median(freshTimes))} µs/trigger, ratio ${
      (median(freshTimes) / median(pooledTimes)).toFixed(2)
    }`,
);
