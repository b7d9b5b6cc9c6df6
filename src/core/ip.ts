import { createRequire } from 'node:module';
import type ipaddrModule from 'ipaddr.js';
import { detach } from './detach.js';

/**
 * ipaddr.js, loaded on the first IPv6 address: most logs read IPv4 only, and importing the
 * CommonJS module from ESM costs startup time (about 10 ms, for Node's scan of its exports)
 * that a plain require does not.
 */
let ipaddrLib: typeof ipaddrModule | null = null;
function ipaddr(): typeof ipaddrModule {
  ipaddrLib ??= createRequire(import.meta.url)('ipaddr.js') as typeof ipaddrModule;
  return ipaddrLib;
}

/**
 * Parses a dotted-quad IPv4 address, tolerating leading zeros (read as decimal, as syslog
 * writers mean them, never as octal). Returns the canonical form or null.
 */
export function canonicalIPv4(text: string): string | null {
  const n = text.length;
  if (n < 7 || n > 19) return null;
  let octets = 0;
  let value = 0;
  let digits = 0;
  let clean = true;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 0 && c === 48 && i + 1 < n && text.charCodeAt(i + 1) !== 46) clean = false;
      value = value * 10 + (c - 48);
      digits++;
      if (digits > 3 || value > 255) return null;
    } else if (c === 46) {
      if (digits === 0) return null;
      octets++;
      if (octets > 3) return null;
      value = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  if (octets !== 3 || digits === 0) return null;
  if (clean) return text;
  return text
    .split('.')
    .map((part) => String(Number(part)))
    .join('.');
}

/**
 * Reads the dotted quad that starts at `start` in `text`, without leading zeros: returns the
 * index just after it, or -1 when the text there does not start with one (four octets of at
 * most 255, no octet written with a leading zero). What follows is not looked at. Such a quad
 * is its own canonical form (see canonicalIPv4), so a caller can slice it as it stands, and
 * logs write most addresses this way: this reads them in one pass, before any slice.
 */
export function cleanIPv4End(text: string, start: number): number {
  const n = Math.min(text.length, start + 15);
  let i = start;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= n || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
    const first = text.charCodeAt(i);
    if (i >= n || first < 48 || first > 57) return -1;
    let value = first - 48;
    i++;
    if (value !== 0) {
      // Up to two more digits; a zero stands alone.
      for (let k = 0; k < 2 && i < n; k++) {
        const c = text.charCodeAt(i);
        if (c < 48 || c > 57) break;
        value = value * 10 + (c - 48);
        i++;
      }
      if (value > 255) return -1;
    }
  }
  // A fourth digit or a leading zero right after the quad means it was not one.
  const next = text.charCodeAt(i);
  return next >= 48 && next <= 57 ? -1 : i;
}

/**
 * The value, as a 32-bit unsigned number, of the dotted quad that is exactly `text[start, end)`
 * when it is written in its own canonical form (no leading zeros, as cleanIPv4End reads it);
 * -1 otherwise. For a reader that validates an address and keeps its number in one pass.
 */
export function plainIPv4Value(text: string, start: number, end: number): number {
  if (end - start < 7 || end - start > 15 || end > text.length) return -1;
  let value = 0;
  let i = start;
  for (let octet = 0; octet < 4; octet++) {
    if (octet > 0) {
      if (i >= end || text.charCodeAt(i) !== 46) return -1;
      i++;
    }
    const first = text.charCodeAt(i);
    if (i >= end || first < 48 || first > 57) return -1;
    let v = first - 48;
    i++;
    if (v !== 0) {
      // Up to two more digits; a zero stands alone.
      for (let k = 0; k < 2 && i < end; k++) {
        const c = text.charCodeAt(i);
        if (c < 48 || c > 57) break;
        v = v * 10 + (c - 48);
        i++;
      }
      if (v > 255) return -1;
    }
    value = value * 256 + v;
  }
  return i === end ? value : -1;
}

/**
 * Returns the canonical form of an address as logs write it: IPv4 dotted quad (leading zeros
 * tolerated), IPv6 in RFC 5952 lower case, with brackets and zone removed and an IPv4-mapped
 * IPv6 address unwrapped to IPv4. Returns null when the text is not an address.
 */
export function canonicalAddress(raw: string): string | null {
  const v4 = canonicalIPv4(raw);
  if (v4 !== null) return v4;
  let text = raw;
  if (text.length < 2 || text.length > 64) return null;
  if (text.charCodeAt(0) === 91 /* [ */) {
    if (text.charCodeAt(text.length - 1) !== 93) return null;
    text = text.slice(1, -1);
  }
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  if (text.indexOf(':') < 0) return null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 48 && c <= 58) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102) || c === 46; // hex : .
    if (!ok) return null;
  }
  // An embedded IPv4 tail may carry leading zeros; normalise it before ipaddr.js sees it.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.indexOf('.') >= 0) {
    const t4 = canonicalIPv4(tail);
    if (t4 === null) return null;
    // `::ffff:a.b.c.d` is how a dual-stack socket shows an IPv4 client (vsftpd, sshd): a new
    // one on nearly every line, and ipaddr.js would take microseconds to say it is `a.b.c.d`.
    if (lastColon === 6 && text.startsWith('::ffff:')) return t4;
    text = text.slice(0, lastColon + 1) + t4;
  }
  const hit = v6Memo.get(text);
  if (hit !== undefined) return hit;
  let canonical: string | null = null;
  if (ipaddr().IPv6.isValid(text)) {
    const addr = ipaddr().IPv6.parse(text);
    canonical = addr.isIPv4MappedAddress()
      ? addr.toIPv4Address().toString()
      : addr.toRFC5952String();
  }
  // Firewall logs repeat the same few IPv6 addresses; ipaddr.js costs microseconds each.
  if (v6Memo.size >= 8192) v6Memo.clear();
  v6Memo.set(detach(text), canonical);
  return canonical;
}

const v6Memo = new Map<string, string | null>();

/** True when the text is a canonical or parseable IPv4/IPv6 address. */
export function isAddress(raw: string): boolean {
  return canonicalAddress(raw) !== null;
}

/**
 * Splits `ADDR:PORT`, `[V6]:PORT`, `ADDR.PORT` is not supported (ambiguous); a bare IPv6 address
 * is returned without a port. Returns null when the text holds no address.
 */
export function splitHostPort(raw: string): { addr: string; port: number | null } | null {
  if (raw.charCodeAt(0) === 91) {
    const close = raw.indexOf(']');
    if (close < 0) return null;
    const addr = canonicalAddress(raw.slice(1, close));
    if (addr === null) return null;
    if (close === raw.length - 1) return { addr, port: null };
    if (raw.charCodeAt(close + 1) !== 58) return null;
    const port = parsePort(raw.slice(close + 2));
    return port === null ? null : { addr, port };
  }
  const first = raw.indexOf(':');
  if (first >= 0 && first === raw.lastIndexOf(':')) {
    const addr = canonicalIPv4(raw.slice(0, first));
    if (addr === null) return null;
    const port = parsePort(raw.slice(first + 1));
    return port === null ? null : { addr, port };
  }
  const addr = canonicalAddress(raw);
  return addr === null ? null : { addr, port: null };
}

/** Parses a decimal TCP/UDP port (0–65535); null when it is not one. */
export function parsePort(text: string): number | null {
  return parsePortAt(text, 0, text.length);
}

/** `parsePort(text.slice(start, end))`, without the slice. */
export function parsePortAt(text: string, start: number, end: number): number | null {
  if (end > text.length) end = text.length;
  if (end <= start || end - start > 5) return null;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  return v <= 65535 ? v : null;
}
