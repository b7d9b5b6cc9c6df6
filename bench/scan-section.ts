/**
 * The scan benchmark: `reportable scan` on the generated secure log, in memory (`--no-db`) and
 * into a fresh SQLite file, interleaved with `reportable parse --format stats` on the same file so
 * the throughput ratio compares runs taken under the same load. Then `scan --no-db` on a spoofed
 * SYN flood (one line per distinct source address) to check that eviction bounds memory.
 */
import { execFileSync } from 'node:child_process';
import { open, rm, stat } from 'node:fs/promises';
import { countLabel, ensureFloodLog, type BenchInput } from './bench-inputs.js';
import {
  formatInt,
  formatMiB,
  type BenchContext,
  type BenchSection,
  type SectionReport,
  type TargetResult,
} from './bench-section.js';
import { measureInterleaved, type CommandSpec, type CommandTiming } from './measure-command.js';
import { checkLineCount, parseSpec, prepareSecureLog, readStats } from './parse-section.js';
import type { ScanStats as FullScanStats } from '../src/app/scan.js';
import type { DetectionStats } from '../src/detect/detection-engine.js';

/** Target: scan --no-db throughput at least this fraction of parse's on the same file. */
const MIN_NO_DB_FRACTION = 0.7;
/** Target: scan into SQLite at least this fraction of parse's throughput. */
const MIN_DB_FRACTION = 0.5;
/** Target: peak RSS of the flood scan below this, in KiB (400 MiB). */
const MAX_FLOOD_RSS_KB = 400 * 1024;
/** Bytes of a scan's JSON output searched for the stats object (it comes first, and is small). */
const STATS_PREFIX_BYTES = 1 << 20;

/** `reportable scan --format json` counters: the command's own type, read back from JSON. */
type ScanStats = Pick<
  FullScanStats,
  | 'lines'
  | 'events'
  | 'unparsed'
  | 'incidents'
  | 'reportable'
  | 'extended'
  | 'alreadyRead'
  | 'detection'
>;

/** The detection settings in effect (`config show`), for the notes. */
interface DetectSettings {
  source: string;
  maxSources: number | null;
  incidentGap: string | null;
}

const TIME_FLAGS = ['--tz', 'UTC', '--now', '2026-11-27T00:00:00Z'] as const;

/** What the timed scans print: every incident as JSON (read back for the notes). */
const JSON_OUTPUT = ['--format', 'json', '--all'] as const;

function scanSpec(
  ctx: BenchContext,
  input: BenchInput,
  name: string,
  slug: string,
  store: readonly string[],
  before?: () => Promise<void>,
  output: readonly string[] = JSON_OUTPUT,
): CommandSpec {
  const json = output === JSON_OUTPUT;
  return {
    name: `${name} (${countLabel(input.lines)})`,
    argv: [
      process.execPath,
      'dist/cli/main.js',
      'scan',
      ...store,
      ...output,
      '--no-progress',
      ...TIME_FLAGS,
      input.path,
    ],
    stdoutFile: `${ctx.outDir}/${slug}-${countLabel(input.lines)}.${json ? 'json' : 'txt'}`,
    ...(before === undefined ? {} : { before }),
  };
}

/** Deletes a SQLite database and its side files. */
async function removeDatabase(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(path + suffix, { force: true });
}

/**
 * Reads the `stats` object at the head of a scan's JSON output without parsing the incidents
 * (the flood's output holds a hundred thousand of them), and checks the line count.
 */
