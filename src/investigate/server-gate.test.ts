import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer, ServerGate } from './server-gate.js';

/** A clock frozen at 0 that records how long each start was held back. */
function fakeClock() {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => 0,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      await Promise.resolve();
    },
  };
}

describe('ServerGate', () => {
  it('never runs more than the concurrency of one server at once', async () => {
    const gate = new ServerGate(() => ({ concurrency: 2, perMinute: 0 }));
    let active = 0;
    let peak = 0;
    const task = async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    };
    await Promise.all(Array.from({ length: 10 }, () => gate.run('whois.example.net', task)));
    assert.equal(peak, 2);
    assert.equal(gate.counts.get('whois.example.net'), 10);
  });
  it('keeps servers independent', async () => {
    const gate = new ServerGate(() => ({ concurrency: 1, perMinute: 0 }));
    let active = 0;
    let peak = 0;
    const task = async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
    };
    await Promise.all([gate.run('a', task), gate.run('b', task), gate.run('c', task)]);
    assert.equal(peak, 3);
    assert.equal(gate.total(), 3);
  });
  it('spaces starts by the per-minute rate (LACNIC: 10 a minute)', async () => {
    const clock = fakeClock();
    const gate = new ServerGate(() => ({ concurrency: 5, perMinute: 10 }), clock);
    await Promise.all(
      Array.from({ length: 4 }, () => gate.run('whois.lacnic.net', async () => {})),
    );
    assert.deepEqual(clock.sleeps, [6000, 12000, 18000]);
  });
  it('frees the slot when a task fails', async () => {
    const gate = new ServerGate(() => ({ concurrency: 1, perMinute: 0 }));
    await assert.rejects(
      gate.run('s', () => Promise.reject(new Error('refused'))),
      /refused/,
    );
    assert.equal(await gate.run('s', () => Promise.resolve(7)), 7);
  });
});

describe('Coalescer', () => {
  it('asks once for identical questions in flight, again after it settled', async () => {
    const co = new Coalescer<number>();
    let calls = 0;
    const task = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return calls;
    };
    const [a, b] = await Promise.all([co.run('k', task), co.run('k', task)]);
    assert.equal(a, 1);
    assert.equal(b, 1);
    assert.equal(await co.run('k', task), 2);
  });
});
