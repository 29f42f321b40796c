/**
 * Which samples a stubbed sampling job selects: how many (from
 * `config.stoppingCondition.nSamples`) and which (preselected ones first,
 * the rest spread evenly over the candidate pool, so the result is
 * deterministic).
 *
 * @module
 */

/**
 * The size of the new tag for a pool of `poolSize` candidates. The API
 * accepts any number as `nSamples` and documents three meanings; the stub
 * reads every number one way:
 * - `0` to `1` → a fraction: `Math.round(nSamples × poolSize)`;
 * - above 1 → a count: `min(floor(nSamples), poolSize)`;
 * - `-1` (the documented "off") or absent → the whole pool; so does any
 *   other negative number, which the API does not document. The stub has no
 *   distances, so `minDistance` never stops it earlier.
 *
 * @param nSamples `config.stoppingCondition.nSamples` as sent.
 * @param poolSize The number of samples in the query tag.
 * @returns The number of samples to select, before preselected ones are added.
 *
 * @example
 * ```ts
 * import { selectionSize } from "./selection.ts";
 * selectionSize(0.25, 1000); // 250
 * selectionSize(5000, 1000); // 1000
 * selectionSize(2.5, 1000); // 2
 * ```
 */
export function selectionSize(
  nSamples: number | undefined,
  poolSize: number,
): number {
  if (nSamples === undefined || nSamples < 0) return poolSize;
  if (nSamples <= 1) return Math.round(nSamples * poolSize);
  return Math.min(Math.floor(nSamples), poolSize);
}

/**
 * Picks `size` samples of `pool`: every preselected sample that is in the
 * pool first, then candidates spread evenly over the rest of the pool. When
 * there are more preselected samples than `size`, all of them are kept.
 *
 * @param pool The candidate samples (the query tag's indices), ascending.
 * @param size How many to select, at most `pool.length`.
 * @param preselected Samples that must be part of the selection.
 * @returns The selected indices, ascending.
 *
 * @example
 * ```ts
 * import { pickSamples } from "./selection.ts";
 * pickSamples([0, 1, 2, 3, 4, 5], 3, [5]); // [0, 2, 5]
 * ```
 */
export function pickSamples(
  pool: readonly number[],
  size: number,
  preselected: readonly number[] = [],
): number[] {
  const inPool = new Set(pool);
  const chosen = new Set(preselected.filter((i) => inPool.has(i)));
  const candidates = pool.filter((i) => !chosen.has(i));
  const need = Math.min(size - chosen.size, candidates.length);
  for (let k = 0; k < need; k++) {
    chosen.add(candidates[Math.floor(k * candidates.length / need)]);
  }
  return [...chosen].sort((a, b) => a - b);
}
