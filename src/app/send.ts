import type { Config } from '../config/config-schema.js';
import type { Report } from '../core/report.js';
import {
  buildReportMessage,
  newMessageId,
  type BuiltMessage,
  type MessageOptions,
  type Sender,
} from '../deliver/report-message.js';
import { SmtpFailure, type Mailer, type SendResult } from '../deliver/smtp-mailer.js';
import { writeEml } from '../deliver/eml-files.js';
import type { LedgerEntry, Store } from '../store/store.js';

const HOUR = 3_600_000;

/** What one `reportable send` run needs. */
export interface SendRequest {
  readonly store: Store;
  readonly smtp: Config['smtp'];
  readonly from: Sender;
  /** The mailer, or null with `dryRunDir` (nothing is sent). */
  readonly mailer: Mailer | null;
  /** Write .eml files here instead of sending; statuses do not change. */
  readonly dryRunDir?: string;
  readonly dkim?: MessageOptions['dkim'];
  readonly now: () => number;
}

/** What happened to one report in a run. */
export interface SendOutcome {
  readonly id: string;
  readonly result: 'sent' | 'retry' | 'failed' | 'written' | 'held' | 'recovered';
  readonly detail: string;
}

/** The domain part of an address, lower case. */
function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase();
}

/**
 * A report left in `sending` by a run that was killed may or may not have reached the server.
 * It is never sent again on its own (a report goes out at most once): it becomes `failed`,
 * saying so, and a person decides. Only reports older than a few SMTP timeouts are taken, so a
 * second `send` running at the same time is not disturbed.
 */
async function recoverInterrupted(req: SendRequest): Promise<SendOutcome[]> {
  const now = req.now();
  const out: SendOutcome[] = [];
  for (const r of await req.store.listReports({ statuses: ['sending'] })) {
    if (r.updatedAt > now - 4 * req.smtp.timeoutMs) continue;
    const error = `a send was interrupted while handing this report to the SMTP server; it may have been delivered (Message-ID ${r.messageId ?? 'unknown'}), so it is not sent again on its own: check the mail server's log, then \`reportable report approve ${r.id}\` to send it once more`;
    const moved = await req.store.transitionReport(
      r.id,
      ['sending'],
      { status: 'failed', lastError: error },
      now,
    );
    if (moved !== null) out.push({ id: r.id, result: 'recovered', detail: error });
  }
  return out;
}

/** The ledger lines a sent report adds: each source it covers, for each kind, to its contact. */
function ledgerFor(
  report: Report,
  sentAt: number,
  networkOf: Map<string, string | null>,
): LedgerEntry[] {
  const entries: LedgerEntry[] = [];
  for (const src of report.sources) {
    for (const kind of report.kinds) {
      entries.push({
        reportId: report.id,
        src,
        contact: report.contact,
        kind,
        network: networkOf.get(src) ?? null,
        messageId: report.messageId,
        sentAt,
      });
    }
  }
  return entries;
}

/**
 * Sends the approved reports that are due, oldest first, within the hourly limits (overall and
 * per recipient domain). Each report is moved to `sending` with its Message-ID recorded before
 * the SMTP attempt (a compare-and-set, so two runs never take the same report), then to `sent`
 * with its ledger lines in one transaction. A temporary failure puts it back in the outbox with
 * a doubling wait, until `smtp.maxAttempts`; a refusal fails it; a failure after the message
 * went over the wire fails it without retry (it may have been delivered).
 */
