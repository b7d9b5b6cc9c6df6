import type { EventDetail, EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress, splitHostPort } from '../core/ip.js';
import { fractionMs, monthNumber, type Zone } from '../core/time.js';
import { remoteFrom } from './extract.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import type { SourceContext } from './source-context.js';
import type { Envelope } from './syslog-envelope.js';
import { WEB_PROGRAMS } from './web-access-parser.js';
import {
  attackSignature,
  badRequest,
  scanSignature,
  splitRequest,
} from './web-attack-classifier.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const num = (s: string, i: number, len: number): number => {
  let v = 0;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
};

/** An instant read from a line and the index after it. */
interface Stamp {
  readonly at: number | null;
  readonly end: number;
}

// ---------------------------------------------------------------------------------------------
// Apache

/**
 * Reads `[Sat Jun 01 02:17:42 2013]` or 2.4's `[Sun Jul 28 21:41:20.123456 2013]` at `pos`
 * (local time; null `zone` means the caller has the time from elsewhere and only skips it).
 */
function apacheStamp(line: string, pos: number, zone: Zone | null): Stamp | null {
  if (line.charCodeAt(pos + 4) !== 32 || line.charCodeAt(pos + 8) !== 32) return null;
  const mo = monthNumber(line.slice(pos + 5, pos + 8));
  if (mo === 0) return null;
  const d = line.charCodeAt(pos + 9) === 32 ? num(line, pos + 10, 1) : num(line, pos + 9, 2);
  if (line.charCodeAt(pos + 11) !== 32) return null;
  if (line.charCodeAt(pos + 14) !== 58 || line.charCodeAt(pos + 17) !== 58) return null;
  const h = num(line, pos + 12, 2);
  const mi = num(line, pos + 15, 2);
  const s = num(line, pos + 18, 2);
  let q = pos + 20;
  let ms = 0;
  if (line.charCodeAt(q) === 46) {
    let f = q + 1;
    while (isDigit(line.charCodeAt(f)) && f - q <= 9) f++;
    ms = fractionMs(line.slice(q + 1, f));
    q = f;
  }
  if (line.charCodeAt(q) !== 32 || line.charCodeAt(q + 5) !== 93) return null;
  const y = num(line, q + 1, 4);
  if (d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || y < 1970) {
    return null;
  }
  const at = zone === null ? null : zone.toUtc(y, mo, d, h, mi, Math.min(s, 59), ms);
  return { at, end: q + 6 };
}

/**
 * What may stand between the header brackets and `[client …]` in 2.4's default format: the
 * source file (`protocol.c(1305): `, debug builds) and the errno text (`(13)Permission denied: `).
 * Both are written by the server, never by the client.
 */
const APACHE_PREFIX = /^(?:[\w.-]{1,40}\(\d{1,6}\): )?(?:\(-?\d{1,9}\)[^[\]]{0,160}: )?$/;

const CLIENT = '[client ';
const REMOTE = '[remote ';
const AH_CODE = /^AH\d{5}: /;

/** The parts of an Apache error line around its structural `[client ADDR]` field. */
interface ApacheLine {
  readonly at: number | null | undefined;
  readonly module: string;
  readonly src: string | null;
  readonly srcHost: string | null;
  readonly srcPort: number | null;
  readonly message: string;
}

/**
 * Splits an Apache 2.2/2.4 error line: `[date] [module:level] [pid N:tid M] [client ADDR:PORT]
 * message`. The date is missing when Apache logs to syslog. The client is the FIRST `[client `
 * (or 2.4's `[remote `) bracket right after the server-written header; a `[client …]` further on
 * is part of the message, which quotes attacker-chosen paths.
 */
