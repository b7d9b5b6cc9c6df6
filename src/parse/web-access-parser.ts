import type { EventDetail, EventDraft } from '../core/event.js';
import { canonicalAddress, parsePort } from '../core/ip.js';
import { monthNumber, parseOffset } from '../core/time.js';
import { remoteFrom, TOKEN_CHAR } from './extract.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import type { Envelope } from './syslog-envelope.js';
import {
  MAX_TARGET,
  attackSignature,
  badRequest,
  scanSignature,
  splitRequest,
} from './web-attack-classifier.js';

/** Syslog tags of web servers that may log access lines through syslog. */
export const WEB_PROGRAMS: readonly string[] = ['nginx', 'apache2', 'httpd', 'apache'];

/** Longest client, vhost or ident token read (a host name is at most 253 characters). */
const MAX_TOKEN = 260;
/** How far into the line the `[timestamp]` may start (a user name may be long). */
const MAX_PREFIX = 1024;

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** End index of the token at `pos` (the index of the space after it), or -1. */
function tokenEnd(line: string, pos: number): number {
  const limit = Math.min(line.length, pos + MAX_TOKEN);
  let i = pos;
  while (i < limit && TOKEN_CHAR(line.charCodeAt(i))) i++;
  if (i === pos || line.charCodeAt(i) !== 32) return -1;
  return i;
}

/** Index of the closing `"` of a quoted field opened before `pos`; `\"` and `\\` are escapes. */
function closingQuote(line: string, pos: number): number {
  let q = line.indexOf('"', pos);
  while (q >= 0) {
    // A quote preceded by an odd number of backslashes is escaped (Apache writes `\"`, `\\`).
    let b = q - 1;
    while (b >= pos && line.charCodeAt(b) === 92) b--;
    if ((q - 1 - b) % 2 === 0) return q;
    q = line.indexOf('"', q + 1);
  }
  return -1;
}

/** A one-entry memo: a busy log repeats the same second many times. */
interface StampMemo {
  key: string;
  at: number;
}

/**
 * Reads `[10/Oct/2000:13:55:36 -0700]` (optionally with `.mmm` after the seconds) at `pos`
 * (the `[`). Returns the index after `]` and stores the instant in the memo, or -1.
 */
function readStamp(line: string, pos: number, memo: StampMemo): number {
  if (line.charCodeAt(pos + 3) !== 47 || line.charCodeAt(pos + 7) !== 47) return -1;
  if (line.charCodeAt(pos + 12) !== 58) return -1;
  let close = pos + 27;
  if (line.charCodeAt(pos + 21) === 46 /* . */) {
    let f = pos + 22;
    while (isDigit(line.charCodeAt(f)) && f - pos < 32) f++;
    close = f + 6;
  }
  if (line.charCodeAt(close) !== 93 /* ] */) return -1;
  const key = line.slice(pos + 1, close);
  if (key === memo.key) return close + 1;
  const d = Number(line.slice(pos + 1, pos + 3));
  const mo = monthNumber(line.slice(pos + 4, pos + 7));
  const y = Number(line.slice(pos + 8, pos + 12));
  const h = Number(line.slice(pos + 13, pos + 15));
  const mi = Number(line.slice(pos + 16, pos + 18));
  const s = Number(line.slice(pos + 19, pos + 21));
  let ms = 0;
  if (line.charCodeAt(pos + 21) === 46)
    ms = Number((line.slice(pos + 22, close - 6) + '00').slice(0, 3));
  if (line.charCodeAt(close - 6) !== 32) return -1;
  const offset = parseOffset(line.slice(close - 5, close));
  if (
    mo === 0 ||
    offset === null ||
    !(d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60 && y >= 1970 && y <= 9999)
  ) {
    return -1;
  }
  memo.key = key;
  memo.at = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms) - offset * 60_000;
  return close + 1;
}

/** A quoted field after `pos` (` "…"`): its text and the index after it, or null. */
function quotedAfter(line: string, pos: number): { text: string; end: number } | null {
  if (line.charCodeAt(pos) !== 32 || line.charCodeAt(pos + 1) !== 34) return null;
  const close = closingQuote(line, pos + 2);
  if (close < 0) return null;
  return { text: line.slice(pos + 2, close), end: close + 1 };
}

/**
 * Reads one access-log line (common, combined, vhost_combined, nginx's combined with extra
 * fields) starting at `start`. The client is the first token (the second after a vhost); the
 * user, request, referer and agent are attacker-written and never give an address.
 */
