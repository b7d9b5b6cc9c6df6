import { formatDuration } from '../core/duration.js';
import type { Incident } from '../core/incident.js';
import { isoUtc } from '../core/time.js';
import { LIST_CAPS } from './activity-tally.js';

/** Prefix of the summary reason (recomputed when incidents are merged). */
export const SUMMARY_PREFIX = 'In all: ';
/** Prefix of the severity reason. */
export const SEVERITY_PREFIX = 'Severity ';

/**
 * The same string, flattened. V8 keeps a string built with `+` or a template as a tree of its
 * pieces until something reads its characters, which makes it copy the tree into one string in
 * place. A draft's reasons are such trees, and they live through several young-generation
 * collections before the caller takes the batch, each copying every piece: flattening them as
 * the draft is made halved those collections' time during composition (1M-line benchmark).
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** A count with thousands separators: `1,240`. */
export function formatCount(n: number): string {
  const r = Math.round(n);
  // Most counts need no separator (and building one digit at a time allocated per digit).
  if (r > -1000 && r < 1000) return String(r);
  const s = String(r);
  const neg = s.startsWith('-');
  const digits = neg ? s.slice(1) : s;
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return neg ? `-${out}` : out;
}

/** A count and a noun in the right number: `1 port`, `23 ports`. */
export function counted(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Text from a log cut for a sentence (names can be long or hostile). */
export function shortText(s: string, max = 40): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Texts already made for a sentence, joined: `a, b, c`, and `and N more` when they stand for
 * `total` values. Built in one pass: slice, map and join made two arrays and a closure per list,
 * and every reason of every incident has one or two lists.
 */
function joined(shown: readonly string[], total: number): string {
  let out = '';
  for (let i = 0; i < shown.length; i++) out = i === 0 ? shown[i]! : `${out}, ${shown[i]}`;
  return shown.length < total ? `${out} and ${formatCount(total - shown.length)} more` : out;
}

/** A list for a sentence: `root, admin, test` or `root, admin and 5 more`. */
export function listed(values: readonly (string | number)[], max = 6): string {
  const n = values.length < max ? values.length : max;
  const shown = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    shown[i] = typeof v === 'number' ? String(v) : shortText(v);
  }
  return joined(shown, values.length);
}

/**
 * True for a plain user name: 1 to 40 of `A-Z a-z 0-9 _ . @ + -` (the regex
 * `/^[\w.@+-]{1,40}$/`, as a loop: it runs for every name shown in every reason).
 */
function plainName(u: string): boolean {
  if (u.length === 0 || u.length > 40) return false;
  for (let i = 0; i < u.length; i++) {
    const c = u.charCodeAt(i);
    const ok =
      (c >= 97 && c <= 122) || // a-z
      (c >= 65 && c <= 90) || // A-Z
      (c >= 48 && c <= 57) || // 0-9
      c === 95 || // _
      c === 46 || // .
      c === 64 || // @
      c === 43 || // +
      c === 45; // -
    if (!ok) return false;
  }
  return true;
}

/**
 * User names for a sentence. A name is written by the attacker and may be made to read like
 * part of the sentence (`from 192.0.2.1 port 22`): anything but a plain name is quoted.
 */
export function listedUsers(users: readonly string[], max = 6): string {
  // Only the names shown are looked at. A quoted name is cut before quoting, never after (a cut
  // would drop the closing quote).
  const n = users.length < max ? users.length : max;
  const shown = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const u = users[i]!;
    shown[i] = plainName(u) ? u : JSON.stringify(shortText(u));
  }
  return joined(shown, users.length);
}

/** An instant for a sentence: ISO 8601 UTC. */
export function instant(ms: number): string {
  return isoUtc(ms);
}

/** How people call a service in a sentence (`SMTP`, `ICMP echo (ping)`); others as logged. */
export function serviceLabel(service: string): string {
  return SERVICE_LABELS[service] ?? service;
}

const SERVICE_LABELS: Record<string, string> = {
  smtp: 'SMTP',
  http: 'HTTP',
  https: 'HTTPS',
  'icmp-echo': 'ICMP echo (ping)',
  icmp: 'ICMP',
  ftp: 'FTP',
  ssh: 'SSH',
  telnet: 'telnet',
  dns: 'DNS',
};

/** A port for a sentence: `23/tcp telnet`, `161/udp`, `23`. */
export function portLabel(port: number, proto: string | null, service: string | null): string {
  const base = proto === 'tcp' || proto === 'udp' ? `${port}/${proto}` : String(port);
  return service !== null ? `${base} ${service}` : base;
}

/** The time an activity took: `within 40 s`, or `at 2026-11-26T10:00:00Z` for one instant. */
export function timeSpan(first: number, last: number): string {
  return last > first ? `within ${formatDuration(last - first)}` : `at ${instant(first)}`;
}

/** The fields a summary is computed from. */
export type SummaryFields = Pick<
  Incident,
  'events' | 'ports' | 'targets' | 'services' | 'users' | 'firstSeen' | 'lastSeen'
>;

/**
 * The summary reason, from an incident's own fields only (so merging recomputes it):
 * `In all: 6 events, 1 target (gw), service ssh, 4 user names (root, admin, test, oracle),
 * from 2026-11-26T04:12:09Z to 2026-11-26T04:14:30Z (2 min)`.
 */
export function summaryReason(f: SummaryFields): string {
  const parts = [counted(f.events, 'event', 'events')];
  if (f.ports.length > 0) {
    const n = f.ports.length >= LIST_CAPS.ports ? `at least ${formatCount(f.ports.length)}` : null;
    parts.push(
      `${n ?? formatCount(f.ports.length)} ${f.ports.length === 1 ? 'port' : 'ports'} (${listed(f.ports, 12)})`,
    );
  }
  if (f.targets.length > 0) {
    parts.push(`${counted(f.targets.length, 'target', 'targets')} (${listed(f.targets, 6)})`);
  }
  if (f.services.length > 0) {
    parts.push(`${f.services.length === 1 ? 'service' : 'services'} ${listed(f.services, 6)}`);
  }
  if (f.users.length > 0) {
    parts.push(
      `${counted(f.users.length, 'user name', 'user names')} (${listedUsers(f.users, 8)})`,
    );
  }
  parts.push(
    f.lastSeen > f.firstSeen
      ? `from ${instant(f.firstSeen)} to ${instant(f.lastSeen)} (${formatDuration(f.lastSeen - f.firstSeen)})`
      : `at ${instant(f.firstSeen)}`,
  );
  return SUMMARY_PREFIX + parts.join(', ');
}

/** The severity reason: `Severity 4: 100 or more failed logins`. */
export function severityReason(level: number, why: string): string {
  return `${SEVERITY_PREFIX}${level}: ${why}`;
}

/**
 * A signature for a sentence: `ftp: SITE EXEC format string` reads `FTP SITE EXEC format
 * string`; a bare classification takes its service (`HTTP path traversal`).
 */
export function signatureLabel(signature: string, service: string | null): string {
  const colon = signature.indexOf(': ');
  if (colon > 0 && colon < 16) {
    const family = signature.slice(0, colon);
    const label = FAMILY_LABELS[family] ?? family;
    return `${label} ${signature.slice(colon + 2)}`;
  }
  return service !== null ? `${serviceLabel(service)} ${signature}` : signature;
}

const FAMILY_LABELS: Record<string, string> = {
  ftp: 'FTP',
  ftpd: 'FTP',
  proftpd: 'ProFTPD',
  vsftpd: 'vsftpd',
  http: 'HTTP',
};
