import type { Insertable, Selectable, Updateable } from 'kysely';
import {
  REPORT_STATUSES,
  type Recipient,
  type Report,
  type ReportDraft,
  type ReportStatus,
  type XarfReport,
} from '../core/report.js';
import {
  int64,
  int64OrNull,
  isIncidentKind,
  isJsonObject,
  isString,
  numberOrNull,
  parseList,
} from './column-values.js';
import type { LedgerTable, ReportsTable } from './schema.js';
import type { LedgerEntry, ReportPatch } from './store.js';

// Lists are JSON text, read defensively like the other tables' (column-values.ts): unreadable
// text gives an empty list, unreadable entries are dropped, and recipients keep only their
// documented fields, so a report always reads back.

const KNOWN_STATUSES: ReadonlySet<string> = new Set<ReportStatus>(REPORT_STATUSES);

/** A type guard for the report statuses this version knows. */
export function isReportStatus(v: unknown): v is ReportStatus {
  return typeof v === 'string' && KNOWN_STATUSES.has(v);
}

function isRecipient(v: unknown): v is Recipient {
  return (
    isJsonObject(v) &&
    typeof v['email'] === 'string' &&
    (v['kind'] === 'to' || v['kind'] === 'cc') &&
    typeof v['source'] === 'string'
  );
}

// Only the documented fields go in and come out, whatever else an object carries.
function recipientFields(r: Recipient): Recipient {
  return { email: r.email, kind: r.kind, source: r.source };
}

function recipientsJson(recipients: readonly Recipient[]): string {
  return JSON.stringify(recipients.map(recipientFields));
}

/** The columns of a composed report (everything but its id, status and delivery state). */
export function draftToRow(draft: ReportDraft) {
  return {
    contact: draft.contact,
    recipients: recipientsJson(draft.recipients),
    subject: draft.subject,
    body: draft.body,
    xarf: JSON.stringify(draft.xarf),
    incident_ids: JSON.stringify(draft.incidentIds),
    sources: JSON.stringify(draft.sources),
    kinds: JSON.stringify(draft.kinds),
    note: draft.note,
  } satisfies Partial<Insertable<ReportsTable>>;
}

/** The columns a patch changes; absent fields are left out, so the UPDATE keeps them. */
export function patchToRow(patch: ReportPatch): Updateable<ReportsTable> {
  const row: Updateable<ReportsTable> = {};
  if (patch.status !== undefined) row.status = patch.status;
  if (patch.messageId !== undefined) row.message_id = patch.messageId;
  if (patch.eml !== undefined) row.eml = patch.eml;
  if (patch.subject !== undefined) row.subject = patch.subject;
  if (patch.body !== undefined) row.body = patch.body;
  if (patch.recipients !== undefined) row.recipients = recipientsJson(patch.recipients);
  if (patch.note !== undefined) row.note = patch.note;
  if (patch.approvedAt !== undefined) row.approved_at = int64OrNull(patch.approvedAt, 'approvedAt');
  if (patch.sentAt !== undefined) row.sent_at = int64OrNull(patch.sentAt, 'sentAt');
  if (patch.attempts !== undefined) row.attempts = int64(patch.attempts, 'attempts');
  if (patch.nextAttemptAt !== undefined) {
    row.next_attempt_at = int64OrNull(patch.nextAttemptAt, 'nextAttemptAt');
  }
  if (patch.lastError !== undefined) row.last_error = patch.lastError;
  return row;
}

/** A stored report; `status` is the row's, already checked by the caller. */
export function reportFromRow(row: Selectable<ReportsTable>, status: ReportStatus): Report {
  return {
    id: row.id,
    status,
    contact: row.contact,
    recipients: parseList(row.recipients, isRecipient).map(recipientFields),
    subject: row.subject,
    body: row.body,
    xarf: parseList<XarfReport>(row.xarf, isJsonObject),
    incidentIds: parseList(row.incident_ids, isString),
    sources: parseList(row.sources, isString),
    kinds: parseList(row.kinds, isIncidentKind),
    note: row.note,
    messageId: row.message_id,
    eml: row.eml,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    approvedAt: numberOrNull(row.approved_at),
    sentAt: numberOrNull(row.sent_at),
    attempts: Number(row.attempts),
    nextAttemptAt: numberOrNull(row.next_attempt_at),
    lastError: row.last_error,
  };
}

/** The row of a ledger entry. */
export function ledgerToRow(entry: LedgerEntry): Insertable<LedgerTable> {
  return {
    report_id: entry.reportId,
    src: entry.src,
    contact: entry.contact,
    kind: entry.kind,
    network: entry.network,
    message_id: entry.messageId,
    sent_at: int64(entry.sentAt, 'sentAt'),
  };
}

/** A stored ledger entry, or null when its kind is unknown to this version (it is skipped). */
export function ledgerFromRow(row: Selectable<LedgerTable>): LedgerEntry | null {
  if (!isIncidentKind(row.kind)) return null;
  return {
    reportId: row.report_id,
    src: row.src,
    contact: row.contact,
    kind: row.kind,
    network: row.network,
    messageId: row.message_id,
    sentAt: Number(row.sent_at),
  };
}

/** Orders report ids numerically when they are numbers ("9" before "10"), else as text. */
export function compareReportIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Newest first: sentAt descending, then the later report, then source, kind and contact. */
export function compareLedger(a: LedgerEntry, b: LedgerEntry): number {
  return (
    b.sentAt - a.sentAt ||
    compareReportIds(b.reportId, a.reportId) ||
    compareText(a.src, b.src) ||
    compareText(a.kind, b.kind) ||
    compareText(a.contact, b.contact)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