function parseAccess(line: string, start: number, memo: StampMemo): EventDraft | null {
  const e1 = tokenEnd(line, start);
  if (e1 < 0) return null;
  const e2 = tokenEnd(line, e1 + 1);
  if (e2 < 0) return null;
  let clientStart = start;
  let clientEnd = e1;
  let userStart = e2 + 1;
  let dstPort: number | null = null;
  const second = line.slice(e1 + 1, e2);
  if (second !== '-') {
    // vhost_combined: `www.example.com:443 CLIENT IDENT USER [..]`.
    const first = line.slice(start, e1);
    const colon = first.lastIndexOf(':');
    const port = colon > 0 ? parsePort(first.slice(colon + 1)) : null;
    if (port !== null && canonicalAddress(first) === null) {
      const e3 = tokenEnd(line, e2 + 1);
      if (e3 < 0) return null;
      clientStart = e1 + 1;
      clientEnd = e2;
      userStart = e3 + 1;
      dstPort = port;
    }
  }
  // The user field (Apache escapes quotes in it, not spaces) runs to ` [stamp] "`.
  let open = userStart;
  let after = -1;
  const limit = Math.min(line.length, start + MAX_PREFIX);
  while (open < limit) {
    open = line.indexOf('[', open);
    if (open < 0 || open >= limit) return null;
    if (open > userStart && line.charCodeAt(open - 1) === 32) {
      after = readStamp(line, open, memo);
      if (after >= 0 && line.charCodeAt(after) === 32 && line.charCodeAt(after + 1) === 34) break;
    }
    after = -1;
    open++;
  }
  if (after < 0 || open <= userStart) return null;
  const remote = remoteFrom(line.slice(clientStart, clientEnd));
  if (remote === null) return null;
  const user = line.slice(userStart, open - 1);
  const at = memo.at;
  const reqClose = closingQuote(line, after + 2);
  if (reqClose < 0) return null;
  const request = line.slice(after + 2, reqClose);
  let p = reqClose + 1;
  if (line.charCodeAt(p) !== 32) return null;
  const status =
    (line.charCodeAt(p + 1) - 48) * 100 +
    (line.charCodeAt(p + 2) - 48) * 10 +
    (line.charCodeAt(p + 3) - 48);
  if (
    !isDigit(line.charCodeAt(p + 1)) ||
    !isDigit(line.charCodeAt(p + 2)) ||
    !isDigit(line.charCodeAt(p + 3)) ||
    (p + 4 < line.length && line.charCodeAt(p + 4) !== 32)
  ) {
    return null;
  }
  p += 4;
  let referer: string | null = null;
  let agent: string | null = null;
  // Size (`-` or digits), then the optional combined-format fields.
  const sizeEnd = line.indexOf(' ', p + 1);
  if (sizeEnd > 0) {
    const ref = quotedAfter(line, sizeEnd);
    if (ref !== null) {
      referer = ref.text;
      const ag = quotedAfter(line, ref.end);
      if (ag !== null) agent = ag.text;
    }
  }
  const detail: EventDetail = { status };
  if (agent !== null && agent !== '-') detail.agent = agent;
  const draft: EventDraft = {
    kind: 'http-request',
    src: remote.src,
    srcHost: remote.srcHost,
    service: 'http',
    at,
    detail,
  };
  if (user !== '-' && user !== '') draft.user = user;
  if (dstPort !== null) draft.dstPort = dstPort;
  classify(draft, detail, request, status, referer, agent);
  return draft;
}

/** Sets kind and signature from what the request shows. */
function classify(
  draft: EventDraft,
  detail: EventDetail,
  request: string,
  status: number,
  referer: string | null,
  agent: string | null,
): void {
  const rl = splitRequest(request);
  if (rl === null) {
    // A line the server answered with 2xx/3xx was HTTP enough for it; browsers that preconnect
    // and then send nothing get 408, which is no protocol error either.
    if (status < 400 || (status === 408 && (request === '' || request === '-'))) return;
    const bad = badRequest(request);
    draft.kind = bad.kind;
    draft.signature = bad.signature;
    if (bad.signature !== 'overflow') {
      const shock = attackSignature(request, referer, agent);
      if (shock === 'shellshock') {
        draft.kind = 'exploit-attempt';
        draft.signature = shock;
      }
    }
    return;
  }
  detail.method = rl.method;
  detail.path = rl.target;
  const attack =
    attackSignature(rl.target, referer, agent) ?? (request.length > MAX_TARGET ? 'overflow' : null);
  if (attack !== null) {
    draft.kind = 'exploit-attempt';
    draft.signature = attack;
    return;
  }
  // 401 and 407 are challenges, not refusals: a browser meets one on every protected admin
  // page before it sends the password, so they say nothing about scanning.
  if (status >= 400 && status <= 499 && status !== 401 && status !== 407) {
    if (
      rl.method === 'CONNECT' ||
      rl.target.startsWith('http://') ||
      rl.target.startsWith('https://')
    ) {
      draft.kind = 'exploit-attempt';
      draft.signature = 'scan for open proxy';
      return;
    }
    const scan = scanSignature(rl.target);
    if (scan !== null) {
      draft.kind = 'exploit-attempt';
      draft.signature = scan;
    }
  }
}

/** Apache and nginx access logs: common, combined and vhost_combined formats. */
export const webAccessParser: ParserDefinition = {
  family: 'web-access',
  description:
    'Apache/nginx access logs (common, combined, vhost_combined), own format or via syslog',
  build(): FamilyParser {
    const memo: StampMemo = { key: '', at: 0 };
    return {
      family: 'web-access',
      programs: WEB_PROGRAMS,
      parseMessage(message: string, _env: Envelope): EventDraft | null {
        const c = message.charCodeAt(0);
        if (c === 91 /* [ */ || c === 32) return null;
        return parseAccess(message, 0, memo);
      },
      parseLine(line: string): EventDraft | null {
        const c = line.charCodeAt(0);
        // An address, a host name or a vhost: hex digits, letters, `:`.
        if (!((c >= 48 && c <= 58) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return null;
        return parseAccess(line, 0, memo);
      },
    };
  },
};
