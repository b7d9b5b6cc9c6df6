import { DAY_MS, fractionMs, monthNumber, parseOffset, validDate } from '../core/time.js';
import type { SourceContext } from './source-context.js';

/** Which header a line carried. */
export type EnvelopeFormat = 'rfc3164' | 'rfc5424' | 'iso8601' | 'tai64n' | 'journal' | 'untimed';

/** A syslog line split into its header fields and the program's message. */
export interface Envelope {
  readonly format: EnvelopeFormat;
  /** Epoch ms UTC, or null when the header has no time (journal-style `host prog[pid]:`). */
  readonly at: number | null;
  readonly host: string | null;
  /** The tag without pid, as written (`sshd`, `postfix/smtpd`, `vsftpd(pam_unix)`). */
  readonly program: string | null;
  readonly pid: string | null;
  /** The message after the tag, with `message repeated N times: [ ]` unwrapped. */
  readonly message: string;
  /** How many times the message was logged (`message repeated N times`). */
  readonly count: number;
}

/** Per-source memo of the last RFC 3164 timestamp, so a burst within one second costs nothing. */
export interface TimeMemo {
  /** The last stamp's date (`Mmm dd `) and time with the blank after it (`hh:mm:ss[.f] `). */
  date: string;
  time: string;
  at: number | null;
  /**
   * The calendar year of the reference instant in the source's zone, worked out on the first
   * timestamp (zone and reference instant are fixed for a source); NaN until then.
   */
  refYear: number;
}