function splitApache(line: string, start: number, zone: Zone | null): ApacheLine | null {
  let p = start;
  let at: number | null | undefined;
  if (isLetter(line.charCodeAt(p + 1)) && line.charCodeAt(p + 4) === 32) {
    const stamp = apacheStamp(line, p, zone);
    if (stamp === null) return null;
    at = zone === null ? undefined : stamp.at;
    p = stamp.end;
    if (line.charCodeAt(p) !== 32) return null;
    p++;
  }
  let module = '';
  for (let k = 0; k < 3 && line.charCodeAt(p) === 91; k++) {
    if (line.startsWith(CLIENT, p) || line.startsWith(REMOTE, p)) break;
    const close = line.indexOf(']', p);
    if (close < 0 || close - p > 64) return null;
    if (k === 0) module = line.slice(p + 1, close);
    p = close + 1;
    if (line.charCodeAt(p) === 32) p++;
  }
  if (module === '') return null;
  if (!line.startsWith(CLIENT, p) && !line.startsWith(REMOTE, p)) {
    const open = line.indexOf('[', p);
    if (open < 0 || open - p > 220) return null;
    if (!APACHE_PREFIX.test(line.slice(p, open))) return null;
    p = open;
    if (!line.startsWith(CLIENT, p) && !line.startsWith(REMOTE, p)) return null;
  }
  p += CLIENT.length;
  // `[client 192.0.2.1]`, `[client 192.0.2.1:5]`, `[client [2001:db8::1]:5]`, `[client 2001:db8::1]`.
  let close: number;
  if (line.charCodeAt(p) === 91) {
    const inner = line.indexOf(']', p);
    close = inner < 0 ? -1 : line.indexOf(']', inner + 1);
  } else {
    close = line.indexOf(']', p);
  }
  if (close < 0 || close - p > 80) return null;
  const token = line.slice(p, close);
  let src: string | null = null;
  let srcHost: string | null = null;
  let srcPort: number | null = null;
  const hp = splitHostPort(token);
  if (hp !== null) {
    src = hp.addr;
    srcPort = hp.port;
  } else {
    const r = remoteFrom(token);
    if (r === null) return null;
    src = r.src;
    srcHost = r.srcHost;
  }
  p = close + 1;
  if (line.charCodeAt(p) === 32) p++;
  let message = line.slice(p);
  if (message.charCodeAt(0) === 65 /* A */ && AH_CODE.test(message)) message = message.slice(9);
  return { at, module, src, srcHost, srcPort, message };
}

/** The path a message names, without the `, referer: …` Apache 2.2/2.4 appends. */
function pathOf(text: string): string {
  const ref = text.indexOf(', referer: ');
  return (ref >= 0 ? text.slice(0, ref) : text).trim();
}

/** What one classified error line says; the caller adds the source and time. */
interface Finding {
  kind: EventKind;
  signature?: string | null;
  user?: string | null;
  detail?: EventDetail;
}

/** A request the server could not serve (404, 403): an exploit attempt when the path says so. */
function notServed(path: string | null, method: string | null, status: number): Finding {
  const detail: EventDetail = { status };
  if (method !== null) detail.method = method;
  if (path !== null && path.length > 0) {
    detail.path = path;
    const sig = attackSignature(path, null, null) ?? scanSignature(path);
    if (sig !== null) return { kind: 'exploit-attempt', signature: sig, detail };
  }
  return { kind: 'http-request', detail };
}

const SCRIPT_NOT_FOUND = 'script not found or unable to stat';

/** The user name as written; an empty one (`user  not found`) names nobody. */
const userOf = (u: string): string | null => (u.length > 0 ? u : null);

