import { createHash } from 'node:crypto';
import type { Event } from '../core/event.js';
import type { Incident, IncidentKind } from '../core/incident.js';
import { canonicalAddress } from '../core/ip.js';
import type { Network } from '../core/network.js';
import { printable } from '../core/printable.js';
import type { XarfReport } from '../core/report.js';
import { isoUtc } from '../core/time.js';
import {
  type EvidenceReader,
  isUdpService,
  safeEvidenceLine,
  transportOf,
  type Transport,
} from './evidence-events.js';

/** The X-ARF version written (the schemas in ../shared/corpus/xarf are 4.2.0). */
export const XARF_VERSION = '4.2.0';

/** Who files the report: X-ARF's `reporter` and `sender` (the same party for reportable). */
export interface XarfReporter {
  readonly organization: string | null;
  readonly email: string;
  readonly name: string | null;
  readonly domain: string | null;
}

/** What incidentToXarf needs besides the incident: identity, clock, ids and the redactor. */
export interface XarfOptions {
  readonly reporter: XarfReporter;
  /** Epoch ms of composing: the report's `timestamp`. */
  readonly now: number;
  /** The report (memo) the X-ARF part belongs to; with the incident id it makes `report_id`. */
  readonly reportId: string;
  /** redacts evidence text (the reporter's own addresses, hosts, users) */
  readonly redact: (text: string) => string;
  /** Reads the evidence lines again (their ports, protocol, flags). */
  readonly read: EvidenceReader;
  /** Attach the evidence lines (default true). */
  readonly includeEvidence?: boolean;
}

/** The X-ARF 4 connection types reportable sends. */
export type XarfConnectionType =
  'login_attack' | 'port_scan' | 'ddos' | 'reconnaissance' | 'vulnerability_scan' | 'sql_injection';

/** Evidence lines attached at most (X-ARF allows 50 items; all lines go into one item). */
const MAX_EVIDENCE_LINES = 200;
/** Resources, ports and services listed at most in one report. */
const MAX_LISTED = 50;
/** Longest probed resource (an HTTP path) written, in characters. */
const MAX_RESOURCE = 200;

/**
 * The X-ARF category and type of an incident: brute force → login_attack, port scan →
 * port_scan, DoS → ddos, probe and sweep → reconnaissance, exploit → vulnerability_scan, or
 * sql_injection when every exploit attempt in the evidence is an SQL injection. A probe or
 * sweep whose evidence is ICMP only is a port_scan: reconnaissance allows only TCP and UDP.
 */
export function xarfType(
  incident: Incident,
  read: EvidenceReader,
): {
  category: 'connection';
  type: XarfConnectionType;
} {
  return { category: 'connection', type: typeOf(incident, parsedEvents(incident, read)) };
}

function typeOf(incident: Incident, events: readonly Event[]): XarfConnectionType {
  switch (incident.kind) {
    case 'brute-force':
      return 'login_attack';
    case 'port-scan':
      return 'port_scan';
    case 'dos':
      return 'ddos';
    case 'probe':
    case 'sweep':
      return events.length > 0 && events.every((e) => transportOf(e) === 'icmp')
        ? 'port_scan'
        : 'reconnaissance';
    case 'exploit': {
      const attempts = events.filter((e) => e.kind === 'exploit-attempt');
      return attempts.length > 0 && attempts.every((e) => e.signature === 'sql injection')
        ? 'sql_injection'
        : 'vulnerability_scan';
    }
  }
}

