import type { EventDraft, EventKind } from '../core/event.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { bracketAddress, readJoinedClient, replyCode, type MailClient } from './mail-client.js';
import type { Envelope } from './syslog-envelope.js';

/** The client token after `at` in `text`: it runs to the next space (postfix never puts one in). */
function clientAt(text: string, at: number): MailClient | null {
  let end = text.indexOf(' ', at);
  if (end < 0) end = text.length;
  if (end - at > 300) return null;
  return readJoinedClient(text, at, end);
}

function draft(
  kind: EventKind,
  client: MailClient,
  signature: string | null,
  user: string | null = null,
): EventDraft {
  return {
    kind,
    src: client.src,
    srcHost: client.srcHost,
    srcPort: client.srcPort,
    service: 'smtp',
    user,
    signature,
  };
}

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3}$/;

/** Reject reasons, most specific first; the reason text is matched, never trusted for addresses. */
const REJECT_REASONS: readonly (readonly [needle: string, label: string])[] = [
  ['blocked using ', 'blocked using DNSBL'],
  ['Relay access denied', 'Relay access denied'],
  ['User unknown', 'User unknown'],
  ['Client host rejected', 'Client host rejected'],
  ['Helo command rejected', 'Helo command rejected'],
  ['Sender address rejected', 'Sender address rejected'],
  ['Recipient address rejected', 'Recipient address rejected'],
  ['Data command rejected', 'Data command rejected'],
  ['Command rejected', 'Command rejected'],
];

/**
 * `reject: CMD from CLIENT: CODE X.Y.Z reason; from=<…> to=<…> proto=… helo=<…>` (also
 * `milter-reject:`). CMD is one word and CLIENT one token, so the client is read by position:
 * the reason, sender, recipient and HELO that follow are the client's words.
 */
function parseReject(rest: string): EventDraft | null {
  const sp = rest.indexOf(' ');
  if (sp < 1 || sp > 20 || !rest.startsWith(' from ', sp)) return null;
  const client = clientAt(rest, sp + 6);
  if (client === null) return null;
  const after = client.end + 1;
  const code = replyCode(rest, after);
  let label = 'rejected';
  for (const [needle, name] of REJECT_REASONS) {
    if (rest.indexOf(needle, after) >= 0) {
      label = name;
      break;
    }
  }
  let enhanced = '';
  if (code !== null) {
    const encEnd = rest.indexOf(' ', after + 4);
    const enc = encEnd > 0 ? rest.slice(after + 4, encEnd) : '';
    if (ENHANCED.test(enc)) enhanced = ` ${enc}`;
  }
  const codeText = code === null ? '' : ` ${code}${enhanced}`;
  const d = draft(
    'connection-refused',
    client,
    `postfix reject ${rest.slice(0, sp)}:${codeText} ${label}`,
  );
  if (code !== null) d.detail = { status: code };
  return d;
}

/** Commands after which a dropped session says nothing about the client (gh-1813, gh-3505). */
function benignAfter(where: string): boolean {
  return (
    where.startsWith('DATA') ||
    where.startsWith('BDAT') ||
    where.startsWith('END-OF-MESSAGE') ||
    where.startsWith('AUTH') ||
    where.startsWith('QUIT')
  );
}

const AFTER_FORMS: readonly (readonly [prefix: string, label: string])[] = [
  ['lost connection after ', 'lost connection'],
  ['too many errors after ', 'too many errors'],
  ['improper command pipelining after ', 'improper command pipelining'],
  ['timeout after ', 'timeout'],
];

/**
 * `lost connection after CMD from CLIENT`, `too many errors after …`, `improper command
 * pipelining after CMD from CLIENT: <pipelined text>`, `timeout after …`. CMD may read
 * `DATA (0 bytes)`; the pipelined text after the client is the client's, so the FIRST ` from `
 * after the command is the daemon's.
 */
