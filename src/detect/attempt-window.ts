/** Port keys from here on stand for a service or protocol id (logs that give no port). */
export const NAME_KEY_BASE = 65536;
/** Distinct (target, port) attempts one source's window keeps (the oldest go first). */
export const WINDOW_CAP = 1024;

/**
 * The distinct (target, port) attempts of one source within its longest window, in the order
 * of their last attempt (parallel arrays of target id, port key and time). Every shorter window
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
  private targets: number[] | null = null;
  private ports: number[] | null = null;
  private times: number[] | null = null;

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
    for (let i = 0; i < n; i++) {
      tc[i] = 1;
      pc[i] = 1;
    }
    if (this.times === null) {
      if (port === this.firstPort && target === this.firstTarget) {
        this.firstT = t;
        return;
      }
      this.targets = [this.firstTarget];
      this.ports = [this.firstPort];
      this.times = [this.firstT];
    }
    const targets = this.targets!;
    const ports = this.ports!;
    const times = this.times;
    // Walk from the newest attempt back: `m` is the first span containing the entry (entries
    // only get older, so it only grows); past the longest span, the rest is stale.
    let m = 0;
    let found = -1;
    let stale = 0;
    for (let j = times.length - 1; j >= 0; j--) {
      const tj = times[j]!;
      while (m < n && tj < t - spans[m]!) m++;
      if (m === n) {
        stale = j + 1;
        break;
      }
      const sameTarget = targets[j] === target;
      const samePort = ports[j] === port;
      if (sameTarget && samePort) {
        found = j;
        continue;
      }
      if (sameTarget) for (let i = m; i < n; i++) tc[i]!++;
      if (samePort) for (let i = m; i < n; i++) pc[i]!++;
    }
    if (found >= 0 && stale === 0) {
      // A repeated attempt (the common case) moves to the end in place: splice would allocate
      // an array of the removed entry for each of the three lists, per event.
      const last = times.length - 1;
      for (let j = found; j < last; j++) {
        targets[j] = targets[j + 1]!;
        ports[j] = ports[j + 1]!;
        times[j] = times[j + 1]!;
      }
      targets[last] = target;
      ports[last] = port;
      times[last] = t;
      return;
    }
    if (found >= 0) {
      targets.splice(found, 1);
      ports.splice(found, 1);
      times.splice(found, 1);
    }
    if (stale > 0) {
      targets.splice(0, stale);
      ports.splice(0, stale);
      times.splice(0, stale);
    }
    if (times.length >= WINDOW_CAP) {
      targets.shift();
      ports.shift();
      times.shift();
    }
    targets.push(target);
    ports.push(port);
    times.push(t);
  }

  /** Time of the earliest attempt on a target within a span ending at `t` (for reasons). */
  earliestOfTarget(target: number, span: number, t: number): number {
    if (this.times === null) return this.firstT;
    for (let j = 0; j < this.times.length; j++) {
      if (this.times[j]! >= t - span && this.targets![j] === target) return this.times[j]!;
    }
    return t;
  }

  /** Time of the earliest attempt on a port key within a span ending at `t` (for reasons). */
  earliestOfPort(port: number, span: number, t: number): number {
    if (this.times === null) return this.firstT;
    for (let j = 0; j < this.times.length; j++) {
      if (this.times[j]! >= t - span && this.ports![j] === port) return this.times[j]!;
    }
    return t;
  }

  /** Distinct attempts within a span ending at `t` (for views and tests). */
  attemptsWithin(span: number, t: number): number {
    if (this.times === null) return t - this.firstT <= span ? 1 : 0;
    let count = 0;
    for (let j = this.times.length - 1; j >= 0 && this.times[j]! >= t - span; j--) count++;
    return count;
  }
}
