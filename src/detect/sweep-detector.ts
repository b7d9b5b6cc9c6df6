import type { Event } from '../core/event.js';
import type { Vocabulary } from './activity-tally.js';
import { NAME_KEY_BASE } from './attempt-window.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { counted, portLabel, serviceLabel, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';
import { crossing, raisePeak, slowRuleNote, type WindowRules } from './window-threshold.js';

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
  private readonly rules: WindowRules;

  constructor(
    config: DetectConfig,
    fastIndex: number,
    slowIndex: number,
    private readonly vocabulary: Vocabulary,
  ) {
    this.rules = {
      fastIndex,
      slowIndex,
      fast: config.sweep.targets,
      slow: config.sweep.slowTargets,
      fastSpan: config.sweep.window,
      slowSpan: config.sweep.slowWindow,
    };
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const t = step.t;
    if (!step.windowed || t === null) return;
    const counts = step.portCounts;
    const found = track.sweep;
    if (found !== null) {
      if (step.portKey === found.portKey) raisePeak(found, counts, t);
      return;
    }
    const crossed = crossing(this.rules, counts);
    if (crossed === null) return;
    const key = step.portKey;
    track.sweep = {
      rule: crossed.rule,
      window: crossed.window,
      portKey: key,
      label:
        key < NAME_KEY_BASE
          ? `one port (${portLabel(key, ev.proto, ev.service)})`
          : `one service (${serviceLabel(this.vocabulary.services.name(key - NAME_KEY_BASE))})`,
      count: counts[crossed.window]!,
      at: t,
      from: track.scan!.earliestOfPort(key, crossed.span, t),
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
      details.push(slowRuleNote('sweep', 'hosts', 'sweep.slowTargets', this.rules));
    }
    const targets = Math.max(found.count, tally.targetCount);
    return { kind: 'sweep', tallies: [tally], details, ...sweepSeverity(targets) };
  }
}