function parseAfter(message: string, prefix: string, label: string): EventDraft | null {
  const whereStart = prefix.length;
  const from = message.indexOf(' from ', whereStart);
  if (from < 0 || from - whereStart > 40) return null;
  const where = message.slice(whereStart, from);
  const client = clientAt(message, from + 6);
  if (client === null) return null;
  const signature = `postfix: ${label} after ${where}`;
  if (label === 'too many errors') return draft('protocol-error', client, signature);
  // A connection lost during DATA is normal network trouble. After AUTH the authentication
  // result is logged on its own (SASL warning, `disconnect … auth=0/1`): counting a lost
  // connection or pipelining there too would count one failure twice. Pipelining anywhere
  // else is the client ignoring the protocol.
  const benign =
    label === 'improper command pipelining' ? where.startsWith('AUTH') : benignAfter(where);
  if (benign) return draft('connection', client, signature);
  return draft('protocol-error', client, signature);
}

/** `disconnect from CLIENT ehlo=1 auth=0/1 quit=1 commands=2/3`: failed AUTH when S < T. */
function parseDisconnect(message: string): EventDraft | null {
  const client = clientAt(message, 16);
  if (client === null) return null;
  const auth = message.indexOf(' auth=', client.end);
  if (auth < 0) return null;
  const slash = message.indexOf('/', auth);
  const sp = message.indexOf(' ', auth + 1);
  if (slash < 0 || (sp >= 0 && slash > sp)) return null;
  const ok = Number(message.slice(auth + 6, slash));
  const total = Number(message.slice(slash + 1, sp < 0 ? message.length : sp));
  if (!(Number.isInteger(ok) && Number.isInteger(total) && total > ok)) return null;
  return draft('auth-failure', client, 'postfix: disconnect after failed AUTH');
}

/**
 * `warning: …` lines: SASL failures, FCrDNS mismatches, anvil rate limits, non-SMTP commands.
 * `rest` is the text after `warning: `.
 */
function parseWarning(rest: string): EventDraft | null {
  if (rest.startsWith('hostname ')) {
    // `hostname NAME does not resolve to address ADDR[: reason]`; NAME passed valid_hostname().
    const sp = rest.indexOf(' ', 9);
    const marker = ' does not resolve to address ';
    if (sp < 0 || !rest.startsWith(marker, sp)) return null;
    const start = sp + marker.length;
    let end = rest.indexOf(' ', start);
    if (end < 0) end = rest.length;
    let token = rest.slice(start, end);
    if (token.endsWith(':')) token = token.slice(0, -1);
    const src = bracketAddress(token);
    if (src === null) return null;
    return {
      kind: 'connection',
      src,
      srcHost: null,
      service: 'smtp',
      signature: 'postfix: hostname does not resolve to address',
    };
  }
  const limit = rest.indexOf(' limit exceeded: ');
  if (limit > 0 && limit < 60) {
    // `Connection rate limit exceeded: 31 from CLIENT for service smtpd`
    const from = rest.indexOf(' from ', limit + 17);
    if (from < 0 || from - limit > 40) return null;
    const client = clientAt(rest, from + 6);
    if (client === null) return null;
    return draft('rate-limited', client, `postfix: ${rest.slice(0, limit)} limit exceeded`);
  }
  if (rest.startsWith('non-SMTP command from ')) {
    const client = clientAt(rest, 22);
    return client === null ? null : draft('protocol-error', client, 'postfix: non-SMTP command');
  }
  // `CLIENT: SASL MECH authentication failed: reason[, sasl_username=USER]`
  const sp = rest.indexOf(' ');
  if (sp < 3 || !rest.startsWith('SASL ', sp + 1)) {
    // `CLIENT: hostname NAME verification failed: …`, `CLIENT: address not listed for hostname …`
    if (
      sp > 3 &&
      (rest.startsWith('hostname ', sp + 1) || rest.startsWith('address not', sp + 1))
    ) {
      const client = clientAt(rest, 0);
      if (client !== null) return draft('connection', client, 'postfix: reverse DNS mismatch');
    }
    return null;
  }
  const client = readJoinedClient(rest, 0, sp);
  if (client === null) return null;
  const failed = rest.indexOf(' authentication failed', sp + 6);
  if (failed < 0 || failed - sp > 40) return null;
  const mech = rest.slice(sp + 6, failed);
  const reasonStart = failed + 22;
  const reason = rest.slice(reasonStart + (rest.charCodeAt(reasonStart) === 58 ? 2 : 0));
  // Neither is a password guess: the SASL server was unreachable, or the client asked for a
  // mechanism the server does not offer (a misconfigured client).
  if (reason.startsWith('Connection lost to authentication server')) {
    return draft('connection', client, 'postfix: SASL server unreachable');
  }
  if (reason.startsWith('Invalid authentication mechanism')) {
    return draft('connection', client, `postfix: SASL ${mech} mechanism not offered`);
  }
  // The user name is the client's own text and runs to the end of the line.
  const u = reason.indexOf('sasl_username=');
  const user = u >= 0 && (u === 0 || reason.charCodeAt(u - 1) === 32) ? reason.slice(u + 14) : null;
  return draft(
    'auth-failure',
    client,
    `postfix: SASL ${mech.toUpperCase()} authentication failed`,
    user === '' ? null : user,
  );
}

