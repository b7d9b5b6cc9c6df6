import { randomBytes } from 'node:crypto';
import DKIM from 'nodemailer/lib/dkim';
import MailComposer from 'nodemailer/lib/mail-composer';
import addressparser from 'nodemailer/lib/addressparser';
import type { Address } from 'nodemailer/lib/addressparser';
import type { Recipient, Report } from '../core/report.js';
import { plainMailbox } from '../core/email.js';

/*
 * The message is the one thing an attacker's text reaches outside our own machine, so every
 * header value is either checked (addresses, Message-ID) or flattened to one line before
 * nodemailer encodes it (subject, names), and the envelope is built from the report's recipient
 * list, never from header text we composed.
 *
 * No `Auto-Submitted` header: a person approved the report, and RFC 3834 tells a receiving
 * ticket system not to answer an auto-submitted message, which would suppress the
 * acknowledgement and ticket number the report asks the abuse desk for.
 */

/** Who the report is from (the reporter's identity from the configuration). */
export interface Sender {
  readonly name: string | null;
  readonly email: string;
}

/** What a message needs besides the report: sender, identity, time and optional DKIM key. */
export interface MessageOptions {
  readonly from: Sender;
  readonly messageId: string;
  readonly date: Date;
  readonly dkim?: {
    readonly domainName: string;
    readonly keySelector: string;
    readonly privateKey: string;
  };
}

/** The exact bytes to send (CRLF line ends) and the SMTP envelope they go with. */
export interface BuiltMessage {
  readonly raw: string;
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
}

const MESSAGE_ID = /^<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9.-]+>$/;

/**
 * The message for a report: composed (multipart/mixed with the memo and one X-ARF JSON part per
 * incident) or, when a person edited it, their message with our Message-ID. Throws an Error when
 * an address is not a plain mailbox or the report has no recipient.
 */
export async function buildReportMessage(
  report: Report,
  options: MessageOptions,
): Promise<BuiltMessage> {
  const from = plainEmail(options.from.email, 'sender');
  if (!MESSAGE_ID.test(options.messageId)) {
    throw new Error(`not a Message-ID: ${JSON.stringify(options.messageId)}`);
  }
  const built =
    report.eml !== null
      ? editedMessage(report.eml, from, options.messageId)
      : await composedMessage(report, from, options);
  if (options.dkim === undefined) return built;
  return { raw: await dkimSign(built.raw, options.dkim), envelope: built.envelope };
}

/** A fresh Message-ID for a report: `<report-ID.RANDOM@domain-of-from>`. */
export function newMessageId(
  reportId: string,
  fromEmail: string,
  random: () => string = () => randomBytes(8).toString('hex'),
): string {
  const email = plainEmail(fromEmail, 'sender');
  const domain = email.slice(email.lastIndexOf('@') + 1);
  return `<report-${atom(reportId)}.${atom(random())}@${domain}>`;
}

/** The text reduced to characters that are safe inside a Message-ID's left part. */
function atom(text: string): string {
  const safe = text.replace(/[^A-Za-z0-9_-]+/g, '-');
  return safe === '' ? 'x' : safe;
}

/** The address in canonical form, or an Error naming what it is for. */
function plainEmail(email: string, role: string): string {
  const canonical = plainMailbox(email);
  if (canonical === null) {
    throw new Error(`${role} is not a plain e-mail address: ${JSON.stringify(email)}`);
  }
  return canonical;
}

