/**
 * The times of the last `size` occurrences (non-decreasing): "at least `size` within W" holds
 * exactly when the ring is full and its newest and oldest times are at most W apart.
 */
export class TimeRing {
  /** A plain array: a Float64Array of more than 64 bytes would get an off-heap buffer. */
  private readonly times: number[];
  private next = 0;
  private filled = 0;

  constructor(readonly size: number) {
    this.times = new Array<number>(size).fill(0);
  }

  /** Records `n` occurrences at time `t`. */
  push(t: number, n: number): void {
    const k = Math.min(n, this.size);
    for (let i = 0; i < k; i++) {
      this.times[this.next] = t;
      this.next = (this.next + 1) % this.size;
    }
    this.filled = Math.min(this.size, this.filled + k);
  }

  /** True when `size` occurrences are recorded. */
  get full(): boolean {
    return this.filled === this.size;
  }

  /** Time of the oldest occurrence kept (the `size`-th most recent when full). */
  get oldest(): number {
    return this.filled < this.size ? this.times[0]! : this.times[this.next]!;
  }
}
