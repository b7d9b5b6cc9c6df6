/**
 * Sorts a list in place, stably, and returns it. The lists sorted while composing incidents are
 * mostly short (a pool of ten evidence lines, a few ports): an insertion sort allocates nothing,
 * where Array.prototype.sort copies into a work array on every call. Both are stable, so the
 * order is the same; longer lists use sort.
 */
export function sortSmall<T>(list: T[], compare: (a: T, b: T) => number): T[] {
  if (list.length > 32) return list.sort(compare);
  for (let i = 1; i < list.length; i++) {
    const e = list[i]!;
    let j = i - 1;
    while (j >= 0 && compare(list[j]!, e) > 0) {
      list[j + 1] = list[j]!;
      j--;
    }
    list[j + 1] = e;
  }
  return list;
}

/** Numbers in ascending order (for sortSmall and sort). */
export function ascending(a: number, b: number): number {
  return a - b;
}
