/**
 * The shape of one benchmark section (parse today; scan and lookup later) and the helpers the
 * sections share to report figures.
 */
import type { MeasureEnv } from './measure-command.js';

/** What every section gets from the runner. */
export interface BenchContext {
  /** Directory for inputs and outputs, relative to the repository root (the cwd). */
  readonly outDir: string;
  readonly env: MeasureEnv;
  /** Timed runs per command on the base input. */
  readonly runs: number;
  /** Timed runs per command on the 10x input. */
  readonly largeRuns: number;
  /** Lines of the base input (the 10x input has ten times as many). */
  readonly lines: number;
  /** Whether to build and measure the 10x input. */
  readonly large: boolean;
  /** Progress output (stderr), so stdout keeps only the report. */
  readonly log: (message: string) => void;
}

/** Outcome of one target. */
export type TargetStatus = 'PASS' | 'FAIL' | 'SKIP';

/** One target from the issue, checked against this run's figures. */
export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  readonly status: TargetStatus;
}

/** A section's report: a table to print, targets to check, and raw data for results.json. */
export interface SectionReport {
  readonly title: string;
  readonly table: { readonly head: readonly string[]; readonly rows: readonly string[][] };
  /** Lines printed under the table (what the outputs contained, caveats). */
  readonly notes: readonly string[];
  readonly targets: readonly TargetResult[];
  readonly data: unknown;
}

/** A named benchmark section. */
export interface BenchSection {
  readonly name: string;
  readonly run: (ctx: BenchContext) => Promise<SectionReport>;
}

/** `1234567.8` -> `1,234,568`. */
export function formatInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

/** KiB -> `123.4` MiB, or `-` when not measured. */
export function formatMiB(kb: number | null): string {
  return kb === null ? '-' : (kb / 1024).toFixed(1);
}

/** A ratio such as `4.21x`, or `-`. */
export function formatRatio(r: number | null): string {
  return r === null || !Number.isFinite(r) ? '-' : `${r.toFixed(2)}x`;
}

/** Renders a table with the first column left-aligned and the others right-aligned. */
export function renderTable(head: readonly string[], rows: readonly string[][]): string {
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(head), rule, ...rows.map(line)].join('\n');
}
