import type { EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress, cleanIPv4End } from '../core/ip.js';
import { monthNumber, validDate } from '../core/time.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { isHostName, remoteFrom, TOKEN_CHAR, tokenAt, tokenEnd } from './extract.js';
import { programKey } from './line-parser.js';
import type { SourceContext } from './source-context.js';
import { parseIsoStamp, type Envelope } from './syslog-envelope.js';

/** A logged FTP command or user name longer than this is an overflow attempt, not a typo. */
const LONG_INPUT = 512;
/** Consecutive binary units (raw control/invalid bytes or their escapes) that make shellcode. */
const BINARY_RUN = 8;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHex = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isOctal = (c: number): boolean => c >= 48 && c <= 55;
/** Flag, width, precision, position and length characters of a printf directive. */
const isFormatModifier = (c: number): boolean =>
  isDigit(c) || c === 36 || c === 46 || c === 35 || c === 43 || c === 45 || c === 108 || c === 104;

/**
 * Length of the binary unit at `i` (0 when there is none), negated when it is a 0x90 NOP. A unit
 * is a raw control or undecodable byte, or the escape a logger wrote for one: `\x90` (the
 * daemon's own escaping), `#220` (rsyslog's octal control-character escape), `M-^P` / `M-x`
 * (BSD syslogd's vis(3) form).
 */
function binaryUnit(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if ((c < 32 && c !== 9) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) return c === 0x90 ? -1 : 1;
  if (c === 92 /* \ */) {
    const x = text.charCodeAt(i + 1);
    if ((x === 120 || x === 88) && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3))) {
      return text.charCodeAt(i + 2) === 57 && text.charCodeAt(i + 3) === 48 ? -4 : 4;
    }
    return 0;
  }
  if (c === 35 /* # */) {
    if (
      isOctal(text.charCodeAt(i + 1)) &&
      isOctal(text.charCodeAt(i + 2)) &&
      isOctal(text.charCodeAt(i + 3))
    ) {
      return text.startsWith('220', i + 1) ? -4 : 4;
    }
    return 0;
  }
  if (c === 77 /* M */ && text.charCodeAt(i + 1) === 45 /* - */ && i + 2 < text.length) {
    if (text.charCodeAt(i + 2) === 94 /* ^ */ && i + 3 < text.length) {
      return text.charCodeAt(i + 3) === 80 /* P */ ? -4 : 4;
    }
    return 3;
  }
  return 0;
}

/**
 * Classifies a command or user name an FTP daemon logged, as an exploit attempt: a NOP sled or
 * other shellcode bytes, a format string (`SITE EXEC %p%p`, `%x%x%x%n`: wu-ftpd's SITE EXEC and
 * many ftpd `USER` overflows), or an over-long field. Returns the signature, or null for an
 * ordinary value. One linear pass, no regex.
 */
export function ftpExploitSignature(text: string, field: 'command' | 'user name'): string | null {
  let run = 0;
  let nopRun = 0;
  let maxRun = 0;
  let maxNop = 0;
  let directives = 0;
  let writes = 0;
  const n = text.length;
  for (let i = 0; i < n;) {
    const unit = binaryUnit(text, i);
    if (unit !== 0) {
      run++;
      if (run > maxRun) maxRun = run;
      if (unit < 0) {
        nopRun++;
        if (nopRun > maxNop) maxNop = nopRun;
      } else {
        nopRun = 0;
      }
      i += unit < 0 ? -unit : unit;
      continue;
    }
    run = 0;
    nopRun = 0;
    if (text.charCodeAt(i) === 37 /* % */) {
      let j = i + 1;
      const limit = Math.min(n, j + 12);
      while (j < limit && isFormatModifier(text.charCodeAt(j))) j++;
      const conv = text.charCodeAt(j);
      if (conv === 110 /* n */) writes++;
      else if (conv === 112 || conv === 120 || conv === 88 || conv === 115) directives++; // p x X s
      i = conv === 37 ? j + 1 : j;
      continue;
    }
    i++;
  }
  if (maxNop >= BINARY_RUN) return `ftp: NOP sled in ${field}`;
  if (maxRun >= BINARY_RUN) return `ftp: shellcode bytes in ${field}`;
  if (directives + writes > 0) {
    const siteExec =
      field === 'command' && text.length > 9 && text.slice(0, 9).toUpperCase() === 'SITE EXEC';
    if (siteExec) return 'ftp: SITE EXEC format string';
    if (writes > 0 || directives >= 2) return `ftp: format string in ${field}`;
  }
  if (n > LONG_INPUT) return `ftp: over-long ${field} (${n} chars)`;
  return null;
}

