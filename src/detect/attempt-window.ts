/** Port keys from here on stand for a service or protocol id (logs that give no port). */
export const NAME_KEY_BASE = 65536;
/** Distinct (target, port) attempts one source's window keeps (the oldest go first). */
export const WINDOW_CAP = 1024;

/**
 * The distinct (target, port) attempts of one source within its longest window, in the order
 * of their last attempt (target id, port key and time). Every shorter window
 * is a suffix of it, so one backward pass per attempt counts, for each span, the distinct
 * ports the attempt's target saw and the distinct targets its port saw. Sources show a handful
 * of attempts; a scanner at most WINDOW_CAP (dropping the oldest, which can only undercount).
 * Until a source makes a second distinct attempt it is three numbers: most sources of a
 * spoofed flood never do.
 */
export class ScanWindows {
  private readonly firstTarget: number;
  private readonly firstPort: number;
  private firstT: number;
  /**
   * From the second distinct attempt on: (target id, port key, time) triples in one array, so
   * that an event touches one array rather than three.
   */
  private entries: number[] | null = null;

  constructor(
    private readonly spans: readonly number[],
    target: number,
    port: number,
    t: number,
  ) {
    this.firstTarget = target;
    this.firstPort = port;
    this.firstT = t;
  }

  /**
   * Records an attempt at time `t` (non-decreasing; the constructor records the first) and
   * writes, per span, the distinct ports of its target into `tc` and the distinct targets of
   * its port into `pc` (arrays the engine reuses for every event).
   */
  observe(target: number, port: number, t: number, tc: number[], pc: number[]): void {
    const spans = this.spans;
    const n = spans.length;
    let e = this.entries;
    if (e === null) {
      if (port === this.firstPort && target === this.firstTarget) {
        for (let i = 0; i < n; i++) tc[i] = pc[i] = 1;
        this.firstT = t;
        return;
      }
      e = this.entries = [this.firstTarget, this.firstPort, this.firstT];
    }
    tc[0] = pc[0] = 1;
    for (let i = 1; i < n; i++) tc[i] = pc[i] = 0;
    // Walk from the newest attempt back: `m` is the first span containing the entry (entries
    // only get older, so it only grows); past the longest span, the rest is stale. A match is
    // counted once, under `m`, in tc/pc (used as tallies per first span here), and the tallies
    // are summed into per-span counts after the walk.
    let m = 0;
    let limit = t - spans[0]!;
    let found = -1;
    let stale = 0;
    for (let j = e.length - 3; j >= 0; j -= 3) {
      const tj = e[j + 2]!;
      if (tj < limit) {
        do m++;
        while (m < n && tj < t - spans[m]!);
        if (m === n) {
          stale = j + 3;
          break;
        }
        limit = t - spans[m]!;
      }
      const sameTarget = e[j] === target;
      const samePort = e[j + 1] === port;
      if (sameTarget && samePort) {
        found = j;
        continue;
      }
      if (sameTarget) tc[m]!++;
      if (samePort) pc[m]!++;
    }
    // tc[i] and pc[i] hold 1 (for i = 0) or 0, plus the matches first inside span i: prefix sums.
    for (let i = 1; i < n; i++) {
      tc[i]! += tc[i - 1]!;
      pc[i]! += pc[i - 1]!;
    }
    // Entries move in place (splice and shift would allocate or shuffle three times).
    let end = e.length;
    if (found >= 0) {
      // A repeated attempt (the common case) moves to the end.
      end = moveDown(e, found, found + 3, end);
    }
    if (stale > 0) end = moveDown(e, 0, stale, end);
    if (found < 0 && end >= WINDOW_CAP * 3) end = moveDown(e, 0, 3, end);
    if (end === e.length) {
      e.push(target, port, t);
      return;
    }
    // Shrinking keeps the array packed (growing by `length` would leave holes).
    e.length = end + 3;
    e[end] = target;
    e[end + 1] = port;
    e[end + 2] = t;
  }

  /** Time of the earliest attempt on a target within a span ending at `t` (for reasons). */
  earliestOfTarget(target: number, span: number, t: number): number {
    const e = this.entries;
    if (e === null) return this.firstT;
    for (let j = 0; j < e.length; j += 3) {
      if (e[j + 2]! >= t - span && e[j] === target) return e[j + 2]!;
    }
    return t;
  }

  /** Time of the earliest attempt on a port key within a span ending at `t` (for reasons). */
  earliestOfPort(port: number, span: number, t: number): number {
    const e = this.entries;
    if (e === null) return this.firstT;
    for (let j = 0; j < e.length; j += 3) {
      if (e[j + 2]! >= t - span && e[j + 1] === port) return e[j + 2]!;
    }
    return t;
  }

  /** Distinct attempts within a span ending at `t` (for views and tests). */
  attemptsWithin(span: number, t: number): number {
    const e = this.entries;
    if (e === null) return t - this.firstT <= span ? 1 : 0;
    let count = 0;
    for (let j = e.length - 3; j >= 0 && e[j + 2]! >= t - span; j -= 3) count++;
    return count;
  }
}

/**
 * Moves `e[from..end)` down to `to` and returns the new end. A plain loop: V8's
 * `Array.prototype.copyWithin` reads and writes each element through the generic path, which
 * made it the costliest line of the window.
 */
function moveDown(e: number[], to: number, from: number, end: number): number {
  let i = to;
  for (let j = from; j < end; j++) e[i++] = e[j]!;
  return i;
}
