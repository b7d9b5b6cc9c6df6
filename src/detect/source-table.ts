/** Slot number of no slot (an empty list end, a source not in the table). */
export const NO_SLOT = -1;

/** Slot the engine uses for a track that is not in the table (a source seen once, viewed or closed). */
export const SCRATCH_SLOT = 0;

const INITIAL_SLOTS = 1024;

/**
 * The engine's sources by slot number: which slot holds a source, its track, its clocks and its
 * place in the recency list, all in arrays indexed by slot. An event's first look at its source
 * (is it known, has it been quiet for the incident gap, must it move in the recency list) then
 * reads two small typed arrays instead of a Map's entry, the track object and the track's
 * array of times: with thousands of sources each of those is a cache miss.
 *
 * IPv4 sources (as ipv4Key's integer) are found through an open-addressing table of int32
 * keys with linear probing; other keys (IPv6 addresses, `host:NAME`) through a Map. Slot 0 is
 * SCRATCH_SLOT, never in the table: the engine feeds tracks that are not held there through
 * it. Slots freed by `remove` are reused; the arrays double when full.
 */
export class SourceTable<T> {
  /** Tracks by slot (undefined for a free slot). */
  tracks: (T | undefined)[] = [];
  /** Engine clock at the source's last event (its story ends after `incidentGap`). */
  touched = new Float64Array(INITIAL_SLOTS);
  /** `touched` when the source took its place in the recency list. */
  placed = new Float64Array(INITIAL_SLOTS);
  /** Latest event time used in windows (non-decreasing even when lines are out of order). */
  window = new Float64Array(INITIAL_SLOTS);
  /** Neighbours in the recency list, least recently seen first (NO_SLOT at the ends). */
  older = new Int32Array(INITIAL_SLOTS);
  newer = new Int32Array(INITIAL_SLOTS);
  oldest = NO_SLOT;
  newest = NO_SLOT;
  /** Sources held (the scratch slot aside). */
  size = 0;

  /** Open-addressing table: IPv4 keys, and their slot + 1 (0: an empty bucket). */
  private v4Keys = new Int32Array(INITIAL_SLOTS * 2);
  private v4Slots = new Int32Array(INITIAL_SLOTS * 2);
  private v4Mask = INITIAL_SLOTS * 2 - 1;
  /** 32 minus log2 of the IPv4 table's size: the hash's top bits pick the bucket. */
  private v4Shift = 32 - Math.log2(INITIAL_SLOTS * 2);
  private readonly byKey = new Map<string, number>();
  /** Free slots (a stack), and the first slot never used. */
  private free: number[] = [];
  private unused = SCRATCH_SLOT + 1;

  /** The slot of an IPv4 source (ipv4Key's integer), or NO_SLOT. */
  slotOfV4(v4: number): number {
    const keys = this.v4Keys;
    const slots = this.v4Slots;
    const mask = this.v4Mask;
    for (let i = bucket(v4, this.v4Shift); ; i = (i + 1) & mask) {
      const s = slots[i]!;
      if (s === 0) return NO_SLOT;
      if (keys[i] === v4) return s - 1;
    }
  }

  /** The slot of a source keyed by text (IPv6, `host:NAME`), or NO_SLOT. */
  slotOfKey(key: string): number {
    return this.byKey.get(key) ?? NO_SLOT;
  }

  /** Takes a slot for a new source (not in the table yet), with its track, at the back of the recency list. */
  add(v4: number | null, key: string, track: T, touched: number): number {
    const slot = this.take();
    if (v4 !== null) this.putV4(v4, slot);
    else this.byKey.set(key, slot);
    this.tracks[slot] = track;
    this.touched[slot] = touched;
    this.placed[slot] = touched;
    this.window[slot] = Number.NEGATIVE_INFINITY;
    this.size++;
    this.append(slot);
    return slot;
  }

  /** Frees the slot of a source (out of the table and the recency list). */
  remove(slot: number, v4: number | null, key: string): void {
    if (v4 !== null) this.deleteV4(v4);
    else this.byKey.delete(key);
    this.unlink(slot);
    this.tracks[slot] = undefined;
    this.free.push(slot);
    this.size--;
  }

