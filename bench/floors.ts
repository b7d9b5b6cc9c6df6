/**
 * What each stage of `parse` and `scan` costs, cumulatively: the same reader run with more of
 * the pipeline switched on at each stage, every stage in a fresh process, the stages taken in
 * alternating rounds so that they share the machine's load. It answers how much of a throughput
 * target is left once the stages before some part have run: `scan-read` (parse, plus keeping
 * the events in batches merged by time, as scan reads them) takes at best as long as `parse`,
 * so scan at 70% of parse's throughput leaves detection, composition, storing and printing
 * what it prints at the end (docs/architecture.md, sixth round, has the figures).
 *
 *   node --import tsx bench/floors.ts [--rounds 5] [FILE]
 *
 * Stages, each including the ones before it:
 *   lines      the file read and split into line strings (LineSplitter)
 *   envelope   every line's syslog header read and its program dispatched, no family parsers
 *   parse      the family parsers, counters only: what `parse --format stats` runs
 *   scan-read  the events kept in batches and merged by time, as scan reads them (no detectors)
 *   detect     the detection engine: observe, drain, end (incident drafts composed)
 *   scan       scan() itself into the in-memory store (`--no-db`): judged, merged, stored
 *   scan-json  and the incidents printed as `--format json --all` (to a file)
 *
 * Times are taken inside each process, from just before reading to the end of the stage, so
 * the start of Node and the loading of modules are not in them (the CLI's start adds ~0.1 s
 * to parse and ~0.2 s to scan). Each process is pinned to one CPU when taskset works, as `npm
 * run bench` pins its commands. FILE defaults to bench/out/secure-1m.log. Exits 1 when two
 * stages disagree on the lines or events read.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mergeByTime } from '../src/app/merge-by-time.js';
import { emptyStats, readEvents, sourceEvents, type ReadOptions } from '../src/app/read-events.js';
import { scan } from '../src/app/scan.js';
import { pagesOf, printIncidents } from '../src/cli/scan-command.js';
import { zone } from '../src/core/time.js';
import { defaultDetectConfig, defaultPolicyConfig } from '../src/detect/detect-config.js';
import { DetectionEngine } from '../src/detect/detection-engine.js';
import { fileChunksReused } from '../src/ingest/byte-source.js';
import { LineSplitter } from '../src/ingest/line-splitter.js';
import type { SourceSpec } from '../src/ingest/rotated-set.js';
import { LineParser } from '../src/parse/line-parser.js';
import { parserDefinitions } from '../src/parse/parser-registry.js';
import { openStore } from '../src/store/open-store.js';
import { detectMeasureEnv, median } from './measure-command.js';

const STAGES = ['lines', 'envelope', 'parse', 'scan-read', 'detect', 'scan', 'scan-json'] as const;
type Stage = (typeof STAGES)[number];

/** What one stage read and made, printed by the child as one JSON line. */
interface StageResult {
  stage: Stage;
  ms: number;
  lines: number;
  events: number;
  /** Incident drafts (detect) or incidents (scan, scan-json); 0 before. */
  made: number;
}

const NOW = Date.parse('2026-11-27T00:00:00Z');
/** The repository's root (this file is in bench/). */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const onError = (err: { source: string; message: string }): never => {
  throw new Error(`${err.source}: ${err.message}`);
};

async function runStage(stage: Stage, file: string): Promise<StageResult> {
  const spec: SourceSpec = { kind: 'file', name: file, path: file, size: statSync(file).size };
  const opts: ReadOptions = { zone: zone('UTC'), now: NOW };
  const result: StageResult = { stage, ms: 0, lines: 0, events: 0, made: 0 };
  // Everything a stage builds before reading is built before the clock starts.
  const parser = new LineParser(stage === 'envelope' ? [] : parserDefinitions());
  const engine = new DetectionEngine(defaultDetectConfig());
  const store = stage === 'scan' || stage === 'scan-json' ? await openStore({ noDb: true }) : null;
  const start = performance.now();
  if (stage === 'lines') {
    const splitter = new LineSplitter();
    for await (const chunk of fileChunksReused(file))
      result.lines += splitter.push(chunk).lines.length;
    result.lines += splitter.end().lines.length;
  } else if (stage === 'envelope' || stage === 'parse') {
    const stats = await readEvents([spec], opts, null, onError, parser);
    result.lines = stats.lines;
    result.events = stats.events;
  } else if (stage === 'scan-read' || stage === 'detect') {
    const stats = emptyStats();
    const stream = sourceEvents(spec, opts, parser, stats, onError);
    for await (const batch of mergeByTime([stream])) {
      if (stage === 'detect') {
        for (let i = 0; i < batch.length; i++) engine.observe(batch[i]!);
        result.made += engine.drain(1000).length;
      }
    }
    if (stage === 'detect') {
      engine.end();
      for (let n = engine.drain(1000).length; n > 0; n = engine.drain(1000).length)
        result.made += n;
    }
    result.lines = stats.lines;
    result.events = stats.events;
  } else {
    const scanned = await scan({
      specs: [spec],
      zone: opts.zone,
      now: NOW,
      detect: defaultDetectConfig(),
      policy: defaultPolicyConfig(),
      ownNetworks: [],
      store: store!,
      checkpoints: false,
      onError,
    });
    result.lines = scanned.stats.lines;
    result.events = scanned.stats.events;
    result.made = scanned.stats.incidents;
    if (stage === 'scan-json') {
      // As `scan --format json --all` prints them, to a file.
      if (scanned.incidents === null) throw new Error('too many incidents to print from memory');
      const path = resolve(ROOT, 'bench/out/tmp/floors-scan.json');
      mkdirSync(dirname(path), { recursive: true });
      const stream = createWriteStream(path);
      await printIncidents(stream, 'json', scanned.stats, pagesOf(scanned.incidents));
      await new Promise<void>((done) => stream.end(done));
    }
  }
  result.ms = performance.now() - start;
  await store?.close();
  return result;
}

