import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from '../core/event.js';
import { makeEvent } from '../../test/support/fixtures.js';
import { concatStreams, mergeByTime } from './merge-by-time.js';

const ev = (at: number | null, source: string): Event =>
  makeEvent({
    at,
    kind: 'connection',
    src: '192.0.2.1',
    family: 't',
    ref: { source, line: 1, text: '' },
  });

async function* batches(...bs: Event[][]): AsyncGenerator<Event[]> {
  for (const b of bs) yield b;
}

async function all(it: AsyncIterable<Event[]>): Promise<string[]> {
  const out: string[] = [];
  for await (const b of it) for (const e of b) out.push(`${e.ref.source}@${e.at}`);
  return out;
}

test('auth.log, kern.log and access.log are interleaved by event time', async () => {
  const merged = mergeByTime([
    batches([ev(1, 'auth'), ev(5, 'auth')], [ev(9, 'auth')]),
    batches([ev(2, 'kern')], [ev(6, 'kern'), ev(10, 'kern')]),
    batches([ev(3, 'web'), ev(4, 'web')]),
  ]);
  assert.deepEqual(await all(merged), [
    'auth@1', 'kern@2', 'web@3', 'web@4', 'auth@5', 'kern@6', 'auth@9', 'kern@10',
  ]); // prettier-ignore
});

test('events without a time go out when they reach the head of their stream', async () => {
  const merged = mergeByTime([batches([ev(5, 'a')]), batches([ev(null, 'b'), ev(7, 'b')])]);
  assert.deepEqual(await all(merged), ['b@null', 'a@5', 'b@7']);
});

test('a rotated set is read as one stream, oldest file first', async () => {
  const joined = concatStreams([
    () => batches([ev(1, 'secure.1')]),
    () => batches([ev(2, 'secure')]),
  ]);
  assert.deepEqual(await all(joined), ['secure.1@1', 'secure@2']);
});
