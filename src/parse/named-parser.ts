import type { EventDraft } from '../core/event.js';
import { canonicalAddress, parsePort } from '../core/ip.js';
import { fractionMs, monthNumber, validDate } from '../core/time.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import type { SourceContext } from './source-context.js';
import type { Envelope } from './syslog-envelope.js';

const CLIENT = 'client ';

/** Denials BIND writes as `ACTION ['NAME/TYPE/CLASS'] denied`, longest prefix first. */
const DENIED_ACTIONS: readonly { readonly prefix: string; readonly signature: string }[] = [
  { prefix: 'query (cache) ', signature: 'named: query (cache) denied' },
  { prefix: 'query ', signature: 'named: query denied' },
  { prefix: 'zone transfer ', signature: 'named: zone transfer denied' },
  { prefix: 'update forwarding ', signature: 'named: update forwarding denied' },
  { prefix: 'update ', signature: 'named: update denied' },
];
const BAD_XFR = 'bad zone transfer request: ';
const NOTAUTH = '(NOTAUTH)';

const isLower = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * Skips a BIND `category: ` or `severity: ` label (`security: `, `info: `) at `pos`; returns
 * the index after it, or -1 when there is none.
 */
function skipLabel(text: string, pos: number): number {
  let i = pos;
  const limit = Math.min(text.length, pos + 32);
  while (i < limit && isLower(text.charCodeAt(i))) i++;
  if (i === pos || text.charCodeAt(i) !== 58 || text.charCodeAt(i + 1) !== 32) return -1;
  return i + 2;
}

/** True when the text from `from` on ends with ` denied`, or ` denied (REASON)` (BIND 9.18+). */
function endsDenied(text: string, from: number): boolean {
  let end = text.length;
  while (end > from && text.charCodeAt(end - 1) === 32) end--;
  if (text.charCodeAt(end - 1) === 41 /* ) */) {
    const open = text.lastIndexOf(' denied (', end);
    return open >= from && text.indexOf(')', open) === end - 1;
  }
  return end - 7 >= from && text.startsWith(' denied', end - 7);
}

/**
 * Reads a BIND client denial from `pos` on: `[category: ][severity: ]client [@0x… ]ADDR#PORT
 * [/key K][ (qname)][: view V]: ACTION`.
 */
function parseClientDenial(text: string, pos: number): EventDraft | null {
  let p = pos;
  for (let labels = 0; labels < 2 && !text.startsWith(CLIENT, p); labels++) {
    p = skipLabel(text, p);
    if (p < 0) return null;
  }
  if (!text.startsWith(CLIENT, p)) return null;
  return parseAfterClient(text, p + CLIENT.length);
}

/**
 * Reads what follows `client `. The address is taken from the fixed slot there (after the
 * client object pointer of BIND 9.11+), before `#`: everything after it (the query name in
 * parentheses and in quotes) is chosen by the remote side.
 */
function parseAfterClient(text: string, pos: number): EventDraft | null {
  let p = pos;
  if (text.startsWith('@0x', p)) {
    const sp = text.indexOf(' ', p);
    if (sp < 0 || sp - p > 24) return null;
    p = sp + 1;
  }
  const hash = text.indexOf('#', p);
  if (hash < 0 || hash - p > 64) return null;
  const src = canonicalAddress(text.slice(p, hash));
  if (src === null) return null;
  let portEnd = hash + 1;
  while (portEnd - hash <= 5 && isDigit(text.charCodeAt(portEnd))) portEnd++;
  const srcPort = parsePort(text.slice(hash + 1, portEnd));
  if (srcPort === null) return null;
  // BIND escapes spaces in names (`\032`), so the first `: ` closes the client prefix.
  const colon = text.indexOf(': ', portEnd);
  if (colon < 0) return null;
  if (colon !== portEnd && !text.startsWith(' (', portEnd) && !text.startsWith('/key ', portEnd)) {
    return null;
  }
  let a = colon + 2;
  if (text.startsWith('view ', a)) {
    const c = text.indexOf(': ', a + 5);
    if (c < 0) return null;
    a = c + 2;
  }
  let signature: string | null = null;
  if (text.startsWith(BAD_XFR, a)) {
    if (text.trimEnd().endsWith(NOTAUTH)) signature = 'named: bad zone transfer request';
  } else {
    for (const action of DENIED_ACTIONS) {
      if (text.startsWith(action.prefix, a)) {
        // `query (cache) denied` (BIND 9.2/9.3) has no name: the prefix's space starts ` denied`.
        if (endsDenied(text, a + action.prefix.length - 1)) signature = action.signature;
        break;
      }
    }
  }
  if (signature === null) return null;
  return { kind: 'connection-refused', src, srcPort, service: 'dns', signature };
}

