import { canonicalAddress } from './ip.js';

/** An inclusive address range, canonical bounds, both of one family. */
export interface AddressRange {
  readonly start: string;
  readonly end: string;
}

/**
 * Reads an address as registries print it: canonical, zero-padded IPv4 octets (`074.125.000.000`,
 * decimal, never octal), upper-case or zero-padded IPv6, and a `/32` or `/128` suffix on a bound
 * (old RIPE RDAP). Returns the canonical form or null.
 */
export function parseLooseAddress(text: string): string | null {
  let t = text.trim();
  const slash = t.indexOf('/');
  if (slash >= 0) {
    const bits = t.slice(slash + 1);
    t = t.slice(0, slash);
    const full = t.includes(':') ? '128' : '32';
    if (bits !== full) return null;
  }
  if (t.length === 0 || t.length > 45) return null;
  return canonicalAddress(t);
}

/** The value of a canonical address as an unsigned integer (32 or 128 bits). */
export function addressValue(addr: string): bigint {
  if (!addr.includes(':')) {
    let v = 0n;
    for (const part of addr.split('.')) v = (v << 8n) | BigInt(Number(part));
    return v;
  }
  const [head = '', tail = ''] = addr.split('::') as [string, string?] as [string, string];
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = addr.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const parts = addr.includes('::')
    ? [
        ...headParts,
        ...Array<string>(8 - headParts.length - tailParts.length).fill('0'),
        ...tailParts,
      ]
    : headParts;
  let v = 0n;
  for (const part of parts) v = (v << 16n) | BigInt(parseInt(part, 16));
  return v;
}

/** The canonical address of a value; `v6` says which family. */
export function valueAddress(value: bigint, v6: boolean): string {
  if (!v6) {
    const o: number[] = [];
    for (let i = 3; i >= 0; i--) o.push(Number((value >> BigInt(i * 8)) & 0xffn));
    return o.join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return canonicalAddress(groups.join(':')) ?? groups.join(':');
}

/** Orders two canonical addresses: IPv4 before IPv6, then numerically. */
export function compareAddresses(a: string, b: string): number {
  const a6 = a.includes(':');
  const b6 = b.includes(':');
  if (a6 !== b6) return a6 ? 1 : -1;
  const va = addressValue(a);
  const vb = addressValue(b);
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** True when a canonical address lies within the range (same family, inclusive). */
export function rangeContains(range: AddressRange, addr: string): boolean {
  if (addr.includes(':') !== range.start.includes(':')) return false;
  const v = addressValue(addr);
  return addressValue(range.start) <= v && v <= addressValue(range.end);
}

/** The number of addresses in a range, for "most specific" comparisons. */
export function rangeSize(range: AddressRange): bigint {
  return addressValue(range.end) - addressValue(range.start) + 1n;
}

/**
 * Reads a range `A - B` (spaces optional), tolerant as parseLooseAddress is; null when the
 * bounds are not addresses of one family or are out of order.
 */
export function parseRange(text: string): AddressRange | null {
  const dash = text.indexOf('-');
  if (dash < 0 || dash !== text.lastIndexOf('-')) return null;
  const start = parseLooseAddress(text.slice(0, dash));
  const end = parseLooseAddress(text.slice(dash + 1));
  if (start === null || end === null) return null;
  if (start.includes(':') !== end.includes(':')) return null;
  if (addressValue(start) > addressValue(end)) return null;
  return { start, end };
}

/**
 * Reads a prefix as registries print it: `74.125.0.0/16`, zero-padded IPv6 (`2001:0240:010c::/48`),
 * and LACNIC's abbreviated IPv4 (`200.57.128/19`, `190.46/15`). Host bits are cleared. Returns the
 * range it covers, or null.
 */
export function parseLoosePrefix(text: string): AddressRange | null {
  const m = /^\s*([0-9a-fA-F:.]+)\/(\d{1,3})\s*$/.exec(text);
  if (m === null) return null;
  let addrText = m[1] ?? '';
  const bits = Number(m[2]);
  if (!addrText.includes(':')) {
    const parts = addrText.split('.');
    if (parts.length < 1 || parts.length > 4 || parts.some((p) => !/^\d{1,3}$/.test(p)))
      return null;
    while (parts.length < 4) parts.push('0');
    addrText = parts.join('.');
  }
  const addr = parseLooseAddress(addrText);
  if (addr === null) return null;
  const v6 = addr.includes(':');
  const width = v6 ? 128 : 32;
  if (bits > width) return null;
  const hostBits = BigInt(width - bits);
  const base = (addressValue(addr) >> hostBits) << hostBits;
  const last = base + (1n << hostBits) - 1n;
  return { start: valueAddress(base, v6), end: valueAddress(last, v6) };
}

/** The prefix text of a range that is exactly one prefix, else null. */
function singlePrefixBits(start: bigint, end: bigint, width: number): number | null {
  const size = end - start + 1n;
  if ((size & (size - 1n)) !== 0n) return null;
  const host = size.toString(2).length - 1;
  if (start % size !== 0n) return null;
  return width - host;
}

/** Splits a range into the fewest prefixes that cover it exactly, ascending. */
export function rangeToCidrs(range: AddressRange): string[] {
  const v6 = range.start.includes(':');
  const width = v6 ? 128 : 32;
  let cur = addressValue(range.start);
  const end = addressValue(range.end);
  const out: string[] = [];
  while (cur <= end) {
    let host = 0;
    // Grow the block while it stays aligned and inside the range.
    while (host < width) {
      const next = 1n << BigInt(host + 1);
      if (cur % next !== 0n || cur + next - 1n > end) break;
      host++;
    }
    out.push(`${valueAddress(cur, v6)}/${width - host}`);
    cur += 1n << BigInt(host);
  }
  return out;
}

/** The prefix a range is, when it is exactly one (`74.125.0.0/16`), else null. */
export function rangeAsPrefix(range: AddressRange): string | null {
  const v6 = range.start.includes(':');
  const bits = singlePrefixBits(addressValue(range.start), addressValue(range.end), v6 ? 128 : 32);
  return bits === null ? null : `${range.start}/${bits}`;
}
