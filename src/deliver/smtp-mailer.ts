import { PassThrough } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { ConfigError, ExternalError } from '../core/errors.js';
import type { BuiltMessage } from './report-message.js';

/** What the SMTP server said to a message it took (for some or all recipients). */
export interface SendResult {
  readonly accepted: readonly string[];
  readonly rejected: readonly string[];
  readonly response: string;
}

/**
 * A message the SMTP server did not take, classified for the outbox: `temporary` (retry later),
 * `uncertain` (the data went out and no answer came back: it may have been delivered, so it is
 * never retried on its own) or neither (refused for good).
 */
export class SmtpFailure extends ExternalError {
  /** A 4xx reply, or a connection failure or timeout before the message data was complete. */
  readonly temporary: boolean;
  /** the server may have accepted the message (the connection broke after the data was sent) */
  readonly uncertain: boolean;
  /** nodemailer's error code (`ECONNECTION`, `ETIMEDOUT`, `EENVELOPE`, …), if any. */
  readonly code: string | null;
  /** The SMTP reply code, when the server replied. */
  readonly responseCode: number | null;
  constructor(
    message: string,
    fields: {
      temporary: boolean;
      uncertain: boolean;
      code: string | null;
      responseCode: number | null;
    },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.temporary = fields.temporary;
    this.uncertain = fields.uncertain;
    this.code = fields.code;
    this.responseCode = fields.responseCode;
  }
}

/** The narrow port delivery uses: hand one built message to a mail server. */
export interface Mailer {
  send(message: BuiltMessage): Promise<SendResult>;
  close(): void;
}

/** Connection settings for smtpMailer. */
export interface SmtpMailerOptions {
  readonly timeoutMs: number;
  readonly tls?: { readonly rejectUnauthorized?: boolean; readonly ca?: string };
}

/**
 * A mailer for `smtp://[user:pass@]host[:port]` (STARTTLS when offered; required when
 * credentials are given, so a password never crosses the network in clear) or `smtps://`
 * (TLS from the start). One connection per message, no pool. Throws ConfigError for a bad URL.
 */
export function smtpMailer(url: string, options: SmtpMailerOptions): Mailer {
  const base = connectionOptions(url, options);
  const where = `${base.host}:${base.port}`;
  const open = new Set<SMTPConnection>();
  return {
    send: (message) => sendOne(base, where, message, open),
    close: () => {
      for (const connection of open) connection.close();
      open.clear();
    },
  };
}

/** Credentials and nodemailer options parsed from the URL (the password never appears in errors). */
interface ParsedOptions extends SMTPConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly credentials: { readonly user: string; readonly pass: string } | null;
}

/** The URL and options as SMTPConnection options. */
function connectionOptions(url: string, options: SmtpMailerOptions): ParsedOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('smtp: not a URL (smtp://user:pass@host:port or smtps://…)');
  }
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:') {
    throw new ConfigError(`smtp: the scheme must be smtp:// or smtps://, not ${parsed.protocol}//`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new ConfigError('smtp: the URL names no host');
  if ((parsed.pathname !== '' && parsed.pathname !== '/') || parsed.search !== '') {
    throw new ConfigError('smtp: the URL takes no path or query, only user:pass@host:port');
  }
  const port = parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port);
  let credentials: ParsedOptions['credentials'] = null;
  if (parsed.username !== '' || parsed.password !== '') {
    try {
      credentials = {
        user: decodeURIComponent(parsed.username),
        pass: decodeURIComponent(parsed.password),
      };
    } catch {
      throw new ConfigError('smtp: the user or password in the URL is not valid percent-encoding');
    }
  }
  const tls: NonNullable<SMTPConnectionOptions['tls']> = {};
  if (options.tls?.rejectUnauthorized !== undefined) {
    tls.rejectUnauthorized = options.tls.rejectUnauthorized;
  }
  if (options.tls?.ca !== undefined) tls.ca = options.tls.ca;
  return {
    host,
    port,
    secure,
    requireTLS: !secure && credentials !== null,
    credentials,
    tls,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
    logger: false,
  };
}

/** One SMTP session: connect, upgrade, log in, send, quit. */
function sendOne(
  options: ParsedOptions,
  where: string,
  message: BuiltMessage,
  open: Set<SMTPConnection>,
): Promise<SendResult> {
  const { credentials, ...connectionOptions } = options;
  return new Promise((resolve, reject) => {
    const connection = new SMTPConnection(connectionOptions);
    open.add(connection);
    // set when the last byte of the message has been handed to the connection: from then on,
    // a failure without a reply may hide a delivered message
    let dataSent = false;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      open.delete(connection);
      connection.close();
      reject(classify(error, dataSent, where));
    };
    connection.once('error', fail);
    // also reached when close() ends a send in flight
    connection.once('end', () =>
      fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' })),
    );
    const transmit = (): void => {
      const data = new PassThrough();
      data.once('end', () => {
        dataSent = true;
      });
      data.end(Buffer.from(message.raw, 'utf8'));
      const envelope = { from: message.envelope.from, to: [...message.envelope.to] };
      connection.send(envelope, data, (error, info) => {
        if (error) return fail(error);
        if (settled) return;
        settled = true;
        open.delete(connection);
        connection.quit();
        resolve({
          accepted: info.accepted.map(String),
          rejected: info.rejected.map(String),
          response: info.response,
        });
      });
    };
    connection.connect((error) => {
      if (error) return fail(error);
      if (credentials === null || !connection.allowsAuth) return transmit();
      connection.login(credentials, (loginError) => {
        if (loginError) return fail(loginError);
        transmit();
      });
    });
  });
}

/** The error as an SmtpFailure: a reply decides; without one, whether the data had gone out. */
function classify(error: unknown, dataSent: boolean, where: string): SmtpFailure {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    message?: unknown;
    code?: unknown;
    responseCode?: unknown;
  };
  const code = typeof e.code === 'string' ? e.code : null;
  const reply =
    typeof e.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 600
      ? e.responseCode
      : null;
  const text = typeof e.message === 'string' ? e.message : String(error);
  let temporary: boolean;
  let uncertain = false;
  if (reply !== null) {
    temporary = reply < 500;
  } else if (dataSent) {
    uncertain = true;
    temporary = false;
  } else {
    // no reply: the connection failed, timed out or broke before the message was complete
    // (the server cannot have taken it); errors raised before any I/O (a bad envelope) are final
    temporary = code !== null && NETWORK_CODES.has(code);
  }
  const detail = uncertain ? ' (after the message data was sent: it may have been delivered)' : '';
  return new SmtpFailure(
    `SMTP ${where}: ${text}${detail}`,
    { temporary, uncertain, code, responseCode: reply },
    { cause: error },
  );
}

/** nodemailer codes for failures of the connection itself. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROTOCOL',
]);
