import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScanWindows, WINDOW_CAP } from './attempt-window.js';

const MIN = 60_000;
const SPANS = [5 * MIN, 15 * MIN, 6 * 60 * MIN];

/** Feeds one attempt; returns [ports of its target per span, targets of its port per span]. */
function attempt(w: ScanWindows, target: number, port: number, t: number): [number[], number[]] {
  const tc = SPANS.map(() => 0);
  const pc = SPANS.map(() => 0);
  w.observe(target, port, t, tc, pc);
  return [tc, pc];
}

test('distinct ports per target and targets per port, for every span in one pass', () => {
  const w = new ScanWindows(SPANS, 0, 22, 0);
  assert.deepEqual(attempt(w, 0, 23, 1 * MIN), [
    [2, 2, 2],
    [1, 1, 1],
  ]);
  assert.deepEqual(attempt(w, 1, 23, 10 * MIN), [
    [1, 1, 1],
    [1, 2, 2],
  ]);
  // 22 on target 0 was 20 min ago: out of the 5 and 15 min spans, inside 6 h.
  assert.deepEqual(attempt(w, 0, 80, 20 * MIN), [
    [1, 1, 3],
    [1, 1, 1],
  ]);
  assert.equal(w.attemptsWithin(5 * MIN, 20 * MIN), 1);
  assert.equal(w.attemptsWithin(15 * MIN, 20 * MIN), 2);
});

test('a repeated attempt moves to the back and is not counted twice', () => {
  const w = new ScanWindows(SPANS, 0, 22, 0);
  attempt(w, 0, 23, 1000);
  attempt(w, 0, 22, 2000);
  assert.deepEqual(attempt(w, 0, 25, 3000)[0], [3, 3, 3]);
  assert.equal(w.earliestOfTarget(0, 5 * MIN, 3000), 1000, 'port 23 is now the oldest');
});

test('attempts older than the longest span are forgotten', () => {
  const w = new ScanWindows(SPANS, 0, 22, 0);
  attempt(w, 0, 23, 1000);
  assert.deepEqual(attempt(w, 0, 25, 7 * 60 * MIN)[0], [1, 1, 1]);
  assert.equal(w.attemptsWithin(SPANS[2]!, 7 * 60 * MIN), 1);
});

test('at most WINDOW_CAP attempts are kept: the oldest go first', () => {
  const w = new ScanWindows(SPANS, 0, 0, 0);
  for (let p = 1; p < WINDOW_CAP + 100; p++) attempt(w, 0, p, p);
  assert.equal(w.attemptsWithin(SPANS[2]!, WINDOW_CAP + 100), WINDOW_CAP);
  // the new attempt is counted with the kept ones before the oldest is dropped
  assert.equal(attempt(w, 0, 34_463, WINDOW_CAP + 200)[0][0], WINDOW_CAP + 1);
  assert.equal(w.attemptsWithin(SPANS[2]!, WINDOW_CAP + 200), WINDOW_CAP);
});
