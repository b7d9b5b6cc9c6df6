/**
 * `npm run bench`: runs the benchmark sections, prints their tables and targets, and writes
 * bench/out/results.json. Exits 0 whether targets pass or fail (the machine is shared and
 * noisy; the figures are for reading); non-zero only when something crashed.
 *
 * Options: --runs N (default 5), --large-runs N (default 1), --lines N (default 1000000),
 * --no-large (skip the 10x input), --only SECTION.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTable, type BenchContext, type BenchSection } from './bench-section.js';
import { detectMeasureEnv } from './measure-command.js';
import { lookupSection } from './lookup-section.js';
import { parseSection } from './parse-section.js';
import { scanSection } from './scan-section.js';

/** Every section, in the order they run. */
const SECTIONS: readonly BenchSection[] = [parseSection, scanSection, lookupSection];

function positiveInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`--${name}: "${value}" is not a positive integer`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      'large-runs': { type: 'string', default: '1' },
      lines: { type: 'string', default: '1000000' },
      'no-large': { type: 'boolean', default: false },
      only: { type: 'string' },
    },
  });
  // Relative paths from the repository root keep the printed command lines readable.
  process.chdir(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
  if (!existsSync('dist/cli/main.js')) {
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm run bench does)');
  }
  const outDir = 'bench/out';
  await mkdir(`${outDir}/tmp`, { recursive: true });
  const env = detectMeasureEnv(`${outDir}/tmp`);
  const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
  const ctx: BenchContext = {
    outDir,
    env,
    runs: positiveInt('runs', values.runs),
    largeRuns: positiveInt('large-runs', values['large-runs']),
    lines: positiveInt('lines', values.lines),
    large: !values['no-large'],
    log,
  };
  const sections = SECTIONS.filter((s) => values.only === undefined || s.name === values.only);
  if (sections.length === 0) throw new Error(`--only: no section "${values.only}"`);

  const cpu = cpus();
  const machine = {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${cpu[0]?.model ?? 'unknown'} x ${cpu.length}`,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    loadBefore: loadavg().map((l) => Number(l.toFixed(2))),
    locale: process.env.LC_ALL || process.env.LANG || 'C',
    pinnedCpu: env.pinCpu,
    gnuTime: env.timeBin,
  };
  const print = (s = ''): void => void process.stdout.write(`${s}\n`);
  print(`reportable benchmark, ${new Date().toISOString()}`);
  print(`node ${machine.node} on ${machine.platform}, ${machine.cpu}, ${machine.memoryMiB} MiB`);
  print(
    `load average ${machine.loadBefore.join(' ')}; locale ${machine.locale}; ` +
      (env.pinCpu === null
        ? 'commands NOT pinned (taskset unavailable)'
        : `each command pinned to CPU ${env.pinCpu} (taskset -c ${env.pinCpu})`) +
      `; peak RSS ${env.timeBin === null ? 'not measured (no GNU time)' : 'from GNU time %M'}`,
  );

  const results: Record<string, unknown> = {};
  let failed = 0;
  for (const section of sections) {
    const report = await section.run(ctx);
    print();
    print(`== ${report.title}`);
    print(renderTable(report.table.head, report.table.rows));
    for (const note of report.notes) print(`  ${note}`);
    print();
    print('targets:');
    for (const t of report.targets) print(`  ${t.status.padEnd(4)}  ${t.target}: ${t.measured}`);
    failed += report.targets.filter((t) => t.status === 'FAIL').length;
    results[section.name] = {
      title: report.title,
      targets: report.targets,
      ...(report.data as object),
    };
  }
  const loadAfter = loadavg().map((l) => Number(l.toFixed(2)));
  print();
  print(
    `load average after: ${loadAfter.join(' ')}. ${failed === 0 ? 'All targets met.' : `${failed} target(s) not met.`} ` +
      'Shared machine: compare ratios, not absolute times.',
  );
  const json = {
    finishedAt: new Date().toISOString(),
    machine: { ...machine, loadAfter },
    options: { runs: ctx.runs, largeRuns: ctx.largeRuns, lines: ctx.lines, large: ctx.large },
    sections: results,
  };
  await writeFile(`${outDir}/results.json`, `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`bench: wrote ${outDir}/results.json\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});
