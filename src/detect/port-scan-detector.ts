import type { Event } from '../core/event.js';
import type { Vocabulary } from './activity-tally.js';
import { NAME_KEY_BASE } from './attempt-window.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { formatCount, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';
import { crossing, raisePeak, slowRuleNote, type WindowRules } from './window-threshold.js';

/** A port scan found on a source: where the threshold was crossed, and the most seen since. */
export interface PortScanState {
  readonly rule: 'fast' | 'slow';
  /** Index of the span that crossed, among the engine's spans. */
  readonly window: number;
  readonly targetId: number;
  readonly target: string;
  /** The most distinct ports seen on the target within the window, and when. */
  count: number;
  at: number;
  /** Earliest attempt on the target within the window at the crossing. */
  readonly from: number;
  /** True when the crossing attempt named a service rather than a port. */
  readonly byName: boolean;
}

/** Severity of a port scan by distinct ports, after psad's levels (docs/detection.md). */
export function portScanSeverity(ports: number): { severity: number; severityWhy: string } {
  if (ports >= 1000) return { severity: 4, severityWhy: '1,000 or more distinct ports' };
  if (ports >= 150) return { severity: 3, severityWhy: '150 or more distinct ports' };
  return { severity: 2, severityWhy: 'a port scan of fewer than 150 ports' };
}

/**
 * Port scan (vertical): at least `portScan.ports` distinct ports (or services, for logs without
 * ports) on one target within `portScan.window`, or `slowPorts` within `slowWindow`. Reads the
 * attempt windows the engine keeps per source.
 */
export class PortScanDetector implements Detector {
  readonly kind = 'port-scan';
  readonly groups: readonly EventGroup[] = ['refused'];
  private readonly rules: WindowRules;

  constructor(
    config: DetectConfig,
    /** Indexes of the fast and slow windows among the engine's attempt windows. */
    fastIndex: number,
    slowIndex: number,
    private readonly vocabulary: Vocabulary,
  ) {
    this.rules = {
      fastIndex,
      slowIndex,
      fast: config.portScan.ports,
      slow: config.portScan.slowPorts,
      fastSpan: config.portScan.window,
      slowSpan: config.portScan.slowWindow,
    };
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const t = step.t;
    if (!step.windowed || t === null) return;
    const counts = step.targetCounts;
    const found = track.portScan;
    if (found !== null) {
      if (step.targetId === found.targetId) raisePeak(found, counts, t);
      return;
    }
    const crossed = crossing(this.rules, counts);
    if (crossed === null) return;
    track.portScan = {
      rule: crossed.rule,
      window: crossed.window,
      targetId: step.targetId,
      target: this.vocabulary.targets.name(step.targetId),
      count: counts[crossed.window]!,
      at: t,
      from: track.scan!.earliestOfTarget(step.targetId, crossed.span, t),
      byName: step.portKey >= NAME_KEY_BASE,
    };
    track.notable = true;
    track.evidence!.mark(ev, GROUP_BIT.refused);
  }

  conclude(track: SourceTrack): Finding | null {
    const found = track.portScan;
    const tally = track.refused;
    if (found === null || tally === null) return null;
    const what = found.byName ? 'distinct services' : 'distinct ports';
    const details = [
      `${formatCount(found.count)} ${what} on ${found.target} ${timeSpan(found.from, found.at)}`,
    ];
    if (found.rule === 'slow') {
      details.push(slowRuleNote('scan', 'ports', 'portScan.slowPorts', this.rules));
    }
    const ports = Math.max(found.count, tally.portCount);
    return { kind: 'port-scan', tallies: [tally], details, ...portScanSeverity(ports) };
  }
}
