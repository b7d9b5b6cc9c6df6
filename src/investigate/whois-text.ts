/**
 * Line-level helpers shared by the whois answer readers (ARIN, RPSL, rwhois, NIR): bounded line
 * splitting, `key: value` attributes, referral targets, rate-limit texts, and a contact list that
 * merges roles per (address, level). Everything reads attacker-writable text, so nothing here
 * uses a regex that could backtrack, and every collection is capped.
 */
import type { Contact, ContactLevel, ContactRole, Netblock } from '../core/network.js';
import { canonicalAddress } from '../core/ip.js';
import type { AddressRange } from '../core/ip-range.js';
import {
  parseLoosePrefix,
  parseRange,
  rangeContains,
  rangeSize,
  rangeToCidrs,
} from '../core/ip-range.js';
import type { AnswerFinding, Referral } from './answer-finding.js';
import { findEmails, findUrls, normalizeEmail } from '../core/email.js';

/** Answers are read up to this many characters; the rest is ignored. */
export const MAX_ANSWER_CHARS = 1 << 20;
/** Lines longer than this are skipped: no registry writes them, and they cost work. */
export const MAX_LINE_CHARS = 4096;
const MAX_CONTACTS = 64;
const MAX_HINTS = 32;

/** One `key: value` line. `key` is as written; `value` is trimmed. */
export interface Attribute {
  readonly key: string;
  readonly value: string;
}

/**
 * The answer's lines: at most MAX_ANSWER_CHARS of text, cut at LF with one trailing CR removed
 * (a CR inside a line stays, so it cannot start a line of its own), overlong lines replaced by
 * an empty-looking placeholder that is neither blank nor an attribute.
 */
export function answerLines(text: string): string[] {
  let t = text;
  if (t.length > MAX_ANSWER_CHARS) {
    const cut = t.lastIndexOf('\n', MAX_ANSWER_CHARS);
    t = t.slice(0, cut > 0 ? cut : MAX_ANSWER_CHARS);
  }
  const out: string[] = [];
  let start = 0;
  while (start <= t.length) {
    let end = t.indexOf('\n', start);
    if (end < 0) end = t.length;
    let stop = end;
    if (stop > start && t.charCodeAt(stop - 1) === 13) stop--;
    out.push(stop - start > MAX_LINE_CHARS ? OVERLONG : t.slice(start, stop));
    start = end + 1;
  }
  return out;
}

/** Stands for a skipped overlong line: not blank (objects stay whole), not an attribute. */
const OVERLONG = '\u0000overlong';

/** True for a line that separates objects (empty or only blanks). */
export function isBlank(line: string): boolean {
  return line.trim().length === 0;
}

/** True when the text holds a C0/C1 control (other than tab) or DEL: such a value is refused. */
export function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127 || (c >= 0x80 && c <= 0x9f)) return true;
  }
  return false;
}

/** True for characters allowed in an attribute name (`inet6num`, `OrgAbuseEmail`, `e-mail`). */
function isKeyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95
  );
}

/** True when the text holds a C0 control other than tab, or DEL: such a line is dropped. */
export function hasC0(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9) || c === 127) return true;
  }
  return false;
}

/**
 * Splits `key: value` at the first colon; null when the part before it is not a plain name, or
 * when the line holds a control character (a CR or NUL inside a field is an injection attempt,
 * and trimming would hide it).
 */
export function splitAttribute(line: string): Attribute | null {
  const colon = line.indexOf(':');
  if (colon <= 0 || colon > 64) return null;
  for (let i = 0; i < colon; i++) if (!isKeyChar(line.charCodeAt(i))) return null;
  if (hasC0(line)) return null;
  return { key: line.slice(0, colon), value: line.slice(colon + 1).trim() };
}

/** The first value of `key` (case-insensitive) among the attributes, or null. */
export function firstValue(attrs: readonly Attribute[], key: string): string | null {
  const k = key.toLowerCase();
  for (const a of attrs) if (a.key.toLowerCase() === k && a.value.length > 0) return a.value;
  return null;
}