/** A failure draft, or an exploit draft when the user name the daemon logged is an attack. */
function failure(
  kind: EventKind,
  src: string | null,
  srcHost: string | null,
  user: string | null,
  signature: string | null,
): EventDraft {
  const exploit = user === null ? null : ftpExploitSignature(user, 'user name');
  return ftpDraft(
    exploit === null ? kind : 'exploit-attempt',
    src,
    srcHost,
    user,
    exploit ?? signature,
  );
}

/**
 * An FTP draft (see newDraft: one shape for every draft). `undefined` leaves a field unset, as
 * a field missing from an object literal.
 */
function ftpDraft(
  kind: EventKind,
  src: string | null,
  srcHost: string | null | undefined,
  user: string | null | undefined,
  signature: string | null | undefined,
  service = 'ftp',
): EventDraft {
  const d = newDraft(kind, src);
  d.srcHost = srcHost;
  d.user = user;
  d.service = service;
  d.signature = signature;
  return d;
}

/* ---------------------------------------------------------------------------------------------
 * BSD ftpd, wu-ftpd, gssftpd (and inetutils/netkit ftpd): `… FROM REMOTE[, USER]` where REMOTE
 * is `HOST`, `ADDR`, `HOST [ADDR]`, `ADDR (HOST)` or wu-ftpd's `IDENT @ HOST [ADDR]`.
 * ------------------------------------------------------------------------------------------- */

/** What readRemote read: one record, refilled on every call (its callers use it at once). */
interface RemoteAt {
  src: string | null;
  srcHost: string | null;
  /** Index just after the remote part. */
  end: number;
}

const remoteAt: RemoteAt = { src: null, srcHost: null, end: 0 };

/** True when the token read last by `remoteTokenEnd` is a dotted quad in its own canonical form. */
let tokenIsQuad = false;

/**
 * `tokenEnd` (extract.ts) for the remote token at `pos`. Most are a dotted quad without leading
 * zeros, which is its own canonical address (see cleanIPv4End): that is noted in `tokenIsQuad`,
 * so the token is read once instead of once to find it and once to check it.
 */
function remoteTokenEnd(m: string, pos: number): number {
  const q = cleanIPv4End(m, pos);
  tokenIsQuad = q >= 0 && !TOKEN_CHAR(m.charCodeAt(q));
  return tokenIsQuad ? q : tokenEnd(m, pos);
}

/**
 * Reads the remote part at `pos` into `remoteAt`; false when there is none. The daemon writes
 * it before any user-supplied text, so it is read left to right from a fixed position and a
 * user name after it cannot change it.
 */
function readRemote(m: string, pos: number): boolean {
  let start = pos;
  let end = remoteTokenEnd(m, start);
  if (end === start) return false;
  // wu-ftpd's RFC 931 form `ident @ host [addr]`: the ident is the remote side's word, skip it.
  if (m.charCodeAt(end) === 32 && m.startsWith(' @ ', end)) {
    start = end + 3;
    end = remoteTokenEnd(m, start);
    if (end === start) return false;
  }
  const first = m.slice(start, end);
  let aSrc: string | null = null;
  let aHost: string | null = null;
  if (tokenIsQuad) {
    aSrc = first;
  } else {
    const a = remoteFrom(first);
    if (a !== null) {
      aSrc = a.src;
      aHost = a.srcHost;
    }
  }
  let bSrc: string | null = null;
  let bHost: string | null = null;
  if (m.charCodeAt(end) === 32) {
    const open = m.charCodeAt(end + 1);
    const closeChar = open === 91 /* [ */ ? ']' : open === 40 /* ( */ ? ')' : null;
    if (closeChar !== null) {
      // The usual `[a.b.c.d]` is read in place: a quad holds no closing bracket, so the one
      // after it is the first, as the search below would find.
      const q = cleanIPv4End(m, end + 2);
      if (q >= 0 && m.charCodeAt(q) === closeChar.charCodeAt(0)) {
        bSrc = m.slice(end + 2, q);
        end = q + 1;
      } else {
        const at = m.indexOf(closeChar, end + 2);
        if (at > end + 2 && at - end < 260) {
          const b = remoteFrom(m.slice(end + 2, at));
          if (b === null) return false;
          bSrc = b.src;
          bHost = b.srcHost;
          end = at + 1;
        }
      }
    }
  }
  const src = bSrc ?? aSrc;
  let srcHost = aHost ?? bHost;
  if (srcHost === 'unknown') srcHost = null;
  if (src === null && srcHost === null) return false;
  remoteAt.src = src;
  remoteAt.srcHost = srcHost;
  remoteAt.end = end;
  return true;
}

