import { simpleParser, type AddressObject } from 'mailparser';
import type { Recipient } from '../core/report.js';
import { normalizeEmail } from '../investigate/email.js';

/** What a person's edited message changes in a report. */
export interface EditedMessage {
  /** The message as written (sent as is, with our Message-ID; see buildReportMessage). */
  readonly raw: string;
  readonly subject: string;
  readonly body: string;
  readonly recipients: readonly Recipient[];
}

const MAX_EDITED_BYTES = 10 << 20;

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  const out: string[] = [];
  const walk = (values: readonly { address?: string; group?: { address?: string }[] }[]): void => {
    for (const v of values) {
      if (v.group !== undefined) walk(v.group);
      else if (v.address !== undefined) out.push(v.address);
    }
  };
  for (const a of list) walk(a.value);
  return out;
}

/**
 * Reads an edited .eml (`report edit ID FILE`) with a real MIME parser: its subject, text body
 * and To/Cc recipients replace the draft's. Refused, with a message saying why: a Bcc header (a
 * report has no hidden recipients), an address that is not a plain mailbox, no To address, a
 * file over 10 MiB.
 */
export async function importEditedMessage(raw: string): Promise<EditedMessage> {
  if (Buffer.byteLength(raw) > MAX_EDITED_BYTES)
    throw new Error('the edited message is larger than 10 MiB');
  const parsed = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  if (parsed.bcc !== undefined)
    throw new Error('the edited message has a Bcc header; use To or Cc');
  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  for (const [kind, list] of [
    ['to', addresses(parsed.to)],
    ['cc', addresses(parsed.cc)],
  ] as const) {
    for (const a of list) {
      const email = normalizeEmail(a);
      if (email === null || email !== a.trim().replace(/@.*$/, (d) => d.toLowerCase())) {
        throw new Error(
          `the edited message's ${kind === 'to' ? 'To' : 'Cc'} has "${a}", which is not a plain e-mail address`,
        );
      }
      if (seen.has(email.toLowerCase())) continue;
      seen.add(email.toLowerCase());
      recipients.push({ email, kind, source: 'the edited message' });
    }
  }
  if (!recipients.some((r) => r.kind === 'to'))
    throw new Error('the edited message has no To address');
  return {
    raw,
    subject: (parsed.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998),
    body: parsed.text ?? '',
    recipients,
  };
}