/** Every value of `key` (case-insensitive), in order. */
export function allValues(attrs: readonly Attribute[], key: string): string[] {
  const k = key.toLowerCase();
  const out: string[] = [];
  for (const a of attrs) if (a.key.toLowerCase() === k && a.value.length > 0) out.push(a.value);
  return out;
}

/** A printable, short copy of answer text for `text` and `limited` fields. */
export function excerpt(text: string): string {
  const t = text.trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** An ISO 3166 code as registries write it, upper-cased; null for anything else (`FOO`). */
export function countryCode(value: string | null): string | null {
  if (value === null) return null;
  const t = value.trim();
  if (t.length !== 2) return null;
  const up = t.toUpperCase();
  for (let i = 0; i < 2; i++) {
    const c = up.charCodeAt(i);
    if (c < 65 || c > 90) return null;
  }
  return up;
}

/** An AS number from `AS2856`, `2856` or `AS15169, AS36040` (the first); null otherwise. */
export function parseAsn(value: string | null): number | null {
  if (value === null) return null;
  let t = value.trim();
  if (t.length >= 2 && t.slice(0, 2).toUpperCase() === 'AS') t = t.slice(2);
  let end = 0;
  while (end < t.length && end < 11 && t.charCodeAt(end) >= 48 && t.charCodeAt(end) <= 57) end++;
  if (end === 0 || end > 10) return null;
  const next = t.charAt(end);
  if (next !== '' && next !== ',' && next !== ' ') return null;
  const n = Number(t.slice(0, end));
  return n > 0 && n <= 4294967295 ? n : null;
}

/** The whois servers of the five RIRs, by registry name. */
export const RIR_SERVERS: Readonly<Record<string, string>> = {
  arin: 'whois.arin.net',
  ripe: 'whois.ripe.net',
  apnic: 'whois.apnic.net',
  lacnic: 'whois.lacnic.net',
  afrinic: 'whois.afrinic.net',
};

const SERVER_REGISTRY: Readonly<Record<string, string>> = {
  'whois.arin.net': 'arin',
  'whois.ripe.net': 'ripe',
  'whois.apnic.net': 'apnic',
  'whois.lacnic.net': 'lacnic',
  'whois.afrinic.net': 'afrinic',
  'whois.iana.org': 'iana',
  'whois.nic.ad.jp': 'jpnic',
  'whois.nic.or.kr': 'krnic',
  'whois.kisa.or.kr': 'krnic',
  'whois.twnic.net': 'twnic',
  'whois.twnic.net.tw': 'twnic',
};

const SOURCE_REGISTRY: Readonly<Record<string, string>> = {
  RIPE: 'ripe',
  'RIPE-NONAUTH': 'ripe',
  APNIC: 'apnic',
  AFRINIC: 'afrinic',
  LACNIC: 'lacnic',
  ARIN: 'arin',
  JPNIC: 'jpnic',
  KRNIC: 'krnic',
  TWNIC: 'twnic',
  IANA: 'iana',
};

/** The registry a named server speaks for: an RIR, `iana`, an NIR, else the host itself. */
export function serverRegistry(server: string): string {
  return SERVER_REGISTRY[server] ?? server;
}

/** The registry an RPSL `source:` names (`RIPE # Filtered` → ripe, `JPNIC` → jpnic), or null. */
export function sourceRegistry(source: string | null): string | null {
  if (source === null) return null;
  let t = source.trim();
  const cut = t.search(/[\s#]/);
  if (cut >= 0) t = t.slice(0, cut);
  return SOURCE_REGISTRY[t.toUpperCase()] ?? null;
}

/** True for a DNS host name (letters, digits, hyphens; labels of 1–63; at most 253). */
function isHostName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  for (const label of text.split('.')) {
    if (label.length === 0 || label.length > 63) return false;
    if (label.startsWith('-') || label.endsWith('-')) return false;
    for (let i = 0; i < label.length; i++) {
      const c = label.charCodeAt(i);
      const ok = (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || c === 45;
      if (!ok) return false;
    }
  }
  return true;
}

/**
 * Reads a referral target: `whois://host`, `whois://host:port`, `rwhois://host:port/path`,
 * `host`, `host:port`, `[v6]:port`. Only the whois and rwhois schemes are referrals; the host must
 * be a name or an address and the port a number from 1 to 65535, else null.
 */
export function parseReferral(value: string, text: string): Referral | null {
  let rest = value.trim().toLowerCase();
  if (rest.length === 0 || rest.length > 300 || hasControl(rest)) return null;
  let protocol: 'whois' | 'rwhois' = 'whois';
  const scheme = rest.indexOf('://');
  if (scheme >= 0) {
    const name = rest.slice(0, scheme);
    if (name === 'whois') protocol = 'whois';
    else if (name === 'rwhois') protocol = 'rwhois';
    else return null;
    rest = rest.slice(scheme + 3);
  }
  const slash = rest.indexOf('/');
  if (slash >= 0) rest = rest.slice(0, slash);
  if (rest.includes('@') || rest.includes(' ') || rest.includes('\t')) return null;
  let host = rest;
  let portText: string | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return null;
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(':')) return null;
      portText = after.slice(1);
    }
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0 && colon === rest.lastIndexOf(':')) {
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    }
  }
  let port = protocol === 'rwhois' ? 4321 : 43;
  if (portText !== null) {
    if (portText.length === 0 || portText.length > 5) return null;
    for (let i = 0; i < portText.length; i++) {
      const c = portText.charCodeAt(i);
      if (c < 48 || c > 57) return null;
    }
    port = Number(portText);
    if (port < 1 || port > 65535) return null;
  }
  const addr = canonicalAddress(host);
  if (addr === null && !isHostName(host)) return null;
  return { protocol, host: addr ?? host, port, text: excerpt(text) };
}