/** postscreen's verdicts: `PREGREET 14 after 0.08 from [ADDR]:PORT: …`, `HANGUP after …`. */
function parsePostscreen(message: string): EventDraft | null {
  let label: string;
  let kind: EventKind = 'protocol-error';
  if (message.startsWith('PREGREET ')) label = 'pregreet';
  else if (message.startsWith('HANGUP ')) label = 'hangup';
  else if (message.startsWith('COMMAND ')) {
    const lim = message.indexOf(' LIMIT from ');
    if (lim < 0 || lim > 20) return null;
    label = message.slice(0, lim).toLowerCase() + ' limit';
  } else if (message.startsWith('NON-SMTP COMMAND from ')) label = 'non-SMTP command';
  else if (message.startsWith('BARE NEWLINE from ')) label = 'bare newline';
  else if (message.startsWith('CONNECT from ')) {
    label = 'connect';
    kind = 'connection';
  } else if (message.startsWith('BLACKLISTED ') || message.startsWith('DENYLISTED ')) {
    const client = clientAt(message, message.indexOf(' ') + 1);
    if (client === null) return null;
    return draft('connection-refused', client, 'postscreen: denylisted');
  } else return null;
  const from = message.indexOf(' from [');
  if (from < 0 || from > 40) return null;
  const client = clientAt(message, from + 6);
  if (client === null) return null;
  return draft(kind, client, `postscreen: ${label}`);
}

/** True for `NOQUEUE` and postfix queue ids (short hex or long base-52 ids). */
function isQueueId(text: string, end: number): boolean {
  if (end < 5 || end > 20) return false;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!ok) return false;
  }
  return true;
}

/** Reads one postfix message (any postfix daemon: smtpd, postscreen, submission/smtpd…). */
function parsePostfixMessage(message: string, _env: Envelope): EventDraft | null {
  const c0 = message.charCodeAt(0);
  if (c0 === 119 /* w */ && message.startsWith('warning: ')) return parseWarning(message.slice(9));
  if (message.startsWith('connect from ')) {
    const client = clientAt(message, 13);
    return client === null ? null : draft('connection', client, null);
  }
  if (message.startsWith('disconnect from ')) return parseDisconnect(message);
  if (message.startsWith('SSL_accept error from ')) {
    const client = clientAt(message, 22);
    return client === null
      ? null
      : draft('protocol-error', client, 'postfix: TLS handshake failed');
  }
  if (c0 >= 65 && c0 <= 90) {
    const ps = parsePostscreen(message);
    if (ps !== null) return ps;
  }
  let rest = message;
  const colon = message.indexOf(': ');
  if (colon > 0 && isQueueId(message, colon)) {
    rest = message.slice(colon + 2);
    if (rest.startsWith('reject: ')) return parseReject(rest.slice(8));
    if (rest.startsWith('milter-reject: ')) return parseReject(rest.slice(15));
  }
  for (const [prefix, label] of AFTER_FORMS) {
    if (rest.startsWith(prefix)) return parseAfter(rest, prefix, label);
  }
  return null;
}

/** Postfix (smtpd, postscreen, submission/smtps instances, multi-instance `postfix-name/…`). */
export const postfixParser: ParserDefinition = {
  family: 'postfix',
  description:
    'Postfix smtpd/postscreen: SASL failures, rejects, lost connections, pipelining, rate limits',
  build(): FamilyParser {
    return {
      family: 'postfix',
      programs: ['postfix'],
      parseMessage: parsePostfixMessage,
    };
  },
};