/** True when only blanks follow `pos`. */
function blankFrom(m: string, pos: number): boolean {
  for (let i = pos; i < m.length; i++) if (m.charCodeAt(i) !== 32) return false;
  return true;
}

/** `FROM REMOTE`, `FROM REMOTE, USER` or inetutils' `FROM REMOTE as USER`. */
function loginFrom(
  m: string,
  pos: number,
  kind: EventKind,
  signature: string | null,
  userAfter: boolean,
): EventDraft | null {
  if (!readRemote(m, pos)) return null;
  const r = remoteAt;
  let user: string | null = null;
  if (m.startsWith(', ', r.end)) user = m.slice(r.end + 2);
  else if (m.startsWith(' as ', r.end)) user = m.slice(r.end + 4);
  else if (!blankFrom(m, r.end)) return null;
  if (!userAfter) user = null; // ANONYMOUS logins log the e-mail "password" there
  if (kind === 'auth-success') {
    return ftpDraft(kind, r.src, r.srcHost, user, signature);
  }
  return failure(kind, r.src, r.srcHost, user, signature);
}

/** A message that is `PREFIX REMOTE` and nothing else. */
function remoteOnly(
  m: string,
  pos: number,
  kind: EventKind,
  signature: string | null,
): EventDraft | null {
  if (!readRemote(m, pos) || !blankFrom(m, remoteAt.end)) return null;
  const r = remoteAt;
  return ftpDraft(kind, r.src, r.srcHost, undefined, signature);
}

const FTP_LOGIN = 'FTP LOGIN ';
const ANON = 'ANONYMOUS FTP LOGIN ';
const GUEST = 'GUEST FTP LOGIN FROM ';

/**
 * After `REFUSED `: skips wu-ftpd's reason (`(username in denied-uid) `) and `FROM `; returns
 * where the remote part starts, or -1.
 */
function refusedFrom(m: string, pos: number): number {
  let q = pos;
  if (m.charCodeAt(q) === 40 /* ( */) {
    const close = m.indexOf(') ', q);
    if (close < 0 || close - q > 80) return -1;
    q = close + 2;
  }
  return m.startsWith('FROM ', q) ? q + 5 : -1;
}

/** BSD ftpd / wu-ftpd / gssftpd messages. */
function parseClassic(m: string): EventDraft | null {
  switch (m.charCodeAt(0)) {
    case 70 /* F */: {
      if (!m.startsWith(FTP_LOGIN)) return null;
      const p = FTP_LOGIN.length;
      if (m.startsWith('FROM ', p)) return loginFrom(m, p + 5, 'auth-success', null, true);
      if (m.startsWith('FAILED FROM ', p)) return loginFrom(m, p + 12, 'auth-failure', null, true);
      if (m.startsWith('REFUSED ', p)) {
        const q = refusedFrom(m, p + 8);
        return q < 0 ? null : loginFrom(m, q, 'invalid-user', 'ftpd: login refused', true);
      }
      return null;
    }
    case 65 /* A */: {
      if (!m.startsWith(ANON)) return null;
      const p = ANON.length;
      if (m.startsWith('FROM ', p)) return loginFrom(m, p + 5, 'auth-success', null, false);
      if (m.startsWith('REFUSED ', p)) {
        const q = refusedFrom(m, p + 8);
        if (q < 0) return null;
        return loginFrom(m, q, 'invalid-user', 'ftpd: anonymous login refused', false);
      }
      return null;
    }
    case 71 /* G */:
      return m.startsWith(GUEST) ? loginFrom(m, GUEST.length, 'auth-success', null, true) : null;
    case 102 /* f */:
      return m.startsWith('failed login from ') ? remoteOnly(m, 18, 'auth-failure', null) : null;
    case 114 /* r */:
      return m.startsWith('repeated login failures from ')
        ? remoteOnly(m, 29, 'auth-failure', 'ftpd: repeated login failures')
        : null;
    case 99 /* c */:
      return m.startsWith('connection from ') ? remoteOnly(m, 16, 'connection', null) : null;
    default:
      return null;
  }
}

