import type { EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { serviceForProgram } from './extract.js';
import { programKey } from './line-parser.js';
import { replyCode } from './mail-client.js';
import type { Envelope } from './syslog-envelope.js';

/**
 * imapd/pop3d: `LOGIN FAILED, [method=M, ]user=U, ip=[ADDR][, port=[P]]`, `LOGIN, user=U,
 * ip=[ADDR], …`, `Connection, ip=[ADDR]`. The user name is the client's and comes before the
 * address, so the LAST `, ip=[` is the daemon's.
 */
function parseLogin(message: string, service: string | null): EventDraft | null {
  let kind: EventKind;
  let signature: string;
  if (message.startsWith('LOGIN FAILED, ')) {
    kind = 'auth-failure';
    signature = 'courier: login failed';
  } else if (message.startsWith('LOGIN, ')) {
    kind = 'auth-success';
    signature = 'courier: login';
  } else if (message.startsWith('Connection, ')) {
    kind = 'connection';
    signature = 'courier: connection';
  } else {
    return null;
  }
  const ip = message.lastIndexOf(', ip=[');
  if (ip < 0) return null;
  const close = message.indexOf(']', ip + 6);
  if (close < 0 || close - ip > 70) return null;
  const src = canonicalAddress(message.slice(ip + 6, close));
  if (src === null) return null;
  const u = message.indexOf(', user=');
  const user = u >= 0 && u < ip ? message.slice(u + 7, ip) : null;
  return { kind, src, srcHost: null, service, user: user === '' ? null : user, signature };
}

/**
 * courieresmtpd: `error,relay=ADDR[,port=N],msg="535 Authentication failed.",cmd: AUTH …` and
 * `error,relay=ADDR,[ident=…,]from=<…>,to=<…>: 550 User unknown.`. The relay is the first field,
 * written by the daemon before anything the client said.
 */
function parseEsmtpd(message: string): EventDraft | null {
  if (message.startsWith('started,ip=[')) {
    const close = message.indexOf(']', 12);
    const src = close < 0 ? null : canonicalAddress(message.slice(12, close));
    return src === null
      ? null
      : { kind: 'connection', src, service: 'smtp', signature: 'courier: esmtp connection' };
  }
  if (!message.startsWith('error,relay=')) return null;
  const comma = message.indexOf(',', 12);
  if (comma < 0 || comma > 80) return null;
  const src = canonicalAddress(message.slice(12, comma));
  if (src === null) return null;
  let pos = comma + 1;
  let srcPort: number | null = null;
  if (message.startsWith('port=', pos)) {
    const c2 = message.indexOf(',', pos);
    if (c2 < 0) return null;
    const p = Number(message.slice(pos + 5, c2));
    srcPort = Number.isInteger(p) && p >= 0 && p <= 65535 ? p : null;
    pos = c2 + 1;
  }
  let kind: EventKind = 'connection-refused';
  let signature = 'courier: esmtp rejected';
  let status: number | null = null;
  if (message.startsWith('msg="', pos)) {
    status = replyCode(message, pos + 5);
    if (status === 535) {
      kind = 'auth-failure';
      signature = 'courier: esmtp AUTH failed';
    } else if (status === 500 || status === 502) {
      kind = 'protocol-error';
      signature = 'courier: esmtp command error';
    }
  } else {
    const colon = message.lastIndexOf('>: ');
    if (colon > 0) status = replyCode(message, colon + 3);
    if (message.includes('User unknown', colon) || message.includes(' unknown', colon)) {
      signature = 'courier: esmtp user unknown';
    }
  }
  const d: EventDraft = { kind, src, srcHost: null, srcPort, service: 'smtp', signature };
  if (status !== null) d.detail = { status };
  return d;
}

function parseCourierMessage(message: string, env: Envelope): EventDraft | null {
  const c0 = message.charCodeAt(0);
  if (c0 === 101 /* e */ || c0 === 115 /* s */) return parseEsmtpd(message);
  if (c0 !== 76 /* L */ && c0 !== 67 /* C */) return null;
  const program = env.program === null ? null : programKey(env.program);
  return parseLogin(message, serviceForProgram(program));
}

/** Courier IMAP/POP3 login failures and courieresmtpd errors. */
export const courierParser: ParserDefinition = {
  family: 'courier',
  description: 'Courier imapd/pop3d LOGIN FAILED and courieresmtpd error lines',
  build(): FamilyParser {
    return {
      family: 'courier',
      programs: [
        'courieresmtpd',
        'courierpop3login',
        'courierpop3d',
        'courierimaplogin',
        'courierimapd',
        'imapd',
        'imapd-ssl',
        'pop3d',
        'pop3d-ssl',
        'courier-imapd',
        'courier-imapd-ssl',
        'courier-pop3d',
        'courier-pop3d-ssl',
      ],
      parseMessage: parseCourierMessage,
    };
  },
};
