import type { CachedNetwork } from '../core/network.js';
import { addressValue } from '../core/ip-range.js';

export type { CachedNetwork };

/** The cache investigation reads and writes (the store implements it; so does MemoryCache). */
export interface NetworkCache {
  findNetwork(address: string, now: number): Promise<CachedNetwork | null>;
  saveNetwork(record: CachedNetwork): Promise<void>;
  findLookupFailure(address: string, now: number): Promise<string | null>;
  saveLookupFailure(address: string, error: string, expiresAt: number): Promise<void>;
}

interface Held {
  readonly v6: boolean;
  readonly start: bigint;
  readonly end: bigint;
  readonly record: CachedNetwork;
}

/**
 * The run's own cache, in front of the store (and alone with `--no-db`): what was learnt a
 * moment ago answers the next address of the same block without a database round trip.
 */
export class MemoryCache implements NetworkCache {
  private readonly blocks: Held[] = [];
  private readonly failures = new Map<string, { error: string; expiresAt: number }>();

  /** The most specific unexpired block holding the address. */
  findNetwork(address: string, now: number): Promise<CachedNetwork | null> {
    const v6 = address.includes(':');
    const v = addressValue(address);
    let best: Held | null = null;
    for (const b of this.blocks) {
      if (b.v6 !== v6 || v < b.start || v > b.end || b.record.expiresAt <= now) continue;
      if (best === null || b.end - b.start < best.end - best.start) best = b;
    }
    return Promise.resolve(best?.record ?? null);
  }

  /** Keeps a block, replacing one with the same bounds. */
  saveNetwork(record: CachedNetwork): Promise<void> {
    const { start, end } = record.netblock;
    const i = this.blocks.findIndex(
      (b) => b.record.netblock.start === start && b.record.netblock.end === end,
    );
    const held = {
      v6: start.includes(':'),
      start: addressValue(start),
      end: addressValue(end),
      record,
    };
    if (i >= 0) this.blocks[i] = held;
    else this.blocks.push(held);
    return Promise.resolve();
  }

  /** The failure remembered for the address, while it lasts. */
  findLookupFailure(address: string, now: number): Promise<string | null> {
    const f = this.failures.get(address);
    return Promise.resolve(f !== undefined && f.expiresAt > now ? f.error : null);
  }

  /** Remembers that looking the address up failed, until `expiresAt`. */
  saveLookupFailure(address: string, error: string, expiresAt: number): Promise<void> {
    this.failures.set(address, { error, expiresAt });
    return Promise.resolve();
  }
}

/** Reads through the run's memory to a slower cache (the store), writing to both. */
export function layeredCache(memory: MemoryCache, slow: NetworkCache | null): NetworkCache {
  if (slow === null) return memory;
  return {
    async findNetwork(address, now) {
      const hit = await memory.findNetwork(address, now);
      if (hit !== null) return hit;
      const stored = await slow.findNetwork(address, now);
      if (stored !== null) await memory.saveNetwork(stored);
      return stored;
    },
    async saveNetwork(record) {
      await memory.saveNetwork(record);
      await slow.saveNetwork(record);
    },
    async findLookupFailure(address, now) {
      return (
        (await memory.findLookupFailure(address, now)) ??
        (await slow.findLookupFailure(address, now))
      );
    },
    async saveLookupFailure(address, error, expiresAt) {
      await memory.saveLookupFailure(address, error, expiresAt);
      await slow.saveLookupFailure(address, error, expiresAt);
    },
  };
}
