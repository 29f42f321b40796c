/**
 * "Did you mean …?": the closest known word to a mistyped one.
 *
 * @module
 */

/**
 * The edit distance between two words (insertions, deletions, substitutions
 * and swaps of two neighbours each cost 1).
 *
 * @param a One word.
 * @param b The other word.
 * @returns The number of edits that turn `a` into `b`.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push([i]);
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        rows[0].push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(
        rows[i - 1][j] + 1,
        rows[i][j - 1] + 1,
        rows[i - 1][j - 1] + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, rows[i - 2][j - 2] + 1);
      }
      rows[i].push(d);
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known word closest to `word`, when one is close enough to be a typo
 * (at most 2 edits, or a third of the word's length for long words), or
 * when `word` is the start of exactly one known word.
 *
 * @param word What was typed.
 * @param known The words that would have been right.
 * @returns The suggestion, or `undefined`.
 */
export function closest(
  word: string,
  known: readonly string[],
): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const d = editDistance(lower, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(lower.length / 3));
  if (best !== undefined && bestDistance > 0 && bestDistance <= limit) {
    return best;
  }
  if (best !== undefined && bestDistance === 0) return best;
  const prefixed = known.filter((k) =>
    lower.length >= 2 && k.startsWith(lower)
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
