/**
 * "Did you mean …?": the closest known word to a mistyped one.
 *
 * @module
 */

/** Edits from `a` to `b`: insertions, deletions, substitutions and swaps of two neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(
        d[i - 1][j] + 1,
        d[i][j - 1] + 1,
        d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]
          ? d[i - 2][j - 2] + 1
          : Infinity,
      );
    }
  }
  return d[a.length][b.length];
}

/**
 * The known word closest to `word`, when one is close enough to be a typo
 * (at most 2 edits, or a third of the word's length for long words), or
 * when `word` is the start of exactly one known word.
 */
export function closest(
  word: string,
  known: readonly string[],
): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  const [best, distance] = known
    .map((k) => [k, editDistance(lower, k)] as const)
    .reduce((x, y) => y[1] < x[1] ? y : x, ["", Infinity] as const);
  if (distance <= limit) return best;
  const prefixed = known.filter((k) =>
    lower.length >= 2 && k.startsWith(lower)
  );
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