/** Classifies the message of an Apache error line (after `[client …]` and `AHnnnnn: `). */
function apacheFinding(module: string, raw: string): Finding | null {
  let m = raw;
  // Bash's complaints about imported functions (AH01215 is CGI stderr) mean the request carried
  // a shellshock payload; so does the payload quoted in any other message.
  if (
    m.includes('() {') ||
    m.includes('ignoring function definition attempt') ||
    m.includes('error importing function definition for')
  ) {
    return { kind: 'exploit-attempt', signature: 'shellshock' };
  }
  if (m.startsWith('client denied by server configuration')) {
    const path = pathOf(m.slice(m.indexOf(':') + 1));
    const detail: EventDetail = { status: 403, path };
    // mod_evasive denies through the same message once it has blocked a flooding client; the
    // block is its own, and it trips on busy legitimate users too (fail2ban ignores it unless
    // aggressive), so it is reported as the refused request it is, not as a new refusal.
    if (module.startsWith('evasive'))
      return { kind: 'http-request', signature: 'mod_evasive', detail };
    // `.ht*` files are denied to everyone by the stock configuration: not a refusal of this client.
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (base.startsWith('.ht')) return { kind: 'http-request', detail };
    return {
      kind: 'connection-refused',
      signature: 'apache: client denied by server configuration',
      detail,
    };
  }
  let digest = false;
  if (m.startsWith('Digest: ')) {
    m = m.slice(8);
    digest = true;
  }
  const mech = digest || module.startsWith('auth_digest') ? 'apache digest' : 'apache auth';
  if (m.startsWith('user ')) return apacheUser(m, mech);
  if (m.startsWith('Authorization of user ')) {
    const to = m.indexOf(' to access ');
    return {
      kind: 'invalid-user',
      signature: 'apache authz: not authorized',
      user: to > 22 ? m.slice(22, to) : null,
    };
  }
  if (m.startsWith('client used wrong authentication scheme')) {
    return { kind: 'auth-failure', signature: 'apache auth: wrong authentication scheme' };
  }
  if (m.startsWith('invalid nonce ')) {
    // A nonce whose hash no longer matches is what every client presents after a restart.
    if (m.includes(' - hash is not ')) return null;
    return { kind: 'auth-failure', signature: 'apache digest: invalid nonce' };
  }
  if (
    m.startsWith('invalid qop ') ||
    m.startsWith('realm mismatch') ||
    m.startsWith('unknown algorithm ') ||
    m.startsWith('uri mismatch')
  ) {
    return { kind: 'auth-failure', signature: 'apache digest: bad authorization header' };
  }
  if (
    (m.startsWith('Hostname ') && m.includes(' provided via SNI')) ||
    m.startsWith('No hostname was provided via SNI')
  ) {
    return { kind: 'protocol-error', signature: 'apache ssl: SNI mismatch' };
  }
  if (m.startsWith('SSL handshake failed')) {
    return { kind: 'protocol-error', signature: 'TLS handshake failed' };
  }
  if (m.startsWith('Invalid URI in request ')) {
    const req = m.slice(23);
    const rl = splitRequest(req);
    const sig = rl !== null ? attackSignature(rl.target, null, null) : null;
    return { kind: 'exploit-attempt', signature: sig ?? 'overflow' };
  }
  if (m.startsWith('invalid URI path (')) {
    const path = m.slice(18, m.endsWith(')') ? -1 : undefined);
    return {
      kind: 'exploit-attempt',
      signature: attackSignature(path, null, null) ?? 'invalid URI path',
      detail: { path },
    };
  }
  if (m.startsWith('request failed: URI too long') || m.includes('LimitRequestField')) {
    return { kind: 'exploit-attempt', signature: 'overflow' };
  }
  if (m.startsWith('Request header exceeds') || m.startsWith('request failed: error reading')) {
    return m.startsWith('Request header exceeds')
      ? { kind: 'exploit-attempt', signature: 'overflow' }
      : { kind: 'protocol-error', signature: 'bad request' };
  }
  if (
    m.startsWith('request failed: erroneous characters after protocol string') ||
    m.startsWith('client sent HTTP/1.1 request without hostname')
  ) {
    return { kind: 'protocol-error', signature: 'bad request' };
  }
  if (m.startsWith('Invalid method in request ')) {
    let req = m.slice(26);
    const note = req.indexOf(' - possible attempt');
    if (note >= 0) req = req.slice(0, note);
    const bad = badRequest(req);
    return {
      kind: bad.kind,
      signature: bad.signature === 'bad request' ? 'invalid method' : bad.signature,
    };
  }
  if (m.startsWith('File does not exist: ')) return notServed(pathOf(m.slice(21)), null, 404);
  if (m.startsWith("script '")) {
    const end = m.indexOf("' not found or unable to stat");
    if (end > 8) return notServed(m.slice(8, end), null, 404);
  }
  if (m.startsWith(SCRIPT_NOT_FOUND + ': ')) {
    return notServed(pathOf(m.slice(SCRIPT_NOT_FOUND.length + 2)), null, 404);
  }
  if (m.startsWith('stderr from ') && m.endsWith(': ' + SCRIPT_NOT_FOUND)) {
    return notServed(m.slice(12, m.length - SCRIPT_NOT_FOUND.length - 2), null, 404);
  }
  if (m.startsWith("Got error 'Primary script unknown")) return notServed(null, null, 404);
  return null;
}

