import { formatDuration } from '../core/duration.js';

/** A fast and a slow threshold over two of the engine's attempt windows. */
export interface WindowRules {
  /** Indexes of the fast and slow windows among the engine's spans. */
  readonly fastIndex: number;
  readonly slowIndex: number;
  /** Distinct values (ports, or targets) that cross each rule. */
  readonly fast: number;
  readonly slow: number;
  /** The spans of the two windows, in ms. */
  readonly fastSpan: number;
  readonly slowSpan: number;
}

/** A crossing: which rule, in which window, over what span. */
export interface Crossing {
  readonly rule: 'fast' | 'slow';
  readonly window: number;
  readonly span: number;
}

/** The rule the per-window counts cross, the fast one first; null when neither. */
export function crossing(rules: WindowRules, counts: readonly number[]): Crossing | null {
  if (counts[rules.fastIndex]! >= rules.fast) {
    return { rule: 'fast', window: rules.fastIndex, span: rules.fastSpan };
  }
  if (counts[rules.slowIndex]! >= rules.slow) {
    return { rule: 'slow', window: rules.slowIndex, span: rules.slowSpan };
  }
  return null;
}

/** What a detector keeps after a crossing: the most seen in that window since, and when. */
export interface Peak {
  readonly window: number;
  count: number;
  at: number;
}

/** Raises the peak when the same attempt key's count in the crossing window grew. */
export function raisePeak(peak: Peak, counts: readonly number[], t: number): void {
  const now = counts[peak.window]!;
  if (now > peak.count) {
    peak.count = now;
    peak.at = t;
  }
}

/** The sentence that says a slow rule, not the fast one, was crossed. */
export function slowRuleNote(
  what: string,
  unit: string,
  setting: string,
  rules: WindowRules,
): string {
  return (
    `a slow ${what}: ${rules.slow} ${unit} within ${formatDuration(rules.slowSpan)} (${setting}), ` +
    `not ${rules.fast} within ${formatDuration(rules.fastSpan)}`
  );
}
