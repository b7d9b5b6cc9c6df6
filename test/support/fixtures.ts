import type { Event } from '../../src/core/event.js';

/**
 * A seeded integer generator for tests that try many random inputs: `next(n)` gives 0..n-1.
 * The same seed gives the same sequence on every run, so a failure names a reproducible input.
 */
export function seededInts(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
}

/** mulberry32: a seeded float generator in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole Event for tests: every field null or neutral unless given. */
export function makeEvent(fields: Partial<Event> & Pick<Event, 'kind' | 'at'>): Event {
  return {
    src: null,
    srcHost: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    proto: null,
    service: null,
    user: null,
    program: null,
    host: null,
    signature: null,
    count: 1,
    detail: null,
    family: 'test',
    ref: { source: 'test.log', line: 1, text: '' },
    ...fields,
  };
}
