/**
 * Times external commands for the benchmark: wall time from the runner's clock, peak RSS from
 * GNU time (`%M`, the child's maximum resident set in KiB as reported by wait4), each command
 * optionally pinned to one CPU with `taskset`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';

/** How commands are wrapped on this machine. */
export interface MeasureEnv {
  /** GNU time, or null when absent (peak RSS is then not measured). */
  readonly timeBin: string | null;
  /** The CPU list given to `taskset -c`, or null when pinning is unavailable. */
  readonly pinCpu: string | null;
  /** Where the wrapper's report and the commands' stderr go. */
  readonly scratchDir: string;
}

/** One command to time. */
export interface CommandSpec {
  /** Label in tables and JSON. */
  readonly name: string;
  /** Program and arguments; argv[0] is looked up in PATH. */
  readonly argv: readonly string[];
  /** File that receives stdout (a real file: `/dev/null` lets some tools stop early). */
  readonly stdoutFile?: string;
  /** Exit statuses that are not a failure (grep -c exits 1 when it counts zero). */
  readonly okExitCodes?: readonly number[];
  /** Untimed preparation before each run (deleting a database so every run starts fresh). */
  readonly before?: () => Promise<void>;
}

/** One timed run. */
export interface RunSample {
  readonly wallSeconds: number;
  /** Peak RSS in KiB, or null without GNU time. */
  readonly peakRssKb: number | null;
}

/** All runs of one command, summarised. */
export interface CommandTiming {
  readonly name: string;
  readonly command: string;
  readonly runs: readonly RunSample[];
  readonly bestSeconds: number;
  readonly medianSeconds: number;
  /** Highest peak RSS over the runs, in KiB. */
  readonly peakRssKb: number | null;
}

/**
 * Finds GNU time and checks that `taskset -c CPU` works here (containers may forbid it). The CPU
 * is the first one this process may run on (CPU 0 unless a cpuset says otherwise).
 */
export function detectMeasureEnv(scratchDir: string): MeasureEnv {
  const time = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  const timeOk = time.status === 0 && /^\d+\s*$/m.test(time.stderr);
  const affinity = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  const cpu = /list:\s*(\d+)/.exec(affinity.stdout ?? '')?.[1] ?? '0';
  const pin = spawnSync('taskset', ['-c', cpu, 'true']);
  return {
    timeBin: timeOk ? '/usr/bin/time' : null,
    pinCpu: pin.status === 0 ? cpu : null,
    scratchDir,
  };
}

/** The command line as a shell would show it. */
export function shellLine(argv: readonly string[], stdoutFile?: string): string {
  const line = argv.map(shellQuote).join(' ');
  return stdoutFile === undefined ? line : `${line} > ${shellQuote(stdoutFile)}`;
}

/** Quotes one word for `sh -c` (POSIX single quotes). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs a command once under the wrappers; throws if it fails (a crash, not a slow run). */
export async function runOnce(spec: CommandSpec, env: MeasureEnv): Promise<RunSample> {
  const slug = spec.name.replace(/[^\w.-]+/g, '_');
  const timeFile = `${env.scratchDir}/${slug}.time`;
  const errFile = `${env.scratchDir}/${slug}.stderr`;
  const argv: string[] = [];
  if (env.timeBin !== null) argv.push(env.timeBin, '-f', '%e %M', '-o', timeFile);
  // taskset execs the command, so GNU time's child is the command itself.
  if (env.pinCpu !== null) argv.push('taskset', '-c', env.pinCpu);
  argv.push(...spec.argv);
  await spec.before?.();
  const outFd = spec.stdoutFile === undefined ? 'ignore' : openSync(spec.stdoutFile, 'w');
  const errFd = openSync(errFile, 'w');
  let status: number | null;
  let signal: NodeJS.Signals | null;
  let wallSeconds: number;
  try {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', outFd, errFd] });
    [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, sig) => resolve([code, sig]));
      },
    );
    wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    if (typeof outFd === 'number') closeSync(outFd);
    closeSync(errFd);
  }
  const ok = spec.okExitCodes ?? [0];
  if (signal !== null || status === null || !ok.includes(status)) {
    const stderr = (await readFile(errFile, 'utf8').catch(() => '')).slice(-2000);
    throw new Error(
      `${spec.name} failed (${signal ?? `exit ${status}`}): ${shellLine(spec.argv)}\n${stderr}`,
    );
  }
  let peakRssKb: number | null = null;
  if (env.timeBin !== null) {
    // GNU time prefixes a note when the exit status is non-zero; the figures are the last line.
    const report = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1) ?? '';
    const m = /^(\d+(?:\.\d+)?) (\d+)$/.exec(report);
    if (m === null) throw new Error(`${spec.name}: unexpected GNU time report "${report}"`);
    peakRssKb = Number(m[2]);
    await rm(timeFile, { force: true });
  }
  return { wallSeconds, peakRssKb };
}

/**
 * Runs each command `runs` times, round-robin (A B C A B C ...), so a burst of load from the
 * machine's other tenants slows every tool alike instead of one tool's whole series.
 */
export async function measureInterleaved(
  specs: readonly CommandSpec[],
  runs: number,
  env: MeasureEnv,
  onRun?: (spec: CommandSpec, sample: RunSample, run: number) => void,
): Promise<CommandTiming[]> {
  const samples = specs.map((): RunSample[] => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, spec] of specs.entries()) {
      const sample = await runOnce(spec, env);
      samples[i]!.push(sample);
      onRun?.(spec, sample, r + 1);
    }
  }
  return specs.map((spec, i) => summarise(spec, samples[i]!));
}

/** The median of a series (the mean of the middle two for an even count); NaN when empty. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Best and median wall time and the highest peak RSS of a series. */
export function summarise(spec: CommandSpec, runs: readonly RunSample[]): CommandTiming {
  const secs = runs.map((r) => r.wallSeconds).sort((a, b) => a - b);
  const rss = runs.map((r) => r.peakRssKb).filter((k): k is number => k !== null);
  return {
    name: spec.name,
    command: shellLine(spec.argv, spec.stdoutFile),
    runs,
    bestSeconds: secs[0] ?? NaN,
    medianSeconds: median(secs),
    peakRssKb: rss.length > 0 ? Math.max(...rss) : null,
  };
}