export async function sendApproved(req: SendRequest): Promise<SendOutcome[]> {
  const { store, smtp } = req;
  const outcomes: SendOutcome[] = req.dryRunDir === undefined ? await recoverInterrupted(req) : [];
  const start = req.now();
  const due = (await store.listReports({ statuses: ['approved'] }))
    .filter((r) => r.nextAttemptAt === null || r.nextAttemptAt <= start)
    .reverse();
  const recent = await store.listReports({ statuses: ['sent'], sentSince: start - HOUR });
  let sentThisHour = recent.length;
  const perDomain = new Map<string, number>();
  for (const r of recent) {
    for (const d of new Set(
      r.recipients.filter((x) => x.kind === 'to').map((x) => domainOf(x.email)),
    )) {
      perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
    }
  }

  for (const report of due) {
    const to = report.recipients.filter((r) => r.kind === 'to');
    if (to.length === 0) {
      outcomes.push({ id: report.id, result: 'held', detail: report.note ?? 'no recipient' });
      continue;
    }
    const domains = [...new Set(to.map((r) => domainOf(r.email)))];
    if (req.dryRunDir === undefined) {
      if (sentThisHour >= smtp.perHour) {
        outcomes.push({
          id: report.id,
          result: 'held',
          detail: `smtp.perHour (${smtp.perHour}) reached; sent later`,
        });
        continue;
      }
      const full = domains.find((d) => (perDomain.get(d) ?? 0) >= smtp.perDomainPerHour);
      if (full !== undefined) {
        outcomes.push({
          id: report.id,
          result: 'held',
          detail: `smtp.perDomainPerHour (${smtp.perDomainPerHour}) reached for ${full}; sent later`,
        });
        continue;
      }
    }
    const messageId = report.messageId ?? newMessageId(report.id, req.from.email);
    const now = req.now();
    let message: BuiltMessage;
    try {
      message = await buildReportMessage(
        { ...report, messageId },
        {
          from: req.from,
          messageId,
          date: new Date(now),
          ...(req.dkim === undefined ? {} : { dkim: req.dkim }),
        },
      );
    } catch (err) {
      const error = `the message could not be built: ${(err as Error).message}`;
      if (req.dryRunDir === undefined) {
        await store.transitionReport(
          report.id,
          ['approved'],
          { status: 'failed', lastError: error },
          now,
        );
      }
      outcomes.push({ id: report.id, result: 'failed', detail: error });
      continue;
    }
    if (req.dryRunDir !== undefined) {
      const path = await writeEml(req.dryRunDir, report.id, message);
      outcomes.push({ id: report.id, result: 'written', detail: path });
      continue;
    }
    const mailer = req.mailer;
    if (mailer === null) throw new Error('sendApproved: no mailer and no dry-run directory');
    // The ledger's netblocks are read before the attempt: between a delivery and its record
    // nothing may fail but the record itself.
    const networks = await store.findAddressNetworks(report.sources);
    const networkOf = new Map<string, string | null>(
      report.sources.map((s) => {
        const nb = networks.get(s)?.network.network;
        return [s, nb === undefined || nb === null ? null : `${nb.start} - ${nb.end}`];
      }),
    );
    // Recorded before the attempt: if the process dies from here on, the report is never
    // sent again on its own.
    const claimed = await store.transitionReport(
      report.id,
      ['approved'],
      { status: 'sending', messageId, attempts: report.attempts + 1 },
      now,
    );
    if (claimed === null) continue;
    let result: SendResult;
    try {
      result = await mailer.send(message);
    } catch (err) {
      const failure = err instanceof SmtpFailure ? err : null;
      const text = (err as Error).message;
      const later = req.now();
      if (
        failure !== null &&
        failure.temporary &&
        !failure.uncertain &&
        claimed.attempts < smtp.maxAttempts
      ) {
        const wait = smtp.retryAfter * 2 ** (claimed.attempts - 1);
        await store.transitionReport(
          report.id,
          ['sending'],
          { status: 'approved', nextAttemptAt: later + wait, lastError: text },
          later,
        );
        outcomes.push({
          id: report.id,
          result: 'retry',
          detail: `${text}; tried again after ${Math.round(wait / 60_000)} min`,
        });
      } else {
        const why =
          failure?.uncertain === true
            ? `${text}; the server may have accepted it (Message-ID ${messageId}), so it is not sent again on its own`
            : text;
        await store.transitionReport(
          report.id,
          ['sending'],
          { status: 'failed', lastError: why },
          later,
        );
        outcomes.push({ id: report.id, result: 'failed', detail: why });
      }
      continue;
    }
    // Delivered: a failure to record it leaves the report in `sending`, which a later run
    // marks failed ("may have been delivered"), never sent again on its own.
    const sentAt = req.now();
    await store.transaction(async (tx) => {
      await tx.transitionReport(
        report.id,
        ['sending'],
        { status: 'sent', sentAt, lastError: null, nextAttemptAt: null },
        sentAt,
      );
      await tx.addLedgerEntries(ledgerFor({ ...claimed, messageId }, sentAt, networkOf));
    });
    sentThisHour++;
    for (const d of domains) perDomain.set(d, (perDomain.get(d) ?? 0) + 1);
    const refused =
      result.rejected.length === 0 ? '' : `; refused by the server: ${result.rejected.join(', ')}`;
    outcomes.push({
      id: report.id,
      result: 'sent',
      detail: `${messageId} to ${result.accepted.join(', ')}${refused}`,
    });
  }
  return outcomes;
}
