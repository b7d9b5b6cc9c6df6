import type { EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress, parsePort, splitHostPort } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { isHostName, remoteFrom, serviceForPort, tokenAt } from './extract.js';
import { programKey } from './line-parser.js';
import type { SourceContext } from './source-context.js';
import type { Envelope } from './syslog-envelope.js';

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Reads the decimal number at `pos` (at most 6 digits); null when there is none. */
function numberAt(text: string, pos: number): { value: number; end: number } | null {
  let end = pos;
  while (end < text.length && end - pos < 6 && isDigit(text.charCodeAt(end))) end++;
  if (end === pos) return null;
  return { value: Number(text.slice(pos, end)), end };
}

/** True when only blanks follow `pos`. */
function blankFrom(m: string, pos: number): boolean {
  for (let i = pos; i < m.length; i++) if (m.charCodeAt(i) !== 32) return false;
  return true;
}

/* ---------------------------------------------------------------------------------------------
 * xinetd: `START: SVC [pid=N] [from=ADDR]`, `FAIL: SVC REASON from=ADDR`, `EXIT: …` (ignored).
 * ------------------------------------------------------------------------------------------- */

const FROM = ' from=';

function parseXinetd(m: string): EventDraft | null {
  let kind: EventKind;
  if (m.startsWith('FAIL: ')) kind = 'connection-refused';
  else if (m.startsWith('START: ')) kind = 'connection';
  else return null;
  const svcStart = kind === 'connection' ? 7 : 6;
  const svcEnd = m.indexOf(' ', svcStart);
  if (svcEnd <= svcStart || svcEnd - svcStart > 64) return null;
  // xinetd writes `from=` last; everything before it is its own text.
  const at = m.lastIndexOf(FROM);
  if (at < svcEnd) return null;
  const tok = tokenAt(m, at + FROM.length);
  const src = canonicalAddress(tok);
  if (src === null || !blankFrom(m, at + FROM.length + tok.length)) return null;
  const service = m.slice(svcStart, svcEnd);
  if (kind === 'connection') return { kind, src, service };
  const reason = m.slice(svcEnd + 1, at);
  return { kind, src, service, signature: `xinetd: ${reason}` };
}

/* ---------------------------------------------------------------------------------------------
 * BSD inetd (-l): `SVC from ADDR`, `SVC from ADDR exceeded counts/min (limit N/min)`, and the
 * built-in wrapper's `[refused ]connection from CLIENT, service SVC (PROTO)`.
 * ------------------------------------------------------------------------------------------- */

const REFUSED = 'refused connection from ';
const ALLOWED = 'connection from ';

/** The built-in wrapper's `[refused ]connection from CLIENT, service SVC (PROTO)`. */
function wrapped(m: string, pos: number, kind: EventKind): EventDraft | null {
  const comma = m.indexOf(', service ', pos);
  if (comma < 0 || comma - pos > 300) return null;
  let client = m.slice(pos, comma);
  // `user@host` when the ident lookup answered: the remote side wrote the user part.
  const at = client.lastIndexOf('@');
  if (at >= 0) client = client.slice(at + 1);
  const r = remoteFrom(client);
  if (r === null) return null;
  const svcStart = comma + 10;
  const svcEnd = m.indexOf(' ', svcStart);
  const service = m.slice(svcStart, svcEnd < 0 ? undefined : svcEnd);
  return { kind, src: r.src, srcHost: r.srcHost, service };
}

function parseInetd(m: string): EventDraft | null {
  if (m.startsWith(REFUSED)) return wrapped(m, REFUSED.length, 'connection-refused');
  if (m.startsWith(ALLOWED)) return wrapped(m, ALLOWED.length, 'connection');
  const sp = m.indexOf(' from ');
  if (sp <= 0 || sp > 64) return null;
  for (let i = 0; i < sp; i++) if (m.charCodeAt(i) === 32) return null;
  const tok = tokenAt(m, sp + 6);
  const src = canonicalAddress(tok);
  if (src === null) return null;
  const end = sp + 6 + tok.length;
  const service = m.slice(0, sp);
  if (blankFrom(m, end)) return { kind: 'connection', src, service };
  if (m.startsWith(' exceeded counts/min', end)) {
    return { kind: 'rate-limited', src, service, signature: 'inetd: exceeded counts/min' };
  }
  return null;
}

