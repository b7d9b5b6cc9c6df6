import { INCIDENT_KINDS, type IncidentKind } from '../core/incident.js';
import { LIST_CAPS, type ActivityTally } from './activity-tally.js';
import type { BruteForceDetector } from './brute-force-detector.js';
import type { Detector, Finding } from './detector.js';
import type { IncidentDraft } from './incident-draft.js';
import { sampleEvidence } from './evidence-sample.js';
import { severityReason, summaryReason } from './incident-text.js';
import type { ProbeDetector } from './probe-detector.js';
import type { SourceTrack } from './source-track.js';

/** The distinct values of fresh lists (each already distinct: a tally's), at most `cap`. */
function union<T>(lists: readonly T[][], cap: number): { values: T[]; cut: boolean } {
  if (lists.length === 1) {
    // Most findings have one tally: its list is distinct already, and fresh (ours to keep).
    const only = lists[0]!;
    return only.length > cap
      ? { values: only.slice(0, cap), cut: true }
      : { values: only, cut: false };
  }
  const seen = new Set<T>();
  for (const list of lists) for (const v of list) seen.add(v);
  const values = [...seen];
  return values.length > cap ? { values: values.slice(0, cap), cut: true } : { values, cut: false };
}

/** Turns a finding into an incident draft: the tallies' totals, evidence and reasons. */
export function draftOf(track: SourceTrack, f: Finding, evidenceLines: number): IncidentDraft {
  const tallies = f.tallies;
  let events = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let cut = false;
  for (const t of tallies) {
    events += t.events;
    if (t.first < first) first = t.first;
    if (t.last > last) last = t.last;
    if (t.truncated) cut = true;
  }
  if (f.extra !== undefined) {
    events += f.extra.events;
    if (f.extra.first < first) first = f.extra.first;
    if (f.extra.last > last) last = f.extra.last;
  }
  if (!Number.isFinite(first)) first = last = track.touchedAt;
  const list = <T>(pick: (t: ActivityTally) => T[] | undefined, cap: number): T[] => {
    const u = union(
      tallies.map((t) => pick(t) ?? []),
      cap,
    );
    if (u.cut) cut = true;
    return u.values;
  };
  const ports = list((t) => t.ports(), LIST_CAPS.ports).sort((a, b) => a - b);
  const targets = list((t) => t.targets(), LIST_CAPS.targets);
  const services = list((t) => t.services(), LIST_CAPS.services);
  const users = list((t) => t.users(), LIST_CAPS.users).filter((u) => u !== '');
  let groups = 0;
  for (const t of tallies) groups |= t.group;
  const sample = track.evidence;
  const fields = { events, ports, targets, services, users, firstSeen: first, lastSeen: last };
  return {
    kind: f.kind,
    src: track.src,
    srcHost: track.srcHost,
    ...fields,
    truncated: cut,
    severity: f.severity,
    reasons: [...f.details, summaryReason(fields), severityReason(f.severity, f.severityWhy)],
    evidence:
      sample === null
        ? []
        : sampleEvidence(sample.pool(groups), evidenceLines, sample.marked(groups)),
  };
}

/** The detectors the composer needs by name (absent when disabled). */
export interface ComposerParts {
  readonly detectors: readonly Detector[];
  readonly probe: ProbeDetector | null;
  readonly brute: BruteForceDetector | null;
  readonly evidenceLines: number;
}

/**
 * The incidents of a closed track, strongest first (INCIDENT_KINDS order), one story per
 * attacker: a sweep absorbs a port scan of the same attempts (its crossing becomes a reason),
 * port scans, sweeps and floods absorb the probe, and failed logins below the brute-force
 * thresholds join the probe (or become a note on the source's other incident).
 */
export function composeIncidents(track: SourceTrack, parts: ComposerParts): IncidentDraft[] {
  const found = new Map<IncidentKind, Finding>();
  for (const d of parts.detectors) {
    const f = d.conclude(track);
    if (f !== null) found.set(f.kind, f);
  }
  const sweep = found.get('sweep');
  const scan = found.get('port-scan');
  if (sweep !== undefined && scan !== undefined) {
    const stronger = scan.severity > sweep.severity ? scan : sweep;
    found.set('sweep', {
      ...sweep,
      details: [...sweep.details, ...scan.details.map((d) => `also ${d}`)],
      severity: stronger.severity,
      severityWhy: stronger.severityWhy,
    });
    found.delete('port-scan');
  }
  if (found.has('port-scan') || found.has('sweep') || found.has('dos')) found.delete('probe');
  const note = found.has('brute-force') ? null : (parts.brute?.belowThreshold(track) ?? null);
  if (note !== null) {
    const others = INCIDENT_KINDS.filter((k) => k !== 'probe' && found.has(k));
    if (others.length > 0) {
      const first = found.get(others[0]!)!;
      found.set(first.kind, { ...first, details: [...first.details, `also ${note}`] });
    } else if (parts.probe !== null) {
      const probe = found.get('probe');
      found.set('probe', {
        kind: 'probe',
        tallies: [...(probe?.tallies ?? []), track.auth!],
        details: [...(probe?.details ?? []), note],
        ...parts.probe.severity(track),
      });
    }
  }
  return INCIDENT_KINDS.filter((k) => found.has(k)).map((k) =>
    draftOf(track, found.get(k)!, parts.evidenceLines),
  );
}