/** A fresh timestamp memo for one source. */
export function newTimeMemo(): TimeMemo {
  return { date: '', time: '', at: null, refYear: NaN };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const num2 = (s: string, i: number): number =>
  (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/**
 * Reads the syslog header of a line: RFC 3164 (year-less, with year inference), RFC 5424,
 * rsyslog's ISO 8601 high-precision form, daemontools TAI64N stamps, `<PRI>` prefixes and the
 * time-less `host prog[pid]: msg` form of journal exports. Returns null when the line has no
 * syslog header (the family parsers then try their own formats).
 */
export function parseEnvelope(line: string, ctx: SourceContext, memo: TimeMemo): Envelope | null {
  let pos = 0;
  let c0 = line.charCodeAt(0);
  if (c0 === 60 /* < */) {
    const close = line.indexOf('>', 1);
    if (close < 2 || close > 4) return null;
    for (let i = 1; i < close; i++) if (!isDigit(line.charCodeAt(i))) return null;
    pos = close + 1;
    if (line.charCodeAt(pos) === 49 /* 1 */ && line.charCodeAt(pos + 1) === 32) {
      return parse5424(line, pos + 2, ctx);
    }
    c0 = line.charCodeAt(pos);
  }
  let at: number | null;
  let format: EnvelopeFormat;
  if (c0 >= 65 && c0 <= 90 /* A-Z: month name */) {
    const end = parse3164Time(line, pos, ctx, memo);
    if (end < 0) return null;
    at = memo.at;
    pos = end;
    format = 'rfc3164';
  } else if (isDigit(c0)) {
    const stamp = parseIsoStamp(line, pos, ctx, true);
    if (stamp === null || line.charCodeAt(stamp.end) !== 32) return null;
    at = stamp.at;
    pos = stamp.end + 1;
    format = 'iso8601';
  } else if (c0 === 64 /* @ */) {
    at = parseTai64n(line, pos);
    if (at === null || line.charCodeAt(pos + 25) !== 32) return null;
    pos += 26;
    format = 'tai64n';
  } else {
    at = null;
    format = 'untimed';
  }
  return parseHostAndTag(line, pos, format, at);
}

/**
 * Parses `Mmm dd hh:mm:ss` (day space-padded or not) and the blank after it; returns the index
 * after the blank or -1.
 */
function parse3164Time(line: string, pos: number, ctx: SourceContext, memo: TimeMemo): number {
  // `Mmm dd hh:mm:ss` is 15 characters; `Mmm d hh:mm:ss` (unpadded day) is 14.
  let dayEnd = pos + 6;
  if (line.charCodeAt(pos + 5) === 32) dayEnd = pos + 5; // `Feb 9 12:02:29`
  const timeStart = dayEnd + 1;
  const end = timeStart + 8;
  let fracEnd = end;
  if (line.charCodeAt(end) === 46) {
    fracEnd = end + 1;
    while (isDigit(line.charCodeAt(fracEnd)) && fracEnd - end < 10) fracEnd++;
  }
  // Compared as two short slices: V8 copies a slice under 13 characters and compares such
  // strings inline, where one longer slice is compared in its runtime (about 27 ns against 43 ns
  // a line, and startsWith is slower still). Equal parts mean an equal stamp: where the date
  // ends depends only on the stamp's own characters. The time is taken with the blank after it,
  // and the memo holds only stamps that passed every check below, so an equal stamp needs none
  // of those character reads again.
  const date = line.slice(pos, timeStart);
  const time = line.slice(timeStart, fracEnd + 1);
  if (time === memo.time && date === memo.date) return fracEnd + 1;
  if (line.charCodeAt(pos + 3) !== 32 || line.charCodeAt(fracEnd) !== 32) return -1;
  if (line.charCodeAt(timeStart + 2) !== 58 || line.charCodeAt(timeStart + 5) !== 58) return -1;
  const mo = monthNumber(line.slice(pos, pos + 3));
  if (mo === 0) return -1;
  const dayText = line.slice(pos + 4, dayEnd).trim();
  if (dayText.length === 0 || dayText.length > 2) return -1;
  const d = Number(dayText);
  const h = num2(line, timeStart);
  const mi = num2(line, timeStart + 3);
  const s = num2(line, timeStart + 6);
  if (!(d >= 1 && h <= 23 && mi <= 59 && s <= 60)) return -1;
  const ms = fracEnd > end ? fractionMs(line.slice(end + 1, fracEnd)) : 0;
  memo.date = date;
  memo.time = time;
  memo.at = inferYearMemo(memo, ctx, mo, d, h, mi, Math.min(s, 59), ms);
  return fracEnd + 1;
}

/**
 * `inferYear` of core/time.ts (the latest year that puts the stamp at most a day after the
 * reference instant), with the reference instant's year worked out once per source: it is the
 * same for every line, and a busy log changes second on every twentieth line.
 */
function inferYearMemo(
  memo: TimeMemo,
  ctx: SourceContext,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | null {
  if (Number.isNaN(memo.refYear)) memo.refYear = ctx.zone.yearAt(ctx.now);
  let year = memo.refYear + 1;
  for (let tries = 0; tries < 10; tries++, year--) {
    if (!validDate(year, mo, d)) continue;
    const t = ctx.zone.toUtc(year, mo, d, h, mi, s, ms);
    if (t <= ctx.now + DAY_MS) return t;
  }
  return null;
}

/** An ISO 8601 instant found in a line and the index after it. */
export interface Stamp {
  readonly at: number;
  readonly end: number;
}

/**
 * Parses `YYYY-MM-DDThh:mm:ss[.f][Z|±hh:mm]` at `pos` (with `requireT` false, a space may
 * separate date and time). A stamp without an offset is local time in the context's zone.
 */
export function parseIsoStamp(
  line: string,
  pos: number,
  ctx: SourceContext,
  requireT: boolean,
): Stamp | null {
  if (line.charCodeAt(pos + 4) !== 45 || line.charCodeAt(pos + 7) !== 45) return null;
  const sep = line.charCodeAt(pos + 10);
  if (sep !== 84 && (requireT || sep !== 32)) return null;
  if (line.charCodeAt(pos + 13) !== 58 || line.charCodeAt(pos + 16) !== 58) return null;
  for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]) {
    if (!isDigit(line.charCodeAt(pos + i))) return null;
  }
  const y = Number(line.slice(pos, pos + 4));
  const mo = num2(line, pos + 5);
  const d = num2(line, pos + 8);
  const h = num2(line, pos + 11);
  const mi = num2(line, pos + 14);
  const s = Math.min(num2(line, pos + 17), 59);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  let end = pos + 19;
  let ms = 0;
  if (line.charCodeAt(end) === 46 || line.charCodeAt(end) === 44) {
    let f = end + 1;
    while (isDigit(line.charCodeAt(f)) && f - end <= 9) f++;
    ms = fractionMs(line.slice(end + 1, f));
    end = f;
  }
  const c = line.charCodeAt(end);
  let offset: number | null = null;
  if (c === 90 /* Z */) {
    offset = 0;
    end++;
  } else if (c === 43 || c === 45) {
    const colon = line.charCodeAt(end + 3) === 58;
    const len = colon ? 6 : isDigit(line.charCodeAt(end + 3)) ? 5 : 3;
    offset = parseOffset(line.slice(end, end + len));
    if (offset === null) return null;
    end += len;
  }
  const at =
    offset === null
      ? ctx.zone.toUtc(y, mo, d, h, mi, s, ms)
      : Date.UTC(y, mo - 1, d, h, mi, s, ms) - offset * 60_000;
  return { at, end };
}

/** Parses a daemontools `@4000…` TAI64N label (25 characters); epoch ms UTC or null. */
function parseTai64n(line: string, pos: number): number | null {
  const label = line.slice(pos + 1, pos + 25);
  if (label.length !== 24 || !/^4000[0-9a-f]{20}$/i.test(label)) return null;
  const secs = parseInt(label.slice(4, 16), 16);
  const nanos = parseInt(label.slice(16, 24), 16);
  // libtai's tai_now() writes 2^62 + 10 + unix seconds; tai64nlocal subtracts the 10 again.
  return (secs - 10) * 1000 + Math.floor(nanos / 1e6);
}

const TAG_CHAR = (c: number): boolean =>
  (c >= 97 && c <= 122) ||
  (c >= 65 && c <= 90) ||
  (c >= 48 && c <= 57) ||
  c === 45 ||
  c === 95 ||
  c === 46 ||
  c === 47 ||
  c === 40 ||
  c === 41 ||
  c === 64;

/** TAG_CHAR as a table of the ASCII range (1: allowed), for the loop every line runs. */
const TAG_CHARS = Uint8Array.from({ length: 128 }, (_, c) => (TAG_CHAR(c) ? 1 : 0));

/**
 * Reads `host tag[pid]: message`; the host may be missing (`Feb 12 00:00:00 dropbear[99]: …`)
 * and proftpd writes `proftpd[pid] host (...)` without a colon.
 */
function parseHostAndTag(
  line: string,
  pos: number,
  format: EnvelopeFormat,
  at: number | null,
): Envelope | null {
  const sp = line.indexOf(' ', pos);
  if (sp < 0) return null;
  // A first token that is already a tag (`dropbear[99]:`, `security:`) means the host field
  // was left out; only such a token ends in `:` or `]`.
  const last = line.charCodeAt(sp - 1);
  if ((last === 58 || last === 93) && format !== 'untimed') {
    // `[sshd]:` / `[sshd]` (the tag bracketed, as some old syslog daemons write it).
    const direct = line.charCodeAt(pos) === 91 ? readBracketTag(line, pos, sp) : readTag(line, pos);
    if (direct !== null && direct.end <= sp + 1) {
      return finish(format, at, null, direct.program, direct.pid, line, direct.end);
    }
  }
  if (sp === pos || sp - pos > 255) return null;
  const first = line.slice(pos, sp);
  const tag = readTag(line, sp + 1);
  if (tag === null) {
    if (format === 'untimed') return null;
    // A header with a host but an unreadable tag: keep the time, hand the rest on as message.
    return finish(format, at, first, null, null, line, sp + 1);
  }
  return finish(format, at, first, tag.program, tag.pid, line, tag.end);
}

/** Reads `[prog]:` or `[prog]` ending at the space `sp`; the tag must start with a letter. */
function readBracketTag(
  line: string,
  pos: number,
  sp: number,
): { program: string; pid: null; end: number } | null {
  const close = line.charCodeAt(sp - 1) === 58 ? sp - 2 : sp - 1;
  if (line.charCodeAt(close) !== 93 || close - pos < 2 || close - pos > 64) return null;
  const c = line.charCodeAt(pos + 1);
  if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90))) return null;
  for (let i = pos + 2; i < close; i++) if (!TAG_CHAR(line.charCodeAt(i))) return null;
  return { program: line.slice(pos + 1, close), pid: null, end: sp + 1 };
}