/** Header text on one line: controls and line separators become single spaces. */
function oneLine(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** The report's recipients split into To and Cc, checked, without duplicates (To wins). */
function recipientLists(report: Report): { to: string[]; cc: string[] } {
  const seen = new Set<string>();
  const to: string[] = [];
  const cc: string[] = [];
  for (const kind of ['to', 'cc'] as const) {
    for (const r of report.recipients) {
      if (r.kind !== kind) continue;
      const email = plainEmail(r.email, `recipient ${kind}`);
      const key = email.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      (kind === 'to' ? to : cc).push(email);
    }
  }
  return { to, cc };
}

/** The message built from the report's parts with nodemailer's MailComposer. */
async function composedMessage(
  report: Report,
  from: string,
  options: MessageOptions,
): Promise<BuiltMessage> {
  const { to, cc } = recipientLists(report);
  if (to.length === 0) {
    throw new Error(
      `report ${report.id} has no To recipient${report.note ? `: ${report.note}` : ''}`,
    );
  }
  const name = options.from.name === null ? '' : oneLine(options.from.name);
  const composer = new MailComposer({
    from: { name, address: from },
    to: to.map((address) => ({ name: '', address })),
    cc: cc.map((address) => ({ name: '', address })),
    subject: oneLine(report.subject),
    messageId: options.messageId,
    date: options.date,
    headers: { 'X-Report-Id': oneLine(report.id) },
    // nodemailer's CRLF conversion leaves a lone CR alone
    text: report.body.replace(/\r\n?/g, '\n'),
    attachments: report.xarf.map((xarf, i) => ({
      // By position: not every incident has a complete X-ARF part (see xarfIncomplete).
      filename: `xarf-${i + 1}.json`,
      contentType: 'application/json',
      content: Buffer.from(`${JSON.stringify(xarf, null, 2)}\n`, 'utf8'),
    })),
    newline: 'win',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const raw = (await composer.compile().build()).toString('utf8');
  return { raw, envelope: { from, to: [...to, ...cc] } };
}

/** One header field of a message as written, folding kept. */
interface HeaderField {
  readonly name: string;
  readonly text: string;
}

/**
 * A person's edited message, sent as they wrote it except for three things: line ends become
 * CRLF; the Message-ID is ours (the one recorded before the attempt, so the ledger and the
 * mail agree and a follow-up can refer to it); and old DKIM signatures are dropped (the edit
 * broke them). A Bcc header is refused: the envelope comes from To and Cc only, and a hidden
 * recipient is not something a report should have.
 */
function editedMessage(eml: string, from: string, messageId: string): BuiltMessage {
  const { fields, rest, recipients } = readEdited(eml);
  const kept = fields.filter((f) => {
    const name = f.name.toLowerCase();
    return name !== 'message-id' && name !== 'dkim-signature';
  });
  const raw = [`Message-ID: ${messageId}`, ...kept.map((f) => f.text)].join('\r\n') + rest;
  return { raw, envelope: { from, to: recipients.map((r) => r.email) } };
}

/**
 * The To and Cc recipients of an edited message, in order, checked as above: the one reading
 * of its headers, used by `report edit` to store them and by sending to address the envelope,
 * so what a person reviewed is where it goes.
 */
export function editedRecipients(eml: string): Recipient[] {
  return readEdited(eml).recipients;
}

/** An edited message's header fields, the rest after them, and its To/Cc recipients. */
function readEdited(eml: string): {
  fields: HeaderField[];
  rest: string;
  recipients: Recipient[];
} {
  const text = eml.replace(/\r\n|\r|\n/g, '\r\n');
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const rest = end === -1 ? '\r\n' : text.slice(end);
  const fields = headerFields(head);
  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  for (const field of fields) {
    const name = field.name.toLowerCase();
    if (name === 'bcc') throw new Error('the edited message has a Bcc header; use To or Cc');
    if (name === 'to' || name === 'cc') {
      const value = field.text.slice(field.text.indexOf(':') + 1).replace(/\r\n/g, '');
      for (const address of mailboxes(addressparser(value, { flatten: true }))) {
        const email = plainEmail(address, `edited ${name}`);
        if (seen.has(email.toLowerCase())) continue;
        seen.add(email.toLowerCase());
        recipients.push({ email, kind: name, source: 'the edited message' });
      }
    }
  }
  if (recipients.length === 0) throw new Error('the edited message has no To or Cc recipient');
  return { fields, rest, recipients };
}

/** The addresses of a parsed address list (groups flattened). */
function mailboxes(list: readonly Address[]): string[] {
  const out: string[] = [];
  for (const a of list) {
    if (a.group !== undefined) out.push(...mailboxes(a.group));
    else out.push(a.address);
  }
  return out;
}

/** The header block split into fields; a line that is neither a field nor a continuation is refused. */
function headerFields(head: string): HeaderField[] {
  const fields: HeaderField[] = [];
  const lines = head.split('\r\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const last = fields[fields.length - 1];
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      fields[fields.length - 1] = { name: last.name, text: `${last.text}\r\n${line}` };
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!/^[!-9;-~]+$/.test(name)) {
      throw new Error(`the edited message's header line ${i + 1} is not a header field`);
    }
    fields.push({ name, text: line });
  }
  return fields;
}

/** The message with a DKIM-Signature header prepended by nodemailer's signer. */
async function dkimSign(raw: string, key: NonNullable<MessageOptions['dkim']>): Promise<string> {
  const signer = new DKIM({
    domainName: key.domainName,
    keySelector: key.keySelector,
    privateKey: key.privateKey,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(raw)) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}
