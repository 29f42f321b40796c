/**
 * Reading a byte stream as UTF-8 text without ever holding more than a cap:
 * the stream is cancelled as soon as it grows past it.
 *
 * @module
 */

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
