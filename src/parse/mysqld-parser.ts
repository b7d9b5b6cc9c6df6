import type { EventDraft } from '../core/event.js';
import { fractionMs, validDate } from '../core/time.js';
import { remoteFrom } from './extract.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { programKey } from './line-parser.js';
import { parseIsoStamp } from './syslog-envelope.js';
import type { Envelope } from './syslog-envelope.js';
import type { SourceContext } from './source-context.js';

const MARKER = "Access denied for user '";
const PASSWORD_YES = "' (using password: YES)";
const PASSWORD_NO = "' (using password: NO)";
const PROGRAMS: readonly string[] = ['mysqld', 'mariadbd', 'mysqld-safe', 'mysqld_safe', 'mariadb'];
const PROGRAM_SET: ReadonlySet<string> = new Set(PROGRAMS);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
/** A two-digit field whose tens may be a space (`130324  0:04:00`, `2015-10-07  8:25:38`). */
const padded2 = (s: string, i: number): number => {
  const t = s.charCodeAt(i);
  const u = s.charCodeAt(i + 1);
  if (!isDigit(u) || (t !== 32 && !isDigit(t))) return -1;
  return (t === 32 ? 0 : (t - 48) * 10) + (u - 48);
};
const num2 = (s: string, i: number): number =>
  isDigit(s.charCodeAt(i)) && isDigit(s.charCodeAt(i + 1))
    ? (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48)
    : -1;

/**
 * Reads `Access denied for user 'NAME'@'HOST'[ (using password: YES|NO)]` ending the text,
 * after a server-written prefix that starts at `from` (timestamp, thread id, `[Warning]`,
 * `[MY-010926] [Server]`). The name is the client's to choose and may contain `'@'1.2.3.4`
 * or a whole fake message, so the host is read from the end: the line must end with the
 * server's suffix, and the host is what lies between the LAST `'@'` and the closing quote.
 */
function parseAccessDenied(text: string, from: number): EventDraft | null {
  const i = text.indexOf(MARKER, from);
  if (i < 0) return null;
  if (i > from) {
    // The prefix is the server's: it ends in `] ` and holds no quote (quoted text is client data).
    if (text.charCodeAt(i - 1) !== 32 || text.charCodeAt(i - 2) !== 93) return null;
    const q = text.lastIndexOf("'", i);
    if (q >= from) return null;
  }
  const start = i + MARKER.length;
  let end = text.length;
  while (end > start && (text.charCodeAt(end - 1) === 32 || text.charCodeAt(end - 1) === 13)) end--;
  // `end` becomes the index of the host's closing quote; MariaDB 10.3 leaves the suffix out.
  if (text.startsWith(PASSWORD_YES, end - PASSWORD_YES.length)) end -= PASSWORD_YES.length;
  else if (text.startsWith(PASSWORD_NO, end - PASSWORD_NO.length)) end -= PASSWORD_NO.length;
  else if (text.charCodeAt(end - 1) === 39) end -= 1;
  else return null;
  if (end <= start) return null;
  const sep = text.lastIndexOf("'@'", end - 1);
  if (sep < start) return null;
  const hostText = text.slice(sep + 3, end);
  if (hostText.length === 0 || hostText.length > 255) return null;
  const remote = remoteFrom(hostText);
  if (remote === null) return null;
  return {
    kind: 'auth-failure',
    src: remote.src,
    srcHost: remote.srcHost,
    service: 'mysql',
    user: sep > start ? text.slice(start, sep) : null, // `''@'host'`: the anonymous account
    signature: 'mysqld: access denied',
  };
}

/**
 * The index after the timestamp that starts a MySQL/MariaDB error-log line, or -1:
 * `YYMMDD hh:mm:ss` (hour space-padded, 5.5 and older), `YYYY-MM-DD hh:mm:ss[.f]` (5.6,
 * MariaDB; hour may be space-padded too), or ISO 8601 with `T` (5.7+). A shape check only:
 * the values are read by mysqlStampAt once the line matched.
 */