  /** Readies the scratch slot for a track that is not in the table (clear it after use). */
  scratch(touched: number, track: T): number {
    this.tracks[SCRATCH_SLOT] = track;
    this.touched[SCRATCH_SLOT] = touched;
    this.placed[SCRATCH_SLOT] = touched;
    this.window[SCRATCH_SLOT] = Number.NEGATIVE_INFINITY;
    return SCRATCH_SLOT;
  }

  /** Moves a slot to the back of the recency list. */
  moveToBack(slot: number): void {
    if (this.newest === slot) return;
    this.unlink(slot);
    this.append(slot);
  }

  private append(slot: number): void {
    const last = this.newest;
    this.older[slot] = last;
    this.newer[slot] = NO_SLOT;
    if (last !== NO_SLOT) this.newer[last] = slot;
    else this.oldest = slot;
    this.newest = slot;
  }

  private unlink(slot: number): void {
    const older = this.older[slot]!;
    const newer = this.newer[slot]!;
    if (older !== NO_SLOT) this.newer[older] = newer;
    else this.oldest = newer;
    if (newer !== NO_SLOT) this.older[newer] = older;
    else this.newest = older;
    this.older[slot] = this.newer[slot] = NO_SLOT;
  }

  private take(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.unused === this.touched.length) this.grow();
    return this.unused++;
  }

  /** Doubles the per-slot arrays and the IPv4 table (kept at most half full). */
  private grow(): void {
    const n = this.touched.length * 2;
    this.touched = doubled(this.touched, n);
    this.placed = doubled(this.placed, n);
    this.window = doubled(this.window, n);
    this.older = doubled(this.older, n);
    this.newer = doubled(this.newer, n);
    const keys = this.v4Keys;
    const slots = this.v4Slots;
    this.v4Keys = new Int32Array(n * 2);
    this.v4Slots = new Int32Array(n * 2);
    this.v4Mask = n * 2 - 1;
    this.v4Shift = 32 - Math.log2(n * 2);
    for (let i = 0; i < slots.length; i++) {
      if (slots[i] !== 0) this.putV4(keys[i]!, slots[i]! - 1);
    }
  }

  private putV4(v4: number, slot: number): void {
    const mask = this.v4Mask;
    let i = bucket(v4, this.v4Shift);
    while (this.v4Slots[i] !== 0) i = (i + 1) & mask;
    this.v4Keys[i] = v4;
    this.v4Slots[i] = slot + 1;
  }

  /**
   * Removes an IPv4 key by shifting back the entries after it that would no longer be found
   * (linear probing without tombstones: lookups never walk over deleted buckets).
   */
  private deleteV4(v4: number): void {
    const keys = this.v4Keys;
    const slots = this.v4Slots;
    const mask = this.v4Mask;
    const shift = this.v4Shift;
    let i = bucket(v4, shift);
    while (keys[i] !== v4 || slots[i] === 0) {
      if (slots[i] === 0) return;
      i = (i + 1) & mask;
    }
    let hole = i;
    for (let j = (hole + 1) & mask; slots[j] !== 0; j = (j + 1) & mask) {
      const home = bucket(keys[j]!, shift);
      // The entry at j may fill the hole if its home is not in (hole, j] (cyclically).
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!between) {
        keys[hole] = keys[j]!;
        slots[hole] = slots[j]!;
        hole = j;
      }
    }
    slots[hole] = 0;
  }
}

/**
 * The home bucket of an IPv4 key in a table of 2^(32 - shift) buckets (Fibonacci hashing: the
 * product's top bits, so that the addresses of one network spread out).
 */
function bucket(v4: number, shift: number): number {
  return Math.imul(v4, 0x9e3779b1) >>> shift;
}

function doubled<A extends Float64Array | Int32Array>(a: A, n: number): A {
  const b = new (a.constructor as new (n: number) => A)(n);
  b.set(a);
  return b;
}
