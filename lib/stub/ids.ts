/**
 * ObjectIds for the stub's datasets, embeddings, tags and jobs, shaped like
 * MongoDB's: 8 hex digits of seconds since 1970, 10 fixed hex digits, and a
 * 6-digit counter. With an injected clock they are the same on every run.
 *
 * @module
 */
import type { StubClock } from "./options.ts";

const MIDDLE = "57ab5eed00";

/**
 * Returns a function that makes a fresh ObjectId on each call.
 *
 * @param clock The stub's clock.
 * @returns The id maker; ids are unique per maker.
 *
 * @example
 * ```ts
 * import { objectIds } from "./ids.ts";
 * const next = objectIds({ now: () => 1_700_000_000_000 });
 * next(); // "6553f10057ab5eed00000001"
 * ```
 */
export function objectIds(clock: StubClock): () => string {
  let counter = 0;
  return () => {
    counter += 1;
    const seconds = Math.max(0, Math.floor(clock.now() / 1000)) % 2 ** 32;
    return seconds.toString(16).padStart(8, "0") + MIDDLE +
      (counter % 2 ** 24).toString(16).padStart(6, "0");
  };
}
