import { simpleParser } from 'mailparser';
import type { Recipient } from '../core/report.js';
import { editedRecipients } from './report-message.js';

/** What a person's edited message changes in a report. */
export interface EditedMessage {
  /** The message as written (sent as is, with our Message-ID; see buildReportMessage). */
  readonly raw: string;
  readonly subject: string;
  readonly body: string;
  readonly recipients: readonly Recipient[];
}

const MAX_EDITED_BYTES = 10 << 20;

/**
 * Reads an edited .eml (`report edit ID FILE`): its subject and text body, decoded by a real
 * MIME parser, replace the draft's; its To/Cc recipients come from the same reading of the
 * headers that sending uses for the envelope (editedRecipients), so what is stored and reviewed
 * is where it goes. Refused, with a message saying why: a Bcc header (a report has no hidden
 * recipients), an address that is not a plain mailbox, no To address, a header line that is not
 * a header, a file over 10 MiB.
 */
export async function importEditedMessage(raw: string): Promise<EditedMessage> {
  if (Buffer.byteLength(raw) > MAX_EDITED_BYTES) {
    throw new Error('the edited message is larger than 10 MiB');
  }
  const recipients = editedRecipients(raw);
  if (!recipients.some((r) => r.kind === 'to')) {
    throw new Error('the edited message has no To address');
  }
  const parsed = await simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  return {
    raw,
    subject: (parsed.subject ?? '').replace(/[\r\n]+/g, ' ').slice(0, 998),
    body: parsed.text ?? '',
    recipients,
  };
}