/**
 * Phrases servers send when they limit or refuse a query (RIPE `%ERROR:201`, LACNIC, the texts
 * of servers/limit-reached-messages.json), lower case. Looked for only in comment lines and
 * lines that are not attributes, so a remark cannot set it.
 */
const LIMIT_PHRASES: readonly string[] = [
  '%error:201',
  'access denied',
  'temporarily denied',
  'query rate limit exceeded',
  'rate limit exceeded',
  'limit exceeded',
  'has reached rate limit',
  'access is too fast',
  'too many connection attempts',
  'too many requests',
  'too many queries',
  'queries exceeded',
  'requests of this client are not permitted',
  'unable to process your request at this time',
  'closing connections because of timeout',
  '**denied**',
  '400 bad request',
  'does not contain all data',
];

/** The line that says the server limited or refused the answer, or null. */
export function limitedText(lines: readonly string[]): string | null {
  for (const line of lines) {
    const t = line.trim();
    if (t.length === 0 || t.length > 400) continue;
    const comment = t.startsWith('%') || t.startsWith('#');
    if (!comment && splitAttribute(t) !== null) continue;
    const low = t.toLowerCase();
    for (const phrase of LIMIT_PHRASES) if (low.includes(phrase)) return excerpt(t);
  }
  return null;
}

/** A registry field value as an e-mail address, or null (never a URL, never with controls). */
export function fieldEmail(value: string): string | null {
  if (value.includes('://') || value.startsWith('/') || hasControl(value)) return null;
  return normalizeEmail(value);
}

interface ContactDraft {
  email: string;
  roles: ContactRole[];
  source: string;
  structured: boolean;
  level: ContactLevel;
}

/**
 * Contacts in order of first appearance, one per (address, level) with the roles merged, and
 * the URLs of remarks as hints. Capped, so a hostile answer cannot grow it without bound.
 */
export class ContactCollector {
  private readonly drafts: ContactDraft[] = [];
  private readonly byKey = new Map<string, ContactDraft>();
  private readonly hintList: string[] = [];

  /** Adds a structured field's address (ignored when it is not a plain address). */
  add(value: string, role: ContactRole | null, level: ContactLevel, source: string): void {
    const email = fieldEmail(value);
    if (email !== null) this.put(email, role, level, source, true);
  }

