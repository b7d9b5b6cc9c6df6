import { addressBytes, cidrContains, parseCidr } from '../core/cidr.js';
import type { Cidr } from '../core/cidr.js';
import { canonicalAddress, canonicalIPv4 } from '../core/ip.js';

/** What of the reporter's own must never leave in a report (config `report.redact`). */
export interface RedactionRules {
  /** The reporter's addresses or CIDR blocks (IPv4 or IPv6). */
  readonly addresses: readonly string[];
  /** The reporter's host or domain names: a name also covers its subdomains. */
  readonly hostnames: readonly string[];
  /** The reporter's user names (matched as whole words, case-insensitive). */
  readonly users: readonly string[];
  /** Redact each incident's targets (the reporter's own addresses and logging hosts). */
  readonly targets: boolean;
}

/** Text that replaces a redacted address. */
export const REDACTED_ADDRESS = '[redacted-address]';
/** Text that replaces a redacted host name. */
export const REDACTED_HOST = '[redacted-host]';
/** Text that replaces a redacted user name. */
export const REDACTED_USER = '[redacted-user]';

interface Span {
  start: number;
  end: number;
  label: string;
}

/**
 * Builds the redactor for one report: the rules' addresses, host names and users, plus (when
 * `rules.targets` is set) the incident's targets, plus `extra.hosts` (e.g. the logging hosts of
 * the evidence lines). Matches are found on the original text in one pass per kind and replaced
 * together, so a replacement never creates a new match; the cost is linear in the text for a
 * given set of rules.
 */
export function buildRedactor(
  rules: RedactionRules,
  extra?: { targets?: readonly string[]; hosts?: readonly string[] },
): (text: string) => string {
  const blocks: Cidr[] = [];
  const hosts = new Set<string>();
  const addAddressOrHost = (value: string, asHost: boolean): void => {
    const v = value.trim();
    if (v === '') return;
    const block = parseCidr(canonicalAddress(v) ?? v);
    if (block !== null) blocks.push(block);
    else if (asHost) {
      let name = v.toLowerCase();
      while (name.endsWith('.')) name = name.slice(0, -1);
      if (name !== '') hosts.add(name);
    }
  };
  for (const a of rules.addresses) addAddressOrHost(a, false);
  for (const h of rules.hostnames) addAddressOrHost(h, true);
  if (rules.targets) for (const t of extra?.targets ?? []) addAddressOrHost(t, true);
  for (const h of extra?.hosts ?? []) addAddressOrHost(h, true);
  const users = [...new Set(rules.users.map((u) => u.trim().toLowerCase()).filter((u) => u))];
  const hostList = [...hosts];
  if (blocks.length === 0 && hostList.length === 0 && users.length === 0) return (t) => t;

  const addressMatches = (bytes: readonly number[] | null): boolean =>
    bytes !== null && blocks.some((b) => cidrContains(b, bytes));

  return (text: string): string => {
    const spans: Span[] = [];
    if (blocks.length > 0) findAddresses(text, addressMatches, spans);
    if (hostList.length > 0) {
      const lower = text.toLowerCase();
      // toLowerCase keeps UTF-16 length for everything but a few rare letters; positions are
      // only trusted when it did.
      if (lower.length === text.length) findHosts(lower, hostList, spans);
    }
    if (users.length > 0) {
      const lower = text.toLowerCase();
      if (lower.length === text.length) findUsers(lower, users, spans);
    }
    return spans.length === 0 ? text : applySpans(text, spans);
  };
}

/** Replaces the spans (overlapping ones merged, the earliest label kept) in one pass. */
function applySpans(text: string, spans: Span[]): string {
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < spans.length) {
    const first = spans[i] as Span;
    let end = first.end;
    i++;
    while (i < spans.length && (spans[i] as Span).start < end) {
      end = Math.max(end, (spans[i] as Span).end);
      i++;
    }
    out += text.slice(pos, first.start) + first.label;
    pos = end;
  }
  return out + text.slice(pos);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isHexLetter = (c: number): boolean => (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
/** Characters an address written in a log can consist of: hex digits, `:` and `.`. */
const isAddressChar = (c: number): boolean => isDigit(c) || isHexLetter(c) || c === 58 || c === 46;

/**
 * Finds every address in the text that the predicate accepts. A run of address characters is
 * read whole, so an address inside a longer number (`1192.0.2.10`, `192.0.2.10.5`) is not one;
 * inside the run, IPv6 (also `::ffff:` mapped forms) is tried first, then dotted quads between
 * colons (`192.0.2.10:22`, `addr:192.0.2.10`).
 */
function findAddresses(
  text: string,
  accept: (bytes: readonly number[] | null) => boolean,
  spans: Span[],
): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isAddressChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    while (end < n && isAddressChar(text.charCodeAt(end))) end++;
    scanRun(text, i, end, accept, spans);
    i = end;
  }
}

