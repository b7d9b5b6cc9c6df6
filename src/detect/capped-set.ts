/**
 * Values kept in a plain array (linear search) before a Set is worth its memory. Scanning 32
 * small integers is cheaper than hashing one, and an array of 32 is still smaller than a Set
 * (a service list, capped at 32, never needs one).
 */
const SMALL = 32;

/**
 * Distinct numbers in first-seen order that stop growing at a cap and remember that they did.
 * A plain array until it holds a few values (most sources show one to three ports), then a Set.
 * (Names are numbered by the engine's name tables, so every list is a list of numbers.)
 */
export class CappedNumbers {
  private small: number[];
  private big: Set<number> | null = null;
  /** True when a value was refused because the set was full. */
  truncated = false;

  constructor(
    first: number,
    private readonly cap: number,
  ) {
    this.small = [first];
  }

  /** Adds a value unless present. */
  add(value: number): void {
    const big = this.big;
    if (big !== null) {
      // Below the cap one add does (adding a value present is a no-op): one hash lookup, not two.
      if (big.size < this.cap) big.add(value);
      else if (!big.has(value)) this.truncated = true;
      return;
    }
    const small = this.small;
    for (let i = 0; i < small.length; i++) if (small[i] === value) return;
    if (small.length >= this.cap) this.truncated = true;
    else if (small.length < SMALL) small.push(value);
    else {
      this.big = new Set(small);
      this.big.add(value);
      this.small = [];
    }
  }

  /** Number of values kept. */
  get size(): number {
    return this.big !== null ? this.big.size : this.small.length;
  }

  /** The values in first-seen order. */
  values(): number[] {
    return this.big !== null ? [...this.big] : this.small.slice();
  }
}
