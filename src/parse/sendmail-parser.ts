import type { EventDraft, EventKind } from '../core/event.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { readSpacedClient, replyCode, type MailClient } from './mail-client.js';
import type { Envelope } from './syslog-envelope.js';

function draft(
  kind: EventKind,
  client: MailClient,
  signature: string,
  user: string | null = null,
): EventDraft {
  return {
    kind,
    src: client.src,
    srcHost: client.srcHost,
    service: 'smtp',
    user,
    signature,
  };
}

/** True for `NOQUEUE` and sendmail queue ids (`s1GNXHYB005133`, longer with long pids). */
function isQueueId(text: string, end: number): boolean {
  if (end < 7 || end > 24) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  }
  return true;
}

/**
 * `AUTH failure (MECH): reason (-13) SASL(-13): detail, user=U, relay=CLIENT`. The relay is the
 * last field, so its LAST `, relay=` is the daemon's: a user name `x, relay=[192.0.2.100]`
 * comes before it.
 */
function parseAuthFailure(rest: string): EventDraft | null {
  const r = rest.lastIndexOf(', relay=');
  if (r < 0) return null;
  const client = readSpacedClient(rest, r + 8);
  if (client === null || rest.slice(client.end).trim() !== '') return null;
  const close = rest.indexOf('): ', 14);
  if (close < 0 || close > 40) return null;
  const mech = rest.slice(14, close).toUpperCase();
  const u = rest.indexOf(', user=', close);
  const user = u >= 0 && u < r ? rest.slice(u + 7, r) : null;
  const unknown = rest.startsWith('user not found', close + 3);
  return draft(
    unknown ? 'invalid-user' : 'auth-failure',
    client,
    `sendmail: AUTH ${mech} ${unknown ? 'user not found' : 'failure'}`,
    user === '' ? null : user,
  );
}

const RULESET_REASONS: readonly (readonly [needle: string, label: string, kind: EventKind])[] = [
  ['rate limit exceeded', 'connection rate limit', 'rate-limited'],
  ['Too many open connections', 'too many connections', 'rate-limited'],
  ['Relaying temporarily denied', 'relaying temporarily denied', 'connection-refused'],
  ['Relaying denied', 'relaying denied', 'connection-refused'],
  ['User unknown', 'user unknown', 'connection-refused'],
  ['Domain of sender address', 'sender domain invalid', 'connection-refused'],
];

/**
 * `ruleset=check_rcpt, arg1=<…>, relay=CLIENT, reject=550 5.7.1 <…>... Relaying denied`. Both
 * arg1 and the reject text carry the client's address; the relay is taken where a well-formed
 * client is directly followed by `, reject=`.
 */
function parseRuleset(rest: string): EventDraft | null {
  const comma = rest.indexOf(',');
  if (comma < 9 || comma > 40) return null;
  const ruleset = rest.slice(8, comma);
  let from = comma;
  for (let n = 0; n < 4; n++) {
    const r = rest.indexOf(', relay=', from);
    if (r < 0) return null;
    const client = readSpacedClient(rest, r + 8);
    if (client !== null && rest.startsWith(', reject=', client.end)) {
      const at = client.end + 9;
      const code = replyCode(rest, at);
      let label = 'rejected';
      let kind: EventKind = 'connection-refused';
      for (const [needle, name, k] of RULESET_REASONS) {
        if (rest.indexOf(needle, at) >= 0) {
          label = name;
          kind = k;
          break;
        }
      }
      const d = draft(
        kind,
        client,
        `sendmail ${ruleset}: ${code ?? ''} ${label}`.replace('  ', ' '),
      );
      if (code !== null) d.detail = { status: code };
      return d;
    }
    from = r + 8;
  }
  return null;
}

/** Commands after which a dropped session says nothing about the client. */
function benignAfter(cmd: string): boolean {
  const c = cmd.toLowerCase();
  return c.startsWith('data') || c.startsWith('auth') || c.startsWith('quit');
}

/** Reads one sendmail message (`QID: …` or `NOQUEUE: …`, or none). */
function parseSendmailMessage(message: string, _env: Envelope): EventDraft | null {
  let rest = message;
  const colon = message.indexOf(': ');
  if (colon > 0 && isQueueId(message, colon)) rest = message.slice(colon + 2);
  const c0 = rest.charCodeAt(0);
  if (c0 === 65 /* A */ && rest.startsWith('AUTH failure (')) return parseAuthFailure(rest);
  if (c0 === 114 /* r */) {
    if (rest.startsWith('ruleset=')) return parseRuleset(rest);
    if (rest.startsWith('rejecting commands from ')) {
      const client = readSpacedClient(rest, 24);
      if (client === null || !rest.startsWith(' due to pre-greeting traffic', client.end))
        return null;
      return draft('protocol-error', client, 'sendmail: pre-greeting traffic');
    }
  }
  if (c0 === 108 /* l */ && rest.startsWith('lost input channel from ')) {
    const client = readSpacedClient(rest, 24);
    if (client === null || !rest.startsWith(' to ', client.end)) return null;
    const after = rest.indexOf(' after ', client.end + 4);
    const cmd = after < 0 ? '' : rest.slice(after + 7);
    const signature = `sendmail: lost input channel${cmd === '' ? '' : ` after ${cmd}`}`;
    return draft(benignAfter(cmd) ? 'connection' : 'protocol-error', client, signature);
  }
  if (c0 === 99 /* c */ && rest.startsWith('connect from ')) {
    const client = readSpacedClient(rest, 13);
    return client === null ? null : draft('connection', client, 'sendmail: connect');
  }
  // Lines that start with the client: `host [addr] (may be forged): possible SMTP attack: …`.
  const client = readSpacedClient(rest, 0);
  if (client === null) return null;
  const end = client.end;
  if (rest.startsWith(': possible SMTP attack: command=', end)) {
    const cmdStart = end + 32;
    const cmdEnd = rest.indexOf(',', cmdStart);
    const cmd = rest.slice(cmdStart, cmdEnd < 0 ? rest.length : cmdEnd).toUpperCase();
    // Repeated AUTH commands are password guessing; other commands are protocol abuse.
    return draft(
      cmd === 'AUTH' ? 'auth-failure' : 'protocol-error',
      client,
      `sendmail: possible SMTP attack (${cmd.slice(0, 12)})`,
    );
  }
  if (rest.startsWith(' did not issue MAIL/EXPN/VRFY/ETRN during connection to ', end)) {
    return draft('protocol-error', client, 'sendmail: no MAIL/EXPN/VRFY/ETRN');
  }
  if (rest.charCodeAt(end) === 58 && rest.endsWith(' [rejected]')) {
    // `[addr]: EXPN root [rejected]`: the argument is the client's, the verb says what it tried.
    const verb = rest.slice(end + 2, end + 6).toUpperCase();
    if (verb === 'EXPN' || verb === 'VRFY') {
      return draft('connection-refused', client, `sendmail: ${verb} rejected`);
    }
  }
  return null;
}

/** Sendmail (sendmail, sm-mta, sm-msp-queue): AUTH failures, ruleset rejects, probes. */
export const sendmailParser: ParserDefinition = {
  family: 'sendmail',
  description: 'Sendmail: AUTH failures, ruleset rejects, SMTP attack warnings, silent probes',
  build(): FamilyParser {
    return {
      family: 'sendmail',
      programs: ['sendmail', 'sm-mta', 'sm-msp-queue', 'sm-acceptingconnections'],
      parseMessage: parseSendmailMessage,
    };
  },
};
