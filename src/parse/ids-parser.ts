import type { EventDetail, EventDraft } from '../core/event.js';
import { canonicalAddress, canonicalIPv4, parsePort } from '../core/ip.js';
import { fractionMs, inferYear, validDate, zone } from '../core/time.js';
import { serviceForPort } from './extract.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import type { SourceContext } from './source-context.js';
import { parseIsoStamp, type Envelope } from './syslog-envelope.js';

/** Bounds on what an alert line may hold; anything longer is not one of these formats. */
const MAX_ACTION = 16;
const MAX_SID = 40;
const MAX_JSON_LINE = 65_536;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A two-digit number at `i`, or -1. */
function num2(s: string, i: number): number {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  return isDigit(a) && isDigit(b) ? (a - 48) * 10 + (b - 48) : -1;
}

/** Lower-case protocol as Event wants it: `{UDP}` → `udp`, `{PROTO:047}` → `47`. */
function protoName(text: string): string | null {
  if (text.length === 0 || text.length > 24) return null;
  let t = text.toLowerCase();
  if (t.startsWith('proto:')) t = t.slice(6);
  if (isDigit(t.charCodeAt(0))) {
    const n = parsePort(t);
    return n === null || n > 255 ? null : String(n);
  }
  return t === 'icmpv6' || t === 'icmp6' ? 'ipv6-icmp' : t;
}

/** Protocols for which fast.log prints `ADDR:PORT`. */
function hasPorts(proto: string | null): boolean {
  return proto === 'tcp' || proto === 'udp' || proto === 'sctp' || proto === 'udplite';
}

function isIcmp(proto: string | null): boolean {
  return proto === 'icmp' || proto === 'ipv6-icmp';
}

/** An address and optional port read from one side of `A -> B`. */
interface Endpoint {
  readonly addr: string;
  readonly port: number | null;
}

/**
 * Splits one side of `SRC -> DST` as the IDSs print it: `192.0.2.1:80`, `192.0.2.1` (no ports:
 * ICMP in Snort, fragments), `[2001:db8::1]:80` (Snort 3), Suricata's uncompressed
 * `2001:0db8:0000:0000:0000:0000:0000:0001:80`, or Snort 2's compressed `2001:db8::1:80`. The
 * last one is ambiguous; it is read as ADDR:PORT only when the protocol carries ports (Snort 2
 * prints the port for every TCP/UDP packet that is not a fragment), else as a bare address.
 * Suricata's uncompressed form is unambiguous: nine colon-separated fields, the ninth a port
 * (Suricata prints ICMP type and code there).
 */
function endpoint(tok: string, ported: boolean): Endpoint | null {
  if (tok.length === 0 || tok.length > 80) return null;
  if (tok.charCodeAt(0) === 91 /* [ */) {
    const close = tok.indexOf(']');
    if (close < 0) return null;
    const addr = canonicalAddress(tok.slice(1, close));
    if (addr === null) return null;
    if (close === tok.length - 1) return { addr, port: null };
    if (tok.charCodeAt(close + 1) !== 58) return null;
    const port = parsePort(tok.slice(close + 2));
    return port === null ? null : { addr, port };
  }
  const first = tok.indexOf(':');
  if (first < 0) {
    const addr = canonicalIPv4(tok);
    return addr === null ? null : { addr, port: null };
  }
  const last = tok.lastIndexOf(':');
  if (first === last) {
    const addr = canonicalIPv4(tok.slice(0, first));
    const port = parsePort(tok.slice(first + 1));
    return addr === null || port === null ? null : { addr, port };
  }
  let colons = 0;
  for (let i = first; i <= last; i++) if (tok.charCodeAt(i) === 58) colons++;
  const uncompressedWithPort = colons === 8 && tok.indexOf('::') < 0;
  if (ported || uncompressedWithPort) {
    const addr = canonicalAddress(tok.slice(0, last));
    const port = parsePort(tok.slice(last + 1));
    if (addr !== null && port !== null) return { addr, port };
  }
  const addr = canonicalAddress(tok);
  return addr === null ? null : { addr, port: null };
}

/** Skips blanks from `pos`. */
function skipSpaces(s: string, pos: number): number {
  while (s.charCodeAt(pos) === 32) pos++;
  return pos;
}

/**
 * Reads the alert text shared by fast.log and the syslog output, from `pos`:
 * `[Drop] [**] [1:2003:8] MSG [**] [Classification: C] [Priority: 2] {UDP} A:p -> B:p`, where the
 * action, both `[**]` and the classification are optional, Snort 3 quotes MSG and Snort 2's
 * syslog output writes `[Priority: 2]: {UDP}`. MSG comes from the rule, the addresses from the
 * packet header; the tail is parsed right to left from the last ` {`.
 */
