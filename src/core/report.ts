import type { IncidentKind } from './incident.js';

/**
 * Where a report is in its life: drafted, approved by a person (or by configuration), being
 * handed to the SMTP server (the Message-ID is recorded before the attempt), sent, failed (a
 * permanent refusal, or an attempt whose outcome is unknown: never retried on its own), or
 * discarded by a person.
 */
export type ReportStatus = 'draft' | 'approved' | 'sending' | 'sent' | 'failed' | 'discarded';

/** Every report status, in the order of a report's life. */
export const REPORT_STATUSES: readonly ReportStatus[] = [
  'draft',
  'approved',
  'sending',
  'sent',
  'failed',
  'discarded',
];

/** One address a report goes to, and why. */
export interface Recipient {
  readonly email: string;
  readonly kind: 'to' | 'cc';
  /** Where it came from, for people: `whois.ripe.net % Abuse contact (abuse)`, `report.alwaysCc`. */
  readonly source: string;
}

/** One X-ARF version 4 report (a flat JSON object), for one incident. */
export type XarfReport = Readonly<Record<string, unknown>>;

/** The memo for one responsible contact, as composed (before the store gives it an id). */
export interface ReportDraft {
  /** The grouping key: the primary recipient's address, lower case, or `none:<network>` when none. */
  readonly contact: string;
  readonly recipients: readonly Recipient[];
  readonly subject: string;
  /** The plain-text memo. */
  readonly body: string;
  /**
   * The X-ARF reports, one per incident whose X-ARF part is complete (a log that does not name
   * the source port cannot make a valid login_attack, port_scan or ddos part), in incident order.
   */
  readonly xarf: readonly XarfReport[];
  readonly incidentIds: readonly string[];
  /** The source addresses the report is about, ascending. */
  readonly sources: readonly string[];
  readonly kinds: readonly IncidentKind[];
  /** Why the draft cannot be sent as it is (no recipient), else null. */
  readonly note: string | null;
}

/** A report as the store keeps it. Times are epoch ms UTC. */
export interface Report extends ReportDraft {
  readonly id: string;
  readonly status: ReportStatus;
  /** `<…@…>`, assigned when the report is first handed to SMTP (recorded before the attempt). */
  readonly messageId: string | null;
  /** The message as a person edited it (`report edit`), sent instead of the composed one. */
  readonly eml: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly approvedAt: number | null;
  readonly sentAt: number | null;
  /** Delivery attempts so far, and when the next may start (temporary failures back off). */
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  /** The last delivery error, for people. */
  readonly lastError: string | null;
}
