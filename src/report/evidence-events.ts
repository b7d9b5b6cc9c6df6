import type { Event } from '../core/event.js';
import type { Evidence, Incident } from '../core/incident.js';
import { printable } from '../core/printable.js';
import { zone } from '../core/time.js';
import { LineParser, newSourceState } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';

/** One evidence line with what the line parser reads from it again (null when nothing). */
export interface EvidenceEvent {
  readonly evidence: Evidence;
  /** The line's event when it parses and names the incident's source, else null. */
  readonly event: Event | null;
}

let parser: LineParser | null = null;
const cache = new WeakMap<Incident, readonly EvidenceEvent[]>();

/**
 * An incident's evidence lines read again by the same parsers that produced them, so reports
 * can state ports, protocol, destination and TCP flags. Incidents keep only the line text; the
 * fields are taken from the positions the daemon writes them (never from free text), and a line
 * whose parsed source is not the incident's source contributes no fields.
 */
export function evidenceEvents(incident: Incident): readonly EvidenceEvent[] {
  const hit = cache.get(incident);
  if (hit !== undefined) return hit;
  parser ??= new LineParser(parserDefinitions());
  const utc = zone('UTC');
  const out: EvidenceEvent[] = [];
  for (const evidence of incident.evidence) {
    // The line's own time is already in `evidence.at`; the context only lets the envelope parse.
    const state = newSourceState({
      source: evidence.source,
      zone: utc,
      now: evidence.at ?? incident.lastSeen,
    });
    const ev = parser.parse(evidence.text, evidence.line, state);
    const ours =
      ev !== null &&
      (incident.src !== null ? ev.src === incident.src : ev.srcHost === incident.srcHost);
    out.push({ evidence, event: ours ? ev : null });
  }
  cache.set(incident, out);
  return out;
}

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
