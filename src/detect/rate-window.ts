/** Sub-buckets of a rate window: the window is measured to a tenth of its length. */
export const RATE_BUCKETS = 10;

/**
 * Counts events within a sliding window of event time, in RATE_BUCKETS buckets. The count
 * covers the current bucket and the nine before it: between 9/10 of the window and all of it,
 * never more, so "N within W" is always true when reported. One bucket is kept as two numbers;
 * the bucket array is only allocated when a second bucket is needed.
 */
export class RateWindow {
  private readonly width: number;
  private counts: Float64Array | null = null;
  /** Index (time / width) of the newest bucket, -1 before the first event. */
  private bucket = -1;
  private sum = 0;

  constructor(span: number) {
    this.width = Math.max(1, span / RATE_BUCKETS);
  }

  /** Adds `n` events at time `t` (non-decreasing); returns the count within the window. */
  add(t: number, n: number): number {
    const idx = Math.floor(t / this.width);
    if (idx > this.bucket) this.advance(idx);
    if (this.counts !== null) this.counts[idx % RATE_BUCKETS]! += n;
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
      this.counts?.fill(0);
      return;
    }
    if (this.counts === null) {
      // The single bucket so far becomes the array's first entry.
      this.counts = new Float64Array(RATE_BUCKETS);
      this.counts[prev % RATE_BUCKETS] = this.sum;
    }
    for (let i = prev + 1; i <= idx; i++) {
      const slot = i % RATE_BUCKETS;
      this.sum -= this.counts[slot]!;
      this.counts[slot] = 0;
    }
  }
}
