/**
 * The parse benchmark: `reportable parse --format stats` on the generated secure log, against an
 * admin's first look (`grep -cE`) and a minimal Node line counter on the same file, then the
 * parse alone on a ten times larger file to check that peak memory does not grow with input.
 */
import { readFile } from 'node:fs/promises';
import { countLabel, ensureSecureLog, type BenchInput } from './bench-inputs.js';
import {
  formatInt,
  formatMiB,
  formatRatio,
  type BenchContext,
  type BenchSection,
  type SectionReport,
  type TargetResult,
} from './bench-section.js';
import {
  measureInterleaved,
  runOnce,
  shellQuote,
  type CommandSpec,
  type CommandTiming,
} from './measure-command.js';

/** The pattern from the issue: what an admin greps for on a first look at /var/log/secure. */
export const GREP_PATTERN = 'Failed password|Invalid user|refused connect|SRC=';

/** Target: lines per second for the whole parse, one core. */
const MIN_LINES_PER_SEC = 1_000_000;
/** Target: parse time at most this multiple of grep's. */
const MAX_GREP_RATIO = 10;
/** Target: peak RSS below this, in KiB (150 MiB). */
const MAX_RSS_KB = 150 * 1024;
/** Flat-memory check: the 10x input may add at most 10% of the 1x peak, or 5 MiB if larger. */
const RSS_GROWTH_FRACTION = 0.1;
const RSS_GROWTH_FLOOR_KB = 5 * 1024;

/** `reportable parse --format stats` counters, as far as the benchmark reads them. */
export interface ParseStats {
  lines: number;
  events: number;
  unparsed: number;
  families: Record<string, number>;
  kinds: Record<string, number>;
}

/** `reportable parse --format stats` on `input`, stdout to `bench/out/parse-LABEL.out`. */
export function parseSpec(ctx: BenchContext, input: BenchInput): CommandSpec {
  const label = countLabel(input.lines);
  return {
    name: `reportable parse (${label})`,
    argv: [
      process.execPath,
      'dist/cli/main.js',
      'parse',
      '--format',
      'stats',
      '--tz',
      'UTC',
      '--now',
      '2026-11-27T00:00:00Z',
      input.path,
    ],
    stdoutFile: `${ctx.outDir}/parse-${label}.out`,
  };
}

function grepSpec(ctx: BenchContext, input: BenchInput): CommandSpec {
  const label = countLabel(input.lines);
  const out = `${ctx.outDir}/grep-${label}.out`;
  return {
    name: `grep -cE (${label})`,
    // Through a shell, as an admin types it; output to a file, because GNU grep stops at the
    // first match when it sees its output is /dev/null.
    argv: [
      'sh',
      '-c',
      `grep -cE ${shellQuote(GREP_PATTERN)} ${shellQuote(input.path)} > ${shellQuote(out)}`,
    ],
    okExitCodes: [0, 1],
  };
}

function countSpec(ctx: BenchContext, input: BenchInput): CommandSpec {
  const label = countLabel(input.lines);
  return {
    name: `node line count (${label})`,
    argv: [process.execPath, 'bench/count-lines.mjs', input.path],
    stdoutFile: `${ctx.outDir}/count-${label}.out`,
  };
}

async function readCount(path: string): Promise<number> {
  const text = (await readFile(path, 'utf8')).trim();
  if (!/^\d+$/.test(text)) throw new Error(`${path}: expected a count, got "${text.slice(0, 80)}"`);
  return Number(text);
}

/** Reads parse's stats output and checks its line count against the input's. */
export async function readStats(path: string, expectLines: number): Promise<ParseStats> {
  const stats = JSON.parse(await readFile(path, 'utf8')) as ParseStats;
  if (stats.lines !== expectLines) {
    throw new Error(`${path}: parse read ${stats.lines} lines, the input has ${expectLines}`);
  }
  return stats;
}

/** Counts the lines of `input` with the Node line counter (untimed) and checks the count. */
export async function checkLineCount(ctx: BenchContext, input: BenchInput): Promise<void> {
  const spec = countSpec(ctx, input);
  await runOnce(spec, ctx.env);
  const n = await readCount(spec.stdoutFile!);
  if (n !== input.lines) throw new Error(`${input.path}: ${n} lines, expected ${input.lines}`);
}

/** The secure log of `lines` lines (generated if needed), read once into the page cache. */
export async function prepareSecureLog(ctx: BenchContext, lines: number): Promise<BenchInput> {
  ctx.log(`input: ${countLabel(lines)} lines ...`);
  const input = await ensureSecureLog(ctx.outDir, lines);
  ctx.log(
    input.generatedSeconds === null
      ? `input: reused ${input.path} (${formatMiB(input.bytes / 1024)} MiB)`
      : `input: generated ${input.path} (${formatMiB(input.bytes / 1024)} MiB) in ${input.generatedSeconds.toFixed(1)} s`,
  );
  // An untimed read puts the file in the page cache (and checks it), so no timed run pays disk.
  await checkLineCount(ctx, input);
  return input;
}

function row(
  t: CommandTiming,
  lines: number,
  grep: CommandTiming | null,
  count: CommandTiming | null,
): string[] {
  return [
    t.name,
    t.bestSeconds.toFixed(3),
    t.medianSeconds.toFixed(3),
    formatInt(lines / t.bestSeconds),
    formatRatio(grep === null ? null : t.bestSeconds / grep.bestSeconds),
    formatRatio(count === null ? null : t.bestSeconds / count.bestSeconds),
    formatMiB(t.peakRssKb),
  ];
}

