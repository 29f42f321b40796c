/**
 * Reading a byte stream as UTF-8 text without ever holding more than a cap:
 * the stream is cancelled as soon as it grows past it. The one reader of
 * response bodies and input files; a declared length is never consulted.
 *
 * @module
 */

/** The first buffer of a byte stream: most API answers fit in it. */
const FIRST_BUFFER_BYTES = 1024;

/**
 * Reads `stream` to its end as UTF-8 text, or cancels it and returns
 * `undefined` once more than `cap` bytes have arrived.
 *
 * @param stream The bytes, e.g. a response body or a file.
 * @param cap The most bytes to accept.
 * @returns The text, or `undefined` when the stream was larger than `cap`.
 *
 * @example
 * ```ts
 * import { readTextCapped } from "./read_capped.ts";
 * const text = await readTextCapped(new Response("hello").body!, 1024); // "hello"
 * ```
 */
export async function readTextCapped(
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<string | undefined> {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    return await readChunks(stream, cap); // not a byte stream
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
    const { done, value } = await reader.read(buffer.subarray(total));
    // The read transfers the buffer: keep the view it hands back.
    if (value !== undefined) buffer = new Uint8Array(value.buffer);
    if (done) break;
    total += value.byteLength;
  }
  return new TextDecoder().decode(buffer.subarray(0, total));
}

/** {@linkcode readTextCapped} for a stream of chunks it does not size. */
async function readChunks(
  stream: ReadableStream<Uint8Array>,
  cap: number,
): Promise<string | undefined> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
