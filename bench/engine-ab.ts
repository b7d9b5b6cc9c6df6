/**
 * In-process A/B of the detection engine: this tree's src/detect against another tree's (a git
 * worktree of an earlier commit), on the same events, in the same process, alternating. The
 * shared machine's load swings by half within minutes, so only rounds taken side by side say
 * whether a change to the engine helps; and the drafts must stay identical, which this checks.
 *
 *   git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   node --import tsx bench/engine-ab.ts --base /tmp/base [--rounds 7] [--by-source] [FILE]
 *
 * FILE defaults to bench/out/secure-1m.log (`npm run bench` writes it). The events are read
 * once, by this tree's reader; each round feeds a fresh engine of each version, times
 * `observe` over all events and `end` plus draining, and the first round hashes every draft
 * in order. `--by-source` feeds the events grouped by source (each source's events in their
 * order, copied so they lie in memory in the order fed): what the engine costs when a
 * source's state is still in the cache from its previous event, an upper bound of what a
 * more compact per-source layout can win (docs/flat-engine.md). Exits 1 when the drafts differ.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { readEvents } from '../src/app/read-events.js';
import type { Event } from '../src/core/event.js';
import { zone } from '../src/core/time.js';
import { median } from './measure-command.js';

interface Version {
  readonly dir: string;
  readonly Engine: new (config: unknown) => {
    observe(ev: Event): void;
    end(): void;
    drain(max?: number): unknown[];
  };
  readonly config: unknown;
  readonly observe: number[];
  readonly end: number[];
  digest: string;
}

async function load(dir: string): Promise<Version> {
  const engine = (await import(resolve(dir, 'src/detect/detection-engine.ts'))) as {
    DetectionEngine: Version['Engine'];
  };
  const config = (await import(resolve(dir, 'src/detect/detect-config.ts'))) as {
    defaultDetectConfig: () => unknown;
  };
  return {
    dir,
    Engine: engine.DetectionEngine,
    config: config.defaultDetectConfig(),
    observe: [],
    end: [],
    digest: '',
  };
}

/** The events grouped by source, each copied (strings too) so that they lie in feeding order. */
function bySource(events: readonly Event[]): Event[] {
  const key = (ev: Event): string => ev.src ?? ev.srcHost ?? '';
  const order = events.map((_, i) => i);
  order.sort((a, b) => {
    const ka = key(events[a]!);
    const kb = key(events[b]!);
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  const copy = (s: string | null): string | null => (s === null ? null : (' ' + s).slice(1));
  return order.map((i) => {
    const ev = events[i]!;
    return {
      ...ev,
      src: copy(ev.src),
      srcHost: copy(ev.srcHost),
      dst: copy(ev.dst),
      host: copy(ev.host),
      user: copy(ev.user),
      ref: { ...ev.ref, text: copy(ev.ref.text)! },
    };
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      rounds: { type: 'string', default: '7' },
      'by-source': { type: 'boolean', default: false },
    },
  });
  if (values.base === undefined) throw new Error('--base DIR: the tree to compare with');
  const file = positionals[0] ?? 'bench/out/secure-1m.log';
  const rounds = Number(values.rounds);
  const read: Event[] = [];
  await readEvents(
    [{ kind: 'file', name: file, path: file, size: statSync(file).size }],
    { zone: zone('UTC'), now: Date.parse('2026-11-27T00:00:00Z') },
    (batch) => {
      for (const ev of batch) read.push(ev);
    },
    (err) => {
      throw new Error(`${err.source}: ${err.message}`);
    },
  );
  const events = values['by-source'] ? bySource(read) : read;
  const versions = [await load(values.base), await load(resolve('.'))];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first: the second of a pair runs on the first one's garbage.
    for (const v of r % 2 === 0 ? versions : [...versions].reverse()) {
      const engine = new v.Engine(v.config);
      const t0 = performance.now();
      for (let i = 0; i < events.length; i++) engine.observe(events[i]!);
      const t1 = performance.now();
      engine.end();
      const hash = createHash('md5');
      let drafts = 0;
      for (let batch = engine.drain(1000); batch.length > 0; batch = engine.drain(1000)) {
        drafts += batch.length;
        if (r === 0) for (const d of batch) hash.update(JSON.stringify(d) + '\n');
      }
      const t2 = performance.now();
      v.observe.push(t1 - t0);
      if (r === 0) v.digest = `${hash.digest('hex')} (${drafts} drafts)`;
      else v.end.push(t2 - t1);
    }
  }
  const ms = (x: number): string => x.toFixed(0).padStart(6);
  console.log(`${events.length} events${values['by-source'] ? ', grouped by source' : ''}`);
  console.log(`${'tree'.padEnd(40)} observe ms  end+drain ms  (medians of ${rounds} rounds)`);
  for (const v of versions) {
    console.log(`${v.dir.padEnd(40)} ${ms(median(v.observe))}      ${ms(median(v.end))}`);
    console.log(`  observe rounds: ${v.observe.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(`  drafts: ${v.digest}`);
  }
  if (versions[0]!.digest !== versions[1]!.digest) {
    console.log('DRAFTS DIFFER');
    process.exitCode = 1;
  }
}

await main();
