import { detach } from '../core/detach.js';
import { formatDuration } from '../core/duration.js';
import type { Event, EventKind } from '../core/event.js';
import { KIND_BIT, type ActivityTally } from './activity-tally.js';
import type { DetectConfig } from './detect-config.js';
import type { Detector, EventGroup, Finding, Step } from './detector.js';
import { RateWindow } from './rate-window.js';
import { counted, listed, serviceLabel, shortText, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';

/** A severity and why (made once per detector and shared: callers copy its fields). */
type Severity = { readonly severity: number; readonly severityWhy: string };

/** IDS signatures below the exploit priority kept per source (as probe evidence). */
const IDS_SIGNATURES = 8;

/**
 * What the probe detector keeps beyond the refused tally: it is the window of attempts within
 * `probe.window` (one object per event, not a state and a window), read until `reportAfter`
 * is reached, plus the low-priority IDS signatures seen.
 */
export class ProbeState extends RateWindow {
  /** Low-priority IDS signatures seen (probe evidence). */
  ids: Map<string, { count: number; priority: number | null }> | null = null;
  /** The most attempts seen within the window (stops growing at `reportAfter`). */
  peak = 0;
  /** When `reportAfter` was reached. */
  at = 0;
}

const NOUNS: readonly [EventKind, string, string][] = [
  ['packet-blocked', 'blocked packet', 'blocked packets'],
  ['connection-refused', 'refused connection', 'refused connections'],
  ['protocol-error', 'connection that broke the protocol', 'connections that broke the protocol'],
  ['rate-limited', 'rate-limited attempt', 'rate-limited attempts'],
  ['ids-alert', 'low-priority IDS alert', 'low-priority IDS alerts'],
];

/** What a set of refused attempts is called in a sentence: `3 blocked packets`. */
export function attemptsPhrase(events: number, kinds: number): string {
  const only = NOUNS.filter(([k]) => (kinds & KIND_BIT[k]) !== 0);
  if (only.length === 1) {
    const [, one, many] = only[0]!;
    return events === 1 ? `a single ${one}` : counted(events, one, many);
  }
  return events === 1
    ? 'a single refused attempt'
    : counted(events, 'refused or dropped attempt', 'refused or dropped attempts');
}

/** Where attempts went, for a sentence: `on port 25 (smtp) to 192.0.2.10`. */
export function aimPhrase(tally: ActivityTally): string {
  const ports = tally.sortedPorts();
  const services = tally.services();
  const targets = tally.targetCount;
  let s = '';
  if (ports.length > 0) {
    s = ` on ${ports.length === 1 ? 'port' : 'ports'} ${listed(ports, 8)}`;
    if (services.length > 0) s += ` (${listed(services, 4)})`;
  } else if (services.length > 0) {
    s = ` on ${listed(services.map(serviceLabel), 4)}`;
  }
  if (targets === 1) s += ` to ${tally.firstTarget()}`;
  else if (targets > 1) s += ` to ${counted(targets, 'host', 'hosts')}`;
  return s;
}

/**
 * Probe: attempts a service refused or dropped (tcpd refusals, firewall drops, preauth
 * disconnects, protocol errors, rate-limit rejections, low-priority IDS alerts). Severity 1,
 * 2 from `probe.reportAfter` attempts. Port scans, sweeps and floods absorb it.
 */
export class ProbeDetector implements Detector {
  readonly kind = 'probe';
  readonly groups: readonly EventGroup[] = ['refused'];
  private readonly reportAfter: number;
  private readonly window: number;
  /** The two severities, made once (every probe and every closed source asks for one). */
  private readonly busy: Severity;
  private readonly quiet: Severity;

  constructor(config: DetectConfig) {
    this.reportAfter = config.probe.reportAfter;
    this.window = config.probe.window;
    const rule = `${this.reportAfter} within ${formatDuration(this.window)} (probe.reportAfter, probe.window)`;
    this.busy = { severity: 2, severityWhy: `at least ${rule}` };
    this.quiet = { severity: 1, severityWhy: `fewer than ${rule}` };
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const st = track.probe;
    if (st === null) {
      // Most sources are turned away once or twice: state only from the second attempt.
      if (
        ev.kind !== 'ids-alert' &&
        track.refused!.events === ev.count &&
        this.reportAfter > ev.count
      ) {
        return;
      }
      const created = (track.probe = new ProbeState(this.window));
      if (step.t !== null) {
        const before = track.refused!.events - ev.count;
        if (before > 0) created.add(track.refused!.firstAt, before);
      }
    }
    const probe = track.probe!;
    const t = step.t;
    if (t !== null && probe.peak < this.reportAfter) {
      const c = probe.add(t, ev.count);
      if (c > probe.peak) probe.peak = c;
      if (c >= this.reportAfter) {
        probe.at = t;
        track.notable = true;
      }
    }
    if (ev.kind !== 'ids-alert') return;
    const ids = (probe.ids ??= new Map());
    const sig = ev.signature ?? 'alert without signature';
    const hit = ids.get(sig);
    if (hit !== undefined) hit.count += ev.count;
    else if (ids.size < IDS_SIGNATURES) {
      ids.set(detach(sig), { count: ev.count, priority: ev.detail?.priority ?? null });
    }
  }

  conclude(track: SourceTrack): Finding | null {
    const tally = track.refused;
    if (tally === null) return null;
    const details = [
      `${attemptsPhrase(tally.events, tally.kinds)}${aimPhrase(tally)} ${timeSpan(tally.first, tally.last)}`,
    ];
    for (const [sig, { count, priority }] of track.probe?.ids ?? []) {
      const p = priority === null ? 'no priority' : `priority ${priority}`;
      details.push(`IDS: ${shortText(sig, 80)} (${p})${count > 1 ? ` (${count} times)` : ''}`);
    }
    return { kind: 'probe', tallies: [tally], details, ...this.severity(track) };
  }

  /** Severity of a source's probe: 2 once `reportAfter` attempts fell within `window`. */
  severity(track: SourceTrack): Severity {
    return (track.probe?.peak ?? 0) >= this.reportAfter ? this.busy : this.quiet;
  }
}
