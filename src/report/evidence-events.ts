import type { Event } from '../core/event.js';
import type { Evidence, Incident } from '../core/incident.js';
import { printable } from '../core/printable.js';

/** One evidence line with what the line parser reads from it again. */
export interface EvidenceEvent {
  readonly evidence: Evidence;
  /** The line's event when it parses and names the incident's source, else null. */
  readonly event: Event | null;
  /** The host that logged the line (its syslog header's host field), else null. */
  readonly loggedBy: string | null;
}

/**
 * An incident's evidence lines read again by the parsers that produced them, so that reports
 * can state ports, protocol, destination and TCP flags (incidents keep only the line text).
 * report/ may import only core/, so the reader is handed in: app/evidence-reader.ts is the one
 * the commands use.
 */
export type EvidenceReader = (incident: Incident) => readonly EvidenceEvent[];

/** Longest evidence line written into a report, in characters (after escaping). */
export const MAX_EVIDENCE_LINE = 1024;

const TRUNCATED = ' [truncated]';

/**
 * One evidence line as it may leave the house: redacted (on the text as logged, so the rules
 * match), then control characters made visible (`\x1b`, `\x0a`: one evidence line stays one
 * line and cannot drive a terminal), then cut to MAX_EVIDENCE_LINE characters.
 */
export function safeEvidenceLine(text: string, redact: (text: string) => string): string {
  const clean = printable(redact(text));
  if (clean.length <= MAX_EVIDENCE_LINE) return clean;
  let cut = MAX_EVIDENCE_LINE - TRUNCATED.length;
  const last = clean.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut--;
  return clean.slice(0, cut) + TRUNCATED;
}

/** The IANA protocol name of an event's transport, as X-ARF and DShield spell it. */
export type Transport = 'tcp' | 'udp' | 'icmp' | 'sctp';

/** Services that reportable parses from daemons that speak TCP only. */
const TCP_SERVICES: ReadonlySet<string> = new Set([
  'ssh', 'ftp', 'telnet', 'smtp', 'submission', 'smtps', 'pop3', 'pop3s', 'imap', 'imaps',
  'http', 'https', 'http-alt', 'https-alt', 'mysql', 'postgresql', 'mssql', 'rdp', 'vnc',
  'ldap', 'ldaps', 'redis', 'mongodb', 'elasticsearch', 'rsync', 'pptp', 'microsoft-ds',
  'netbios-ssn', 'msrpc', 'socks', 'mqtt', 'oracle',
]); // prettier-ignore

/** Services that run over UDP (a probe of them without a logged protocol is UDP). */
const UDP_SERVICES: ReadonlySet<string> = new Set([
  'ntp', 'snmp', 'tftp', 'netbios-ns', 'netbios-dgm', 'sip', 'syslog',
]); // prettier-ignore

/**
 * The transport of one event: the protocol the log names (a firewall's `PROTO=`), else the one
 * its service runs over, else null (DNS, for one, is both).
 */
export function transportOf(ev: Event): Transport | null {
  const p = ev.proto;
  if (p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'sctp') return p;
  if (p === 'ipv6-icmp' || p === 'icmpv6' || p === '1' || p === '58') return 'icmp';
  if (p === '6') return 'tcp';
  if (p === '17') return 'udp';
  if (p === '132') return 'sctp';
  if (ev.service !== null) {
    if (TCP_SERVICES.has(ev.service)) return 'tcp';
    if (UDP_SERVICES.has(ev.service)) return 'udp';
  }
  return null;
}

/** True when the service is one that runs over UDP. */
export function isUdpService(service: string): boolean {
  return UDP_SERVICES.has(service);
}
