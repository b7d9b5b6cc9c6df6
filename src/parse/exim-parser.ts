import type { EventDraft, EventKind } from '../core/event.js';
import { parsePort } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { isHostName } from './extract.js';
import { bracketAddress, replyCode } from './mail-client.js';
import type { SourceContext } from './source-context.js';
import { parseIsoStamp, type Envelope } from './syslog-envelope.js';

/** A remote host as exim writes it, plus the local interface when logged (`I=[addr]:port`). */
interface EximHost {
  src: string;
  srcHost: string | null;
  srcPort: number | null;
  dst: string | null;
  dstPort: number | null;
  /** Index after the host (and interface) text. */
  end: number;
}

/** The compiled patterns of one parser instance. */
interface EximPatterns {
  /**
   * exim's `name (helo) [addr]:port`: the name is the verified reverse name, the HELO is the
   * client's claim (it may be an address literal `([192.0.2.1])`), the address is the bracket
   * that follows them. Each part starts with a different character, so matching is linear.
   */
  readonly spec: RegExp;
  readonly messageId: RegExp;
}

/** Index after the run of (at most 5) digits starting at `pos`. */
function digitsEnd(text: string, pos: number): number {
  let e = pos;
  while (e - pos < 5 && e < text.length) {
    const c = text.charCodeAt(e);
    if (c < 48 || c > 57) break;
    e++;
  }
  return e;
}

/** Reads exim's host at `pos`: `[name ][(helo) ][addr][:port]`, then ` I=[addr]:port`. */
function readHost(p: EximPatterns, text: string, pos: number): EximHost | null {
  // Anchored on a bounded slice: a sticky unanchored search would retry at every position.
  const m = p.spec.exec(text.slice(pos, pos + 600));
  if (m === null) return null;
  let end = pos + m[0].length;
  const next = text.charCodeAt(end);
  if (!(Number.isNaN(next) || next === 32 || next === 58 || next === 41 || next === 44)) {
    return null;
  }
  const src = bracketAddress(m[3]!);
  if (src === null) return null;
  let dst: string | null = null;
  let dstPort: number | null = null;
  if (text.startsWith(' I=[', end)) {
    const close = text.indexOf(']', end + 4);
    if (close > 0 && close - end < 70) {
      dst = bracketAddress(text.slice(end + 4, close));
      end = close + 1;
      if (text.charCodeAt(end) === 58 /* : */) {
        const e = digitsEnd(text, end + 1);
        dstPort = parsePort(text.slice(end + 1, e));
        end = e;
      }
    }
  }
  const name = m[1];
  return {
    src,
    srcHost: name !== undefined && isHostName(name) ? name : null,
    srcPort: m[4] === undefined ? null : parsePort(m[4]),
    dst,
    dstPort,
    end,
  };
}

function draft(
  kind: EventKind,
  host: EximHost,
  signature: string,
  user?: string | null,
): EventDraft {
  return {
    kind,
    src: host.src,
    srcHost: host.srcHost,
    srcPort: host.srcPort,
    dst: host.dst,
    dstPort: host.dstPort,
    service: 'smtp',
    user: user ?? null,
    signature,
  };
}

const REJECTED_WHAT = [
  'RCPT',
  'MAIL',
  'EHLO or HELO',
  'after DATA',
  'by local_scan()',
  'connection',
  'DATA',
  'VRFY',
  'EXPN',
  'AUTH',
];

/**
 * `H=host … rejected RCPT <…>: reason`, `H=… sender verify fail …`, `H=… dropped by 'connect'
 * ACL`, and `F=<…> H=host … rejected by local_scan()` where the host starts at `at`.
 */
function parseHostLine(p: EximPatterns, body: string, at: number): EventDraft | null {
  const host = readHost(p, body, at);
  if (host === null) return null;
  const rej = body.indexOf(' rejected ', host.end);
  if (rej >= 0) {
    let what = 'command';
    for (const w of REJECTED_WHAT) {
      if (body.startsWith(w, rej + 10)) {
        what = w;
        break;
      }
    }
    const temp = body.startsWith(' temporarily', rej - 12);
    return draft('connection-refused', host, `exim: ${temp ? 'temporarily ' : ''}rejected ${what}`);
  }
  if (body.includes(' sender verify fail', host.end)) {
    return draft('connection-refused', host, 'exim: sender verify failed');
  }
  if (body.startsWith(' dropped by ', host.end)) {
    return draft('connection-refused', host, 'exim: dropped by ACL');
  }
  return null;
}

/**
 * `NAME authenticator failed for HOST: 535 Incorrect authentication data (set_id=USER)`. A 4xx
 * reply is the server's own trouble (auth backend down), not a guess.
 */