function scanRun(
  text: string,
  start: number,
  end: number,
  accept: (bytes: readonly number[] | null) => boolean,
  spans: Span[],
): void {
  // Trailing sentence punctuation (`from 192.0.2.10.` or `2001:db8::1:`) is not part of it.
  let trimmed = end;
  while (trimmed > start && text.charCodeAt(trimmed - 1) === 46) trimmed--;
  const run = text.slice(start, trimmed);
  if (run.indexOf(':') >= 0 && run.length <= 64) {
    let bare = run.length;
    while (bare > 0 && run.charCodeAt(bare - 1) === 58) bare--;
    for (const candidate of [run, run.slice(0, bare)]) {
      const v6 = candidate.length > 2 ? canonicalAddress(candidate) : null;
      if (v6 !== null && candidate.indexOf(':') >= 0) {
        if (accept(addressBytes(v6))) {
          spans.push({ start, end: start + candidate.length, label: REDACTED_ADDRESS });
        }
        return;
      }
    }
  }
  // Dotted quads between colons, hex letters stripped from either side (`SRC` is not hex, but
  // `ed:` of `closed:` is).
  let segStart = start;
  for (let k = start; k <= trimmed; k++) {
    if (k < trimmed && text.charCodeAt(k) !== 58) continue;
    let a = segStart;
    let b = k;
    while (a < b && isHexLetter(text.charCodeAt(a))) a++;
    while (b > a && isHexLetter(text.charCodeAt(b - 1))) b--;
    if (b - a >= 7 && b - a <= 15) {
      const v4 = canonicalIPv4(text.slice(a, b));
      if (v4 !== null && accept(addressBytes(v4))) {
        spans.push({ start: a, end: b, label: REDACTED_ADDRESS });
      }
    }
    segStart = k + 1;
  }
}

/** Letters, digits, `-` and `_`: characters a host name label or a user name continues with. */
const isNameChar = (c: number): boolean =>
  isDigit(c) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 45 || c === 95;

/**
 * Host names, case-insensitive (the text is lower case here), on label boundaries: the name
 * must not continue a label on either side, nor be followed by a further label
 * (`gw.example.org.evil.net` is someone else's). A match preceded by subdomain labels
 * (`mail.gw.example.org`) takes them with it.
 */
function findHosts(lower: string, names: readonly string[], spans: Span[]): void {
  for (const name of names) {
    let from = 0;
    let floor = 0;
    for (;;) {
      const at = lower.indexOf(name, from);
      if (at < 0) break;
      const end = at + name.length;
      from = at + 1;
      if (at > 0 && isNameChar(lower.charCodeAt(at - 1))) continue;
      if (end < lower.length && isNameChar(lower.charCodeAt(end))) continue;
      if (lower.charCodeAt(end) === 46 && isNameChar(lower.charCodeAt(end + 1))) continue;
      let start = at;
      // Take preceding subdomain labels; bounded by the previous match of this name, so the
      // text is walked back over at most once per name.
      while (
        start - 1 > floor &&
        lower.charCodeAt(start - 1) === 46 &&
        isNameChar(lower.charCodeAt(start - 2))
      ) {
        let k = start - 2;
        while (k > floor && isNameChar(lower.charCodeAt(k - 1))) k--;
        start = k;
      }
      spans.push({ start, end, label: REDACTED_HOST });
      from = end;
      floor = end;
    }
  }
}

/** User names as whole words, case-insensitive (the text is lower case here). */
function findUsers(lower: string, users: readonly string[], spans: Span[]): void {
  const isWordChar = (k: number): boolean => {
    const c = lower.charCodeAt(k);
    if (isNameChar(c)) return true;
    // A dot inside a name (`alice.smith`) continues it; one ending a sentence does not.
    return c === 46 && isNameChar(lower.charCodeAt(k - 1)) && isNameChar(lower.charCodeAt(k + 1));
  };
  for (const user of users) {
    let from = 0;
    for (;;) {
      const at = lower.indexOf(user, from);
      if (at < 0) break;
      const end = at + user.length;
      from = at + 1;
      if (at > 0 && isWordChar(at - 1)) continue;
      if (end < lower.length && isWordChar(end)) continue;
      spans.push({ start: at, end, label: REDACTED_USER });
      from = end;
    }
  }
}