  /** Adds every address and URL of a remark, comment or descr line. */
  addRemark(text: string, source: string): void {
    if (hasControl(text)) return;
    const low = text.toLowerCase();
    const aboutAbuse = low.includes('abuse') || low.includes('spam');
    for (const email of findEmails(text)) {
      const role: ContactRole | null =
        aboutAbuse || email.toLowerCase().startsWith('abuse') ? 'abuse' : null;
      this.put(email, role, 'remark', source, false);
    }
    for (const url of findUrls(text)) {
      // A URL with user information is a phishing shape, not an abuse form.
      if (url.includes('@') || this.hintList.includes(url) || this.hintList.length >= MAX_HINTS)
        continue;
      this.hintList.push(url);
    }
  }

  private put(
    email: string,
    role: ContactRole | null,
    level: ContactLevel,
    source: string,
    structured: boolean,
  ): void {
    const key = `${level} ${email.toLowerCase()}`;
    let draft = this.byKey.get(key);
    if (draft === undefined) {
      if (this.drafts.length >= MAX_CONTACTS) return;
      draft = { email, roles: [], source, structured, level };
      this.byKey.set(key, draft);
      this.drafts.push(draft);
    }
    if (role !== null && !draft.roles.includes(role)) draft.roles.push(role);
  }

  /** The contacts gathered so far. */
  contacts(): Contact[] {
    return this.drafts.map((d) => ({ ...d, roles: [...d.roles] }));
  }

  /** The URLs gathered so far. */
  hints(): string[] {
    return [...this.hintList];
  }
}

/** One network an answer describes, with what it says about contacts, stubs and referrals. */
export interface NetCandidate {
  readonly range: AddressRange;
  readonly name: string | null;
  readonly handle: string | null;
  readonly org: string | null;
  readonly country: string | null;
  readonly registry: string | null;
  /** Adds this network's contacts and hints; `note` marks a less specific network's. */
  readonly collect: (into: ContactCollector, note: string) => void;
}

/** The networks that contain the address, most specific first (ties keep answer order). */
export function containingNets<T extends NetCandidate>(nets: readonly T[], address: string): T[] {
  const inside = address === '' ? [...nets] : nets.filter((n) => rangeContains(n.range, address));
  const sized = inside.map((net, i) => ({ net, i, size: rangeSize(net.range) }));
  sized.sort((a, b) => (a.size < b.size ? -1 : a.size > b.size ? 1 : a.i - b.i));
  return sized.map((s) => s.net);
}

/** How many containing networks lend their contacts (the most specific, then its parents). */
const MAX_NETS_COLLECTED = 8;

/** The netblock, contacts and hints of the containing networks, most specific first. */
export function describeNets(containing: readonly NetCandidate[]): {
  netblock: Netblock | null;
  contacts: Contact[];
  hints: string[];
} {
  const best = containing[0];
  if (best === undefined) return { netblock: null, contacts: [], hints: [] };
  const into = new ContactCollector();
  containing.slice(0, MAX_NETS_COLLECTED).forEach((net, i) => {
    net.collect(into, i === 0 ? '' : ` (less specific ${net.name ?? net.range.start})`);
  });
  const netblock: Netblock = {
    start: best.range.start,
    end: best.range.end,
    cidrs: rangeToCidrs(best.range),
    name: best.name,
    handle: best.handle,
    org: best.org,
    country: best.country,
    registry: best.registry,
  };
  return { netblock, contacts: into.contacts(), hints: into.hints() };
}

/** Reads `A - B` or a prefix (`10.0.0.0/8`, LACNIC `200.57.128/19`, `2001:0240::/32`). */
export function parseNetRange(value: string): AddressRange | null {
  const t = value.trim();
  if (t.length === 0 || t.length > 120) return null;
  return t.includes('-') ? parseRange(t) : parseLoosePrefix(t);
}

/** What one format's reader finds; extractWhois adds the server and the limit text. */
export type WhoisReading = Omit<AnswerFinding, 'server' | 'limited'>;
