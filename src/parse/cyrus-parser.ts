import type { EventDraft } from '../core/event.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { serviceForProgram } from './extract.js';
import { programKey } from './line-parser.js';
import { bracketAddress, type MailClient } from './mail-client.js';
import { isHostName } from './extract.js';
import type { Envelope } from './syslog-envelope.js';

/**
 * Cyrus' client host `name [addr]`, `[addr]` or `name[addr]` at `pos`: the first `]` closes the
 * daemon's bracket (a resolver-checked name holds none), and the address is the bracket before it.
 */
function clientHost(text: string, pos: number): MailClient | null {
  const close = text.indexOf(']', pos);
  if (close < 0 || close - pos > 320 || text.charCodeAt(close + 1) !== 32) return null;
  const open = text.lastIndexOf('[', close);
  if (open < pos) return null;
  const src = bracketAddress(text.slice(open + 1, close));
  if (src === null) return null;
  const name = text.slice(pos, open).trimEnd();
  if (name.indexOf(' ') >= 0) return null;
  return {
    src,
    srcHost: name.length > 0 && isHostName(name) ? name : null,
    srcPort: null,
    end: close + 2,
  };
}

/**
 * `badlogin: CLIENT plaintext USER SASL(-13): …` (LOGIN command) and `badlogin: CLIENT MECH
 * [SASL(-13): …]` (AUTHENTICATE); `login: CLIENT USER MECH … User logged in`.
 */
function parseCyrusMessage(message: string, env: Envelope): EventDraft | null {
  let success = false;
  let pos: number;
  if (message.startsWith('badlogin: ')) pos = 10;
  else if (message.startsWith('login: ')) {
    pos = 7;
    success = true;
  } else return null;
  const client = clientHost(message, pos);
  if (client === null) return null;
  const program = env.program === null ? null : programKey(env.program);
  const service =
    program !== null && program.includes('sieve') ? 'managesieve' : serviceForProgram(program);
  const rest = message.slice(client.end);
  if (success) {
    if (!rest.includes(' User logged in')) return null;
    const sp = rest.indexOf(' ');
    return {
      kind: 'auth-success',
      src: client.src,
      srcHost: client.srcHost,
      service,
      user: sp > 0 ? rest.slice(0, sp) : null,
      signature: 'cyrus: login',
    };
  }
  let user: string | null = null;
  let reply = rest;
  if (rest.startsWith('plaintext ')) {
    // The reply is the daemon's and follows the user name, so the LAST ` SASL(` starts it.
    const s = rest.lastIndexOf(' SASL(');
    if (s > 10) {
      user = rest.slice(10, s);
      reply = rest.slice(s + 1);
    }
  } else {
    const b = rest.indexOf(' [SASL(');
    if (b >= 0) reply = rest.slice(b + 2);
  }
  const unknown = reply.startsWith('SASL(-13): user not found');
  return {
    kind: unknown ? 'invalid-user' : 'auth-failure',
    src: client.src,
    srcHost: client.srcHost,
    service,
    user,
    signature: unknown ? 'cyrus: badlogin (user not found)' : 'cyrus: badlogin',
  };
}

/** Cyrus IMAP/POP3/timsieved `badlogin:` and `login:` lines. */
export const cyrusParser: ParserDefinition = {
  family: 'cyrus',
  description: 'Cyrus imapd/pop3d badlogin and login lines',
  build(): FamilyParser {
    return {
      family: 'cyrus',
      programs: ['cyrus', 'imap', 'imaps', 'pop3', 'pop3s', 'imapd', 'pop3d', 'timsieved', 'sieve'],
      parseMessage: parseCyrusMessage,
    };
  },
};
