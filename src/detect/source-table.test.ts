import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NO_SLOT, SCRATCH_SLOT, SourceTable } from './source-table.js';

/** The slots of the recency list from the front, checked against the walk from the back. */
function recency(t: SourceTable<string>): number[] {
  const forward: number[] = [];
  for (let s = t.oldest; s !== NO_SLOT; s = t.newer[s]!) forward.push(s);
  const backward: number[] = [];
  for (let s = t.newest; s !== NO_SLOT; s = t.older[s]!) backward.push(s);
  assert.deepEqual(backward.reverse(), forward, 'the list reads the same both ways');
  return forward;
}

test('finds IPv4 and text keys, never hands out the scratch slot, and reuses freed slots', () => {
  const t = new SourceTable<string>();
  const a = t.add(0x0a000001, '10.0.0.1', 'a', 5);
  const b = t.add(null, 'host:example.net', 'b', 6);
  assert.notEqual(a, SCRATCH_SLOT);
  assert.notEqual(b, SCRATCH_SLOT);
  assert.equal(t.slotOfV4(0x0a000001), a);
  assert.equal(t.slotOfV4(0x0a000002), NO_SLOT);
  assert.equal(t.slotOfKey('host:example.net'), b);
  assert.equal(t.slotOfKey('10.0.0.1'), NO_SLOT, 'an IPv4 source is found by its integer only');
  assert.equal(t.tracks[a], 'a');
  assert.equal(t.touched[b], 6);
  assert.equal(t.placed[b], 6);
  assert.equal(t.window[a], Number.NEGATIVE_INFINITY);
  assert.equal(t.size, 2);
  t.remove(a, 0x0a000001, '10.0.0.1');
  assert.equal(t.slotOfV4(0x0a000001), NO_SLOT);
  assert.equal(t.tracks[a], undefined);
  assert.equal(t.size, 1);
  assert.equal(t.add(-1, '255.255.255.255', 'c', 7), a, 'the freed slot is taken first');
  assert.equal(t.slotOfV4(-1), a);
});

test('keeps every key findable through collisions, removals and growth', () => {
  const t = new SourceTable<string>();
  const live = new Map<number, number>();
  // A deterministic mix of addresses (as ipv4Key gives them, int32): a whole /24, which the
  // hash must spread, and scattered ones.
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) | 0);
  for (let round = 0; round < 20_000; round++) {
    const v4 = round % 3 === 0 ? (0xc6336400 + (round % 256)) | 0 : next();
    const slot = live.get(v4);
    if (slot !== undefined && round % 2 === 0) {
      t.remove(slot, v4, '');
      live.delete(v4);
    } else if (slot === undefined) {
      live.set(v4, t.add(v4, '', String(v4), round));
    }
    if (round % 997 === 0) {
      for (const [k, s] of live) assert.equal(t.slotOfV4(k), s, `key ${k} at round ${round}`);
    }
  }
  assert.ok(live.size > 5000, 'the table grew past its first size');
  assert.equal(t.size, live.size);
  for (const [k, s] of live) {
    assert.equal(t.slotOfV4(k), s);
    assert.equal(t.tracks[s], String(k));
  }
  assert.equal(new Set(live.values()).size, live.size, 'no slot held twice');
});

test('the recency list: new slots at the back, moved ones too, removed ones unlinked', () => {
  const t = new SourceTable<string>();
  const a = t.add(1, '', 's1', 1);
  const b = t.add(2, '', 's2', 2);
  const c = t.add(3, '', 's3', 3);
  assert.deepEqual(recency(t), [a, b, c]);
  t.moveToBack(a);
  assert.deepEqual(recency(t), [b, c, a]);
  t.moveToBack(a);
  assert.deepEqual(recency(t), [b, c, a], 'the newest stays where it is');
  t.remove(c, 3, '');
  assert.deepEqual(recency(t), [b, a]);
  t.remove(b, 1, '');
  t.remove(a, 2, '');
  assert.deepEqual(recency(t), []);
  assert.equal(t.oldest, NO_SLOT);
  const d = t.add(4, '', 's4', 4);
  assert.deepEqual(recency(t), [d]);
});

test('the scratch slot holds a track outside the table', () => {
  const t = new SourceTable<string>();
  const a = t.add(1, '', 'a', 1);
  const s = t.scratch(9, 'outside');
  assert.equal(s, SCRATCH_SLOT);
  assert.equal(t.tracks[s], 'outside');
  assert.equal(t.touched[s], 9);
  assert.deepEqual(recency(t), [a], 'not in the recency list');
  assert.equal(t.size, 1);
});
