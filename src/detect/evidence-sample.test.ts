import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Event } from '../core/event.js';
import { makeEvent } from '../../test/support/fixtures.js';
import {
  EVIDENCE_TEXT_BYTES,
  EvidenceSample,
  keepText,
  sampleEvidence,
} from './evidence-sample.js';

const LINE =
  'Nov 26 10:00:00 gw kernel: [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.7 DST=192.0.2.10 LEN=44 PROTO=TCP SPT=53421 DPT=22 SYN URGP=0\n';

function ev(line: number, at: number, text = `line ${line}`): Event {
  return makeEvent({
    at,
    kind: 'packet-blocked',
    src: '198.51.100.7',
    ref: { source: 'kern.log', line, text },
  });
}

describe('keepText', () => {
  test('a kept line does not pin the 256 KiB buffer it was sliced from', () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept: string[] = [];
    for (let i = 0; i < 200; i++) {
      const chunk = `${i}`.concat(LINE.repeat(1400)); // a fresh ~256 KiB buffer each time
      kept.push(keepText(chunk.slice(500, 660)));
    }
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    assert.ok(grown < 4 * 2 ** 20, `200 kept lines cost ${grown} bytes`);
    assert.equal(kept[199], `199`.concat(LINE.repeat(1400)).slice(500, 660));
  });

  test('is cut to 1 KiB of UTF-8, never in the middle of a character', () => {
    assert.equal(keepText('a'.repeat(5000)).length, EVIDENCE_TEXT_BYTES);
    const wide = keepText('é'.repeat(2000)); // 2 bytes each
    assert.ok(Buffer.byteLength(wide) <= EVIDENCE_TEXT_BYTES);
    const emoji = keepText('😀'.repeat(600)); // surrogate pairs, 4 bytes each
    assert.ok(Buffer.byteLength(emoji) <= EVIDENCE_TEXT_BYTES);
    assert.ok(!emoji.includes('\uFFFD'));
    assert.equal(emoji.length % 2, 0, 'no lone surrogate at the cut');
    assert.equal(keepText('short'), 'short');
  });
});

describe('EvidenceSample', () => {
  test('before a threshold only the first line of each group is kept', () => {
    const s = new EvidenceSample(10);
    for (let i = 1; i <= 50; i++) s.offer(ev(i, i * 1000), 1, false);
    s.offer(ev(51, 51_000), 2, false);
    assert.deepEqual(
      s.sample(1 | 2, 100).map((e) => e.line),
      [1, 51],
    );
  });

  test('after it: the first lines, the latest at a doubling stride, and the marks', () => {
    const s = new EvidenceSample(10);
    s.offer(ev(1, 1000), 1, false);
    for (let i = 2; i <= 1000; i++) s.offer(ev(i, i * 1000), 1, true);
    s.mark(ev(300, 300_000), 1);
    // Every line kept, in time order:
    const lines = s.sample(1, 100).map((e) => e.line);
    assert.deepEqual(lines, [1, 2, 3, 4, 5, 6, 300, 705, 769, 833, 897, 961]);
    // Ten of them, and the marked one:
    const picked = s.sample(1, 10).map((e) => e.line);
    assert.deepEqual(picked, [1, 2, 3, 4, 5, 300, 705, 769, 833, 897, 961]);
  });

  test('lines are filtered by group', () => {
    const s = new EvidenceSample(4);
    s.offer(ev(1, 1000), 1, true);
    s.offer(ev(2, 2000), 2, true);
    assert.deepEqual(
      s.sample(2, 4).map((e) => e.line),
      [2],
    );
  });
});

test('sampleEvidence drops duplicates and keeps the first and last half', () => {
  const pool = [3, 1, 2, 2, 5, 4, 6].map((n) => ({
    at: n * 1000,
    kind: 'packet-blocked' as const,
    source: 'kern.log',
    line: n,
    text: `line ${n}`,
  }));
  const lines = (es: { line: number }[]): number[] => es.map((e) => e.line);
  assert.deepEqual(lines(sampleEvidence(pool, 10)), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(lines(sampleEvidence(pool, 4)), [1, 2, 5, 6]);
  assert.deepEqual(lines(sampleEvidence(pool, 4, [pool[0]!])), [1, 2, 3, 5, 6]);
});