async function readScanStats(path: string, expectLines: number): Promise<ScanStats> {
  const fh = await open(path, 'r');
  let text: string;
  try {
    const buf = Buffer.alloc(STATS_PREFIX_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    text = buf.toString('utf8', 0, bytesRead);
  } finally {
    await fh.close();
  }
  const key = /^\{\s*"stats":\s*\{/.exec(text);
  if (key === null) throw new Error(`${path}: not a scan JSON output (no leading "stats")`);
  const start = key[0].length - 1;
  let depth = 0;
  let inString = false;
  let end = -1;
  for (let i = start; i < text.length && end < 0; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) end = i + 1;
  }
  if (end < 0) throw new Error(`${path}: the stats object does not end in the first bytes`);
  const stats = JSON.parse(text.slice(start, end)) as ScanStats;
  if (stats.lines !== expectLines) {
    throw new Error(`${path}: scan read ${stats.lines} lines, the input has ${expectLines}`);
  }
  if (stats.detection === undefined) throw new Error(`${path}: no stats.detection`);
  return stats;
}

/** Which configuration the commands run with, and its eviction settings. */
function detectSettings(): DetectSettings {
  const run = (args: string[]): string =>
    execFileSync(process.execPath, ['dist/cli/main.js', ...args], { encoding: 'utf8' }).trim();
  const source = run(['config', 'check']).replace(/^config OK: /, '');
  const shown = JSON.parse(run(['config', 'show', '--format', 'json'])) as {
    detect?: { maxSources?: number; incidentGap?: string };
  };
  return {
    source,
    maxSources: shown.detect?.maxSources ?? null,
    incidentGap: shown.detect?.incidentGap ?? null,
  };
}

function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(100 * fraction).toFixed(0)}%` : '-';
}

function row(t: CommandTiming, lines: number, parse: CommandTiming | null): string[] {
  return [
    t.name,
    t.bestSeconds.toFixed(3),
    t.medianSeconds.toFixed(3),
    formatInt(lines / t.bestSeconds),
    parse === null ? '-' : percent(parse.bestSeconds / t.bestSeconds),
    formatMiB(t.peakRssKb),
  ];
}

function detectionLine(d: DetectionStats): string {
  return (
    `${formatInt(d.events)} events, ${formatInt(d.tracks)} tracks opened, ` +
    `${formatInt(d.closed)} closed, ${formatInt(d.evicted)} evicted ` +
    `(${formatInt(d.dropped)} of them dropped without an incident), ${formatInt(d.incidents)} incident drafts`
  );
}

/** The scan section. */
export const scanSection: BenchSection = {
  name: 'scan',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const base = await prepareSecureLog(ctx, ctx.lines);
    ctx.log(`flood input: ${countLabel(ctx.lines)} lines ...`);
    const flood = await ensureFloodLog(ctx.outDir, ctx.lines);
    ctx.log(
      flood.generatedSeconds === null
        ? `flood input: reused ${flood.path} (${formatMiB(flood.bytes / 1024)} MiB)`
        : `flood input: generated ${flood.path} (${formatMiB(flood.bytes / 1024)} MiB) in ${flood.generatedSeconds.toFixed(1)} s`,
    );
    await checkLineCount(ctx, flood);
    const settings = detectSettings();

    const dbPath = `${ctx.outDir}/tmp/scan-${countLabel(base.lines)}.db`;
    const specs = [
      parseSpec(ctx, base),
      scanSpec(ctx, base, 'reportable scan --no-db', 'scan-nodb', ['--no-db']),
      // A fresh database each run: with the previous run's checkpoints, a rescan reads nothing.
      scanSpec(ctx, base, 'reportable scan --db', 'scan-db', ['--db', dbPath], () =>
        removeDatabase(dbPath),
      ),
      // Not a target: the command as a user runs it by default (a table of the reportable
      // incidents), beside the targets' `--format json --all`, whose 61 MB of JSON costs time.
      scanSpec(
        ctx,
        base,
        'reportable scan --no-db, table',
        'scan-nodb-table',
        ['--no-db'],
        undefined,
        [],
      ),
    ];
    ctx.log(`timing ${specs.length} commands x ${ctx.runs} runs, interleaved ...`);
    const progress = (spec: CommandSpec, s: { wallSeconds: number }, run: number): void =>
      ctx.log(`  ${spec.name} run ${run}: ${s.wallSeconds.toFixed(3)} s`);
    const [parse, scanMem, scanDb, scanTable] = (await measureInterleaved(
      specs,
      ctx.runs,
      ctx.env,
      progress,
    )) as [CommandTiming, CommandTiming, CommandTiming, CommandTiming];
    const parseStats = await readStats(specs[0]!.stdoutFile!, base.lines);
    const memStats = await readScanStats(specs[1]!.stdoutFile!, base.lines);
    const dbStats = await readScanStats(specs[2]!.stdoutFile!, base.lines);
    if (dbStats.alreadyRead !== 0) {
      throw new Error(
        `scan --db skipped ${dbStats.alreadyRead} lines as already read: the database was not fresh`,
      );
    }
    const dbBytes = (await stat(dbPath)).size;

    const floodSpec = scanSpec(ctx, flood, 'reportable scan --no-db flood', 'scan-flood', [
      '--no-db',
    ]);
    ctx.log(`timing ${floodSpec.name} x ${ctx.largeRuns} ...`);
    const [floodRun] = (await measureInterleaved(
      [floodSpec],
      ctx.largeRuns,
      ctx.env,
      progress,
    )) as [CommandTiming];
    const floodStats = await readScanStats(floodSpec.stdoutFile!, flood.lines);
    const floodOutBytes = (await stat(floodSpec.stdoutFile!)).size;

    const memFraction = parse.bestSeconds / scanMem.bestSeconds;
    const dbFraction = parse.bestSeconds / scanDb.bestSeconds;
    const targets: TargetResult[] = [
      {
        target: `scan --no-db >= ${percent(MIN_NO_DB_FRACTION)} of parse throughput`,
        measured: `${percent(memFraction)} (${formatInt(base.lines / scanMem.bestSeconds)} vs ${formatInt(base.lines / parse.bestSeconds)} lines/s)`,
        status: memFraction >= MIN_NO_DB_FRACTION ? 'PASS' : 'FAIL',
      },
      {
        target: `scan into SQLite >= ${percent(MIN_DB_FRACTION)} of parse throughput`,
        measured: `${percent(dbFraction)} (${formatInt(base.lines / scanDb.bestSeconds)} lines/s)`,
        status: dbFraction >= MIN_DB_FRACTION ? 'PASS' : 'FAIL',
      },
      floodRun.peakRssKb === null
        ? {
            target: 'flood scan peak RSS < 400 MiB',
            measured: 'no GNU time',
            status: 'SKIP',
          }
        : {
            target: `flood of ${formatInt(flood.distinctSources)} distinct sources: peak RSS < 400 MiB`,
            measured: `${formatMiB(floodRun.peakRssKb)} MiB`,
            status: floodRun.peakRssKb < MAX_FLOOD_RSS_KB ? 'PASS' : 'FAIL',
          },
    ];

    const agree = (a: number, b: number): string => (a === b ? 'same' : `DIFFERENT: ${a} vs ${b}`);
    const fd = floodStats.detection;
    const notes = [
      `input: ${base.path}, ${formatInt(base.lines)} lines, ${formatInt(base.distinctSources)} distinct sources; ` +
        `flood: ${flood.path}, ${formatInt(flood.lines)} lines, ${formatMiB(flood.bytes / 1024)} MiB, ${formatInt(flood.distinctSources)} distinct sources`,
      `config: ${settings.source}; detect.maxSources ${settings.maxSources === null ? '?' : formatInt(settings.maxSources)}, detect.incidentGap ${settings.incidentGap ?? '?'}`,
      `scan --no-db: ${formatInt(memStats.events)} events, ${formatInt(memStats.incidents)} incidents (${formatInt(memStats.reportable)} reportable, ${formatInt(memStats.extended)} extended)`,
      `  detection: ${detectionLine(memStats.detection)}`,
      `scan --db: ${formatInt(dbStats.incidents)} incidents (${formatInt(dbStats.reportable)} reportable); ` +
        `database ${formatMiB(dbBytes / 1024)} MiB; incidents vs --no-db: ${agree(dbStats.incidents, memStats.incidents)}; ` +
        `events vs parse: ${agree(memStats.events, parseStats.events)}`,
      `flood: ${formatInt(floodStats.incidents)} incidents (${formatInt(floodStats.reportable)} reportable), ` +
        `JSON output ${formatMiB(floodOutBytes / 1024)} MiB in ${floodSpec.stdoutFile}`,
      `  detection: ${detectionLine(fd)}`,
      `  at most ${settings.maxSources === null ? 'maxSources' : formatInt(settings.maxSources)} tracks are held at once: ` +
        `${formatInt(fd.dropped)} sources were forgotten (evicted before they crossed a threshold); ` +
        `${formatInt(fd.closed)} tracks were closed (quiet, at the end of input, or evicted after a threshold) ` +
        `and composed ${formatInt(fd.incidents)} incident drafts`,
      `scan --no-db, table: the default output (reportable incidents as a table); not a target, which times --format json --all`,
      `times are the best of ${ctx.runs} runs (flood: ${ctx.largeRuns}); "of parse" is parse's best time / the command's best time on the same file; RSS is the highest peak over the runs`,
    ];
    return {
      title: `scan: ${formatInt(base.lines)}-line mixed secure log, and a ${formatInt(flood.lines)}-source spoofed flood`,
      table: {
        head: ['tool', 'best s', 'median s', 'lines/s', 'of parse', 'peak RSS MiB'],
        rows: [
          row(parse, base.lines, parse),
          row(scanMem, base.lines, parse),
          row(scanDb, base.lines, parse),
          row(scanTable, base.lines, parse),
          row(floodRun, flood.lines, null),
        ],
      },
      notes,
      targets,
      data: {
        inputs: [base, flood],
        timings: [parse, scanMem, scanDb, scanTable, floodRun],
        noDbFraction: memFraction,
        dbFraction,
        settings,
        parseStats,
        scanStats: memStats,
        scanDbStats: dbStats,
        databaseBytes: dbBytes,
        floodStats,
        floodOutputBytes: floodOutBytes,
      },
    };
  },
};