function parseAlert(line: string, start: number): EventDraft | null {
  let pos = skipSpaces(line, start);
  let action: string | undefined;
  // Suricata IPS mode: `[Drop] ` / `[wDrop] ` (would drop) before the alert.
  if (line.charCodeAt(pos) === 91 && !isDigit(line.charCodeAt(pos + 1))) {
    if (!line.startsWith('[**]', pos)) {
      const close = line.indexOf(']', pos);
      if (close < 0 || close - pos > MAX_ACTION) return null;
      action = line.slice(pos + 1, close).toLowerCase();
      pos = skipSpaces(line, close + 1);
    }
    if (line.startsWith('[**]', pos)) pos = skipSpaces(line, pos + 4);
  }
  // `[gid:sid:rev]`
  if (line.charCodeAt(pos) !== 91 || !isDigit(line.charCodeAt(pos + 1))) return null;
  const sidEnd = line.indexOf(']', pos);
  if (sidEnd < 0 || sidEnd - pos > MAX_SID) return null;
  for (let i = pos + 1; i < sidEnd; i++) {
    const c = line.charCodeAt(i);
    if (!isDigit(c) && c !== 58) return null;
  }
  pos = sidEnd + 1;
  const brace = line.lastIndexOf(' {');
  if (brace < pos) return null;
  const braceEnd = line.indexOf('} ', brace);
  if (braceEnd < 0) return null;
  const proto = protoName(line.slice(brace + 2, braceEnd));
  const arrow = line.indexOf(' -> ', braceEnd);
  if (arrow < 0) return null;
  const ported = hasPorts(proto);
  const from = endpoint(line.slice(skipSpaces(line, braceEnd + 2), arrow), ported);
  if (from === null) return null;
  const to = endpoint(line.slice(arrow + 4).trim(), ported);

  // The middle, right to left: `MSG [**] [Classification: C] [Priority: N]` or `…]:`.
  let mid = line.slice(pos, brace).trim();
  if (mid.endsWith(':')) mid = mid.slice(0, -1);
  let priority: number | undefined;
  let classification: string | undefined;
  if (mid.endsWith(']')) {
    const p = mid.lastIndexOf('[Priority: ');
    if (p >= 0) {
      const n = parsePort(mid.slice(p + 11, -1));
      if (n !== null) {
        priority = n;
        mid = mid.slice(0, p).trimEnd();
      }
    }
  }
  if (mid.endsWith(']')) {
    const c = mid.lastIndexOf('[Classification: ');
    if (c >= 0) {
      const text = mid.slice(c + 17, -1);
      // Suricata writes `(null)` for a rule without classtype.
      if (text.length > 0 && text !== '(null)') classification = text;
      mid = mid.slice(0, c).trimEnd();
    }
  }
  if (mid.endsWith('[**]')) mid = mid.slice(0, -4).trimEnd();
  if (mid.length >= 2 && mid.charCodeAt(0) === 34 && mid.charCodeAt(mid.length - 1) === 34) {
    mid = mid.slice(1, -1);
  }

  const icmp = isIcmp(proto);
  const detail: EventDetail = {};
  if (priority !== undefined) detail.priority = priority;
  if (classification !== undefined) detail.classification = classification;
  if (action !== undefined) detail.action = action;
  // Suricata prints ICMP type and code where the ports would be.
  if (icmp && from.port !== null) {
    detail.icmpType = from.port;
    if (to !== null && to.port !== null) detail.icmpCode = to.port;
  }
  const dstPort = icmp ? null : (to?.port ?? null);
  return {
    kind: 'ids-alert',
    src: from.addr,
    srcPort: icmp ? null : from.port,
    dst: to?.addr ?? null,
    dstPort,
    proto,
    service: serviceForPort(dstPort),
    signature: mid.length > 0 ? mid : null,
    detail,
  };
}

/**
 * Reads fast.log's `MM/DD[/YY|/YYYY]-hh:mm:ss[.ffffff]` local time at the line start; returns
 * the epoch ms and the index after it, or null. Snort writes no year unless run with `-y`.
 */
function fastLogTime(line: string, ctx: SourceContext): { at: number | null; end: number } | null {
  const mo = num2(line, 0);
  const d = num2(line, 3);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || line.charCodeAt(2) !== 47) return null;
  let pos = 5;
  let year = -1;
  if (line.charCodeAt(pos) === 47 /* / */) {
    let e = pos + 1;
    while (isDigit(line.charCodeAt(e)) && e - pos <= 4) e++;
    const digits = e - pos - 1;
    if (digits === 2) year = 2000 + num2(line, pos + 1);
    else if (digits === 4) year = Number(line.slice(pos + 1, e));
    else return null;
    pos = e;
  }
  if (line.charCodeAt(pos) !== 45 /* - */) return null;
  const h = num2(line, pos + 1);
  const mi = num2(line, pos + 4);
  const s = num2(line, pos + 7);
  if (line.charCodeAt(pos + 3) !== 58 || line.charCodeAt(pos + 6) !== 58) return null;
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return null;
  let end = pos + 9;
  let ms = 0;
  if (line.charCodeAt(end) === 46) {
    let f = end + 1;
    while (isDigit(line.charCodeAt(f)) && f - end <= 9) f++;
    const frac = line.slice(end + 1, f);
    ms = fractionMs(frac);
    end = f;
  }
  const sec = Math.min(s, 59);
  let at: number | null;
  if (year < 0) at = inferYear(ctx.zone, ctx.now, mo, d, h, mi, sec, ms);
  else at = validDate(year, mo, d) ? ctx.zone.toUtc(year, mo, d, h, mi, sec, ms) : null;
  return { at, end };
}

