/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
 * neighbouring characters each cost 1 (so `widnow` is 1 away from `window`).
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1]!;
}

/** Longest key worth comparing; anything longer is not a typo of a configuration key. */
const MAX_KEY = 64;

/**
 * The known key an unknown one most likely meant: within edit distance 2 (ignoring case), or
 * the same apart from case, `_` and `-` (`port_scan` → `portScan`). Undefined when none is close;
 * a key is never suggested for one that shares no character position with it (`db` for `x`).
 */
export function suggestKey(unknown: string, known: readonly string[]): string | undefined {
  if (unknown.length > MAX_KEY) return undefined;
  const flat = (s: string): string => s.toLowerCase().replace(/[-_]/g, '');
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const d =
      flat(unknown) === flat(key) ? 0 : editDistance(unknown.toLowerCase(), key.toLowerCase());
    if (d <= 2 && d < key.length && d < bestDistance) {
      best = key;
      bestDistance = d;
    }
  }
  return best;
}