function parseAuthenticator(
  p: EximPatterns,
  body: string,
  name: string,
  at: number,
): EventDraft | null {
  const host = readHost(p, body, at);
  if (host === null) return null;
  const colon = body.indexOf(': ', host.end);
  if (colon < 0 || colon - host.end > 40) return null;
  const code = replyCode(body, colon + 2);
  if (code === null || code < 500) return null;
  const set = body.indexOf('(set_id=', colon);
  let user: string | null = null;
  if (set >= 0) {
    const close = body.lastIndexOf(')');
    if (close > set + 8) user = body.slice(set + 8, close);
  }
  return draft('auth-failure', host, `exim: ${name} authenticator failed`, user);
}

const SIMPLE_FROM: readonly (readonly [prefix: string, kind: EventKind, signature: string])[] = [
  ['no MAIL in SMTP connection from ', 'protocol-error', 'exim: no MAIL in SMTP connection'],
  ['SMTP command timeout on connection from ', 'protocol-error', 'exim: SMTP command timeout'],
  [
    'unexpected disconnection while reading SMTP command from ',
    'protocol-error',
    'exim: unexpected disconnection',
  ],
  ['rejected EHLO from ', 'protocol-error', 'exim: invalid EHLO'],
  ['rejected HELO from ', 'protocol-error', 'exim: invalid HELO'],
];

/** Reads an exim log message (after the timestamp, `[pid]` and message id). */
function parseBody(p: EximPatterns, body: string): EventDraft | null {
  const c0 = body.charCodeAt(0);
  if (c0 === 72 /* H */ && body.charCodeAt(1) === 61 /* = */) return parseHostLine(p, body, 2);
  if (c0 === 70 /* F */ && body.charCodeAt(1) === 61 /* = */) {
    // `F=<sender> H=host … P=esmtp rejected by local_scan()`: the sender is the client's text,
    // so the daemon's H= is the last one.
    const h = body.lastIndexOf(' H=');
    return h < 0 ? null : parseHostLine(p, body, h + 3);
  }
  const auth = body.indexOf(' authenticator failed for ');
  if (auth > 0 && auth < 40 && body.lastIndexOf(' ', auth - 1) < 0) {
    return parseAuthenticator(p, body, body.slice(0, auth), auth + 26);
  }
  if (c0 === 83 /* S */) {
    if (body.startsWith('SMTP call from ')) {
      const host = readHost(p, body, 15);
      if (host === null || !body.startsWith(' dropped: ', host.end)) return null;
      return draft('protocol-error', host, 'exim: SMTP call dropped (too many errors)');
    }
    if (body.startsWith('SMTP protocol error in "')) {
      // The quoted command is the client's and may hold `" H=(x) [addr]`: the daemon's H= is the
      // last one, since what follows it is a fixed reason.
      const h = body.lastIndexOf('" H=');
      const host = h < 0 ? null : readHost(p, body, h + 4);
      return host === null ? null : draft('protocol-error', host, 'exim: SMTP protocol error');
    }
    if (body.startsWith('SMTP protocol synchronization error (')) {
      const fixed = body.indexOf('): rejected connection from H=');
      let h: number;
      if (fixed > 0) h = fixed + 30;
      else {
        const q = body.lastIndexOf('" H=');
        h = q < 0 ? -1 : q + 4;
      }
      const host = h < 0 ? null : readHost(p, body, h);
      return host === null
        ? null
        : draft('protocol-error', host, 'exim: SMTP synchronization error');
    }
    if (body.startsWith('SMTP connection from ')) {
      const host = readHost(p, body, 21);
      if (host === null) return null;
      if (body.includes('closed by DROP in ACL', host.end)) {
        return draft('connection-refused', host, 'exim: dropped by ACL');
      }
      return draft('connection', host, 'exim: SMTP connection');
    }
  }
  for (const [prefix, kind, signature] of SIMPLE_FROM) {
    if (body.startsWith(prefix)) {
      const host = readHost(p, body, prefix.length);
      return host === null ? null : draft(kind, host, signature);
    }
  }
  if (body.startsWith('no host name found for IP address ')) {
    const src = bracketAddress(body.slice(34).trimEnd());
    return src === null
      ? null
      : { kind: 'connection', src, service: 'smtp', signature: 'exim: no reverse DNS' };
  }
  if (body.startsWith('no IP address found for host ')) {
    // The host name came from the client's reverse DNS; the daemon's clause is the last one.
    const d = body.lastIndexOf('(during SMTP connection from ');
    const host = d < 0 ? null : readHost(p, body, d + 29);
    return host === null ? null : draft('connection', host, 'exim: reverse DNS does not resolve');
  }
  if (body.startsWith('Connection from ')) {
    const host = readHost(p, body, 16);
    if (host === null || !body.startsWith(' refused: too many connections', host.end)) return null;
    return draft('rate-limited', host, 'exim: too many connections');
  }
  return null;
}