/**
 * `user NAME not found: /path`, `user NAME: authentication failure for "/x": Password Mismatch`,
 * `user NAME: password mismatch: /x`, `user NAME: authorization failure for "/x":`,
 * digest's ``user `NAME' in realm `R' not found``. The earliest marker ends the name.
 */
function apacheUser(m: string, mech: string): Finding | null {
  if (m.startsWith('user `')) {
    const end = m.indexOf("' in realm `");
    if (end >= 6 && m.includes(' not found', end)) {
      return {
        kind: 'invalid-user',
        signature: `${mech}: user not found`,
        user: userOf(m.slice(6, end)),
      };
    }
  }
  const markers: [string, EventKind, string][] = [
    [' not found', 'invalid-user', 'user not found'],
    [': authentication failure for "', 'auth-failure', 'password mismatch'],
    [': password mismatch', 'auth-failure', 'password mismatch'],
    [': authorization failure for "', 'invalid-user', 'not authorized'],
  ];
  let best = -1;
  let pick: [string, EventKind, string] | null = null;
  for (const mk of markers) {
    const i = m.indexOf(mk[0], 5);
    if (i >= 0 && (best < 0 || i < best)) {
      best = i;
      pick = mk;
    }
  }
  if (pick === null) return null;
  return { kind: pick[1], signature: `${mech}: ${pick[2]}`, user: userOf(m.slice(5, best)) };
}

// ---------------------------------------------------------------------------------------------
// nginx

/** Reads nginx's `2012/04/09 11:53:29` (local time) at `pos`. */
function nginxStamp(line: string, pos: number, zone: Zone | null): Stamp | null {
  if (line.charCodeAt(pos + 4) !== 47 || line.charCodeAt(pos + 7) !== 47) return null;
  if (line.charCodeAt(pos + 10) !== 32 || line.charCodeAt(pos + 13) !== 58) return null;
  if (line.charCodeAt(pos + 16) !== 58) return null;
  const y = num(line, pos, 4);
  const mo = num(line, pos + 5, 2);
  const d = num(line, pos + 8, 2);
  const h = num(line, pos + 11, 2);
  const mi = num(line, pos + 14, 2);
  const s = num(line, pos + 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59) {
    return null;
  }
  if (s < 0 || s > 60) return null;
  const at = zone === null ? null : zone.toUtc(y, mo, d, h, mi, Math.min(s, 59), 0);
  return { at, end: pos + 19 };
}

/** After `[level] `: `PID#TID: ` and an optional `*CONN `; the index of the message, or -1. */
function nginxBody(line: string, pos: number): number {
  if (line.charCodeAt(pos) !== 91) return -1;
  const close = line.indexOf('] ', pos);
  if (close < 0 || close - pos > 8) return -1;
  let p = close + 2;
  const p0 = p;
  while (isDigit(line.charCodeAt(p)) && p - p0 < 12) p++;
  if (p === p0 || line.charCodeAt(p) !== 35 /* # */) return -1;
  p++;
  const t0 = p;
  while (isDigit(line.charCodeAt(p)) && p - t0 < 24) p++;
  if (p === t0 || line.charCodeAt(p) !== 58 || line.charCodeAt(p + 1) !== 32) return -1;
  p += 2;
  if (line.charCodeAt(p) === 42 /* * */) {
    const c0 = p + 1;
    let q = c0;
    while (isDigit(line.charCodeAt(q)) && q - c0 < 24) q++;
    if (q > c0 && line.charCodeAt(q) === 32) p = q + 1;
  }
  return p;
}

