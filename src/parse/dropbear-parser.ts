import type { EventDraft, EventKind } from '../core/event.js';
import { parsePort } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { remoteFrom, type Remote } from './extract.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `ADDR:PORT` as dropbear writes it (IPv6 without brackets: the last colon starts the port). */
interface HostPort {
  readonly remote: Remote;
  readonly port: number | null;
}

function hostPort(text: string): HostPort | null {
  if (text.length === 0 || text.length > 260) return null;
  const colon = text.lastIndexOf(':');
  if (colon > 0) {
    const port = parsePort(text.slice(colon + 1));
    if (port !== null) {
      const remote = remoteFrom(text.slice(0, colon));
      if (remote !== null) return { remote, port };
    }
  }
  const remote = remoteFrom(text);
  return remote === null ? null : { remote, port: null };
}

/** The `ADDR:PORT` that ends a message after its last ` from ` (user names come before it). */
function lastFrom(m: string): { hp: HostPort; at: number } | null {
  const at = m.lastIndexOf(' from ');
  if (at < 0) return null;
  const tail = m.slice(at + 6);
  if (tail.indexOf(' ') >= 0) return null;
  const hp = hostPort(tail);
  return hp === null ? null : { hp, at };
}

/** The name in `for 'NAME' from`, between the first quote after `start` and `' from`. */
function quotedUser(m: string, start: number, fromAt: number): string | null {
  const q = m.indexOf("'", start);
  if (q < 0 || q >= fromAt || m.charCodeAt(fromAt - 1) !== 39 || fromAt - 1 <= q) return null;
  return m.slice(q + 1, fromAt - 1);
}

/**
 * Skips the `[PID] Mmm dd hh:mm:ss ` that dropbear adds when it logs to stderr (journald keeps
 * it inside the message).
 */
function skipOwnStamp(m: string): string {
  const close = m.indexOf('] ');
  if (close < 2 || close > 12) return m;
  for (let i = 1; i < close; i++) if (!isDigit(m.charCodeAt(i))) return m;
  const t = close + 2;
  // `Jul 10 23:53:52 ` or `Jul  1 23:53:52 `: 16 characters.
  if (
    m.charCodeAt(t + 3) !== 32 ||
    m.charCodeAt(t + 6) !== 32 ||
    m.charCodeAt(t + 9) !== 58 ||
    m.charCodeAt(t + 12) !== 58 ||
    m.charCodeAt(t + 15) !== 32
  ) {
    return m;
  }
  return m.slice(t + 16);
}

function draft(
  kind: EventKind,
  hp: HostPort,
  user: string | null,
  signature: string | null,
): EventDraft {
  return {
    kind,
    src: hp.remote.src,
    srcHost: hp.remote.srcHost,
    srcPort: hp.port,
    service: 'ssh',
    user,
    signature,
  };
}

const EXIT = 'Exit before auth';

/**
 * `Exit before auth from <ADDR:PORT>: [(user 'NAME', N fails): ]REASON` (dropbear 2020+) and
 * `Exit before auth (user 'NAME', N fails): REASON from ADDR:PORT` (older, the address only
 * for `Max auth tries reached`). `Max auth tries reached` is the failure; any other reason
 * (timeout, the client leaving) is `protocol-error` unless earlier failed passwords were counted.
 */
function exitBeforeAuth(m: string): EventDraft | null {
  let hp: HostPort | null;
  let rest: string;
  if (m.startsWith(' from <', EXIT.length)) {
    const close = m.indexOf('>: ', 23);
    if (close < 0) return null;
    hp = hostPort(m.slice(23, close));
    rest = m.slice(close + 3);
  } else {
    const lf = lastFrom(m);
    if (lf === null) return null;
    hp = lf.hp;
    rest = m.slice(EXIT.length, lf.at);
    if (rest.startsWith(' ')) rest = rest.slice(1);
  }
  if (hp === null) return null;
  let fails = 0;
  let user: string | null = null;
  if (rest.startsWith("(user '")) {
    const end = rest.indexOf(' fails): ');
    const q = rest.lastIndexOf("', ", end);
    if (end > 0 && q > 6) {
      user = rest.slice(7, q);
      fails = Number(rest.slice(q + 3, end)) || 0;
      rest = rest.slice(end + 9);
    }
  } else if (rest.startsWith(': ')) {
    rest = rest.slice(2);
  }
  const max = rest.indexOf('Max auth tries reached - user ');
  if (max >= 0) {
    const named = rest.slice(max + 30);
    const quoted = named.startsWith("'") && named.endsWith("'") ? named.slice(1, -1) : named;
    // dropbear writes the literal `user 'is invalid'` when the name does not exist.
    if (quoted === 'is invalid') return draft('invalid-user', hp, user, 'dropbear: max auth tries');
    return draft('auth-failure', hp, user ?? quoted, 'dropbear: max auth tries');
  }
  if (fails > 0) return draft('connection', hp, user, 'dropbear: exit before auth');
  return draft('protocol-error', hp, user, 'dropbear: exit before auth');
}

/**
 * Reads dropbear, the small SSH server of routers and embedded systems. Addresses are written
 * as `ADDR:PORT` at the end of the message, after the quoted user name, so they are read
 * from the right.
 */
function parseDropbear(message: string): EventDraft | null {
  let m = message;
  if (m.charCodeAt(0) === 91 /* [ */) m = skipOwnStamp(m);
  const c0 = m.charCodeAt(0);
  if (c0 === 66 || c0 === 98 /* B b */) {
    if (!m.startsWith('ad password attempt for ', 1)) return null;
    const lf = lastFrom(m);
    if (lf === null) return null;
    return draft('auth-failure', lf.hp, quotedUser(m, 25, lf.at), 'dropbear: bad password');
  }
  if (c0 === 76 || c0 === 108 /* L l */) {
    if (!m.startsWith('ogin attempt for nonexistent user', 1)) return null;
    const lf = lastFrom(m);
    if (lf === null) return null;
    return draft('invalid-user', lf.hp, quotedUser(m, 34, lf.at), 'dropbear: nonexistent user');
  }
  if (c0 === 69 /* E */) return m.startsWith(EXIT) ? exitBeforeAuth(m) : null;
  if (c0 === 67 /* C */) {
    if (!m.startsWith('Child connection from ')) return null;
    const hp = hostPort(m.slice(22));
    return hp === null ? null : draft('connection', hp, null, null);
  }
  if (c0 === 80 /* P */) {
    const password = m.startsWith('Password auth succeeded for ');
    if (!password && !m.startsWith('Pubkey auth succeeded for ')) return null;
    const lf = lastFrom(m);
    if (lf === null) return null;
    const user = quotedUser(m, password ? 28 : 26, password ? lf.at : m.indexOf("' with ", 26) + 1);
    const signature = password ? 'dropbear: password accepted' : 'dropbear: pubkey accepted';
    return draft('auth-success', lf.hp, user, signature);
  }
  return null;
}

/** dropbear SSH server. */
export const dropbearParser: ParserDefinition = {
  family: 'dropbear',
  description: 'dropbear SSH: bad passwords, nonexistent users, max auth tries, exits before auth',
  build(): FamilyParser {
    return { family: 'dropbear', programs: ['dropbear'], parseMessage: parseDropbear };
  },
};