/* ---------------------------------------------------------------------------------------------
 * portsentry 1.x: `attackalert: TYPE from host: NAME/ADDR to PROTO port: N`, `attackalert: Host
 * ADDR has been blocked via …`, `attackalert: Host: NAME/ADDR is already blocked Ignoring`, and
 * its history file `EPOCH - MM/DD/YYYY HH:MM:SS Host: NAME/ADDR Port: N PROTO Blocked`.
 * ------------------------------------------------------------------------------------------- */

const ALERT = 'attackalert: ';
const FROM_HOST = ' from host: ';
const IP_OPTIONS = ' has IP options set (detection avoidance technique).';

/** `NAME/ADDR` as portsentry writes it (NAME is the resolved name, or the address again). */
function nameSlashAddr(text: string): { src: string; srcHost: string | null } | null {
  const slash = text.lastIndexOf('/');
  const src = canonicalAddress(text.slice(slash + 1));
  if (src === null) return null;
  const name = slash > 0 ? text.slice(0, slash) : '';
  const srcHost =
    name.length > 0 && canonicalAddress(name) === null && isHostName(name) ? name : null;
  return { src, srcHost };
}

function portsentryDraft(
  src: string,
  srcHost: string | null,
  proto: string | null,
  port: number | null,
  signature: string,
): EventDraft {
  return {
    kind: 'connection-refused',
    src,
    srcHost,
    proto,
    dstPort: port,
    service: serviceForPort(port),
    signature,
  };
}

function parsePortsentry(m: string): EventDraft | null {
  if (!m.startsWith(ALERT)) return null;
  if (m.startsWith('Host', ALERT.length)) return portsentryBlocked(m, ALERT.length + 4);
  let end = m.length;
  while (end > 0 && m.charCodeAt(end - 1) === 32) end--;
  let body = m.slice(0, end);
  let signatureTail = '';
  if (body.endsWith(IP_OPTIONS)) {
    body = body.slice(0, body.length - IP_OPTIONS.length);
    signatureTail = ' with IP options';
  }
  // Right to left: `… to TCP port: N` is portsentry's; the type and name before it may not be.
  const portAt = body.lastIndexOf(' port: ');
  if (portAt < 8) return null;
  const port = parsePort(body.slice(portAt + 7));
  const proto = body.slice(portAt - 3, portAt);
  if (
    port === null ||
    (proto !== 'TCP' && proto !== 'UDP') ||
    !body.startsWith(' to ', portAt - 7)
  ) {
    return null;
  }
  const fromAt = body.lastIndexOf(FROM_HOST, portAt);
  if (fromAt < ALERT.length) return null;
  const who = nameSlashAddr(body.slice(fromAt + FROM_HOST.length, portAt - 7));
  if (who === null) return null;
  const type = body.slice(ALERT.length, fromAt);
  const label = type === 'Connect' ? 'connect' : type === 'Packet' ? 'packet' : type;
  return portsentryDraft(
    who.src,
    who.srcHost,
    proto.toLowerCase(),
    port,
    `portsentry: ${label}${signatureTail}`,
  );
}

/** `Host ADDR has been blocked via …` and `Host: NAME/ADDR is already blocked[.] Ignoring`. */
function portsentryBlocked(m: string, pos: number): EventDraft | null {
  if (m.startsWith(': ', pos)) {
    const is = m.indexOf(' is already blocked', pos + 2);
    if (is < 0) return null;
    const who = nameSlashAddr(m.slice(pos + 2, is));
    if (who === null) return null;
    return portsentryDraft(who.src, who.srcHost, null, null, 'portsentry: already blocked');
  }
  if (m.charCodeAt(pos) !== 32) return null;
  const tok = tokenAt(m, pos + 1);
  const src = canonicalAddress(tok);
  const via = ' has been blocked via ';
  if (src === null || !m.startsWith(via, pos + 1 + tok.length)) return null;
  const how = m.slice(pos + 1 + tok.length + via.length);
  const what = how.startsWith('wrappers')
    ? 'wrappers'
    : how.startsWith('dropped route')
      ? 'dropped route'
      : null;
  if (what === null) return null;
  return portsentryDraft(src, null, null, null, `portsentry: blocked via ${what}`);
}