/* ---------------------------------------------------------------------------------------------
 * proftpd: `SERVER (REMOTENAME[REMOTEADDR]): MESSAGE` (1.2/1.3.0) or `… - MESSAGE` (1.3.x).
 * ------------------------------------------------------------------------------------------- */

/** Reasons after `(Login failed): ` that say the account is unknown or not allowed. */
const PROFTPD_REFUSALS = [
  'No such user',
  'User in /etc/ftpusers',
  'Limit access denies login',
  'Invalid shell',
  'Account disabled',
];
/** ` (Login failed): ` without its blank (see lastOfWord). */
const LOGIN_FAILED_WORD = '(Login failed): ';
const LOGIN_FAILED = ' ' + LOGIN_FAILED_WORD;
const NO_SUCH_USER = ': no such user found from ';
const NOT_ALIAS = ': user is not a UserAlias from ';
const LOGIN_OK = ': Login successful.';
const FOREIGN = 'SECURITY VIOLATION: Passive connection from foreign IP address ';
const LIMIT_REFUSED = 'Connection refused (';

/** Reads proftpd's session prefix and the message after it. */
function parseProftpd(m: string): EventDraft | null {
  const sp = m.indexOf(' ');
  if (sp <= 0 || sp > 255 || m.charCodeAt(sp + 1) !== 40 /* ( */) return null;
  const nameStart = sp + 2;
  // Without a PTR record proftpd names the client by its address: a plain dotted quad (its own
  // canonical form, holding no `[`), read once here instead of once per check below.
  let lb = cleanIPv4End(m, nameStart);
  const nameIsQuad = lb >= 0 && m.charCodeAt(lb) === 91;
  if (!nameIsQuad) {
    lb = m.indexOf('[', nameStart);
    if (lb < 0 || lb - nameStart > 255) return null;
    for (let i = nameStart; i < lb; i++) {
      const c = m.charCodeAt(i);
      // A reverse-DNS name is whatever the client's PTR record says: refuse odd ones outright.
      if (c === 32 || c === 40 || c === 41 || c === 93 || c < 32) return null;
    }
  }
  let rb = cleanIPv4End(m, lb + 1);
  let src: string | null;
  if (rb >= 0 && m.charCodeAt(rb) === 93 && m.charCodeAt(rb + 1) === 41) {
    // `[a.b.c.d])`: the first `])` after `[`, as the search below would find.
    src = m.slice(lb + 1, rb);
  } else {
    rb = m.indexOf('])', lb);
    if (rb < 0 || rb - lb > 66) return null;
    src = canonicalAddress(m.slice(lb + 1, rb));
    if (src === null) return null;
  }
  let srcHost: string | null = null;
  if (!nameIsQuad) {
    const name = m.slice(nameStart, lb);
    if (name.length > 0 && canonicalAddress(name) === null && isHostName(name)) srcHost = name;
  }
  let p = rb + 2;
  if (m.startsWith(': ', p)) p += 2;
  else if (m.startsWith(' - ', p)) p += 3;
  else return null;
  const rest = m.slice(p);
  if (rest.startsWith('USER ') || rest.startsWith('ANON ')) {
    return proftpdLogin(rest, src, srcHost);
  }
  const signature = proftpdNotice(rest);
  if (signature !== null) {
    const kind =
      PROFTPD_KINDS.get(signature) ??
      (signature.startsWith('proftpd: Max') ? 'rate-limited' : 'exploit-attempt');
    const user = kind === 'invalid-user' ? 'root' : null;
    return ftpDraft(kind, src, srcHost, user, signature);
  }
  if (rest.startsWith('FTP session opened')) {
    return ftpDraft('connection', src, srcHost, undefined, undefined);
  }
  if (rest.startsWith(FOREIGN)) {
    // The data connection came from a third host: that host is the one stealing the port.
    const tok = tokenAt(rest, FOREIGN.length);
    const thief = canonicalAddress(tok);
    if (thief === null || !rest.startsWith(' rejected', FOREIGN.length + tok.length)) return null;
    const sig = 'proftpd: foreign passive data connection';
    return ftpDraft('connection-refused', thief, undefined, undefined, sig, 'ftp-data');
  }
  return null;
}