const CLIENT_FIELD = ', client: ';
/** More candidates than this in one line is an injection flood: no source is trusted. */
const MAX_CANDIDATES = 8;

/**
 * Fields nginx appends after `, server: NAME`, with how many spaces their value may hold: the
 * request line two (`GET / HTTP/1.1`; nginx ≥ 1.21.1 refuses spaces inside the URI), names and
 * URLs none, and -1 for the free text (the referrer, a mail login) that runs to the end.
 */
const TAIL_KEYS = new Map<string, number>([
  ['request', 2],
  ['subrequest', 0],
  ['upstream', 0],
  ['host', 0],
  ['referrer', -1],
  ['login', -1],
]);

/** At `pos`, `, KEY: "` with a known KEY: the index of the value, or -1. */
function tailField(line: string, pos: number): number {
  if (line.charCodeAt(pos) !== 44 || line.charCodeAt(pos + 1) !== 32) return -1;
  let i = pos + 2;
  while (i < pos + 14 && line.charCodeAt(i) >= 97 && line.charCodeAt(i) <= 122) i++;
  if (line.charCodeAt(i) !== 58 || line.charCodeAt(i + 1) !== 32 || line.charCodeAt(i + 2) !== 34) {
    return -1;
  }
  return TAIL_KEYS.has(line.slice(pos + 2, i)) ? i + 3 : -1;
}

/** Where the structural client field is, its address, and the request line after it. */
interface NginxClient {
  readonly at: number;
  readonly addr: string;
  readonly request: string | null;
}

/**
 * Checks that what follows a `, client: ADDR` candidate is the tail nginx writes:
 * `, server: NAME` and then only known `, key: "value"` fields to the end of the line.
 * Returns the request line (or '' when there is none), or null when the tail is not nginx's.
 */
function validTail(line: string, pos: number, n: number): string | null {
  let p = pos;
  if (p === n) return '';
  if (!line.startsWith(', server: ', p)) return null;
  p += 10;
  while (p < n) {
    const c = line.charCodeAt(p);
    if (c === 44 || c === 32 || c === 34) break;
    p++;
  }
  let request = '';
  while (p < n) {
    const vs = tailField(line, p);
    if (vs < 0) return null;
    const key = line.slice(p + 2, vs - 3);
    const spaces = TAIL_KEYS.get(key) ?? 0;
    if (spaces < 0) {
      if (line.charCodeAt(n - 1) !== 34 || n - 1 < vs) return null;
      break;
    }
    let j = line.indexOf('"', vs);
    while (j >= 0 && j < n - 1 && tailField(line, j + 1) < 0) j = line.indexOf('"', j + 1);
    if (j < 0 || j >= n) return null;
    let count = 0;
    for (let k = line.indexOf(' ', vs); k >= 0 && k < j; k = line.indexOf(' ', k + 1)) {
      if (++count > spaces) return null;
    }
    if (key === 'request') request = line.slice(vs, j);
    p = j + 1;
  }
  return request;
}

/**
 * Finds the `, client: ADDR` nginx wrote. The message before it quotes a user name or a path,
 * and the request, host and referrer after it are the client's own words, so any of them may
 * hold a fake `, client: 203.0.113.9, server: …`. A candidate counts only when everything after
 * it is a well-formed nginx tail; if several candidates pass (a line built so both readings
 * work) there is no telling which one nginx wrote, and the line gives no source.
 */
