/**
 * Peak memory while a server lies about a body's length: `Content-Length: 5`
 * next to `Transfer-Encoding: chunked` and a chunked body that goes on (up to
 * 256 MiB here). The client must stop at the 1 MiB cap; before the cap was
 * counted on the stream it read the whole body. Prints the resident set size
 * before and at its peak (sampled every 5 ms) and how much the server wrote.
 * Informational, no gate.
 *
 * Run: deno run --allow-net=127.0.0.1 bench/body_cap_rss.ts
 */
import { getJobStatus } from "../mod.ts";

const LIMIT = 256 * 1024 * 1024;
const encoder = new TextEncoder();
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const server = { written: 0, cut: false };
const serving = (async () => {
  const conn = await listener.accept();
  const buffer = new Uint8Array(64 * 1024);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    head += new TextDecoder().decode(buffer.subarray(0, n));
  }
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const frame = new Uint8Array([
    ...encoder.encode(`${chunk.length.toString(16)}\r\n`),
    ...chunk,
    ...encoder.encode("\r\n"),
  ]);
  try {
    await conn.write(encoder.encode(
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n" +
        "content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n",
    ));
    while (server.written < LIMIT) {
      for (let at = 0; at < frame.length;) {
        at += await conn.write(frame.subarray(at));
      }
      server.written += chunk.length;
    }
    await conn.write(encoder.encode("0\r\n\r\n"));
  } catch {
    server.cut = true;
  }
  conn.close();
})();

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const before = Deno.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, Deno.memoryUsage().rss);
}, 5);
const t0 = performance.now();
const outcome = await getJobStatus("aaaaaaaaaaaaaaaaaaaaaaaa", {
  baseUrl: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
}).then(() => "resolved", (error) => `${error.name}: ${error.reason}`);
const ms = performance.now() - t0;
await serving;
clearInterval(sampler);
peak = Math.max(peak, Deno.memoryUsage().rss);
listener.close();
console.log(
  `${outcome} after ${ms.toFixed(0)} ms; RSS ${mib(before)} MiB → peak ${
    mib(peak)
  } MiB; the server wrote ${mib(server.written)} MiB${
    server.cut ? " before the client hung up" : " (all of it)"
  }`,
);
