/**
 * Counts the instructions a command executes, for this tree and another one (a git worktree of
 * an earlier commit), under valgrind's cachegrind. Wall and CPU time on the shared machine swing
 * by half within minutes, so a change of a few per cent cannot be seen in them; the instruction
 * count of the same command on the same input repeats to within 0.1%. It is not time (a cache
 * miss costs hundreds of instructions' worth and counts as one), so it judges work the
 * processor does, such as parsing, not memory layouts: those need bench/engine-ab.ts.
 *
 *   apt-get install -y valgrind
 *   git worktree add /tmp/base HEAD~1 && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   (cd /tmp/base && npm run build) && npm run build
 *   node --import tsx bench/instructions.ts --base /tmp/base [--lines 200000] [-- ARGS...]
 *
 * ARGS are the command's arguments after `dist/cli/main.js`, `FILE` standing for the input
 * (default: `parse --format stats --tz UTC --now 2026-11-27T00:00:00Z FILE`). The input is
 * the first `--lines` lines of bench/out/secure-1m.log; each tree runs the command on it and on
 * an empty file, and the difference, per line, is what reading the lines cost. Under valgrind a
 * run takes about 30 times as long (a minute for 200,000 lines of parse).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const DEFAULT_ARGS = ['parse', '--format', 'stats', '--tz', 'UTC', '--now', '2026-11-27T00:00:00Z'];

/** Writes the first `lines` lines of `from` to `to`. */
async function head(from: string, to: string, lines: number): Promise<void> {
  const out = createWriteStream(to);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(from) })) {
    if (n++ >= lines) break;
    out.write(line + '\n');
  }
  await new Promise<void>((done) => out.end(done));
}

/** Instructions executed by `node DIR/dist/cli/main.js ARGS` (FILE replaced by `file`). */
function instructions(dir: string, args: readonly string[], file: string): number {
  const argv = args.map((a) => (a === 'FILE' ? file : a));
  const run = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      // V8 writes and rewrites its machine code: valgrind must notice code changing in place.
      '--smc-check=all-non-file',
      '--cachegrind-out-file=/dev/null',
      process.execPath,
      // V8 compiles and collects on other threads and schedules collections by the clock, so
      // counts of the same build varied by up to 2.3%; predictable mode does all of it on the
      // main thread on a fixed schedule, and three runs then differed by less than 0.01%.
      '--predictable',
      '--predictable-gc-schedule',
      resolve(dir, 'dist/cli/main.js'),
      ...argv,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 },
  );
  if (run.error !== undefined) throw new Error(`valgrind: ${run.error.message}`);
  const m = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
  if (m === null)
    throw new Error(`no instruction count from valgrind:\n${run.stderr.slice(-2000)}`);
  return Number(m[1]!.replaceAll(',', ''));
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      lines: { type: 'string', default: '200000' },
      input: { type: 'string', default: 'bench/out/secure-1m.log' },
    },
  });
  if (values.base === undefined) throw new Error('--base DIR: the tree to compare with');
  const lines = Number(values.lines);
  const args = positionals.length > 0 ? positionals : [...DEFAULT_ARGS, 'FILE'];
  if (!args.includes('FILE')) throw new Error('the command arguments must name FILE');
  await mkdir('bench/out/tmp', { recursive: true });
  const sample = `bench/out/tmp/instructions-${lines}.log`;
  const empty = 'bench/out/tmp/instructions-empty.log';
  await head(values.input, sample, lines);
  await writeFile(empty, '');
  console.log(
    `node dist/cli/main.js ${args.join(' ')}   (FILE: ${lines} lines of ${values.input})`,
  );
  console.log(`${'tree'.padEnd(40)} ${'empty file'.padStart(14)} ${'FILE'.padStart(14)} per line`);
  const counts: number[] = [];
  for (const dir of [values.base, '.']) {
    const start = instructions(dir, args, empty);
    const all = instructions(dir, args, sample);
    const perLine = (all - start) / lines;
    counts.push(all);
    const m = (x: number): string => `${(x / 1e6).toFixed(1)} M`.padStart(14);
    console.log(
      `${resolve(dir).padEnd(40)} ${m(start)} ${m(all)} ${perLine.toFixed(0).padStart(8)}`,
    );
  }
  const change = (counts[1]! / counts[0]! - 1) * 100;
  console.log(`this tree: ${change >= 0 ? '+' : ''}${change.toFixed(2)}% instructions on FILE`);
}

await main();
