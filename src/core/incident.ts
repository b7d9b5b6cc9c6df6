import type { EventKind } from './event.js';

/** What a detector concludes about one source. */
export type IncidentKind = 'probe' | 'port-scan' | 'sweep' | 'brute-force' | 'dos' | 'exploit';

/** Every incident kind, strongest story first (used to order and to absorb weaker stories). */
export const INCIDENT_KINDS: readonly IncidentKind[] = [
  'exploit',
  'dos',
  'brute-force',
  'sweep',
  'port-scan',
  'probe',
];

/** One log line kept as evidence for an incident. */
export interface Evidence {
  /** Epoch ms UTC, or null when the line had no time. */
  readonly at: number | null;
  readonly kind: EventKind;
  readonly source: string;
  readonly line: number;
  /** The log line as read (detached from the read buffer, at most 1 KiB). */
  readonly text: string;
}

/** A source's activity of one kind, with the verdict on whether it is worth reporting. */
export interface Incident {
  /** Stable identifier: a random UUID assigned by the store when the incident is first stored. */
  readonly id: string;
  readonly kind: IncidentKind;
  /** Canonical source address; null when logs named only a host (`srcHost`). */
  readonly src: string | null;
  readonly srcHost: string | null;
  /** Epoch ms UTC of the first and last event that belong to the incident. */
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Number of events (counting repeated messages by their count). */
  readonly events: number;
  /** Distinct destination ports seen, ascending (capped; `portsTruncated` says so). */
  readonly ports: readonly number[];
  /** Distinct targets (destination addresses, or the logging hosts when no address is given). */
  readonly targets: readonly string[];
  readonly services: readonly string[];
  readonly users: readonly string[];
  /** True when a capped list above was cut short (more were seen than are listed). */
  readonly truncated: boolean;
  /** 1 (noise) to 5 (severe), after psad's danger levels. */
  readonly severity: number;
  readonly reportable: boolean;
  /** Sentences a person can read: why this kind, why this severity, why (not) reportable. */
  readonly reasons: readonly string[];
  /** A bounded sample of the log lines the detector used. */
  readonly evidence: readonly Evidence[];
}

/**
 * A judged incident with the id the store gave it. The fields are written out: `{ ...judged,
 * id }` would give every such object a hidden class of its own in V8 (a spread copy that then
 * gains a property), and every later read of it a megamorphic miss.
 */
export function withId(judged: Omit<Incident, 'id'>, id: string): Incident {
  return {
    id,
    kind: judged.kind,
    src: judged.src,
    srcHost: judged.srcHost,
    firstSeen: judged.firstSeen,
    lastSeen: judged.lastSeen,
    events: judged.events,
    ports: judged.ports,
    targets: judged.targets,
    services: judged.services,
    users: judged.users,
    truncated: judged.truncated,
    severity: judged.severity,
    reportable: judged.reportable,
    reasons: judged.reasons,
    evidence: judged.evidence,
  };
}
