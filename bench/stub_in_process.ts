/**
 * The stub in process against the stub through its socket: `count` (1 000)
 * `triggerSampling` calls through each, one after the other, in one run, on
 * a fresh stub each; prints both times and their ratio. Informational: no
 * target, no exit code.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/stub_in_process.ts [count]
 */
import { triggerSampling } from "../mod.ts";
import { type LightlyStub, startLightlyStub } from "../testing.ts";

const count = Number(Deno.args[0] ?? 1000);

async function loop(stub: LightlyStub, inProcess: boolean): Promise<number> {
  const options = {
    baseUrl: stub.url,
    auth: { apiKey: stub.token },
    fetch: inProcess ? stub.fetch : undefined,
  };
  const run = async (prefix: string, n: number) => {
    for (let i = 0; i < n; i++) {
      await triggerSampling({
        datasetId: stub.datasetId,
        embeddingId: stub.embeddingId,
        body: { newTagName: `${prefix}-${i}`, method: "RANDOM", config: {} },
      }, options);
    }
  };
  await run("warm", 50); // JIT and, for the socket, the connection pool
  const t0 = performance.now();
  await run("bench", count);
  return performance.now() - t0;
}

const seed = { datasets: [{ sampleCount: 100 }] };
let socket: number;
{
  await using stub = startLightlyStub(seed);
  socket = await loop(stub, false);
}
let inProcess: number;
{
  await using stub = startLightlyStub({ ...seed, listen: false });
  inProcess = await loop(stub, true);
}
const per = (ms: number) => `${(ms / count * 1000).toFixed(0)} µs/trigger`;
console.log(
  `${count} triggers — socket: ${socket.toFixed(0)} ms (${per(socket)}), ` +
    `in process: ${inProcess.toFixed(0)} ms (${per(inProcess)}), ` +
    `socket / in process = ${(socket / inProcess).toFixed(1)}×`,
);