/**
 * `s.lastIndexOf(phrase)`, found by searching forward: V8 finds a forward match with a fast scan
 * for its first character, but goes back through the text one character at a time.
 */
function lastOf(s: string, phrase: string): number {
  let last = -1;
  for (let i = s.indexOf(phrase); i >= 0; i = s.indexOf(phrase, i + 1)) last = i;
  return last;
}

/**
 * `s.lastIndexOf(' ' + word)`, as lastOf; the word is searched and the blank before it checked,
 * because a pattern that starts with a blank stops at every blank (see indexOfWord).
 */
function lastOfWord(s: string, word: string): number {
  let last = -1;
  for (let i = s.indexOf(word, 1); i >= 0; i = s.indexOf(word, i + 1)) {
    if (s.charCodeAt(i - 1) === 32) last = i - 1;
  }
  return last;
}

/** `USER name …` / `ANON name …`: the name is the client's, so phrases are found from the end. */
function proftpdLogin(rest: string, src: string, srcHost: string | null): EventDraft | null {
  const failed = lastOfWord(rest, LOGIN_FAILED_WORD);
  if (failed > 5) {
    const user = rest.slice(5, failed);
    const reason = failed + LOGIN_FAILED.length;
    if (rest.startsWith('maximum USER length exceeded', reason)) {
      const sig = 'proftpd: maximum USER length exceeded';
      return ftpDraft('exploit-attempt', src, srcHost, user, sig);
    }
    let refused = false;
    for (const r of PROFTPD_REFUSALS) {
      if (rest.startsWith(r, reason)) {
        refused = true;
        break;
      }
    }
    return failure(refused ? 'invalid-user' : 'auth-failure', src, srcHost, user, null);
  }
  let at = lastOf(rest, NO_SUCH_USER);
  if (at < 0) at = lastOf(rest, NOT_ALIAS);
  if (at > 5) return failure('invalid-user', src, srcHost, rest.slice(5, at), null);
  at = rest.lastIndexOf(LOGIN_OK);
  if (at > 5 && blankFrom(rest, at + LOGIN_OK.length)) {
    const user = rest.startsWith('USER ') ? rest.slice(5, at) : null;
    return ftpDraft('auth-success', src, srcHost, user, undefined);
  }
  if (rest.startsWith('ANON ') && rest.includes(': AnonRejectPasswords denies login')) {
    return failure('auth-failure', src, srcHost, null, 'proftpd: AnonRejectPasswords');
  }
  return null;
}

const PROFTPD_KINDS = new Map<string, EventKind>([
  ['proftpd: root login attempted', 'invalid-user'],
  ['proftpd: maximum login attempts exceeded', 'auth-failure'],
  ['proftpd: connection denied', 'connection-refused'],
]);

/** The signature of a fixed-text proftpd notice, or null. */
function proftpdNotice(rest: string): string | null {
  switch (rest.charCodeAt(0)) {
    case 83 /* S */:
      return rest.startsWith('SECURITY VIOLATION: root login attempted') ||
        rest.startsWith('SECURITY VIOLATION: Root login attempted')
        ? 'proftpd: root login attempted'
        : null;
    case 77 /* M */:
      if (rest.startsWith('Maximum login attempts (')) {
        return 'proftpd: maximum login attempts exceeded';
      }
      return rest.startsWith('MaxConnectionRate (') ? 'proftpd: MaxConnectionRate' : null;
    case 67 /* C */:
      if (rest.startsWith(LIMIT_REFUSED + 'Max')) {
        let end = LIMIT_REFUSED.length;
        while (end < rest.length && end < 60 && rest.charCodeAt(end) > 41) end++;
        return `proftpd: ${rest.slice(LIMIT_REFUSED.length, end)}`;
      }
      return rest.startsWith('Connection from ') && rest.trimEnd().endsWith(' denied')
        ? 'proftpd: connection denied'
        : null;
    case 99 /* c */:
      if (rest.startsWith('connection refused (')) return 'proftpd: connection denied';
      return rest.startsWith('client sent too-long command') ? 'proftpd: too-long command' : null;
    case 114 /* r */:
      return rest.startsWith('refused connection from ') ? 'proftpd: connection denied' : null;
    case 87 /* W */:
      return rest.startsWith('WARNING: attempt to overflow internal ProFTPD buffers')
        ? 'proftpd: buffer overflow attempt'
        : null;
    case 82 /* R */:
      if (!rest.startsWith('Refused PORT ') && !rest.startsWith('Refused EPRT ')) return null;
      return rest.includes(' possible bounce attack)')
        ? 'ftp: bounce attack'
        : 'ftp: PORT to a third host';
    default:
      return null;
  }
}