/** portsentry's history file (`portsentry.history`, `portsentry.blocked.tcp`). */
function portsentryHistory(line: string): EventDraft | null {
  let i = 0;
  while (i < 12 && isDigit(line.charCodeAt(i))) i++;
  if (i < 9 || !line.startsWith(' - ', i)) return null;
  const hostAt = i + 22; // ` - MM/DD/YYYY HH:MM:SS`
  if (!line.startsWith(' Host: ', hostAt) || line.charCodeAt(i + 5) !== 47) return null;
  let end = line.length;
  while (end > 0 && line.charCodeAt(end - 1) === 32) end--;
  if (!line.startsWith(' Blocked', end - 8)) return null;
  const portAt = line.lastIndexOf(' Port: ', end);
  if (portAt < hostAt) return null;
  const num = numberAt(line, portAt + 7);
  if (num === null || line.charCodeAt(num.end) !== 32) return null;
  const proto = line.slice(num.end + 1, end - 8);
  if (proto !== 'TCP' && proto !== 'UDP') return null;
  const who = nameSlashAddr(line.slice(hostAt + 7, portAt));
  if (who === null) return null;
  const d = portsentryDraft(
    who.src,
    who.srcHost,
    proto.toLowerCase(),
    parsePort(String(num.value)),
    'portsentry: blocked',
  );
  d.at = Number(line.slice(0, i)) * 1000;
  d.program = 'portsentry';
  return d;
}

/* ---------------------------------------------------------------------------------------------
 * scanlogd: `SADDR[:SPORT] to DADDR[ and others,] ports P, P, …[, ...], FLAGS, TOS xx[, TTL n]
 * @hh:mm:ss`.
 * ------------------------------------------------------------------------------------------- */

/** scanlogd's TCP flag summary: `fSrpauxy`, upper case set, lower case clear, `?` mixed. */
function isFlags(text: string): boolean {
  if (text.length !== 8) return false;
  const letters = 'fsrpauxy';
  for (let i = 0; i < 8; i++) {
    const c = text.charCodeAt(i);
    if (c !== 63 && (c | 32) !== letters.charCodeAt(i)) return false;
  }
  return true;
}

function parseScanlogd(m: string): EventDraft | null {
  const to = m.indexOf(' to ');
  if (to < 7 || to > 60) return null;
  const from = splitHostPort(m.slice(0, to));
  if (from === null) return null;
  const dstTok = tokenAt(m, to + 4);
  const dst = canonicalAddress(dstTok);
  if (dst === null) return null;
  let p = to + 4 + dstTok.length;
  if (m.startsWith(' and others,', p)) p += 12;
  if (!m.startsWith(' ports ', p)) return null;
  p += 7;
  let count = 0;
  let first: number | null = null;
  let more = false;
  for (;;) {
    const num = numberAt(m, p);
    if (num !== null && m.startsWith(', ', num.end)) {
      if (first === null) first = parsePort(String(num.value));
      count++;
      p = num.end + 2;
      continue;
    }
    if (m.startsWith('..., ', p)) {
      more = true;
      p += 5;
    }
    break;
  }
  const flags = m.slice(p, p + 8);
  if (count === 0 || !isFlags(flags)) return null;
  return {
    kind: 'connection-refused',
    src: from.addr,
    srcPort: from.port,
    dst,
    dstPort: first,
    proto: 'tcp',
    signature: `scanlogd: ${count}${more ? '+' : ''} ports`,
    detail: { flags },
  };
}

type MessageReader = (message: string) => EventDraft | null;

/** inetd-style super-servers and the port-scan detectors portsentry and scanlogd. */
export const inetdParser: ParserDefinition = {
  family: 'inetd',
  description:
    'xinetd START/FAIL, BSD inetd connection logging, portsentry attack alerts and history ' +
    'file, scanlogd port-scan reports',
  build(): FamilyParser {
    const readers = new Map<string, MessageReader>([
      ['xinetd', parseXinetd],
      ['inetd', parseInetd],
      ['portsentry', parsePortsentry],
      ['scanlogd', parseScanlogd],
    ]);
    return {
      family: 'inetd',
      programs: ['xinetd', 'inetd', 'portsentry', 'scanlogd'],
      parseMessage(message: string, env: Envelope): EventDraft | null {
        const reader = env.program === null ? undefined : readers.get(programKey(env.program));
        return reader === undefined ? null : reader(message);
      },
      parseLine(line: string, _ctx: SourceContext): EventDraft | null {
        return isDigit(line.charCodeAt(0)) ? portsentryHistory(line) : null;
      },
    };
  },
};
