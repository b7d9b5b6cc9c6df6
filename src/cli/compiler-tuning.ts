import { setFlagsFromString } from 'node:v8';

/**
 * V8's optimising compiler, told to inline less. A run of `reportable` is short (a million
 * lines in about two seconds) and much of that was TurboFan compiling the parsers: ~0.5 s of
 * CPU for `parse` on the 1M-line benchmark log, with large functions (sshd's parseMessage)
 * compiled twice, each time with everything they call inlined. With these limits it compiles
 * less per function and the runs are 5–9% faster pinned to one core (parse 2.22 s → 2.04 s,
 * scan 15.4 s → 14.2 s on the same machine, interleaved; no loss on a 3M-line log, where the
 * steady state weighs more). docs/architecture.md, "Performance status", has the figures.
 *
 * Compiler heuristics are read when a function is optimised, so setting them once the process
 * runs works; the flags exist in the V8 of every Node release this was measured on (20), and
 * an unknown flag would make V8 print an error, so other majors keep V8's defaults.
 */
const FLAGS = ['--max-inlined-bytecode-size=100', '--max-inlined-bytecode-size-cumulative=200'];

/** Node majors whose V8 has FLAGS and where they were measured to help. */
const TUNED_MAJORS = new Set([20]);

/** Applies FLAGS unless this Node is not one they were measured on, or the user set V8 flags. */
export function tuneCompiler(
  version: string = process.versions.node,
  execArgv: readonly string[] = process.execArgv,
): boolean {
  if (!TUNED_MAJORS.has(Number(version.split('.')[0]))) return false;
  // Whoever passes their own inlining flags (profiling, experiments) keeps them.
  if (execArgv.some((a) => a.startsWith('--max-inlined') || a === '--no-turbo-inlining')) {
    return false;
  }
  for (const flag of FLAGS) setFlagsFromString(flag);
  return true;
}