/** Skips `[pid] ` (syslog-ng may add it twice) and a message id; returns the body start. */
function bodyStart(p: EximPatterns, text: string, pos: number): number {
  let i = pos;
  for (let n = 0; n < 2 && text.charCodeAt(i) === 91 /* [ */; n++) {
    const close = text.indexOf('] ', i);
    if (close < 0 || close - i > 12) break;
    i = close + 2;
  }
  p.messageId.lastIndex = i;
  if (p.messageId.test(text)) i = p.messageId.lastIndex;
  return i;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** True when `YYYY-MM-DD hh:mm:ss` starts at `pos` (exim's stamp, maybe inside a message). */
function looksStamped(text: string, pos: number): boolean {
  return (
    isDigit(text.charCodeAt(pos)) &&
    text.charCodeAt(pos + 4) === 45 &&
    text.charCodeAt(pos + 10) === 32 &&
    text.charCodeAt(pos + 13) === 58 &&
    text.charCodeAt(pos + 16) === 58
  );
}

/** True for exim's syslog tag token (`exim[123]:`, `exim4:`). */
function isEximTag(text: string, start: number, end: number): boolean {
  return text.startsWith('exim', start) && text.charCodeAt(end - 1) === 58 && end - start < 32;
}

/**
 * exim's main log: `YYYY-MM-DD hh:mm:ss [+hhmm] [[pid]] [msgid] message`, local time unless the
 * offset is logged. Also the same with a syslog-style `host exim[pid]:` after the stamp.
 */
function parseEximLine(p: EximPatterns, line: string, ctx: SourceContext): EventDraft | null {
  if (!looksStamped(line, 0)) return null;
  let stamp = parseIsoStamp(line, 0, ctx, false);
  if (stamp === null || line.charCodeAt(stamp.end) !== 32) return null;
  let pos = stamp.end + 1;
  const sign = line.charCodeAt(pos);
  if (
    (sign === 43 || sign === 45) &&
    line.charCodeAt(pos + 5) === 32 &&
    isDigit(line.charCodeAt(pos + 4))
  ) {
    // log_timezone: `2013-01-04 17:03:46 +0100 …`
    const zoned = parseIsoStamp(line.slice(0, 19) + line.slice(pos, pos + 5), 0, ctx, false);
    if (zoned !== null) {
      stamp = { at: zoned.at, end: stamp.end };
      pos += 6;
    }
  }
  const sp1 = line.indexOf(' ', pos);
  if (sp1 > pos) {
    if (isEximTag(line, pos, sp1)) pos = sp1 + 1;
    else {
      const sp2 = line.indexOf(' ', sp1 + 1);
      if (sp2 > sp1 && sp1 - pos < 256 && isEximTag(line, sp1 + 1, sp2)) pos = sp2 + 1;
    }
  }
  const d = parseBody(p, line.slice(bodyStart(p, line, pos)));
  if (d !== null) d.at = stamp.at;
  return d;
}

/** exim via syslog (`exim[pid]: …`); journald entries may still carry exim's own stamp. */
function parseEximMessage(p: EximPatterns, message: string): EventDraft | null {
  // The embedded stamp is local time, and no zone reaches this path: the envelope's time stands.
  const pos = looksStamped(message, 0) ? message.indexOf(' ', 19) + 1 : 0;
  return parseBody(p, message.slice(bodyStart(p, message, pos)));
}

/** Exim's main log (own file or syslog): auth failures, ACL rejects, protocol errors. */
export const eximParser: ParserDefinition = {
  family: 'exim',
  description: 'Exim main log: authenticator failures, rejected RCPT, SMTP protocol errors, drops',
  build(): FamilyParser {
    const p: EximPatterns = {
      spec: /^(?:([^\s()[\]]{1,255}) )?(?:\(([^\s()]{0,255})\) )?\[([^\]\s]{2,64})\](?::(\d{1,5}))?/,
      messageId: /[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} /y,
    };
    return {
      family: 'exim',
      programs: ['exim', 'exim4'],
      parseMessage: (message: string, _env: Envelope) => parseEximMessage(p, message),
      parseLine: (line: string, ctx: SourceContext) => parseEximLine(p, line, ctx),
    };
  },
};
