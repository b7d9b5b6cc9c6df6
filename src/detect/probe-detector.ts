import { detach } from '../core/detach.js';
import type { Event, EventKind } from '../core/event.js';
import { KIND_BIT, type ActivityTally } from './activity-tally.js';
import type { DetectConfig } from './detect-config.js';
import type { Detector, EventGroup, Finding, Step } from './detector.js';
import { counted, listed, serviceLabel, shortText, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';

/** IDS signatures below the exploit priority kept per source (as probe evidence). */
const IDS_SIGNATURES = 8;

/** What the probe detector keeps beyond the refused tally: low-priority IDS signatures. */
export interface ProbeState {
  readonly ids: Map<string, { count: number; priority: number | null }>;
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
  const ports = tally.ports().sort((a, b) => a - b);
  const services = tally.services();
  const targets = tally.targets();
  let s = '';
  if (ports.length > 0) {
    s = ` on ${ports.length === 1 ? 'port' : 'ports'} ${listed(ports, 8)}`;
    if (services.length > 0) s += ` (${listed(services, 4)})`;
  } else if (services.length > 0) {
    s = ` on ${listed(services.map(serviceLabel), 4)}`;
  }
  if (targets.length === 1) s += ` to ${targets[0]}`;
  else if (targets.length > 1) s += ` to ${counted(targets.length, 'host', 'hosts')}`;
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

  constructor(config: DetectConfig) {
    this.reportAfter = config.probe.reportAfter;
  }

  observe(track: SourceTrack, ev: Event, _step: Step): void {
    if (!track.notable && track.refused!.events >= this.reportAfter) track.notable = true;
    if (ev.kind !== 'ids-alert') return;
    const ids = (track.probe ??= { ids: new Map() }).ids;
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
    return { kind: 'probe', tallies: [tally], details, ...this.severity(tally.events) };
  }

  /** Severity of a probe of `events` attempts. */
  severity(events: number): { severity: number; severityWhy: string } {
    return events >= this.reportAfter
      ? { severity: 2, severityWhy: `at least ${this.reportAfter} attempts (probe.reportAfter)` }
      : { severity: 1, severityWhy: `fewer than ${this.reportAfter} attempts (probe.reportAfter)` };
  }
}
