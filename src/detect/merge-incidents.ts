import { formatDuration } from '../core/duration.js';
import type { Incident, IncidentKind } from '../core/incident.js';
import { LIST_CAPS } from './activity-tally.js';
import type { DetectConfig } from './detect-config.js';
import { sampleEvidence } from './evidence-sample.js';
import type { IncidentDraft } from './incident-draft.js';
import {
  SEVERITY_PREFIX,
  SUMMARY_PREFIX,
  severityReason,
  summaryReason,
  type SummaryFields,
} from './incident-text.js';
import { portScanSeverity } from './port-scan-detector.js';
import { sweepSeverity } from './sweep-detector.js';

/** Detail reasons an incident keeps across merges (the newest ones). */
const MAX_DETAILS = 10;

/**
 * The severity an incident's totals alone justify (the rules of docs/detection.md that depend
 * only on counts; those that depend on what was seen, such as a success after brute force or an
 * IDS priority 1, survive a merge through the maximum of the two severities).
 */
export function totalsSeverity(
  kind: Incident['kind'],
  f: SummaryFields,
  cfg: DetectConfig,
): { severity: number; why: string } {
  switch (kind) {
    case 'probe':
      // Whether reportAfter attempts fell within probe.window is not in the totals: the
      // severity of either incident (the maximum is kept) says it.
      return {
        severity: 1,
        why: `fewer than ${cfg.probe.reportAfter} within ${formatDuration(cfg.probe.window)} (probe.reportAfter, probe.window)`,
      };
    case 'port-scan': {
      const s = portScanSeverity(f.ports.length);
      return { severity: s.severity, why: s.severityWhy };
    }
    case 'sweep': {
      const s = sweepSeverity(f.targets.length);
      return { severity: s.severity, why: s.severityWhy };
    }
    case 'brute-force':
      return f.events >= 100
        ? { severity: 4, why: '100 or more failed logins' }
        : { severity: 3, why: 'failed logins above a brute-force threshold' };
    case 'dos':
      return { severity: 4, why: 'a flood from one source' };
    case 'exploit':
      return { severity: 4, why: 'an exploit attempt' };
  }
}

function union<T>(a: readonly T[], b: readonly T[], cap: number): { values: T[]; cut: boolean } {
  const values = [...new Set([...a, ...b])];
  return values.length > cap ? { values: values.slice(0, cap), cut: true } : { values, cut: false };
}

function details(reasons: readonly string[]): string[] {
  return reasons.filter((r) => !r.startsWith(SUMMARY_PREFIX) && !r.startsWith(SEVERITY_PREFIX));
}

/**
 * Stories a below-threshold probe can continue. Detector windows are not carried from one scan
 * run to the next, so a source that crossed a threshold earlier and comes back with a few more
 * attempts yields only a probe; it is still the same attacker, and extends that story.
 */
const CONTINUABLE_BY_PROBE: readonly IncidentKind[] = [
  'brute-force',
  'port-scan',
  'sweep',
  'dos',
  'exploit',
];

/**
 * The story a new draft continues, given the latest known incident of each kind for its source:
 * the same kind within `incidentGap`, else, for a probe, the most recent stronger story within
 * it; undefined when the draft starts a new story.
 */
export function storyContinued<T extends Omit<Incident, 'id'>>(
  draft: IncidentDraft,
  latestOf: (kind: IncidentKind) => T | undefined,
  cfg: DetectConfig,
): T | undefined {
  const since = draft.firstSeen - cfg.incidentGap;
  const same = latestOf(draft.kind);
  if (same !== undefined && same.lastSeen >= since) return same;
  if (draft.kind !== 'probe') return undefined;
  let best: T | undefined;
  for (const kind of CONTINUABLE_BY_PROBE) {
    const found = latestOf(kind);
    if (found === undefined || found.lastSeen < since) continue;
    if (best === undefined || found.lastSeen > best.lastSeen) best = found;
  }
  return best;
}

/**
 * Extends a stored incident with a later scan's incident of the same source that continues it
 * (within `incidentGap`; see storyContinued) and keeps the stored incident's kind. Pure. The stored incident's last reason is its verdict
 * (the policy appends it) and is dropped: judge the result again. Times span both, events add
 * up, lists are capped unions, evidence is re-sampled without duplicates, severity is the
 * highest, detail reasons are both incidents' (without repeats, the newest MAX_DETAILS), and
 * the summary and severity reasons are recomputed.
 */
export function mergeIncidents(
  older: Omit<Incident, 'id'>,
  newer: IncidentDraft,
  cfg: DetectConfig,
): IncidentDraft {
  const ports = union(older.ports, newer.ports, LIST_CAPS.ports);
  const targets = union(older.targets, newer.targets, LIST_CAPS.targets);
  const services = union(older.services, newer.services, LIST_CAPS.services);
  const users = union(older.users, newer.users, LIST_CAPS.users);
  const fields: SummaryFields = {
    events: older.events + newer.events,
    ports: ports.values.sort((a, b) => a - b),
    targets: targets.values,
    services: services.values,
    users: users.values,
    firstSeen: Math.min(older.firstSeen, newer.firstSeen),
    lastSeen: Math.max(older.lastSeen, newer.lastSeen),
  };
  // The story keeps its kind: a probe that continues a brute force extends the brute force.
  const base = totalsSeverity(older.kind, fields, cfg);
  const olderReasons = older.reasons.slice(0, -1);
  const severityLine = (reasons: readonly string[]): string | undefined =>
    reasons.find((r) => r.startsWith(SEVERITY_PREFIX));
  let severity = base.severity;
  let why = severityReason(base.severity, base.why);
  for (const [s, reasons] of [
    [older.severity, olderReasons],
    [newer.severity, newer.reasons],
  ] as const) {
    if (s > severity) {
      severity = s;
      why = severityLine(reasons) ?? severityReason(s, 'as judged before');
    }
  }
  const kept = [...new Set([...details(olderReasons), ...details(newer.reasons)])].slice(
    -MAX_DETAILS,
  );
  return {
    kind: older.kind,
    src: newer.src,
    srcHost: newer.srcHost ?? older.srcHost,
    ...fields,
    truncated:
      older.truncated || newer.truncated || ports.cut || targets.cut || services.cut || users.cut,
    severity,
    reasons: [...kept, summaryReason(fields), why],
    evidence: sampleEvidence([...older.evidence, ...newer.evidence], cfg.evidenceLines),
  };
}
