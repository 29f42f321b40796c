/**
 * Reading a byte stream as UTF-8 text without ever holding more than a cap:
 * the one reader of response bodies (`http.ts`) and of the command line's
 * input files. A module of its own so that reading a file loads no zod.
 *
 * @module
 */

/** The first buffer of a byte stream: most API answers fit in it. */
const FIRST_BUFFER_BYTES = 1024;

/** A byte stream as UTF-8 text, or `undefined` (stream cancelled) past `cap` bytes; a declared length is never read. */
export async function readTextCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<string | undefined> {
  let reader:
    | ReadableStreamBYOBReader
    | ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    reader = stream.getReader(); // not a byte stream: chunks of its own
  }
  // A byte stream (fetch bodies, files) reads into a buffer of our own that
  // doubles as needed: no 64 KiB chunk allocated per read.
  let buffer = new Uint8Array(Math.min(FIRST_BUFFER_BYTES, cap + 1));
  let total = 0;
  for (;;) {
    if (total === buffer.byteLength) {
      if (total > cap) {
        await reader.cancel();
        return undefined;
      }
      const bigger = new Uint8Array(Math.min(2 * total, cap + 1));
      bigger.set(buffer);
      buffer = bigger;
    }
    if (reader instanceof ReadableStreamBYOBReader) {
      const { done, value } = await reader.read(buffer.subarray(total));
      // The read transfers the buffer: keep the view it hands back.
      if (value !== undefined) buffer = new Uint8Array(value.buffer);
      if (done) break;
      total += value.byteLength;
      continue;
    }
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > cap) {
      await reader.cancel();
      return undefined;
    }
    while (total + value.byteLength > buffer.byteLength) {
      const bigger = new Uint8Array(Math.min(2 * buffer.byteLength, cap + 1));
      bigger.set(buffer.subarray(0, total));
      buffer = bigger;
    }
    buffer.set(value, total);
    total += value.byteLength;
  }
  return new TextDecoder().decode(buffer.subarray(0, total));
}
