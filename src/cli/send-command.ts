import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Config } from '../config/config-schema.js';
import { ConfigError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import type { Report } from '../core/report.js';
import type { BuiltMessage, MessageOptions, Sender } from '../deliver/report-message.js';
import { configFromFlags } from './config-command.js';
import { Output } from './output.js';

/** The From of reports: `smtp.from`, else `reporter.email`, with `reporter.name`. */
export function senderOf(config: Config): Sender {
  const email = config.smtp.from ?? config.reporter.email;
  if (email === undefined) {
    throw new ConfigError(
      'smtp.from: no sender address: set smtp.from or reporter.email in the configuration',
    );
  }
  return { name: config.reporter.name ?? config.reporter.organization ?? null, email };
}

/** The DKIM settings with the key read from its file, or undefined. */
async function dkimOf(config: Config): Promise<MessageOptions['dkim']> {
  const d = config.smtp.dkim;
  if (d === undefined) return undefined;
  const privateKey = await readFile(d.privateKeyFile, 'utf8').catch((err: Error) => {
    throw new ConfigError(`smtp.dkim.privateKeyFile: ${err.message}`);
  });
  return { domainName: d.domainName, keySelector: d.keySelector, privateKey };
}

/** The message a report would be sent as (for `report show --format eml`). */
export async function messageFor(report: Report, config: Config): Promise<BuiltMessage> {
  const { buildReportMessage, newMessageId } = await import('../deliver/report-message.js');
  const from = senderOf(config);
  const messageId = report.messageId ?? newMessageId(report.id, from.email);
  const dkim = await dkimOf(config);
  return buildReportMessage(
    { ...report, messageId },
    { from, messageId, date: new Date(), ...(dkim === undefined ? {} : { dkim }) },
  );
}

interface SendFlags {
  smtp?: string;
  dryRun?: string;
  db?: string | false;
  format: string;
}

/** `reportable send`: send approved reports through SMTP (or write them as .eml files). */
export function registerSendCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('send')
    .description('send approved reports through SMTP, at most once each')
    .option('--smtp <url>', 'smtp://user:pass@host:port (STARTTLS when offered) or smtps://')
    .option('--dry-run <dir>', 'write each report as an .eml file in DIR instead of sending')
    .option('--db <path>', 'database file (default: in the user data directory)')
    .option('--format <format>', 'table or json', 'table')
    .action(async (flags: SendFlags, cmd: Command) => {
      if (!['table', 'json'].includes(flags.format)) {
        throw new ConfigError(`--format: "${printable(flags.format)}" is not one of table, json`);
      }
      const { config } = await configFromFlags(cmd.optsWithGlobals());
      const from = senderOf(config);
      const url = flags.smtp ?? config.smtp.url;
      if (flags.dryRun === undefined && url === undefined) {
        throw new ConfigError(
          '--smtp: no SMTP server: give --smtp URL or set smtp.url in the configuration',
        );
      }
      const [{ sendApproved }, { openStore }, { smtpMailer }] = await Promise.all([
        import('../app/send.js'),
        import('../store/open-store.js'),
        import('../deliver/smtp-mailer.js'),
      ]);
      // The mailer first: a bad --smtp URL is a ConfigError before anything is opened.
      const mailer =
        flags.dryRun === undefined && url !== undefined
          ? smtpMailer(url, { timeoutMs: config.smtp.timeoutMs })
          : null;
      const dbPath = typeof flags.db === 'string' ? flags.db : config.store.db;
      const store = await openStore(dbPath === undefined ? {} : { db: dbPath });
      try {
        const dkim = await dkimOf(config);
        const outcomes = await sendApproved({
          store,
          smtp: config.smtp,
          from,
          mailer,
          ...(flags.dryRun === undefined ? {} : { dryRunDir: flags.dryRun }),
          ...(dkim === undefined ? {} : { dkim }),
          now: () => Date.now(),
        });
        const out = new Output(process.stdout);
        if (flags.format === 'json') await out.write(JSON.stringify(outcomes, null, 2) + '\n');
        else {
          for (const o of outcomes) {
            await out.write(`report ${o.id}: ${o.result}: ${printable(o.detail)}\n`);
          }
          const sent = outcomes.filter((o) => o.result === 'sent').length;
          await out.write(
            flags.dryRun === undefined
              ? `${sent} sent\n`
              : `${outcomes.filter((o) => o.result === 'written').length} written to ${printable(flags.dryRun)}\n`,
          );
        }
        await out.flush();
        if (outcomes.some((o) => o.result === 'failed')) setExit(1);
      } finally {
        mailer?.close();
        await store.close();
      }
    });
}