/**
 * One X-ARF 4 report (category `connection`) for one incident, as a flat JSON object.
 *
 * - `report_id` is a name-based UUID (version 5) of `reportId` and the incident id: the schema
 *   wants a UUID, and composing the same draft again gives the same id.
 * - `timestamp` is `now` (when the report was written); the activity is in `first_seen` and
 *   `last_seen`.
 * - `source_port` is the first source port an evidence line names (an incident spans many
 *   connections; the evidence shows the others). When no line names one (postfix, dovecot,
 *   PAM, nginx error logs, ICMP) it is left out: the login_attack, port_scan and ddos schemas
 *   then require it and offer no "unknown" (an integer 1–65535 only), and a made-up port would
 *   send an operator's CGNAT lookup to the wrong customer. Such reports fail the type schema on
 *   that one field and nothing else.
 * - `destination_ip` only when the redactor leaves the address as it is (targets are the
 *   reporter's own); `destination_port` when one port was attacked.
 * - Attacker-written text (HTTP paths, evidence lines) is redacted, made printable and bounded.
 */
export function incidentToXarf(
  incident: Incident,
  network: Network | null,
  options: XarfOptions,
): XarfReport {
  const events = parsedEvents(incident, options.read);
  const type = typeOf(incident, events);
  const contact = contactInfo(options.reporter);
  const source = incident.src ?? printable(incident.srcHost ?? 'unknown').slice(0, 253);
  const protocol = protocolOf(incident, events, type);
  const report: Record<string, unknown> = {
    xarf_version: XARF_VERSION,
    report_id: nameUuid(JSON.stringify([options.reportId, incident.id])),
    timestamp: isoUtc(options.now),
    reporter: contact,
    sender: contact,
    source_identifier: source,
  };
  const sourcePort = firstSourcePort(events);
  if (sourcePort !== null) report.source_port = sourcePort;
  report.category = 'connection';
  report.type = type;
  const evidenceSource = evidenceSourceOf(events, type);
  if (evidenceSource !== null) report.evidence_source = evidenceSource;
  const dst = destinationIp(incident, events, options.redact);
  if (dst !== null) report.destination_ip = dst;
  const dport = destinationPort(incident, events);
  if (dport !== null && type !== 'vulnerability_scan') report.destination_port = dport;
  report.protocol = protocol;
  report.first_seen = isoUtc(incident.firstSeen);
  report.last_seen = isoUtc(incident.lastSeen);
  Object.assign(report, typeFields(incident, events, type, options.redact));
  report.description = description(incident, network, options.reportId);
  if (options.includeEvidence !== false && incident.evidence.length > 0) {
    report.evidence = [evidenceItem(incident, options.redact)];
  }
  report.tags = tags(incident, type);
  report.confidence = confidence(incident, events);
  return report;
}

function parsedEvents(incident: Incident, read: EvidenceReader): Event[] {
  const out: Event[] = [];
  for (const e of read(incident)) if (e.event !== null) out.push(e.event);
  return out;
}

// --- identity -------------------------------------------------------------------------------

function contactInfo(r: XarfReporter): { org: string; contact: string; domain: string } {
  const at = r.email.lastIndexOf('@');
  const domain = (r.domain ?? (at >= 0 ? r.email.slice(at + 1) : '')).toLowerCase();
  const org = r.organization ?? r.name ?? domain;
  return { org: org.slice(0, 200), contact: r.email, domain };
}

/** A fixed namespace for reportable's name-based UUIDs (generated once, never changed). */
const NAMESPACE = Buffer.from('6f1c2a4e9b7d4c1f8e3a5d2b7c9e0f14', 'hex');