const STAMP_DIGITS: readonly number[] = [0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19];

/**
 * The index after the `DD-Mon-YYYY hh:mm:ss[.mmm] ` stamp BIND's own log channels write
 * (`print-time yes`), or -1: a shape check only, the values are read once the line matched.
 */
function bindStampEnd(line: string): number {
  if (
    line.charCodeAt(2) !== 45 ||
    line.charCodeAt(6) !== 45 ||
    line.charCodeAt(11) !== 32 ||
    line.charCodeAt(14) !== 58 ||
    line.charCodeAt(17) !== 58
  ) {
    return -1;
  }
  for (const i of STAMP_DIGITS) if (!isDigit(line.charCodeAt(i))) return -1;
  let end = 20;
  if (line.charCodeAt(end) === 46) {
    end++;
    while (end < 30 && isDigit(line.charCodeAt(end))) end++;
  }
  return line.charCodeAt(end) === 32 ? end + 1 : -1;
}

/** The instant of a stamp that passed bindStampEnd, in local time; null for an impossible date. */
function bindStampAt(line: string, end: number, ctx: SourceContext): number | null {
  const mo = monthNumber(line.slice(3, 6));
  const d = Number(line.slice(0, 2));
  const y = Number(line.slice(7, 11));
  const h = Number(line.slice(12, 14));
  const mi = Number(line.slice(15, 17));
  const s = Math.min(Number(line.slice(18, 20)), 59);
  if (mo === 0 || !validDate(y, mo, d) || h > 23 || mi > 59) return null;
  const ms = end > 22 ? fractionMs(line.slice(21, end - 1)) : 0;
  return ctx.zone.toUtc(y, mo, d, h, mi, s, ms);
}

/** BIND named: denied queries, zone transfers and updates, via syslog or its own log files. */
export const namedParser: ParserDefinition = {
  family: 'named',
  description:
    "BIND named: client query/zone transfer/update denied and bad zone transfer requests, in syslog and BIND's own category logs",
  build(): FamilyParser {
    return {
      family: 'named',
      programs: ['named'],
      // BIND's own log files can look like syslog: with `print-category` the category
      // (`security: info: client …`, `update-security`, `xfer-out`) sits where the program
      // goes, and with `print-time iso8601` and no category, `client` is read as the host.
      // The triggers reach those lines; the structure check keeps other messages out.
      triggers: [' denied', NOTAUTH],
      parseMessage(message: string, env: Envelope): EventDraft | null {
        if (env.program === null && env.host === 'client') {
          const d = parseAfterClient(message, 0);
          if (d !== null) {
            d.host = null;
            d.program = 'named';
          }
          return d;
        }
        return parseClientDenial(message, 0);
      },
      parseLine(line: string, ctx: SourceContext): EventDraft | null {
        const end = bindStampEnd(line);
        if (end < 0) return null;
        const d = parseClientDenial(line, end);
        if (d === null) return null;
        d.at = bindStampAt(line, end, ctx);
        if (d.at === null) return null;
        d.program = 'named';
        return d;
      },
    };
  },
};
