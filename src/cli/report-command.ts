import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/config-schema.js';
import { parseDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { REPORT_STATUSES, type Report, type ReportStatus } from '../core/report.js';
import type { Store } from '../store/store.js';
import { configFromFlags } from './config-command.js';
import { Output } from './output.js';
import { tableTime, textTable } from './text-table.js';

interface DbFlags {
  db?: string | false;
}

const STATUSES = REPORT_STATUSES;

/** Opens the configuration and the store the flags name. */
async function open(cmd: Command): Promise<{ config: Config; store: Store }> {
  const flags = cmd.optsWithGlobals<DbFlags & { config?: string }>();
  const { config } = await configFromFlags(flags);
  const { openStore } = await import('../store/open-store.js');
  const noDb = flags.db === false;
  if (noDb) {
    throw new ConfigError('--no-db: reports live in the store; give --db PATH or use the default');
  }
  const dbPath = typeof flags.db === 'string' ? flags.db : config.store.db;
  const store = await openStore(dbPath === undefined ? {} : { db: dbPath });
  return { config, store };
}

function withDb(cmd: Command): Command {
  return cmd
    .option('--db <path>', 'database file (default: in the user data directory)')
    .option('--no-db', 'not possible here: reports live in the store');
}

/** The recipients of a report as a short text: To first, then Cc. */
function recipientsText(r: Report): string {
  const to = r.recipients.filter((x) => x.kind === 'to').map((x) => x.email);
  const cc = r.recipients.filter((x) => x.kind === 'cc').map((x) => `cc:${x.email}`);
  return [...to, ...cc].join(', ') || '(none)';
}

/** The JSON shape of a report for `report list --format json` and `report show --format json`. */
export function reportToJson(r: Report): Record<string, unknown> {
  const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
  return {
    id: r.id,
    status: r.status,
    contact: r.contact,
    recipients: r.recipients,
    subject: r.subject,
    incidentIds: r.incidentIds,
    sources: r.sources,
    kinds: r.kinds,
    note: r.note,
    messageId: r.messageId,
    createdAt: iso(r.createdAt),
    approvedAt: iso(r.approvedAt),
    sentAt: iso(r.sentAt),
    attempts: r.attempts,
    nextAttemptAt: iso(r.nextAttemptAt),
    lastError: r.lastError,
    edited: r.eml !== null,
  };
}

/** A table of reports for people. */
export function reportTable(reports: readonly Report[]): string {
  return textTable([
    ['ID', 'STATUS', 'INCIDENTS', 'RECIPIENTS', 'SUBJECT'],
    ...reports.map((r) => [
      r.id,
      r.status,
      r.incidentIds.join(','),
      printable(recipientsText(r)),
      printable(r.subject),
    ]),
  ]);
}

/** Reads report ids from arguments; every one must exist. */
async function reportsById(store: Store, ids: readonly string[]): Promise<Report[]> {
  const found = await store.listReports({ ids });
  const missing = ids.filter((id) => !found.some((r) => r.id === id));
  if (missing.length > 0) {
    throw new ConfigError(missing.map((id) => `report ${printable(id)}: no such report`));
  }
  return found;
}

/** `reportable report …`: draft, list, show, approve, discard, edit, export, history. */
export function registerReportCommand(program: Command, setExit: (code: number) => void): void {
  const report = withDb(
    program
      .command('report')
      .description('draft abuse reports for reportable incidents not reported yet, and review them')
      .option('--since <duration>', 'only incidents seen within this long (e.g. 24h, 7d)')
      .option(
        '--incident <id>',
        'only this incident (repeatable)',
        (v: string, prev: string[]) => [...prev, v],
        [] as string[],
      )
      // Declared once here and read by every subcommand (`report list --format json`):
      // commander gives options after a subcommand to the parent that declares them.
      .option(
        '--format <format>',
        'table or json (show: text, eml, xarf or json; export: abuseipdb or dshield)',
      ),
  ).action(async (opts: { since?: string; incident: string[]; format?: string }, cmd: Command) => {
    const flags = { ...opts, format: opts.format ?? 'table' };
    checkFormat(flags.format, ['table', 'json']);
    let sinceMs: number | undefined;
    if (flags.since !== undefined) {
      const ms = parseDuration(flags.since);
      if (ms === null)
        throw new ConfigError(
          `--since: "${printable(flags.since)}" is not a duration (e.g. 24h, 7d)`,
        );
      sinceMs = ms;
    }
    const { config, store } = await open(cmd);
    try {
      const { draftReports } = await import('../app/report.js');
      const result = await draftReports({
        config,
        store,
        now: Date.now(),
        ...(sinceMs === undefined ? {} : { sinceMs }),
        ...(flags.incident.length === 0 ? {} : { incidentIds: flags.incident }),
      });
      const out = new Output(process.stdout);
      if (flags.format === 'json') {
        await out.write(
          JSON.stringify(
            { reports: result.reports.map(reportToJson), skipped: result.skipped },
            null,
            2,
          ) + '\n',
        );
      } else {
        await out.write(reportTable(result.reports));
        for (const s of result.skipped) {
          await out.write(
            `skipped incident ${s.incidentId} (${printable(s.src ?? '?')}): ${printable(s.reason)}\n`,
          );
        }
        const drafts = result.reports.filter((r) => r.status === 'draft').length;
        await out.write(
          `${result.reports.length} reports (${drafts} drafts to review: reportable report show ID, then report approve ID)\n`,
        );
      }
      await out.flush();
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('list')
      .description('list reports')
      .option(
        '--status <status>',
        `only these statuses (repeatable: ${STATUSES.join(', ')})`,
        (v: string, prev: string[]) => [...prev, v],
        [] as string[],
      ),
  ).action(async (opts: { status: string[] }, cmd: Command) => {
    const flags = { ...opts, format: formatOf(cmd, 'table') };
    checkFormat(flags.format, ['table', 'json']);
    const bad = flags.status.filter((s) => !STATUSES.includes(s as ReportStatus));
    if (bad.length > 0)
      throw new ConfigError(
        bad.map((s) => `--status: "${printable(s)}" is not one of ${STATUSES.join(', ')}`),
      );
    const { store } = await open(cmd);
    try {
      const reports = await store.listReports(
        flags.status.length === 0 ? {} : { statuses: flags.status as ReportStatus[] },
      );
      const out = new Output(process.stdout);
      await out.write(
        flags.format === 'json'
          ? JSON.stringify(reports.map(reportToJson), null, 2) + '\n'
          : reportTable(reports),
      );
      await out.flush();
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('show')
      .description('show one report: the memo, the message as it would be sent, or its X-ARF parts')
      .argument('<id>', 'report id'),
  ).action(async (id: string, _opts: unknown, cmd: Command) => {
    const flags = { format: formatOf(cmd, 'text') };
    checkFormat(flags.format, ['text', 'eml', 'xarf', 'json']);
    const { config, store } = await open(cmd);
    try {
      const [r] = await reportsById(store, [id]);
      if (r === undefined) return;
      const out = new Output(process.stdout);
      if (flags.format === 'json')
        await out.write(
          JSON.stringify({ ...reportToJson(r), body: r.body, xarf: r.xarf }, null, 2) + '\n',
        );
      else if (flags.format === 'xarf') await out.write(JSON.stringify(r.xarf, null, 2) + '\n');
      else if (flags.format === 'eml') {
        const { messageFor } = await import('./send-command.js');
        const built = await messageFor(r, config);
        await out.write(built.raw);
      } else {
        const lines = [
          `report ${r.id} (${r.status})`,
          ...r.recipients.map(
            (x) =>
              `${x.kind === 'to' ? 'To' : 'Cc'}: ${printable(x.email)}   (${printable(x.source)})`,
          ),
          `Subject: ${printable(r.subject)}`,
          ...(r.note === null ? [] : [`Note: ${printable(r.note)}`]),
          ...(r.lastError === null ? [] : [`Last error: ${printable(r.lastError)}`]),
          `Incidents: ${r.incidentIds.join(', ')}`,
          '',
          printableBody(r.body),
        ];
        await out.write(lines.join('\n') + '\n');
      }
      await out.flush();
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('approve')
      .description('approve drafts for sending (reports without a recipient cannot be approved)')
      .argument('[ids...]', 'report ids')
      .option('--all', 'every draft that has a recipient'),
  ).action(async (ids: string[], flags: { all?: boolean }, cmd: Command) => {
    if (ids.length === 0 && flags.all !== true)
      throw new ConfigError('report approve: name report ids, or use --all');
    const { store } = await open(cmd);
    try {
      const reports =
        flags.all === true
          ? await store.listReports({ statuses: ['draft'] })
          : await reportsById(store, ids);
      const now = Date.now();
      for (const r of reports) {
        if (!r.recipients.some((x) => x.kind === 'to')) {
          process.stderr.write(
            `reportable: report ${r.id}: not approved: ${printable(r.note ?? 'no recipient')}\n`,
          );
          if (flags.all !== true) setExit(1);
          continue;
        }
        // A failed report can be approved again (after a person checked it was not delivered).
        const moved = await store.transitionReport(
          r.id,
          ['draft', 'failed'],
          { status: 'approved', approvedAt: now, nextAttemptAt: null, attempts: 0 },
          now,
        );
        if (moved === null) {
          process.stderr.write(`reportable: report ${r.id}: not approved: it is ${r.status}\n`);
          setExit(1);
        } else process.stdout.write(`approved report ${r.id}\n`);
      }
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('discard')
      .description('discard reports that should not be sent')
      .argument('<ids...>', 'report ids'),
  ).action(async (ids: string[], _flags: unknown, cmd: Command) => {
    const { store } = await open(cmd);
    try {
      const now = Date.now();
      for (const r of await reportsById(store, ids)) {
        const moved = await store.transitionReport(
          r.id,
          ['draft', 'approved', 'failed'],
          { status: 'discarded' },
          now,
        );
        if (moved === null) {
          process.stderr.write(`reportable: report ${r.id}: not discarded: it is ${r.status}\n`);
          setExit(1);
        } else process.stdout.write(`discarded report ${r.id}\n`);
      }
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('edit')
      .description(
        'replace a draft with an edited message (.eml, e.g. from report show --format eml)',
      )
      .argument('<id>', 'report id')
      .argument('<file>', 'the edited .eml file'),
  ).action(async (id: string, file: string, _flags: unknown, cmd: Command) => {
    const raw = await readFile(file, 'utf8');
    const { store } = await open(cmd);
    try {
      const [r] = await reportsById(store, [id]);
      if (r === undefined) return;
      const { importEditedMessage } = await import('../deliver/edited-message.js');
      const edited = await importEditedMessage(raw).catch((err: Error) => {
        throw new ConfigError(`${printable(file)}: ${printable(err.message)}`);
      });
      const moved = await store.transitionReport(
        r.id,
        ['draft', 'approved'],
        {
          status: 'draft',
          eml: edited.raw,
          subject: edited.subject,
          body: edited.body,
          recipients: edited.recipients,
          note: null,
          approvedAt: null,
        },
        Date.now(),
      );
      if (moved === null)
        throw new ConfigError(
          `report ${r.id}: it is ${r.status}; only drafts and approved reports can be edited`,
        );
      process.stdout.write(
        `report ${r.id} replaced by the edited message; it is a draft again: approve it to send\n`,
      );
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('export')
      .description('reportable incidents for other services: AbuseIPDB bulk CSV, or DShield lines')
      .option('--dshield-user <id>', 'your DShield user id (for --format dshield)', '0'),
  ).action(async (opts: { dshieldUser: string }, cmd: Command) => {
    const globals = cmd.optsWithGlobals<{ since?: string }>();
    const flags = { ...opts, format: formatOf(cmd, ''), since: globals.since };
    if (flags.format === '')
      throw new ConfigError('report export: --format abuseipdb or --format dshield');
    checkFormat(flags.format, ['abuseipdb', 'dshield']);
    const since = flags.since === undefined ? null : parseDuration(flags.since);
    if (flags.since !== undefined && since === null)
      throw new ConfigError(`--since: "${printable(flags.since)}" is not a duration`);
    const { config, store } = await open(cmd);
    try {
      const incidents = await store.listIncidents({
        reportable: true,
        ...(since === null ? {} : { since: Date.now() - since }),
      });
      const { exportIncidents } = await import('../app/export.js');
      const format = flags.format === 'abuseipdb' ? 'abuseipdb' : 'dshield';
      const text = exportIncidents(format, incidents, config, flags.dshieldUser);
      const out = new Output(process.stdout);
      await out.write(text);
      await out.flush();
    } finally {
      await store.close();
    }
  });

  withDb(
    report
      .command('history')
      .description('per network: reports sent, and whether the activity went on after them'),
  ).action(async (_opts: unknown, cmd: Command) => {
    const flags = { format: formatOf(cmd, 'table') };
    checkFormat(flags.format, ['table', 'json']);
    const { store } = await open(cmd);
    try {
      const { networkHistory } = await import('../app/report.js');
      const history = await networkHistory(store);
      const iso = (t: number): string => new Date(t).toISOString();
      const out = new Output(process.stdout);
      if (flags.format === 'json') {
        await out.write(
          JSON.stringify(
            history.map((h) => ({ ...h, firstSent: iso(h.firstSent), lastSent: iso(h.lastSent) })),
            null,
            2,
          ) + '\n',
        );
      } else {
        await out.write(
          textTable([
            ['NETWORK', 'REPORTS', 'LAST SENT (UTC)', 'AFTER REPORT', 'SOURCES'],
            ...history.map((h) => [
              h.network,
              String(h.reports),
              tableTime(h.lastSent),
              h.continuedAfterReport ? 'still active' : 'stopped',
              h.sources.join(', '),
            ]),
          ]),
        );
      }
      await out.flush();
    } finally {
      await store.close();
    }
  });
}

/** `--format` as given to `report` (before or after the subcommand), else the subcommand's default. */
function formatOf(cmd: Command, fallback: string): string {
  return cmd.optsWithGlobals<{ format?: string }>().format ?? fallback;
}

function checkFormat(format: string, allowed: readonly string[]): void {
  if (!allowed.includes(format)) {
    throw new ConfigError(`--format: "${printable(format)}" is not one of ${allowed.join(', ')}`);
  }
}

/** A memo's lines made safe for a terminal, line breaks kept. */
function printableBody(body: string): string {
  return body
    .split('\n')
    .map((l) => printable(l))
    .join('\n');
}