function str(v: unknown, max = 1024): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : null;
}

function int(v: unknown, max: number): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : null;
}

/**
 * Reads one Suricata EVE JSON record; only `event_type: alert` yields an event. The text is
 * parsed inside a try and every field type-checked: packet data and any text an attacker can
 * make an app log may end up in other EVE records of the same file.
 */
function parseEve(line: string, ctx: SourceContext): EventDraft | null {
  if (line.length > MAX_JSON_LINE || line.indexOf('"alert"') < 0) return null;
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return null;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return null;
  const r = record as Record<string, unknown>;
  if (r['event_type'] !== 'alert') return null;
  const alert = r['alert'];
  if (alert === null || typeof alert !== 'object' || Array.isArray(alert)) return null;
  const a = alert as Record<string, unknown>;
  const srcText = str(r['src_ip'], 64);
  const src = srcText === null ? null : canonicalAddress(srcText);
  if (src === null) return null;
  const dstText = str(r['dest_ip'], 64);
  const protoText = str(r['proto'], 24);
  const proto = protoText === null ? null : protoName(protoText);
  const icmp = isIcmp(proto);
  const srcPort = icmp ? null : int(r['src_port'], 65535);
  const dstPort = icmp ? null : int(r['dest_port'], 65535);
  let at: number | null | undefined;
  const ts = str(r['timestamp'], 40);
  if (ts !== null) {
    const stamp = parseIsoStamp(ts, 0, ctx, true);
    if (stamp !== null) at = stamp.at;
  }
  const detail: EventDetail = {};
  const severity = int(a['severity'], 255);
  if (severity !== null) detail.priority = severity;
  const category = str(a['category']);
  if (category !== null) detail.classification = category;
  const action = str(a['action'], 32);
  if (action !== null) detail.action = action;
  if (icmp) {
    const type = int(r['icmp_type'], 255);
    const code = int(r['icmp_code'], 255);
    if (type !== null) detail.icmpType = type;
    if (code !== null) detail.icmpCode = code;
  }
  const iface = str(r['in_iface'], 64);
  if (iface !== null) detail.inInterface = iface;
  const draft: EventDraft = {
    kind: 'ids-alert',
    src,
    srcPort,
    dst: dstText === null ? null : canonicalAddress(dstText),
    dstPort,
    proto,
    service: serviceForPort(dstPort),
    signature: str(a['signature']),
    detail,
  };
  if (at !== undefined) draft.at = at;
  return draft;
}

/**
 * Snort and Suricata alerts: fast.log lines, Suricata EVE JSON records (own formats), and the
 * syslog alert output of both (`snort[pid]: [1:2003:8] …`, `suricata[pid]: …`, EVE to syslog).
 */
class IdsParser implements FamilyParser {
  readonly family = 'ids';
  readonly programs: readonly string[] = ['snort', 'suricata'];
  /** EVE records sent to syslog carry an explicit offset; the zone is only a fallback. */
  private readonly syslogCtx: SourceContext = { source: '', zone: zone('UTC'), now: 0 };

  parseMessage(message: string, _env: Envelope): EventDraft | null {
    const c = message.charCodeAt(0);
    if (c === 123 /* { */) return parseEve(message, this.syslogCtx);
    if (c !== 91 /* [ */) return null;
    return parseAlert(message, 0);
  }

  parseLine(line: string, ctx: SourceContext): EventDraft | null {
    const c = line.charCodeAt(0);
    if (c === 123 /* { */) return parseEve(line, ctx);
    if (!isDigit(c) || line.charCodeAt(2) !== 47 || line.indexOf('[**]') < 0) return null;
    const time = fastLogTime(line, ctx);
    if (time === null) return null;
    const draft = parseAlert(line, time.end);
    if (draft === null) return null;
    draft.at = time.at;
    return draft;
  }
}

/** Snort/Suricata alerts: fast.log, EVE JSON and the syslog alert output. */
export const idsParser: ParserDefinition = {
  family: 'ids',
  description: 'Snort and Suricata alerts: fast.log, Suricata EVE JSON, syslog alert output',
  build(): FamilyParser {
    return new IdsParser();
  },
};
