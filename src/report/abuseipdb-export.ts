import type { Incident, IncidentKind } from '../core/incident.js';
import { printable } from '../core/printable.js';
import { isoUtc } from '../core/time.js';
import { safeEvidenceLine, type EvidenceReader } from './evidence-events.js';

/** AbuseIPDB category numbers reportable uses (abuseipdb.com/categories). */
export const ABUSEIPDB = {
  ddos: 4,
  ftpBruteForce: 5,
  portScan: 14,
  hacking: 15,
  sqlInjection: 16,
  bruteForce: 18,
  webAppAttack: 21,
  ssh: 22,
} as const;

/** Longest comment AbuseIPDB keeps, in UTF-8 bytes (longer ones are cut by the service). */
export const MAX_COMMENT_BYTES = 1024;

const WEB = new Set(['http', 'https', 'http-alt', 'https-alt']);

/**
 * AbuseIPDB categories for an incident, ascending: brute force 18 (+22 SSH, +5 FTP, +21 on a
 * web service); port scan, sweep and probe 14; DoS 4; exploit 15 (+21 on a web service, +16
 * when the evidence shows SQL injection). 22 (SSH) is added to any kind aimed at SSH, as
 * AbuseIPDB asks it be combined with a specific category.
 */
export function abuseIpdbCategories(incident: Incident, read: EvidenceReader): number[] {
  const out = new Set<number>();
  const services = incident.services;
  const web = services.some((s) => WEB.has(s));
  switch (incident.kind) {
    case 'brute-force':
      out.add(ABUSEIPDB.bruteForce);
      if (services.includes('ftp')) out.add(ABUSEIPDB.ftpBruteForce);
      if (web) out.add(ABUSEIPDB.webAppAttack);
      break;
    case 'port-scan':
    case 'sweep':
    case 'probe':
      out.add(ABUSEIPDB.portScan);
      break;
    case 'dos':
      out.add(ABUSEIPDB.ddos);
      break;
    case 'exploit':
      out.add(ABUSEIPDB.hacking);
      if (web) out.add(ABUSEIPDB.webAppAttack);
      if (read(incident).some((e) => e.event?.signature === 'sql injection')) {
        out.add(ABUSEIPDB.sqlInjection);
      }
      break;
  }
  if (services.includes('ssh')) out.add(ABUSEIPDB.ssh);
  return [...out].sort((a, b) => a - b);
}

const KIND_TEXT: Record<IncidentKind, [string, string]> = {
  'brute-force': ['Brute force', 'failed logins'],
  'port-scan': ['Port scan', 'blocked packets or refused connections'],
  sweep: ['Sweep of several hosts', 'attempts'],
  probe: ['Probe', 'refused or dropped attempts'],
  dos: ['Flood', 'requests or packets'],
  exploit: ['Exploit attempts', 'attempts'],
};

/**
 * The comment for one incident: what, how many, when (UTC), ports and services, then as many
 * evidence lines as fit. Redacted, control characters escaped (no CR/LF), at most
 * MAX_COMMENT_BYTES of UTF-8.
 */
export function abuseIpdbComment(incident: Incident, redact: (t: string) => string): string {
  const [what, noun] = KIND_TEXT[incident.kind];
  let s = `${what}: ${incident.events} ${noun}`;
  if (incident.ports.length > 0) {
    const more = incident.ports.length > 8 || incident.truncated ? ' and more' : '';
    s += ` on port${incident.ports.length === 1 ? '' : 's'} ${incident.ports.slice(0, 8).join(', ')}${more}`;
  }
  if (incident.services.length > 0) s += ` (${incident.services.slice(0, 6).join(', ')})`;
  s += `, ${isoUtc(incident.firstSeen)} to ${isoUtc(incident.lastSeen)} UTC.`;
  // printable escapes every control character, so CR and LF too: a comment is one line.
  let comment = printable(redact(s));
  for (const e of incident.evidence) {
    const line = safeEvidenceLine(e.text, redact);
    const next = `${comment} Log: ${line}`;
    if (Buffer.byteLength(next, 'utf8') > MAX_COMMENT_BYTES) {
      // The first line is worth a cut copy; later ones are left out whole.
      if (e === incident.evidence[0]) comment = cutBytes(next, MAX_COMMENT_BYTES);
      break;
    }
    comment = next;
  }
  return cutBytes(comment, MAX_COMMENT_BYTES);
}

/** The longest prefix of at most `max` UTF-8 bytes that does not split a character. */
function cutBytes(text: string, max: number): string {
  if (Buffer.byteLength(text, 'utf8') <= max) return text;
  const ellipsis = '…'; // 3 bytes
  let t = text.slice(0, max);
  while (Buffer.byteLength(t, 'utf8') > max - 3) t = t.slice(0, -1);
  const last = t.charCodeAt(t.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) t = t.slice(0, -1);
  return t + ellipsis;
}

/** One CSV field, quoted (RFC 4180: quotes doubled). */
function quoted(field: string): string {
  return `"${field.replaceAll('"', '""')}"`;
}

/**
 * AbuseIPDB's bulk-report CSV: header `IP,Categories,ReportDate,Comment`, one row per incident
 * that has a source address (incidents naming only a host are left out), ReportDate the
 * incident's last event in ISO 8601 UTC. Rows end in LF; every row ends in one.
 */
export function abuseIpdbCsv(
  incidents: readonly Incident[],
  redact: (t: string) => string,
  read: EvidenceReader,
): string {
  let out = 'IP,Categories,ReportDate,Comment\n';
  for (const incident of incidents) {
    if (incident.src === null) continue;
    const categories = abuseIpdbCategories(incident, read).join(',');
    out += `${incident.src},${quoted(categories)},${isoUtc(incident.lastSeen)},${quoted(abuseIpdbComment(incident, redact))}\n`;
  }
  return out;
}