/** Reads `tag[pid]: `, `tag: ` or `tag[pid] ` at `pos`; `end` is where the message starts. */
function readTag(
  line: string,
  pos: number,
): { program: string; pid: string | null; end: number } | null {
  // Each character is read once: `c` carries the one that ended a step into the next.
  let i = pos;
  let c = 0;
  const limit = Math.min(line.length, pos + 128);
  while (i < limit) {
    c = line.charCodeAt(i);
    if (c >= 128 || TAG_CHARS[c] === 0) break;
    i++;
  }
  if (i === pos) return null;
  if (i === limit) c = line.charCodeAt(i); // the loop ran out before a non-tag character
  const tagEnd = i;
  let pidStart = -1;
  let pidEnd = -1;
  if (c === 91 /* [ */) {
    const close = line.indexOf(']', i);
    if (close < 0 || close - i > 24) return null;
    pidStart = i + 1;
    pidEnd = close;
    i = close + 1;
    c = line.charCodeAt(i);
    if (c === 58) c = line.charCodeAt(++i);
    else if (c !== 32) return null;
  } else if (c === 58) {
    c = line.charCodeAt(++i);
  } else {
    return null;
  }
  if (i < line.length && c !== 32) return null;
  // Sliced only once the tag is known to be one.
  return {
    program: line.slice(pos, tagEnd),
    pid: pidStart < 0 ? null : line.slice(pidStart, pidEnd),
    end: i < line.length ? i + 1 : i,
  };
}

const REPEATED = 'message repeated ';

/**
 * Builds the envelope of `text[msgStart…]`: unwraps `message repeated N times: [ … ]` and
 * removes a kernel uptime.
 */