/** The parse section. */
export const parseSection: BenchSection = {
  name: 'parse',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const base = await prepareSecureLog(ctx, ctx.lines);
    const big = ctx.large ? await prepareSecureLog(ctx, ctx.lines * 10) : null;

    const specs = [parseSpec(ctx, base), grepSpec(ctx, base), countSpec(ctx, base)];
    ctx.log(`timing ${specs.length} commands x ${ctx.runs} runs, interleaved ...`);
    const progress = (spec: CommandSpec, s: { wallSeconds: number }, run: number): void =>
      ctx.log(`  ${spec.name} run ${run}: ${s.wallSeconds.toFixed(3)} s`);
    const [parse, grep, count] = (await measureInterleaved(specs, ctx.runs, ctx.env, progress)) as [
      CommandTiming,
      CommandTiming,
      CommandTiming,
    ];
    const stats = await readStats(specs[0]!.stdoutFile!, base.lines);
    const grepCount = await readCount(`${ctx.outDir}/grep-${countLabel(base.lines)}.out`);
    if ((await readCount(specs[2]!.stdoutFile!)) !== base.lines) {
      throw new Error('the line counter disagrees with the generator');
    }

    let parseBig: CommandTiming | null = null;
    let statsBig: ParseStats | null = null;
    if (big !== null) {
      const spec = parseSpec(ctx, big);
      ctx.log(`timing ${spec.name} x ${ctx.largeRuns} ...`);
      [parseBig] = (await measureInterleaved([spec], ctx.largeRuns, ctx.env, progress)) as [
        CommandTiming,
      ];
      statsBig = await readStats(spec.stdoutFile!, big.lines);
    }

    const linesPerSec = base.lines / parse.bestSeconds;
    const grepRatio = parse.bestSeconds / grep.bestSeconds;
    const pinned =
      ctx.env.pinCpu === null
        ? 'not pinned: taskset unavailable'
        : `pinned to CPU ${ctx.env.pinCpu}`;
    const targets: TargetResult[] = [
      {
        target: `parse >= ${formatInt(MIN_LINES_PER_SEC)} lines/s on one core`,
        measured: `${formatInt(linesPerSec)} lines/s (${pinned})`,
        status: linesPerSec >= MIN_LINES_PER_SEC ? 'PASS' : 'FAIL',
      },
      {
        target: `parse within ${MAX_GREP_RATIO}x of grep -cE`,
        measured: formatRatio(grepRatio),
        status: grepRatio <= MAX_GREP_RATIO ? 'PASS' : 'FAIL',
      },
      parse.peakRssKb === null
        ? { target: 'parse peak RSS < 150 MiB', measured: 'no GNU time', status: 'SKIP' }
        : {
            target: 'parse peak RSS < 150 MiB',
            measured: `${formatMiB(parse.peakRssKb)} MiB`,
            status: parse.peakRssKb < MAX_RSS_KB ? 'PASS' : 'FAIL',
          },
    ];
    if (parseBig === null || parseBig.peakRssKb === null || parse.peakRssKb === null) {
      targets.push({
        target: 'peak RSS on the 10x input same as on 1x',
        measured: parseBig === null ? '10x input skipped' : 'no GNU time',
        status: 'SKIP',
      });
    } else {
      const allowed = Math.max(parse.peakRssKb * RSS_GROWTH_FRACTION, RSS_GROWTH_FLOOR_KB);
      const growth = parseBig.peakRssKb - parse.peakRssKb;
      targets.push({
        target: `peak RSS on the 10x input same as on 1x (+${formatMiB(allowed)} MiB at most)`,
        measured: `${formatMiB(parseBig.peakRssKb)} vs ${formatMiB(parse.peakRssKb)} MiB (${growth >= 0 ? '+' : ''}${formatMiB(growth)})`,
        status: growth <= allowed ? 'PASS' : 'FAIL',
      });
    }

    const coverage = (100 * (stats.lines - stats.unparsed)) / stats.lines;
    const notes = [
      `input: ${base.path}, ${formatInt(base.lines)} lines, ${formatMiB(base.bytes / 1024)} MiB, ${formatInt(base.distinctSources)} distinct sources` +
        (big === null ? '' : `; 10x: ${big.path}, ${formatMiB(big.bytes / 1024)} MiB`),
      `parse: ${formatInt(stats.events)} events, ${formatInt(stats.unparsed)} lines unparsed (${coverage.toFixed(1)}% of lines gave an event)`,
      `parse families: ${JSON.stringify(stats.families)}`,
      `grep matched ${formatInt(grepCount)} lines (${((100 * grepCount) / base.lines).toFixed(1)}%)`,
      `times are the best of ${ctx.runs} runs (10x: ${ctx.largeRuns}); RSS is the highest peak over the runs; x grep and x count divide best times on the same file`,
    ];
    return {
      title: `parse: ${formatInt(base.lines)}-line mixed secure log`,
      table: {
        head: ['tool', 'best s', 'median s', 'lines/s', 'x grep', 'x count', 'peak RSS MiB'],
        rows: [
          row(parse, base.lines, grep, count),
          row(grep, base.lines, grep, count),
          row(count, base.lines, grep, count),
          ...(parseBig === null ? [] : [row(parseBig, base.lines * 10, null, null)]),
        ],
      },
      notes,
      targets,
      data: {
        inputs: [base, ...(big === null ? [] : [big])],
        timings: [parse, grep, count, ...(parseBig === null ? [] : [parseBig])],
        linesPerSec,
        grepRatio,
        countRatio: parse.bestSeconds / count.bestSeconds,
        grepCount,
        stats,
        statsLarge: statsBig,
      },
    };
  },
};
