import { formatDuration } from '../core/duration.js';
import type { Event } from '../core/event.js';
import type { Vocabulary } from './activity-tally.js';
import { NAME_KEY_BASE } from './attempt-window.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { counted, portLabel, serviceLabel, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';

/** A sweep found on a source: the port or service, where it crossed, the most seen since. */
export interface SweepState {
  readonly rule: 'fast' | 'slow';
  readonly window: number;
  readonly portKey: number;
  /** `one port (23/tcp telnet)` or `one service (ssh)`. */
  readonly label: string;
  /** The most distinct targets seen on the port within the window, and when. */
  count: number;
  at: number;
  readonly from: number;
}

/** Severity of a sweep by distinct targets, after psad's host levels (docs/detection.md). */
export function sweepSeverity(targets: number): { severity: number; severityWhy: string } {
  return targets >= 100
    ? { severity: 4, severityWhy: '100 or more targets (psad danger level 4)' }
    : { severity: 3, severityWhy: 'a sweep of fewer than 100 targets' };
}

/**
 * Sweep (horizontal): one port or service on at least `sweep.targets` distinct targets within
 * `sweep.window`, or `slowTargets` within `slowWindow`. Targets are destination addresses, or
 * the logging hosts when the log names no destination (an sshd sweep over your servers).
 */
export class SweepDetector implements Detector {
  readonly kind = 'sweep';
  readonly groups: readonly EventGroup[] = ['refused'];
  private readonly targets: number;
  private readonly slowTargets: number;
  private readonly span: number;
  private readonly slowSpan: number;

  constructor(
    config: DetectConfig,
    private readonly fastIndex: number,
    private readonly slowIndex: number,
    private readonly vocabulary: Vocabulary,
  ) {
    this.targets = config.sweep.targets;
    this.slowTargets = config.sweep.slowTargets;
    this.span = config.sweep.window;
    this.slowSpan = config.sweep.slowWindow;
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const t = step.t;
    if (!step.windowed || t === null) return;
    const scan = track.scan!;
    const counts = step.portCounts;
    const found = track.sweep;
    if (found !== null) {
      if (step.portKey === found.portKey && counts[found.window]! > found.count) {
        found.count = counts[found.window]!;
        found.at = t;
      }
      return;
    }
    let rule: 'fast' | 'slow' | null = null;
    if (counts[this.fastIndex]! >= this.targets) rule = 'fast';
    else if (counts[this.slowIndex]! >= this.slowTargets) rule = 'slow';
    if (rule === null) return;
    const index = rule === 'fast' ? this.fastIndex : this.slowIndex;
    const span = rule === 'fast' ? this.span : this.slowSpan;
    const key = step.portKey;
    track.sweep = {
      rule,
      window: index,
      portKey: key,
      label:
        key < NAME_KEY_BASE
          ? `one port (${portLabel(key, ev.proto, ev.service)})`
          : `one service (${serviceLabel(this.vocabulary.services.name(key - NAME_KEY_BASE))})`,
      count: counts[index]!,
      at: t,
      from: scan.earliestOfPort(key, span, t),
    };
    track.notable = true;
    track.evidence!.mark(ev, GROUP_BIT.refused);
  }

  conclude(track: SourceTrack): Finding | null {
    const found = track.sweep;
    const tally = track.refused;
    if (found === null || tally === null) return null;
    const details = [
      `${found.label} on ${counted(found.count, 'host', 'hosts')} ${timeSpan(found.from, found.at)}`,
    ];
    if (found.rule === 'slow') {
      details.push(
        `a slow sweep: ${this.slowTargets} hosts within ${formatDuration(this.slowSpan)} (sweep.slowTargets), not ${this.targets} within ${formatDuration(this.span)}`,
      );
    }
    const targets = Math.max(found.count, tally.targets().length);
    return { kind: 'sweep', tallies: [tally], details, ...sweepSeverity(targets) };
  }
}