/* ---------------------------------------------------------------------------------------------
 * pure-ftpd: `(ACCOUNT@HOST) [LEVEL] MESSAGE`, ACCOUNT `?` before login.
 * ------------------------------------------------------------------------------------------- */

const AUTH_FAILED = 'Authentication failed for user [';
const LOGGED_IN = ' is now logged in';

function parsePureFtpd(m: string): EventDraft | null {
  if (m.charCodeAt(0) !== 40 /* ( */) return null;
  const close = m.indexOf(') [', 1);
  if (close < 0 || close > 320) return null;
  const at = m.lastIndexOf('@', close);
  if (at < 1) return null;
  const remote = remoteFrom(m.slice(at + 1, close));
  if (remote === null) return null;
  const levelEnd = m.indexOf('] ', close + 3);
  if (levelEnd < 0 || levelEnd - close > 12) return null;
  const text = m.slice(levelEnd + 2);
  const { src, srcHost } = remote;
  if (text.startsWith(AUTH_FAILED)) {
    const end = text.lastIndexOf(']');
    if (end < AUTH_FAILED.length) return null;
    return failure('auth-failure', src, srcHost, text.slice(AUTH_FAILED.length, end), null);
  }
  let kind: EventKind;
  let signature: string | null = null;
  let user: string | null = null;
  if (text.startsWith('New connection from ')) {
    kind = 'connection';
  } else if (text.startsWith('Too many authentication failures')) {
    kind = 'auth-failure';
    signature = 'pure-ftpd: too many authentication failures';
  } else if (text.startsWith('Too many connections')) {
    kind = 'rate-limited';
    signature = 'pure-ftpd: too many connections from this IP';
  } else if (text.startsWith("Sorry, but I won't connect to ports < 1024")) {
    kind = 'exploit-attempt';
    signature = 'ftp: bounce attack';
  } else if (text.startsWith('Line too long')) {
    kind = 'exploit-attempt';
    signature = 'pure-ftpd: line too long';
  } else if (text.startsWith('Anonymous user logged in')) {
    kind = 'auth-success';
  } else if (text.endsWith(LOGGED_IN)) {
    kind = 'auth-success';
    user = text.slice(0, text.length - LOGGED_IN.length);
  } else {
    return null;
  }
  return ftpDraft(kind, src, srcHost, user, signature);
}

/* ---------------------------------------------------------------------------------------------
 * vsftpd: `[USER] (OK|FAIL) LOGIN: Client "ADDR"[, …]`, `CONNECT: Client "ADDR"`,
 * `FTP command: Client "ADDR", "CMD"`; in its own log file after `DATE [pid N] `.
 * ------------------------------------------------------------------------------------------- */

const CLIENT = ': Client "';
const VSFTPD_TYPES = ['LOGIN', 'CONNECT', 'FTP command'];

/** What vsftpdEntry read: two records, refilled on every call (see parseVsftpd). */
interface VsftpdEntry {
  src: string;
  user: string | null;
  status: 'OK' | 'FAIL' | null;
  type: string;
  /** Where what follows the closing quote of the address starts. */
  tailStart: number;
}

const firstEntry: VsftpdEntry = { src: '', user: null, status: null, type: '', tailStart: 0 };
const lastEntry: VsftpdEntry = { src: '', user: null, status: null, type: '', tailStart: 0 };

/** True when `word` ends at `end` in `s` (`s.slice(0, end).endsWith(word)`, without the slice). */
function endsAt(s: string, word: string, end: number): boolean {
  return end >= word.length && s.startsWith(word, end - word.length);
}