function structuralClient(line: string, from: number): NginxClient | null {
  let n = line.length;
  while (n > from && (line.charCodeAt(n - 1) === 32 || line.charCodeAt(n - 1) === 13)) n--;
  let found: NginxClient | null = null;
  let seen = 0;
  for (let i = line.indexOf(CLIENT_FIELD, from); i >= 0; i = line.indexOf(CLIENT_FIELD, i + 1)) {
    if (++seen > MAX_CANDIDATES) return null;
    const a0 = i + CLIENT_FIELD.length;
    let a1 = a0;
    while (a1 < n && a1 - a0 < 64 && line.charCodeAt(a1) !== 44) a1++;
    const addr = canonicalAddress(line.slice(a0, a1));
    if (addr === null) continue;
    const request = validTail(line, a1, n);
    if (request === null) continue;
    if (found !== null) return null;
    found = { at: i, addr, request: request === '' ? null : request };
  }
  return found;
}

const LIMIT_REQ = 'limiting requests, excess: ';
const DELAY_REQ = 'delaying request, excess: ';
const LIMIT_CONN = 'limiting connections by zone "';

/** The zone name in `… by zone "NAME"`. */
function zoneOf(m: string): string {
  const i = m.lastIndexOf('by zone "');
  if (i < 0) return '?';
  const end = m.indexOf('"', i + 9);
  return end < 0 ? '?' : m.slice(i + 9, end);
}