/** RFC 9562 name-based UUID (version 5, SHA-1) of the name in reportable's namespace. */
export function nameUuid(name: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// --- network facts --------------------------------------------------------------------------

function firstSourcePort(events: readonly Event[]): number | null {
  for (const e of events) {
    if (e.srcPort !== null && e.srcPort >= 1 && e.srcPort <= 65535) return e.srcPort;
  }
  return null;
}

/** The one protocol the type's schema allows that the evidence shows most. */
function protocolOf(
  incident: Incident,
  events: readonly Event[],
  type: XarfConnectionType,
): string {
  const counts = new Map<Transport, number>();
  for (const e of events) {
    const t = transportOf(e);
    if (t !== null) counts.set(t, (counts.get(t) ?? 0) + e.count);
  }
  const allowed: readonly Transport[] =
    type === 'reconnaissance' || type === 'sql_injection'
      ? ['tcp', 'udp']
      : type === 'vulnerability_scan'
        ? ['tcp', 'udp', 'icmp']
        : ['tcp', 'udp', 'icmp', 'sctp'];
  const seen = allowed.filter((t) => (counts.get(t) ?? 0) > 0);
  if (type === 'vulnerability_scan' && seen.length > 1) return 'mixed';
  let best: Transport | null = null;
  for (const t of seen) if (best === null || counts.get(t)! > counts.get(best)!) best = t;
  if (best !== null) return best;
  // Nothing logged a protocol: every login and web service reportable parses is TCP.
  if (incident.services.length > 0 && incident.services.every(isUdpService)) return 'udp';
  return 'tcp';
}

function evidenceSourceOf(events: readonly Event[], type: XarfConnectionType): string | null {
  if (events.length === 0) return null;
  if (events.every((e) => e.family === 'netfilter')) return 'firewall_logs';
  if (events.every((e) => e.family === 'ids')) return 'ids_detection';
  // ddos allows only sources of packet data; server logs are none of them.
  return type === 'ddos' ? null : 'server_logs';
}

function destinationIp(
  incident: Incident,
  events: readonly Event[],
  redact: (text: string) => string,
): string | null {
  const dsts = new Set<string>();
  for (const e of events) if (e.dst !== null) dsts.add(e.dst);
  for (const t of incident.targets) {
    const a = canonicalAddress(t);
    if (a !== null) dsts.add(a);
  }
  if (dsts.size !== 1) return null;
  const [dst] = dsts as unknown as [string];
  // The redactor knows the reporter's own addresses: one it would change stays out.
  return redact(dst) === dst ? dst : null;
}

function destinationPort(incident: Incident, events: readonly Event[]): number | null {
  const ports = new Set<number>(incident.ports);
  for (const e of events) if (e.dstPort !== null) ports.add(e.dstPort);
  if (ports.size !== 1 || incident.truncated) return null;
  const [port] = ports as unknown as [number];
  return port >= 1 && port <= 65535 ? port : null;
}

// --- type-specific fields -------------------------------------------------------------------

const TAG_WORD = /^[a-z0-9][a-z0-9_+-]{0,40}$/;
const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
const RECON_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

function typeFields(
  incident: Incident,
  events: readonly Event[],
  type: XarfConnectionType,
  redact: (text: string) => string,
): Record<string, unknown> {
  const services = incident.services.filter((s) => TAG_WORD.test(s)).slice(0, MAX_LISTED);
  const ports = incident.ports.filter((p) => p >= 1 && p <= 65535).slice(0, MAX_LISTED);
  switch (type) {
    case 'login_attack': {
      const f: Record<string, unknown> = {};
      if (services.length === 1) f.service = services[0];
      f.attempt_count = incident.events;
      return f;
    }
    case 'port_scan':
      return ports.length > 0
        ? { ports_scanned: ports, attempt_count: incident.events }
        : { attempt_count: incident.events };
    case 'ddos': {
      const f: Record<string, unknown> = {};
      const vector = attackVector(events);
      if (vector !== null) f.attack_vector = vector;
      const seconds = Math.round((incident.lastSeen - incident.firstSeen) / 1000);
      if (seconds >= 1) f.duration_seconds = seconds;
      f.attempt_count = incident.events;
      return f;
    }
    case 'reconnaissance': {
      const f: Record<string, unknown> = {
        probed_resources: probedResources(incident, events, redact),
      };
      const methods = distinct(events.map((e) => e.detail?.method ?? '')).filter((m) =>
        RECON_METHODS.has(m),
      );
      if (methods.length > 0) f.http_methods = methods;
      f.total_probes = incident.events;
      if (incident.kind === 'sweep' && incident.targets.length > 0) {
        f.targets_count = incident.targets.length;
      }
      return f;
    }
    case 'vulnerability_scan': {
      const f: Record<string, unknown> = {
        scan_type: services.some(isWeb) ? 'web_vuln_scan' : 'vulnerability_scan',
      };
      if (ports.length > 0) f.targeted_ports = ports;
      if (services.length > 0) f.targeted_services = services;
      const probed = distinct(
        events
          .filter((e) => e.signature !== null)
          .map((e) => boundedText(redact(e.signature!), 100)),
      ).slice(0, MAX_LISTED);
      if (probed.length > 0) f.vulnerabilities_probed = probed;
      f.total_requests = incident.events;
      return f;
    }
    case 'sql_injection': {
      const f: Record<string, unknown> = {};
      const methods = distinct(events.map((e) => e.detail?.method ?? '')).filter((m) =>
        HTTP_METHODS.has(m),
      );
      if (methods.length === 1) f.http_method = methods[0];
      f.attempts_count = incident.events;
      return f;
    }
  }
}

function isWeb(service: string): boolean {
  return service === 'http' || service === 'https' || service.startsWith('http-');
}

function attackVector(events: readonly Event[]): string | null {
  if (events.length === 0) return null;
  if (events.some((e) => e.kind === 'rate-limited' || e.kind === 'http-request')) {
    return 'http_flood';
  }
  const t = events.map(transportOf);
  if (t.every((x) => x === 'udp')) return 'udp_flood';
  if (t.every((x) => x === 'icmp')) return 'icmp_flood';
  const syn = (e: Event): boolean => {
    const flags = e.detail?.flags ?? '';
    return flags.includes('SYN') && !flags.includes('ACK');
  };
  if (events.every((e) => transportOf(e) === 'tcp' && syn(e))) return 'syn_flood';
  return null;
}

/**
 * What a probe or sweep asked for: HTTP paths when the evidence has them (attacker-written:
 * redacted, escaped, bounded), else `tcp/22`-style ports, else the service names.
 */
function probedResources(
  incident: Incident,
  events: readonly Event[],
  redact: (text: string) => string,
): string[] {
  const paths = distinct(
    events
      .filter((e) => e.detail?.path !== undefined)
      .map((e) => boundedText(redact(e.detail!.path!), MAX_RESOURCE)),
  );
  if (paths.length > 0) return paths.slice(0, MAX_LISTED);
  const byPort = new Map<number, Transport>();
  for (const e of events) {
    const t = transportOf(e);
    if (e.dstPort !== null && t !== null && t !== 'icmp') byPort.set(e.dstPort, t);
  }
  const tcpOnly = !incident.services.some(isUdpService);
  const ports = incident.ports.map((p) =>
    byPort.has(p) || tcpOnly ? `${byPort.get(p) ?? 'tcp'}/${p}` : `port ${p}`,
  );
  if (ports.length > 0) return ports.slice(0, MAX_LISTED);
  return incident.services.filter((s) => TAG_WORD.test(s)).slice(0, MAX_LISTED);
}

function boundedText(text: string, max: number): string {
  const p = printable(text);
  return p.length <= max ? p : p.slice(0, max - 1) + '…';
}

function distinct<T>(values: readonly T[]): T[] {
  return [...new Set(values)].filter((v) => v !== '');
}

// --- prose, evidence, tags, confidence ------------------------------------------------------

const KIND_TEXT: Record<IncidentKind, string> = {
  'brute-force': 'Repeated failed logins',
  'port-scan': 'A port scan',
  sweep: 'A sweep of several hosts',
  probe: 'Refused or dropped connection attempts',
  dos: 'A flood of requests or packets',
  exploit: 'Exploit attempts',
};

/** A sentence from reportable's own fields only (no attacker-written text), at most 1000 chars. */
function description(incident: Incident, network: Network | null, reportId: string): string {
  let s = `${KIND_TEXT[incident.kind]} from ${incident.src ?? 'the source'}`;
  if (network?.network?.cidrs[0] !== undefined) s += ` (network ${network.network.cidrs[0]})`;
  s += `: ${incident.events} event${incident.events === 1 ? '' : 's'} between ${isoUtc(incident.firstSeen)} and ${isoUtc(incident.lastSeen)}`;
  if (incident.ports.length > 0) {
    const shown = incident.ports.slice(0, 12).join(', ');
    const more = incident.ports.length > 12 || incident.truncated ? ' and more' : '';
    s += `, port${incident.ports.length === 1 ? '' : 's'} ${shown}${more}`;
  }
  const services = incident.services.filter((x) => TAG_WORD.test(x)).slice(0, 8);
  if (services.length > 0)
    s += `, service${services.length === 1 ? '' : 's'} ${services.join(', ')}`;
  s += `. Reportable report ${printable(reportId).slice(0, 80)}, incident ${printable(incident.id).slice(0, 80)}.`;
  return s.length <= 1000 ? s : s.slice(0, 999) + '…';
}

function evidenceItem(
  incident: Incident,
  redact: (text: string) => string,
): Record<string, unknown> {
  const lines = incident.evidence
    .slice(0, MAX_EVIDENCE_LINES)
    .map((e) => safeEvidenceLine(e.text, redact));
  const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
  const n = lines.length;
  return {
    content_type: 'text/plain',
    description:
      `${n} of the log lines behind ${incident.events} event${incident.events === 1 ? '' : 's'}, ` +
      'as logged (times in the log writer’s zone); the reporter’s own addresses, host names ' +
      'and user names are redacted and control characters escaped.',
    payload: bytes.toString('base64'),
    hash: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: bytes.length,
  };
}

const KIND_TAG: Record<IncidentKind, string> = {
  'brute-force': 'brute_force',
  'port-scan': 'port_scan',
  sweep: 'sweep',
  probe: 'probe',
  dos: 'flood',
  exploit: 'exploit',
};

function tags(incident: Incident, type: XarfConnectionType): string[] {
  const out = [`attack:${KIND_TAG[incident.kind]}`];
  if (type === 'sql_injection') out.push('attack:sql_injection');
  for (const s of incident.services) {
    if (out.length >= 18) break;
    if (TAG_WORD.test(s)) out.push(`service:${s}`);
  }
  out.push(`severity:${Math.min(5, Math.max(1, Math.round(incident.severity)))}`);
  return out;
}

/**
 * How sure the report is of who did it, from what the evidence proves about the address:
 * a service that completed a handshake and logged the session (0.95); packets a firewall or
 * IDS saw, which can carry a forged source (0.8 for scans, whose senders need the answers;
 * 0.5 for floods, which do not); 0.7 when no evidence line could be read.
 */
function confidence(incident: Incident, events: readonly Event[]): number {
  if (events.length === 0) return 0.7;
  const packetLevel = events.some((e) => e.family === 'netfilter' || e.family === 'ids');
  if (!packetLevel) return 0.95;
  return incident.kind === 'dos' ? 0.5 : 0.8;
}

/** The X-ARF 4 types whose schema requires `source_port` when the source is an IP address. */
const NEEDS_SOURCE_PORT: ReadonlySet<string> = new Set(['login_attack', 'port_scan', 'ddos']);

/**
 * Why an X-ARF report would not be a valid X-ARF 4 report, or null when it is complete: the
 * schemas of login_attack, port_scan and ddos require the source port for an IP source (for
 * CGNAT), and a log that does not name it (postfix SASL, PAM, nginx) cannot fill it honestly; a
 * reporter without an e-mail address cannot be named. Such parts are left out of the mail
 * rather than sent with an invented value; the memo still says everything.
 */
export function xarfIncomplete(report: XarfReport): string | null {
  const reporter = report['reporter'] as { contact?: unknown } | undefined;
  if (typeof reporter?.contact !== 'string' || reporter.contact === '') {
    return 'no reporter e-mail address (reporter.email)';
  }
  const type = report['type'];
  if (
    typeof type === 'string' &&
    NEEDS_SOURCE_PORT.has(type) &&
    report['source_port'] === undefined
  ) {
    return `the logs do not name the source port, which X-ARF ${type} requires`;
  }
  return null;
}