/** Reads the entry whose marker is at `idx` into `e`; false when it is not one. */
function vsftpdEntry(body: string, idx: number, e: VsftpdEntry): boolean {
  const addrStart = idx + CLIENT.length;
  // Most clients are a dotted quad, bare or as a dual-stack socket shows it (`::ffff:a.b.c.d`);
  // without leading zeros the quad is the canonical address of both: read in place, once.
  let a = addrStart;
  if (
    body.charCodeAt(a) === 58 /* : */ &&
    body.charCodeAt(a + 1) === 58 &&
    body.charCodeAt(a + 2) === 102 /* f */ &&
    body.charCodeAt(a + 3) === 102 &&
    body.charCodeAt(a + 4) === 102 &&
    body.charCodeAt(a + 5) === 102 &&
    body.charCodeAt(a + 6) === 58
  ) {
    a += 7;
  }
  let q = cleanIPv4End(body, a);
  if (q >= 0 && body.charCodeAt(q) === 34 /* " */) {
    e.src = body.slice(a, q);
  } else {
    q = body.indexOf('"', addrStart);
    if (q < 0 || q - addrStart > 64) return false;
    const src = canonicalAddress(body.slice(addrStart, q));
    if (src === null) return false;
    e.src = src;
  }
  e.tailStart = q + 1;
  let type = '';
  for (const t of VSFTPD_TYPES) {
    if (endsAt(body, t, idx)) {
      type = t;
      break;
    }
  }
  e.type = type === '' ? 'other' : type;
  e.user = null;
  e.status = null;
  if (type === '') return true;
  let before = idx - type.length;
  if (endsAt(body, 'FAIL ', before)) e.status = 'FAIL';
  else if (endsAt(body, 'OK ', before)) e.status = 'OK';
  if (e.status !== null) before -= e.status.length + 1;
  if (before > 0) {
    if (body.charCodeAt(0) !== 91 || !endsAt(body, '] ', before)) return false;
    e.user = body.slice(1, before - 2);
  }
  return true;
}

function parseVsftpd(body: string): EventDraft | null {
  const first = body.indexOf(CLIENT);
  if (first < 0 || !vsftpdEntry(body, first, firstEntry)) return null;
  let e = firstEntry;
  // A marker ends with `"` and the first address holds none, so another marker can only start
  // after the address's closing quote: searched from there, not back from the end.
  if (body.indexOf(CLIENT, e.tailStart) >= 0) {
    // Both the user field before and the anonymous password or command after the address are
    // the client's words, so a second `: Client "…"` with another address is ambiguous by
    // construction. With the same address, the marker that vsftpd's own words precede wins.
    const other = lastEntry;
    if (!vsftpdEntry(body, body.lastIndexOf(CLIENT), other) || other.src !== e.src) return null;
    if (e.type === 'other') e = other;
  }
  const { src, user } = e;
  if (e.type === 'LOGIN') {
    if (e.status === 'OK') return ftpDraft('auth-success', src, undefined, user, undefined);
    if (e.status !== 'FAIL') return null;
    const notAllowed = body.startsWith(', "User is not in the allow user list', e.tailStart);
    return failure(notAllowed ? 'invalid-user' : 'auth-failure', src, null, user, null);
  }
  if (e.type === 'CONNECT' && e.status === null) {
    return ftpDraft('connection', src, undefined, undefined, undefined);
  }
  const tail = body.slice(e.tailStart);
  if (e.type === 'FTP command' && tail.startsWith(', "') && tail.endsWith('"')) {
    const signature = ftpExploitSignature(tail.slice(3, -1), 'command');
    if (signature === null) return null;
    return ftpDraft('exploit-attempt', src, undefined, user, signature);
  }
  return null;
}

/** Positions of the digits in `Fri Jan 19 12:20:33 2007` (the day's first may be a space). */
const VSFTPD_DIGITS = [9, 11, 12, 14, 15, 17, 18, 20, 21, 22, 23];

/**
 * vsftpd's own log: `Fri Jan 19 12:20:33 2007 [pid 27202] …` (strftime `%a %b %e %H:%M:%S %Y`,
 * local time, day space-padded). Null for any other line, after a few character checks.
 */
