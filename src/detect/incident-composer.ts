import { INCIDENT_KINDS, type IncidentKind } from '../core/incident.js';
import { LIST_CAPS } from './activity-tally.js';
import type { BruteForceDetector } from './brute-force-detector.js';
import type { Detector, Finding } from './detector.js';
import type { IncidentDraft } from './incident-draft.js';
import { flat, severityReason, summaryReason } from './incident-text.js';
import type { ProbeDetector } from './probe-detector.js';
import { ascending, sortSmall } from './small-sort.js';
import type { SourceTrack } from './source-track.js';

/** Index of each kind in INCIDENT_KINDS (strongest first). */
const RANK = Object.fromEntries(INCIDENT_KINDS.map((k, i) => [k, i])) as Readonly<
  Record<IncidentKind, number>
>;

/**
 * The distinct values of fresh lists (each already distinct: a tally's), at most `cap`. Only
 * for two or more: a single tally's lists are used as they are.
 */
function union<T>(lists: readonly T[][], cap: number): { values: T[]; cut: boolean } {
  const seen = new Set<T>();
  for (const list of lists) for (const v of list) seen.add(v);
  const values = [...seen];
  return values.length > cap ? { values: values.slice(0, cap), cut: true } : { values, cut: false };
}

/** A draft's reasons: the details, the summary and the severity, each flattened (see flat). */
function flatReasons(details: readonly string[], summary: string, severity: string): string[] {
  const reasons = new Array<string>(details.length + 2);
  for (let i = 0; i < details.length; i++) reasons[i] = flat(details[i]!);
  reasons[details.length] = flat(summary);
  reasons[details.length + 1] = flat(severity);
  return reasons;
}

/** A list without its empty strings (the list itself when it has none). */
function nonEmpty(list: string[]): string[] {
  return list.includes('') ? list.filter((u) => u !== '') : list;
}

/** Turns a finding into an incident draft: the tallies' totals, evidence and reasons. */
export function draftOf(track: SourceTrack, f: Finding, evidenceLines: number): IncidentDraft {
  const tallies = f.tallies;
  let events = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let cut = false;
  let groups = 0;
  for (const t of tallies) {
    events += t.events;
    if (t.first < first) first = t.first;
    if (t.last > last) last = t.last;
    if (t.truncated) cut = true;
    groups |= t.group;
  }
  if (f.extra !== undefined) {
    events += f.extra.events;
    if (f.extra.first < first) first = f.extra.first;
    if (f.extra.last > last) last = f.extra.last;
  }
  if (!Number.isFinite(first)) first = last = track.touchedAt;
  let ports: number[];
  let targets: string[];
  let services: string[];
  let users: string[];
  if (tallies.length === 1) {
    // Most findings have one tally: its lists are distinct, capped (LIST_CAPS) and fresh.
    const t = tallies[0]!;
    ports = t.sortedPorts();
    targets = t.targets();
    services = t.services();
    users = t.users();
  } else {
    const list = <T>(lists: T[][], cap: number): T[] => {
      const u = union(lists, cap);
      if (u.cut) cut = true;
      return u.values;
    };
    ports = sortSmall(
      list(
        tallies.map((t) => t.ports()),
        LIST_CAPS.ports,
      ),
      ascending,
    );
    targets = list(
      tallies.map((t) => t.targets()),
      LIST_CAPS.targets,
    );
    services = list(
      tallies.map((t) => t.services()),
      LIST_CAPS.services,
    );
    users = list(
      tallies.map((t) => t.users()),
      LIST_CAPS.users,
    );
  }
  users = nonEmpty(users);
  const sample = track.evidence;
  const fields = { events, ports, targets, services, users, firstSeen: first, lastSeen: last };
  // The fields written out rather than spread: the same properties in the same order.
  return {
    kind: f.kind,
    src: track.src,
    srcHost: track.srcHost,
    events,
    ports,
    targets,
    services,
    users,
    firstSeen: first,
    lastSeen: last,
    truncated: cut,
    severity: f.severity,
    reasons: flatReasons(
      f.details,
      summaryReason(fields),
      severityReason(f.severity, f.severityWhy),
    ),
    evidence: sample === null ? [] : sample.sample(groups, evidenceLines),
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
  // Findings by INCIDENT_KINDS index (a Map and copies of it cost more than the findings).
  const found = new Array<Finding | null>(INCIDENT_KINDS.length).fill(null);
  // The probe is concluded last, and only when no port scan, sweep or flood absorbs it.
  let probeDetector: Detector | null = null;
  for (const d of parts.detectors) {
    if (d === parts.probe) {
      probeDetector = d;
      continue;
    }
    const f = d.conclude(track);
    if (f !== null) found[RANK[f.kind]] = f;
  }
  const sweep = found[RANK.sweep] ?? null;
  const scan = found[RANK['port-scan']] ?? null;
  if (sweep !== null && scan !== null) {
    const stronger = scan.severity > sweep.severity ? scan : sweep;
    found[RANK.sweep] = {
      ...sweep,
      details: [...sweep.details, ...scan.details.map((d) => `also ${d}`)],
      severity: stronger.severity,
      severityWhy: stronger.severityWhy,
    };
    found[RANK['port-scan']] = null;
  }
  const absorbed =
    found[RANK['port-scan']] !== null || found[RANK.sweep] !== null || found[RANK.dos] !== null;
  if (probeDetector !== null && !absorbed) {
    const f = probeDetector.conclude(track);
    if (f !== null) found[RANK[f.kind]] = f;
  }
  const note =
    found[RANK['brute-force']] !== null ? null : (parts.brute?.belowThreshold(track) ?? null);
  if (note !== null) {
    let strongest = -1;
    for (let i = 0; i < found.length && strongest < 0; i++) {
      if (i !== RANK.probe && found[i] !== null) strongest = i;
    }
    if (strongest >= 0) {
      const first = found[strongest]!;
      found[strongest] = { ...first, details: [...first.details, `also ${note}`] };
    } else if (parts.probe !== null) {
      const probe = found[RANK.probe] ?? null;
      found[RANK.probe] = {
        kind: 'probe',
        tallies: [...(probe?.tallies ?? []), track.auth!],
        details: [...(probe?.details ?? []), note],
        ...parts.probe.severity(track),
      };
    }
  }
  const drafts: IncidentDraft[] = [];
  for (const f of found) if (f !== null) drafts.push(draftOf(track, f, parts.evidenceLines));
  return drafts;
}
