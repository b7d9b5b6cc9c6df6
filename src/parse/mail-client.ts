import { canonicalAddress, parsePort } from '../core/ip.js';
import { isHostName } from './extract.js';

/** A mail client as an MTA or IMAP/POP server logs it: address, claimed name, port. */
export interface MailClient {
  readonly src: string;
  /** The verified or resolved host name the daemon wrote next to the address, if any. */
  readonly srcHost: string | null;
  readonly srcPort: number | null;
  /** Index just after the client text in the line. */
  readonly end: number;
}

/**
 * Reads an address written between brackets: `192.0.2.1`, `2001:db8::1`, sendmail's
 * `IPv6:2001:db8::1`, v4-mapped forms. Returns the canonical address or null.
 */
export function bracketAddress(inner: string): string | null {
  let text = inner;
  if (text.length > 5 && (text.charCodeAt(0) | 32) === 105 /* i */ && /^ipv6:/i.test(text)) {
    text = text.slice(5);
  }
  return canonicalAddress(text);
}

/** A host name worth keeping next to an address (`unknown` and empty names are not). */
function nameOrNull(name: string): string | null {
  if (name.length === 0 || name === 'unknown' || !isHostName(name)) return null;
  return name;
}

/**
 * Reads postfix's client token `name[addr]`, `name[addr]:port` or `[addr]:port` that occupies
 * `text[start, end)` (a trailing `:` is tolerated). The address is the LAST bracketed part:
 * whatever precedes it is a name the client or its DNS chose.
 */
export function readJoinedClient(text: string, start: number, end: number): MailClient | null {
  let stop = end;
  if (stop > start && text.charCodeAt(stop - 1) === 58 /* : */) stop--;
  let port: number | null = null;
  if (text.charCodeAt(stop - 1) !== 93 /* ] */) {
    const colon = text.lastIndexOf(':', stop - 1);
    if (colon <= start || text.charCodeAt(colon - 1) !== 93) return null;
    port = parsePort(text.slice(colon + 1, stop));
    if (port === null) return null;
    stop = colon;
  }
  const open = text.lastIndexOf('[', stop - 1);
  if (open < start) return null;
  const src = bracketAddress(text.slice(open + 1, stop - 1));
  if (src === null) return null;
  return { src, srcHost: nameOrNull(text.slice(start, open)), srcPort: port, end };
}

/**
 * Reads sendmail's and cyrus' client `name [addr]`, `[addr]` or `name[addr]` at `pos`, with an
 * optional ` (may be forged)`. The name is one token (no spaces), so the first bracket after it
 * is the daemon's, not text the client wrote later in the line.
 */
export function readSpacedClient(text: string, pos: number): MailClient | null {
  let open: number;
  let name = '';
  if (text.charCodeAt(pos) === 91 /* [ */) {
    open = pos;
  } else {
    let sp = pos;
    const limit = Math.min(text.length, pos + 256);
    while (sp < limit) {
      const c = text.charCodeAt(sp);
      if (c === 32 || c === 91) break;
      sp++;
    }
    name = text.slice(pos, sp);
    open = sp;
    // sendmail writes `from  [addr]` (two spaces) when the name is empty.
    while (text.charCodeAt(open) === 32 && open - sp < 2) open++;
    if (text.charCodeAt(open) !== 91) return null;
  }
  const close = text.indexOf(']', open);
  if (close < 0 || close - open > 64) return null;
  const src = bracketAddress(text.slice(open + 1, close));
  if (src === null) return null;
  let end = close + 1;
  if (text.startsWith(' (may be forged)', end)) end += 16;
  return { src, srcHost: nameOrNull(name), srcPort: null, end };
}

/** Reads an SMTP reply code (`550`) at `pos`; null when there is none. */
export function replyCode(text: string, pos: number): number | null {
  const a = text.charCodeAt(pos) - 48;
  const b = text.charCodeAt(pos + 1) - 48;
  const c = text.charCodeAt(pos + 2) - 48;
  if (a < 2 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) return null;
  const next = text.charCodeAt(pos + 3);
  if (!Number.isNaN(next) && next !== 32 && next !== 45 && next !== 44) return null;
  return a * 100 + b * 10 + c;
}
