/** Sub-buckets of a rate window: the window is measured to a tenth of its length. */
export const RATE_BUCKETS = 10;

/**
 * Counts events within a sliding window of event time, in RATE_BUCKETS buckets. The count
 * covers the current bucket and the nine before it: between 9/10 of the window and all of it,
 * never more, so "N within W" is always true when reported. The buckets are fields of the
 * object rather than an array: a window is then one object to reach per event, not three (the
 * object, an array and its elements), which matters when every event touches another
 * source's window.
 */
export class RateWindow {
  private readonly width: number;
  /** Index (time / width) of the newest bucket, -1 before the first event. */
  private bucket = -1;
  private sum = 0;
  private c0 = 0;
  private c1 = 0;
  private c2 = 0;
  private c3 = 0;
  private c4 = 0;
  private c5 = 0;
  private c6 = 0;
  private c7 = 0;
  private c8 = 0;
  private c9 = 0;

  constructor(span: number) {
    this.width = Math.max(1, span / RATE_BUCKETS);
  }

  /** Adds `n` events at time `t` (non-decreasing); returns the count within the window. */
  add(t: number, n: number): number {
    const idx = Math.floor(t / this.width);
    if (idx > this.bucket) this.advance(idx);
    this.put(idx % RATE_BUCKETS, this.get(idx % RATE_BUCKETS) + n);
    this.sum += n;
    return this.sum;
  }

  /** The count within the window ending at `t`. */
  countAt(t: number): number {
    const idx = Math.floor(t / this.width);
    if (idx > this.bucket) this.advance(idx);
    return this.sum;
  }

  private advance(idx: number): void {
    const prev = this.bucket;
    this.bucket = idx;
    if (prev < 0 || idx - prev >= RATE_BUCKETS) {
      this.sum = 0;
      this.c0 = this.c1 = this.c2 = this.c3 = this.c4 = 0;
      this.c5 = this.c6 = this.c7 = this.c8 = this.c9 = 0;
      return;
    }
    for (let i = prev + 1; i <= idx; i++) {
      const slot = i % RATE_BUCKETS;
      this.sum -= this.get(slot);
      this.put(slot, 0);
    }
  }

  private get(slot: number): number {
    switch (slot) {
      case 0:
        return this.c0;
      case 1:
        return this.c1;
      case 2:
        return this.c2;
      case 3:
        return this.c3;
      case 4:
        return this.c4;
      case 5:
        return this.c5;
      case 6:
        return this.c6;
      case 7:
        return this.c7;
      case 8:
        return this.c8;
      default:
        return this.c9;
    }
  }

  private put(slot: number, v: number): void {
    switch (slot) {
      case 0:
        this.c0 = v;
        break;
      case 1:
        this.c1 = v;
        break;
      case 2:
        this.c2 = v;
        break;
      case 3:
        this.c3 = v;
        break;
      case 4:
        this.c4 = v;
        break;
      case 5:
        this.c5 = v;
        break;
      case 6:
        this.c6 = v;
        break;
      case 7:
        this.c7 = v;
        break;
      case 8:
        this.c8 = v;
        break;
      default:
        this.c9 = v;
    }
  }
}
