/**
 * Tag bitmasks as the Lightly API writes them: `bitMaskData` is a hex number
 * (`0x…`, lower case) whose bit `i` is set when sample `i` of the dataset is
 * in the tag; sample 0 is the least significant bit, as in Lightly's own
 * `BitMask.from_hex`.
 *
 * @module
 */

const BITMASK_PATTERN = /^0x[a-f0-9]+$/;
const NIBBLE_BITS = [0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4];

/**
 * Encodes sample indices as a `bitMaskData` string.
 *
 * @param indices Sample indices: whole numbers `>= 0`; duplicates are ignored.
 * @returns `0x…` in lower case; `"0x0"` for no samples.
 * @throws {RangeError} When an index is not a whole number `>= 0`.
 *
 * @example Samples 0, 1 and 3
 * ```ts
 * import { indicesToBitMask } from "./bitmask.ts";
 * indicesToBitMask([0, 1, 3]); // "0xb"
 * ```
 */
export function indicesToBitMask(indices: Iterable<number>): string {
  const nibbles: number[] = [];
  for (const index of indices) {
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new RangeError(
        `a sample index must be a whole number >= 0, got ${index}`,
      );
    }
    const at = index >> 2;
    while (nibbles.length <= at) nibbles.push(0);
    nibbles[at] |= 1 << (index & 3);
  }
  while (nibbles.length > 1 && nibbles[nibbles.length - 1] === 0) {
    nibbles.pop();
  }
  if (nibbles.length === 0) return "0x0";
  let hex = "";
  for (let i = nibbles.length - 1; i >= 0; i--) hex += nibbles[i].toString(16);
  return `0x${hex}`;
}

/**
 * Decodes a `bitMaskData` string into the sorted indices of its set bits.
 *
 * @param bitMaskData `0x…`, lower-case hex digits (`^0x[a-f0-9]+$`).
 * @returns The sample indices in the tag, ascending.
 * @throws {TypeError} When `bitMaskData` does not match `^0x[a-f0-9]+$`.
 *
 * @example
 * ```ts
 * import { bitMaskToIndices } from "./bitmask.ts";
 * bitMaskToIndices("0xb"); // [0, 1, 3]
 * ```
 */
export function bitMaskToIndices(bitMaskData: string): number[] {
  checkBitMask(bitMaskData);
  const indices: number[] = [];
  const digits = bitMaskData.length - 2;
  for (let i = 0; i < digits; i++) {
    const nibble = parseInt(bitMaskData[bitMaskData.length - 1 - i], 16);
    for (let bit = 0; bit < 4; bit++) {
      if (nibble & (1 << bit)) indices.push(i * 4 + bit);
    }
  }
  return indices;
}

/**
 * Counts the samples in a `bitMaskData` string (its set bits).
 *
 * @param bitMaskData `0x…`, lower-case hex digits (`^0x[a-f0-9]+$`).
 * @returns The number of set bits; a tag's `totSize` equals it.
 * @throws {TypeError} When `bitMaskData` does not match `^0x[a-f0-9]+$`.
 *
 * @example
 * ```ts
 * import { countBitMask } from "./bitmask.ts";
 * countBitMask("0xff"); // 8
 * ```
 */
export function countBitMask(bitMaskData: string): number {
  checkBitMask(bitMaskData);
  let count = 0;
  for (let i = 2; i < bitMaskData.length; i++) {
    count += NIBBLE_BITS[parseInt(bitMaskData[i], 16)];
  }
  return count;
}

function checkBitMask(bitMaskData: string): void {
  if (typeof bitMaskData !== "string" || !BITMASK_PATTERN.test(bitMaskData)) {
    throw new TypeError(
      `bitMaskData must match ^0x[a-f0-9]+$, got ${
        JSON.stringify(String(bitMaskData).slice(0, 40))
      }`,
    );
  }
}

/**
 * Decodes a `bitMaskData` string into a compact array of its set bits'
 * indices (4 bytes a sample, for the export of large tags).
 *
 * @param bitMaskData `0x…`, lower-case hex digits (`^0x[a-f0-9]+$`).
 * @returns The sample indices in the tag, ascending.
 * @throws {TypeError} When `bitMaskData` does not match `^0x[a-f0-9]+$`.
 *
 * @example
 * ```ts
 * import { bitMaskToIndexArray } from "./bitmask.ts";
 * bitMaskToIndexArray("0xb"); // Uint32Array [0, 1, 3]
 * ```
 */
export function bitMaskToIndexArray(bitMaskData: string): Uint32Array {
  const indices = new Uint32Array(countBitMask(bitMaskData));
  let n = 0;
  for (let i = 0, at = bitMaskData.length - 1; at >= 2; i++, at--) {
    const nibble = parseInt(bitMaskData[at], 16);
    for (let bit = 0; bit < 4; bit++) {
      if (nibble & (1 << bit)) indices[n++] = i * 4 + bit;
    }
  }
  return indices;
}