function vsftpdOwnLine(line: string, ctx: SourceContext): EventDraft | null {
  if (
    line.charCodeAt(3) !== 32 ||
    line.charCodeAt(7) !== 32 ||
    line.charCodeAt(13) !== 58 ||
    line.charCodeAt(16) !== 58 ||
    !line.startsWith(' [pid ', 24)
  ) {
    return null;
  }
  const pidEnd = line.indexOf('] ', 30);
  if (pidEnd < 0 || pidEnd > 42) return null;
  for (const i of VSFTPD_DIGITS) {
    if (!isDigit(line.charCodeAt(i))) return null;
  }
  const mo = monthNumber(line.slice(4, 7));
  const d = Number(line.slice(8, 10).trim());
  const y = Number(line.slice(20, 24));
  const h = Number(line.slice(11, 13));
  const mi = Number(line.slice(14, 16));
  const s = Math.min(Number(line.slice(17, 19)), 59);
  if (mo === 0 || !validDate(y, mo, d) || h > 23 || mi > 59) return null;
  const draft = parseVsftpd(line.slice(pidEnd + 2));
  if (draft === null) return null;
  draft.at = ctx.zone.toUtc(y, mo, d, h, mi, s);
  draft.program = 'vsftpd';
  return draft;
}

/**
 * proftpd's own SystemLog: `2013-11-16 21:59:30,121 HOST proftpd[PID] SERVER (NAME[ADDR]): …`
 * (local time, milliseconds after a comma).
 */
function proftpdOwnLine(line: string, ctx: SourceContext): EventDraft | null {
  if (
    line.charCodeAt(4) !== 45 ||
    line.charCodeAt(10) !== 32 ||
    line.charCodeAt(19) !== 44 ||
    !isDigit(line.charCodeAt(0))
  ) {
    return null;
  }
  const stamp = parseIsoStamp(line, 0, ctx, false);
  if (stamp === null || line.charCodeAt(stamp.end) !== 32) return null;
  const hostEnd = line.indexOf(' ', stamp.end + 1);
  if (hostEnd < 0 || hostEnd - stamp.end > 256 || !line.startsWith(' proftpd[', hostEnd)) {
    return null;
  }
  const pidEnd = line.indexOf('] ', hostEnd + 9);
  if (pidEnd < 0 || pidEnd - hostEnd > 20) return null;
  const draft = parseProftpd(line.slice(pidEnd + 2));
  if (draft === null) return null;
  draft.at = stamp.at;
  draft.host = line.slice(stamp.end + 1, hostEnd);
  draft.program = 'proftpd';
  return draft;
}

type MessageReader = (message: string) => EventDraft | null;

/**
 * The reader of a program's messages. The tag is a fresh slice of each line, which a Map lookup
 * would hash anew: three comparisons cost less.
 */
function readerFor(key: string): MessageReader {
  if (key === 'vsftpd') return parseVsftpd;
  if (key === 'proftpd') return parseProftpd;
  if (key === 'pure-ftpd') return parsePureFtpd;
  return parseClassic;
}

const PROGRAMS = [
  'ftpd',
  'in.ftpd',
  'wu-ftpd',
  'wu.ftpd',
  'gssftpd',
  'vsftpd',
  'proftpd',
  'pure-ftpd',
] as const;

/** FTP daemons: BSD ftpd, wu-ftpd, gssftpd, vsftpd, proftpd, pure-ftpd. */
export const ftpdParser: ParserDefinition = {
  family: 'ftpd',
  description:
    'FTP daemons (BSD ftpd, wu-ftpd, gssftpd, vsftpd, proftpd, pure-ftpd): connections, ' +
    'logins, refusals and exploit attempts (format strings, shellcode, over-long input), ' +
    "in syslog and in vsftpd's and proftpd's own log files",
  build(): FamilyParser {
    return {
      family: 'ftpd',
      programs: PROGRAMS,
      parseMessage(message: string, env: Envelope): EventDraft | null {
        return readerFor(env.program === null ? '' : programKey(env.program))(message);
      },
      parseLine(line: string, ctx: SourceContext): EventDraft | null {
        const c0 = line.charCodeAt(0);
        if (c0 >= 65 && c0 <= 90) return vsftpdOwnLine(line, ctx);
        if (c0 >= 48 && c0 <= 57) return proftpdOwnLine(line, ctx);
        return null;
      },
    };
  },
};
