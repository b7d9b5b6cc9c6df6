import { formatDuration } from '../core/duration.js';
import type { Event } from '../core/event.js';
import type { Vocabulary } from './activity-tally.js';
import { NAME_KEY_BASE } from './attempt-window.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { formatCount, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';

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
  private readonly ports: number;
  private readonly slowPorts: number;
  private readonly span: number;
  private readonly slowSpan: number;

  constructor(
    config: DetectConfig,
    /** Indexes of the fast and slow windows among the engine's attempt windows. */
    private readonly fastIndex: number,
    private readonly slowIndex: number,
    private readonly vocabulary: Vocabulary,
  ) {
    this.ports = config.portScan.ports;
    this.slowPorts = config.portScan.slowPorts;
    this.span = config.portScan.window;
    this.slowSpan = config.portScan.slowWindow;
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const t = step.t;
    if (!step.windowed || t === null) return;
    const scan = track.scan!;
    const counts = step.targetCounts;
    const found = track.portScan;
    if (found !== null) {
      if (step.targetId === found.targetId && counts[found.window]! > found.count) {
        found.count = counts[found.window]!;
        found.at = t;
      }
      return;
    }
    let rule: 'fast' | 'slow' | null = null;
    if (counts[this.fastIndex]! >= this.ports) rule = 'fast';
    else if (counts[this.slowIndex]! >= this.slowPorts) rule = 'slow';
    if (rule === null) return;
    const index = rule === 'fast' ? this.fastIndex : this.slowIndex;
    const span = rule === 'fast' ? this.span : this.slowSpan;
    track.portScan = {
      rule,
      window: index,
      targetId: step.targetId,
      target: this.vocabulary.targets.name(step.targetId),
      count: counts[index]!,
      at: t,
      from: scan.earliestOfTarget(step.targetId, span, t),
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
      details.push(
        `a slow scan: ${this.slowPorts} ports within ${formatDuration(this.slowSpan)} (portScan.slowPorts), not ${this.ports} within ${formatDuration(this.span)}`,
      );
    }
    const ports = Math.max(found.count, tally.ports().length);
    return { kind: 'port-scan', tallies: [tally], details, ...portScanSeverity(ports) };
  }
}