function finish(
  format: EnvelopeFormat,
  at: number | null,
  host: string | null,
  program: string | null,
  pid: string | null,
  text: string,
  msgStart: number,
): Envelope {
  let message: string;
  let count = 1;
  const c = text.charCodeAt(msgStart);
  if (c === 109 /* m */ && text.startsWith(REPEATED, msgStart)) {
    message = text.slice(msgStart);
    const m = /^message repeated (\d{1,9}) times: \[ ?(.*?) ?\]$/.exec(message);
    if (m !== null) {
      count = Number(m[1]);
      message = m[2] ?? '';
    }
    message = message.slice(uptimeEnd(message, 0, message.charCodeAt(0), program));
  } else {
    // One slice, past the uptime when there is one (the usual kernel line).
    message = text.slice(uptimeEnd(text, msgStart, c, program));
  }
  return { format, at, host, program, pid, message, count };
}

/**
 * Where a kernel message starting at `start` (with the character `first`) begins once its
 * uptime is removed: the kernel prefixes messages with it (`kernel: [  970.699396] IN=eth0 …`).
 * Only an uptime is removed: `[UFW BLOCK] IN=…` without one is a firewall log prefix and must
 * stay.
 */
function uptimeEnd(text: string, start: number, first: number, program: string | null): number {
  if (first !== 91 || program !== 'kernel') return start;
  // The uptime is the blanks, digits and dots up to the first `] `, within 20 characters. Read
  // in one pass that stops at the first other character: any `] ` past it has that character
  // before it, so no search for `] ` is needed.
  const limit = Math.min(text.length, start + 20);
  let i = start + 1;
  let c = 0;
  while (i < limit) {
    c = text.charCodeAt(i);
    if (c !== 32 && c !== 46 && !isDigit(c)) break;
    i++;
  }
  return i < limit && c === 93 && text.charCodeAt(i + 1) === 32 ? i + 2 : start;
}

/** RFC 5424: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG` (after the `1 `). */
function parse5424(line: string, pos: number, ctx: SourceContext): Envelope | null {
  const fields: string[] = [];
  let i = pos;
  for (let f = 0; f < 5; f++) {
    const sp = line.indexOf(' ', i);
    if (sp < 0) return null;
    fields.push(line.slice(i, sp));
    i = sp + 1;
  }
  const [ts, host, app, procid] = fields as [string, string, string, string, string];
  let at: number | null = null;
  if (ts !== '-') {
    const stamp = parseIsoStamp(ts, 0, ctx, true);
    if (stamp === null) return null;
    at = stamp.at;
  }
  // Structured data: `-` or one or more `[id k="v" …]` elements, `]` escaped as `\]`.
  if (line.charCodeAt(i) === 45 /* - */) {
    i += line.charCodeAt(i + 1) === 32 ? 2 : 1;
  } else {
    while (line.charCodeAt(i) === 91) {
      // A `]` inside a quoted PARAM-VALUE should be escaped, but writers leave `[x]` as is;
      // with unbalanced quotes, fall back to the first `]`.
      let j = i + 1;
      let quoted = false;
      let firstClose = -1;
      while (j < line.length) {
        const c = line.charCodeAt(j);
        if (c === 92) j += 2;
        else if (c === 34) {
          quoted = !quoted;
          j++;
        } else if (c === 93) {
          if (!quoted) break;
          if (firstClose < 0) firstClose = j;
          j++;
        } else j++;
      }
      if (j >= line.length && firstClose >= 0) j = firstClose;
      i = j + 1;
    }
    if (line.charCodeAt(i) === 32) i++;
  }
  let message = line.slice(i);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  return finish(
    'rfc5424',
    at,
    host === '-' ? null : host,
    app === '-' ? null : app,
    procid === '-' ? null : procid,
    message,
    0,
  );
}

/** Builds an envelope from a `journalctl -o json` record; null when it is not one. */
export function journalEnvelope(record: Record<string, unknown>): Envelope | null {
  const rt = record['__REALTIME_TIMESTAMP'];
  const msg = record['MESSAGE'];
  if (typeof rt !== 'string' && typeof msg === 'undefined') return null;
  let message: string;
  if (typeof msg === 'string') message = msg;
  else if (Array.isArray(msg))
    message = Buffer.from(msg.filter((b) => typeof b === 'number')).toString('utf8');
  else return null;
  const us = typeof rt === 'string' && /^\d{1,17}$/.test(rt) ? Number(rt) : NaN;
  const str = (k: string): string | null => {
    const v = record[k];
    return typeof v === 'string' && v.length > 0 ? v : null;
  };
  const program = str('SYSLOG_IDENTIFIER') ?? str('_COMM');
  return finish(
    'journal',
    Number.isFinite(us) ? Math.floor(us / 1000) : null,
    str('_HOSTNAME'),
    program,
    str('SYSLOG_PID') ?? str('_PID'),
    message,
    0,
  );
}