/** Classifies the message of an nginx error line (between `*CONN ` and `, client: `). */
function nginxFinding(m: string, request: string | null): Finding | null {
  if (m.startsWith('user "')) {
    const nf = m.lastIndexOf(' was not found in "');
    if (nf > 6) {
      let end = nf;
      if (m.charCodeAt(end - 1) === 58) end--; // `user "x": was not found`
      if (m.charCodeAt(end - 1) === 34) end--;
      return {
        kind: 'invalid-user',
        signature: 'nginx auth: user not found',
        user: userOf(m.slice(6, end)),
      };
    }
    if (m.endsWith('": password mismatch')) {
      return {
        kind: 'auth-failure',
        signature: 'nginx auth: password mismatch',
        user: userOf(m.slice(6, m.length - 20)),
      };
    }
    return null;
  }
  if (m.startsWith("PAM: user '")) {
    const end = m.lastIndexOf("' - not authenticated");
    if (end < 0) return null;
    return {
      kind: 'auth-failure',
      signature: 'nginx auth: PAM failure',
      user: userOf(m.slice(11, end)),
    };
  }
  if (m.startsWith(LIMIT_REQ)) {
    return { kind: 'rate-limited', signature: `nginx limit_req zone=${zoneOf(m)}` };
  }
  if (m.startsWith(DELAY_REQ)) {
    return { kind: 'rate-limited', signature: `nginx limit_req zone=${zoneOf(m)} (delayed)` };
  }
  if (m.startsWith(LIMIT_CONN)) {
    return { kind: 'rate-limited', signature: `nginx limit_conn zone=${zoneOf(m)}` };
  }
  if (m.startsWith('access forbidden by rule')) {
    return { kind: 'connection-refused', signature: 'nginx: access forbidden by rule' };
  }
  if (m.startsWith('SSL_do_handshake() failed') || m.startsWith('SSL_read() failed')) {
    if (m.endsWith(' while SSL handshaking') || m.endsWith(' while waiting for request')) {
      return { kind: 'protocol-error', signature: 'TLS handshake failed' };
    }
    return null;
  }
  if (m.startsWith('client sent too long URI') || m.startsWith('client sent too long header')) {
    return { kind: 'exploit-attempt', signature: 'overflow' };
  }
  if (m.startsWith('client sent invalid ') || m.startsWith('client sent plain HTTP request')) {
    return { kind: 'protocol-error', signature: 'bad request' };
  }
  const rl = request === null ? null : splitRequest(request);
  let fsPath: string | null = null;
  let errno = '';
  if (m.startsWith('open() "')) {
    const end = m.lastIndexOf('" failed (');
    if (end < 8) return null;
    fsPath = m.slice(8, end);
    errno = m.slice(end + 10);
  } else if (m.startsWith('"')) {
    const end = m.lastIndexOf('" is not found (');
    if (end < 1) return null;
    fsPath = m.slice(1, end);
    errno = m.slice(end + 16);
  } else {
    return null;
  }
  const path = rl !== null ? rl.target : fsPath;
  const method = rl !== null ? rl.method : null;
  if (errno.startsWith('2:') || errno.startsWith('20:')) return notServed(path, method, 404);
  if (errno.startsWith('13:')) return notServed(path, method, 403);
  if (errno.startsWith('36:')) {
    const detail: EventDetail = { status: 414 };
    if (method !== null) detail.method = method;
    return { kind: 'exploit-attempt', signature: 'overflow', detail };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

/** Turns a finding and the source fields into a draft. */
function draftOf(
  f: Finding,
  src: string | null,
  srcHost: string | null,
  srcPort: number | null,
  at: number | null | undefined,
): EventDraft {
  const d: EventDraft = { kind: f.kind, src, srcHost, srcPort, service: 'http' };
  if (at !== undefined) d.at = at;
  if (f.signature) d.signature = f.signature;
  if (f.user !== undefined && f.user !== null) d.user = f.user;
  if (f.detail !== undefined) d.detail = f.detail;
  return d;
}

function parseApache(line: string, start: number, zone: Zone | null): EventDraft | null {
  const a = splitApache(line, start, zone);
  if (a === null || (a.src === null && a.srcHost === null)) return null;
  const f = apacheFinding(a.module, a.message);
  return f === null ? null : draftOf(f, a.src, a.srcHost, a.srcPort, a.at);
}

/** Reads nginx's `[level] PID#TID: *CONN message, client: …` from `pos`. */
function parseNginx(line: string, pos: number, at: number | null | undefined): EventDraft | null {
  const body = nginxBody(line, pos);
  if (body < 0) return null;
  const client = structuralClient(line, body);
  if (client === null) return null;
  const f = nginxFinding(line.slice(body, client.at), client.request);
  return f === null ? null : draftOf(f, client.addr, null, null, at);
}

/** A message in either error format, as syslog or the journal delivers it (the time is theirs). */
function parseErrorMessage(message: string, depth: number): EventDraft | null {
  const c = message.charCodeAt(0);
  if (c === 91 /* [ */) {
    const close = message.indexOf('] ');
    if (close > 0 && isDigit(message.charCodeAt(close + 2)))
      return parseNginx(message, 0, undefined);
    return parseApache(message, 0, null);
  }
  if (isDigit(c) && message.charCodeAt(4) === 47) {
    const stamp = nginxStamp(message, 0, null);
    if (stamp === null || message.charCodeAt(stamp.end) !== 32) return null;
    return parseNginx(message, stamp.end + 1, undefined);
  }
  // The journal sometimes keeps a second `host nginx: ` prefix in front of the message.
  if (depth === 0) {
    const colon = message.indexOf(': ');
    if (colon > 0 && colon < 128 && isDigit(message.charCodeAt(colon + 2))) {
      return parseErrorMessage(message.slice(colon + 2), 1);
    }
  }
  return null;
}

/** Apache and nginx error logs: auth failures, refusals, scans, overflows, rate limits. */
export const webErrorParser: ParserDefinition = {
  family: 'web-error',
  description: 'Apache (2.2, 2.4) and nginx error logs, own format or via syslog',
  build(): FamilyParser {
    return {
      family: 'web-error',
      programs: WEB_PROGRAMS,
      parseMessage(message: string, _env: Envelope): EventDraft | null {
        return parseErrorMessage(message, 0);
      },
      parseLine(line: string, ctx: SourceContext): EventDraft | null {
        const c = line.charCodeAt(0);
        if (c === 91 /* [ */) {
          if (!isLetter(line.charCodeAt(1)) || line.charCodeAt(4) !== 32) return null;
          return parseApache(line, 0, ctx.zone);
        }
        if (isDigit(c) && line.charCodeAt(4) === 47) {
          const stamp = nginxStamp(line, 0, ctx.zone);
          if (stamp === null || line.charCodeAt(stamp.end) !== 32) return null;
          return parseNginx(line, stamp.end + 1, stamp.at);
        }
        return null;
      },
    };
  },
};