function mysqlStampEnd(line: string, ctx: SourceContext): number {
  if (!isDigit(line.charCodeAt(0))) return -1;
  let t: number;
  if (line.charCodeAt(6) === 32) {
    t = 7;
  } else if (line.charCodeAt(4) === 45 && line.charCodeAt(7) === 45) {
    const sep = line.charCodeAt(10);
    // Reached only if the envelope did not take the line as an ISO header (see triggers).
    if (sep === 84 /* T */) return parseIsoStamp(line, 0, ctx, true)?.end ?? -1;
    if (sep !== 32) return -1;
    t = 11;
  } else {
    return -1;
  }
  if (line.charCodeAt(t + 2) !== 58 || line.charCodeAt(t + 5) !== 58) return -1;
  let end = t + 8;
  if (line.charCodeAt(end) === 46) {
    end++;
    while (end - t < 18 && isDigit(line.charCodeAt(end))) end++;
  }
  return end;
}

/** The instant of a stamp that passed mysqlStampEnd (local time unless it has a zone). */
function mysqlStampAt(line: string, ctx: SourceContext): number | null {
  let y: number;
  let mo: number;
  let d: number;
  let t: number;
  if (line.charCodeAt(6) === 32) {
    for (let k = 1; k < 6; k++) if (!isDigit(line.charCodeAt(k))) return null;
    y = 2000 + num2(line, 0);
    mo = num2(line, 2);
    d = num2(line, 4);
    t = 7;
  } else if (line.charCodeAt(10) === 84) {
    return parseIsoStamp(line, 0, ctx, true)?.at ?? null;
  } else {
    for (let k = 1; k < 4; k++) if (!isDigit(line.charCodeAt(k))) return null;
    y = Number(line.slice(0, 4));
    mo = num2(line, 5);
    d = num2(line, 8);
    t = 11;
  }
  const h = padded2(line, t);
  const mi = num2(line, t + 3);
  const s = num2(line, t + 6);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return null;
  if (!validDate(y, mo, d)) return null;
  let ms = 0;
  if (line.charCodeAt(t + 8) === 46) {
    let f = t + 9;
    while (f - t < 18 && isDigit(line.charCodeAt(f))) f++;
    ms = fractionMs(line.slice(t + 9, f));
  }
  return ctx.zone.toUtc(y, mo, d, h, mi, Math.min(s, 59), ms);
}

/** MySQL and MariaDB failed logins, from the error log or syslog. */
export const mysqldParser: ParserDefinition = {
  family: 'mysqld',
  description: "MySQL/MariaDB: Access denied for user 'NAME'@'HOST' in the error log or syslog",
  build(): FamilyParser {
    return {
      family: 'mysqld',
      programs: PROGRAMS,
      // An error-log line with a `T` stamp (`2016-02-24T15:26:18.237955 6 [Note] …`) looks
      // like an rsyslog header with the thread id as host and no tag; the trigger catches it.
      triggers: [MARKER],
      parseMessage(message: string, env: Envelope): EventDraft | null {
        const own = env.program !== null && PROGRAM_SET.has(programKey(env.program));
        const misread =
          !own && env.program === null && env.format === 'iso8601' && isThreadId(env.host);
        // Other programs quoting a server's refusal (a client app logging its own failed
        // login) would name the client's own address; only mysqld's own lines count.
        if (!own && !misread) return null;
        const d = parseAccessDenied(message, 0);
        if (d !== null && misread) {
          d.host = null;
          d.program = 'mysqld';
        }
        return d;
      },
      parseLine(line: string, ctx: SourceContext): EventDraft | null {
        const end = mysqlStampEnd(line, ctx);
        if (end < 0 || line.charCodeAt(end) !== 32) return null;
        const d = parseAccessDenied(line, end);
        if (d === null) return null;
        d.at = mysqlStampAt(line, ctx);
        if (d.at === null) return null;
        d.program = 'mysqld';
        return d;
      },
    };
  },
};

function isThreadId(host: string | null): boolean {
  if (host === null || host.length === 0 || host.length > 20) return false;
  for (let i = 0; i < host.length; i++) if (!isDigit(host.charCodeAt(i))) return false;
  return true;
}
