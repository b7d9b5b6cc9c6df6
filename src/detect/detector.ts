import type { Event } from '../core/event.js';
import type { IncidentKind } from '../core/incident.js';
import type { ActivityTally } from './activity-tally.js';
import type { SourceTrack } from './source-track.js';

export type { IncidentDraft } from './incident-draft.js';

/**
 * What the events of a source are evidence of:
 * - `refused`: attempts turned away (firewall drops, tcpd refusals, preauth disconnects,
 *   protocol errors, rate-limit rejections, IDS alerts below the exploit priority);
 * - `auth`: failed logins and invalid users;
 * - `exploit`: exploit attempts and urgent IDS alerts;
 * - `traffic`: accepted connections and ordinary HTTP requests (only a flood of them matters);
 * - `success`: successful logins (evidence of nothing alone, but an operator must know).
 */
export type EventGroup = 'refused' | 'auth' | 'exploit' | 'traffic' | 'success';

/** The bit of each event group in group masks (evidence lines are tagged with it). */
export const GROUP_BIT: Readonly<Record<EventGroup, number>> = {
  refused: 1,
  auth: 2,
  exploit: 4,
  traffic: 8,
  success: 16,
};

/** Per-event facts the engine works out once and every detector reads. */
export interface Step {
  /** Event time for windows (non-decreasing per source), or null for a line without a time. */
  t: number | null;
  /** The source's clock after this event: its latest event time (or the engine's, untimed). */
  touched: number;
  /** True when the attempt windows saw this event (it had a target and a port or service). */
  windowed: boolean;
  /** The event's port key (port, or a number for its service) when windowed, else -1. */
  portKey: number;
  /** The event's target id in the engine's table (NONE, or UNNAMED when the table is full). */
  targetId: number;
  /** The event's user name id in the engine's table (NONE for no or an empty name, UNNAMED). */
  userId: number;
  /** When windowed, per span (the engine's spans, shortest first): distinct ports of the
   * attempt's target, and distinct targets of its port, the attempt included. */
  readonly targetCounts: number[];
  readonly portCounts: number[];
}

/** A detector's conclusion about one source: the incident it makes, before composition. */
export interface Finding {
  readonly kind: IncidentKind;
  /** The activities whose events the incident covers. */
  readonly tallies: readonly ActivityTally[];
  /** Events counted outside the tallies (traffic before a flood was recognised). */
  readonly extra?: { readonly events: number; readonly first: number; readonly last: number };
  /** Sentences saying what was seen (threshold crossings, signatures, notes). */
  readonly details: string[];
  readonly severity: number;
  /** Why this severity, completing "Severity N: ...". */
  readonly severityWhy: string;
}

/**
 * One detector: a small state machine per source, kept in the source's track. `observe` is on
 * the hot path (no strings built, no regexes, no allocation past the first events); `conclude`
 * runs when the track closes.
 */
export interface Detector {
  readonly kind: IncidentKind;
  /** The event groups the detector reads. */
  readonly groups: readonly EventGroup[];
  /** Reads one event of the source (the track's tallies and windows are already updated). */
  observe(track: SourceTrack, ev: Event, step: Step): void;
  /** The incident the detector concludes for the source, or null. */
  conclude(track: SourceTrack): Finding | null;
}