function pct(part: number, whole: number): string {
  return `${Math.round((100 * part) / whole)}%`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rounds: { type: 'string', default: '5' }, stage: { type: 'string' } },
  });
  const file =
    positionals[0] !== undefined
      ? resolve(positionals[0])
      : resolve(ROOT, 'bench/out/secure-1m.log');
  statSync(file);
  if (values.stage !== undefined) {
    const stage = STAGES.find((s) => s === values.stage);
    if (stage === undefined) throw new Error(`--stage: no stage "${values.stage}"`);
    process.stdout.write(`${JSON.stringify(await runStage(stage, file))}\n`);
    return;
  }
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: a positive integer');
  const env = detectMeasureEnv(resolve(ROOT, 'bench/out/tmp'));
  const self = fileURLToPath(import.meta.url);
  const times = new Map<Stage, number[]>(STAGES.map((s) => [s, []]));
  const last = new Map<Stage, StageResult>();
  for (let round = 1; round <= rounds; round++) {
    for (const stage of STAGES) {
      const argv = [process.execPath, '--import', 'tsx', self, '--stage', stage, file];
      // From the root, where `--import tsx` resolves, whatever directory this was run from.
      const run = spawnSync(
        env.pinCpu === null ? argv[0]! : 'taskset',
        [...(env.pinCpu === null ? [] : ['-c', env.pinCpu, argv[0]!]), ...argv.slice(1)],
        { cwd: ROOT },
      );
      if (run.status !== 0) throw new Error(`stage ${stage} failed: ${String(run.stderr)}`);
      const r = JSON.parse(String(run.stdout)) as StageResult;
      times.get(stage)!.push(r.ms);
      last.set(stage, r);
      process.stderr.write(`floors: round ${round} ${stage} ${Math.round(r.ms)} ms\n`);
    }
  }
  const lines = last.get('lines')!.lines;
  const events = last.get('parse')!.events;
  let agree = true;
  for (const r of last.values()) {
    if (
      r.lines !== lines ||
      (r.stage !== 'lines' && r.stage !== 'envelope' && r.events !== events)
    ) {
      agree = false;
      process.stderr.write(`floors: ${r.stage} read ${r.lines} lines, ${r.events} events\n`);
    }
  }
  const parseMs = median(times.get('parse')!);
  const print = (s = ''): void => void process.stdout.write(`${s}\n`);
  print(
    `${file}: ${lines.toLocaleString('en-US')} lines, ${events.toLocaleString('en-US')} events`,
  );
  print(
    `medians of ${rounds} alternating rounds, in-process (start of Node not included)` +
      (env.pinCpu === null ? '' : `, pinned to CPU ${env.pinCpu}`),
  );
  print('stage       median ms  rounds                                  of parse  made');
  for (const stage of STAGES) {
    const ts = times.get(stage)!;
    const m = median(ts);
    print(
      `${stage.padEnd(10)}  ${String(Math.round(m)).padStart(9)}  ` +
        `${ts
          .map((t) => Math.round(t))
          .join(' ')
          .padEnd(38)}  ` +
        `${pct(parseMs, m).padStart(8)}  ${last.get(stage)!.made || ''}`,
    );
  }
  // The fastest scan-read, the most room it can leave: its times have two modes (bench/README).
  const readMs = Math.min(...times.get('scan-read')!);
  const budget = parseMs / 0.7 - readMs;
  const restMs = median(times.get('scan-json')!) - readMs;
  print();
  print(
    `scan at 70% of parse's throughput takes ${Math.round(parseMs / 0.7)} ms in all; the fastest ` +
      `scan-read took ${Math.round(readMs)}, which leaves ${Math.round(budget)} ms ` +
      `(${((budget * 1000) / Math.max(1, events)).toFixed(2)} µs an event) for detection, ` +
      `composition, storing and printing; they take ${Math.round(restMs)} ms ` +
      `(${((restMs * 1000) / Math.max(1, events)).toFixed(2)} µs an event)`,
  );
  if (!agree) process.exitCode = 1;
}

await main();
