import { addressBytes } from '../core/cidr.js';
import type { Incident, IncidentKind } from '../core/incident.js';
import { INCIDENT_KINDS } from '../core/incident.js';
import type { Network } from '../core/network.js';
import { printable } from '../core/printable.js';
import type { Recipient, ReportDraft } from '../core/report.js';
import { isValidZone, zone } from '../core/time.js';
import type { EvidenceReader } from './evidence-events.js';
import { chooseRecipients, contactKey } from './recipients.js';
import type { RecipientRules } from './recipients.js';
import { buildRedactor } from './redaction.js';
import type { RedactionRules } from './redaction.js';
import type { IncidentView, ReportTemplates, ReportView } from './report-templates.js';
import { incidentToXarf, xarfIncomplete } from './xarf.js';

/** Who sends the reports (config `reporter`): named in the memo's signature and the X-ARF part. */
export interface ReporterIdentity {
  readonly name?: string;
  readonly organization?: string;
  readonly email?: string;
  readonly phone?: string;
  /** IANA zone in which times are repeated beside UTC (the reporter's own clock). */
  readonly timezone?: string;
}

/** An earlier report to a contact about a source, and how long the activity went on after it. */
export interface FollowUp {
  readonly src: string;
  readonly kind: IncidentKind;
  readonly sentAt: number;
  readonly messageId: string | null;
  /** days between that report and the latest activity seen since */
  readonly stillActiveDays: number;
}

/** Everything composing needs; composing itself reads nothing else (a pure function). */
export interface ComposeInput {
  /** Reportable incidents to report now. */
  readonly incidents: readonly Incident[];
  /** Investigation results by source address. */
  readonly networks: ReadonlyMap<string, Network>;
  readonly reporter: ReporterIdentity;
  readonly recipients: RecipientRules;
  readonly redaction: RedactionRules;
  readonly templates: ReportTemplates;
  /** Earlier reports by contact (lower-case e-mail). */
  readonly followUps: ReadonlyMap<string, readonly FollowUp[]>;
  readonly now: number;
  /** Reads evidence lines again (app/evidence-reader.ts). */
  readonly read: EvidenceReader;
}

/** Evidence lines quoted per incident, and the length at which one is cut. */
const MAX_EVIDENCE_LINES = 20;
const MAX_EVIDENCE_CHARS = 500;
const MAX_SUBJECT_CHARS = 200;
const MAX_LISTED = 20;

interface Group {
  readonly contact: string;
  readonly incidents: Incident[];
  readonly to: Recipient[];
  readonly cc: Recipient[];
  note: string | null;
}

/**
 * Composes one report per responsible contact: every incident whose source's network has the
 * same primary recipient goes into one memo (one mail per network or contact per batch);
 * incidents without a recipient get one draft per source, with a note saying why. Pure and
 * deterministic: the same input gives the same drafts, in the same order.
 */
export function composeReports(input: ComposeInput): ReportDraft[] {
  const incidents = [...input.incidents].sort(compareIncidents);
  const groups = new Map<string, Group>();
  for (const incident of incidents) {
    const network = incident.src === null ? null : (input.networks.get(incident.src) ?? null);
    const choice = chooseRecipients(network, input.recipients);
    const first = choice.to[0];
    const who = incident.src ?? incident.srcHost ?? incident.id;
    const contact = contactKey(choice, who);
    let group = groups.get(contact);
    if (group === undefined) {
      group = { contact, incidents: [], to: [], cc: [], note: null };
      groups.set(contact, group);
    }
    group.incidents.push(incident);
    mergeRecipients(group.to, choice.to);
    mergeRecipients(group.cc, choice.cc);
    if (first === undefined && group.note === null) {
      group.note =
        incident.src === null
          ? `no contact found for ${oneLine(who, 253)} (the logs name no source address)`
          : network === null
            ? `no contact found for ${incident.src} (the address has not been investigated: run \`reportable lookup --incidents\`)`
            : choice.note;
    }
  }
  const drafts = [...groups.values()].map((g) => composeOne(g, input));
  return drafts.sort((a, b) => {
    const an = a.contact.startsWith('none:');
    const bn = b.contact.startsWith('none:');
    if (an !== bn) return an ? 1 : -1;
    return a.contact < b.contact ? -1 : a.contact > b.contact ? 1 : 0;
  });
}

function mergeRecipients(into: Recipient[], add: readonly Recipient[]): void {
  for (const r of add) {
    if (!into.some((x) => x.email.toLowerCase() === r.email.toLowerCase())) into.push(r);
  }
}

function composeOne(group: Group, input: ComposeInput): ReportDraft {
  const { incidents, contact } = group;
  const toSet = new Set(group.to.map((r) => r.email.toLowerCase()));
  const recipients = [...group.to, ...group.cc.filter((r) => !toSet.has(r.email.toLowerCase()))];
  const sources = [...new Set(incidents.flatMap((i) => (i.src === null ? [] : [i.src])))].sort(
    compareAddresses,
  );
  const redact = incidentRedactor(input.redaction, incidents, input.read);
  const reporter = input.reporter;
  const tz =
    reporter.timezone !== undefined && isValidZone(reporter.timezone) ? reporter.timezone : null;
  const followUps = input.followUps.get(contact) ?? [];
  const views = incidents.map((incident, k) =>
    incidentView(incident, k + 1, input, redact, tz, followUps),
  );
  const networks = incidents.map((i) => (i.src === null ? undefined : input.networks.get(i.src)));
  const view: ReportView = {
    subject: {
      kinds: joinWords(subjectKinds(incidents)),
      source: subjectSource(incidents, sources, networks),
      dates: subjectDates(incidents),
    },
    greeting: 'Hello,',
    intro:
      sources.length > 1
        ? `We observed the following activity against our systems from ${sources.length} addresses in your network.`
        : 'We observed the following activity against our systems from an address in your network.',
    network: networkView(networks),
    incidents: views,
    followUps: views.flatMap((v) => (v.followUp === null ? [] : [v.followUp])),
    timeNote:
      tz === null
        ? 'All times are UTC.'
        : `All times are UTC; in brackets the same time in ${tz}, our local time, with its offset.`,
    request:
      'Please investigate and stop this activity: the host may be compromised, or your customer ' +
      'may be abusing your service. A short reply saying what was done would be appreciated.',
    reply:
      reporter.email !== undefined && reporter.email !== ''
        ? `You can reply to this message, or write to ${oneLine(reporter.email, 254)}.`
        : 'You can reply to this message.',
    reporter: {
      name: optionalLine(reporter.name),
      organization: optionalLine(reporter.organization),
      email: optionalLine(reporter.email),
      phone: optionalLine(reporter.phone),
    },
    signature: signature(reporter),
  };
  const at = reporter.email?.lastIndexOf('@') ?? -1;
  const domain = at > 0 ? (reporter.email as string).slice(at + 1).toLowerCase() : null;
  // Only complete X-ARF parts are attached (see xarfIncomplete); the memo covers every incident.
  const xarfParts = incidents.map((incident) =>
    incidentToXarf(
      incident,
      incident.src === null ? null : (input.networks.get(incident.src) ?? null),
      {
        reporter: {
          organization: reporter.organization ?? null,
          email: reporter.email ?? '',
          name: reporter.name ?? null,
          domain,
        },
        now: input.now,
        // xarf.ts makes the UUID from this and the incident id: stable per contact and incident.
        reportId: contact,
        redact,
        read: input.read,
      },
    ),
  );
  const xarf = xarfParts.filter((x) => xarfIncomplete(x) === null);
  return {
    contact,
    recipients,
    subject: subjectLine(input.templates.subject(view)),
    body: plainBody(input.templates.body(view)),
    xarf,
    incidentIds: incidents.map((i) => i.id),
    sources,
    kinds: INCIDENT_KINDS.filter((k) => incidents.some((i) => i.kind === k)),
    note: group.to.length > 0 ? null : (group.note ?? 'no contact found'),
  };
}

function incidentView(
  incident: Incident,
  number: number,
  input: ComposeInput,
  redact: (text: string) => string,
  tz: string | null,
  followUps: readonly FollowUp[],
): IncidentView {
  const src = incident.src ?? incident.srcHost ?? 'an unnamed source';
  const network = incident.src === null ? undefined : input.networks.get(incident.src);
  const words = kindWords(incident.kind, incident.services);
  const shown = incident.evidence.slice(0, MAX_EVIDENCE_LINES);
  const omitted = incident.evidence.length - shown.length;
  const users = [...new Set(incident.users.map((u) => oneLine(redact(u), 64)))];
  const targets = incident.targets;
  return {
    number,
    title: `${words} from ${oneLine(src, 253)}`,
    kind: incident.kind,
    kindWords: words,
    source: oneLine(src, 253),
    ptr:
      network?.ptr == null
        ? null
        : oneLine(network.ptr, 253) + (network.ptrConfirmed ? '' : ' (not forward-confirmed)'),
    events: `${groupDigits(incident.events)} event${incident.events === 1 ? '' : 's'}`,
    firstSeen: timeText(incident.firstSeen, tz),
    lastSeen: timeText(incident.lastSeen, tz),
    ports: incident.ports.length > 0 ? listed(incident.ports.map(String), MAX_LISTED * 2) : null,
    services:
      incident.services.length > 0
        ? listed(
            incident.services.map((s) => oneLine(s, 32)),
            MAX_LISTED,
          )
        : null,
    users:
      users.length > 0
        ? listed(
            users.map((u) => `"${u}"`),
            MAX_LISTED,
          )
        : null,
    targets:
      targets.length === 0
        ? null
        : input.redaction.targets
          ? `${targets.length} of our systems (names and addresses withheld)`
          : listed(
              targets.map((t) => oneLine(redact(t), 253)),
              MAX_LISTED,
            ),
    evidence: shown.map((e) => '> ' + oneLine(redact(e.text), MAX_EVIDENCE_CHARS)),
    evidenceOmitted:
      omitted > 0 ? `(${omitted} more line${omitted === 1 ? '' : 's'} not shown)` : null,
    followUp: followUpSentence(incident, followUps),
  };
}

/** The sentence about the latest earlier report of this source (the same kind preferred). */
function followUpSentence(incident: Incident, followUps: readonly FollowUp[]): string | null {
  if (incident.src === null) return null;
  const mine = followUps.filter((f) => f.src === incident.src);
  if (mine.length === 0) return null;
  const best = [...mine].sort(
    (a, b) =>
      Number(b.kind === incident.kind) - Number(a.kind === incident.kind) || b.sentAt - a.sentAt,
  )[0] as FollowUp;
  const date = new Date(best.sentAt).toISOString().slice(0, 10);
  let id = '';
  if (best.messageId !== null && best.messageId !== '') {
    const m = oneLine(best.messageId, 200);
    id = ` (Message-ID ${m.startsWith('<') ? m : `<${m}>`})`;
  }
  const days = Math.max(0, Math.round(best.stillActiveDays));
  const continued =
    days === 0
      ? 'the activity continued after that report'
      : `the activity continued ${days} day${days === 1 ? '' : 's'} after that report`;
  return `We reported this address to you on ${date}${id}; ${continued}.`;
}

const SERVICE_NAMES: Readonly<Record<string, string>> = {
  ssh: 'SSH',
  ftp: 'FTP',
  smtp: 'SMTP',
  submission: 'SMTP submission',
  imap: 'IMAP',
  pop3: 'POP3',
  http: 'HTTP',
  https: 'HTTPS',
  rdp: 'RDP',
  vnc: 'VNC',
  sip: 'SIP',
  telnet: 'Telnet',
  mysql: 'MySQL',
  dns: 'DNS',
};

/** The kind in words, naming the service when there is exactly one (`SSH brute force`). */
function kindWords(kind: IncidentKind, services: readonly string[]): string {
  const only = services.length === 1 ? SERVICE_NAMES[services[0] as string] : undefined;
  switch (kind) {
    case 'brute-force':
      return only !== undefined ? `${only} brute force` : 'brute force';
    case 'port-scan':
      return 'port scan';
    case 'sweep':
      return only !== undefined ? `${only} address sweep` : 'address sweep';
    case 'dos':
      return 'denial of service';
    case 'exploit':
      return only !== undefined ? `${only} exploit attempts` : 'exploit attempts';
    case 'probe':
      return only !== undefined ? `${only} probing` : 'probing';
  }
}

/** Kinds in words in the order they began (a scan, then the brute force it led to). */
function subjectKinds(incidents: readonly Incident[]): string[] {
  const firstOf = new Map<IncidentKind, number>();
  for (const i of incidents)
    firstOf.set(i.kind, Math.min(firstOf.get(i.kind) ?? i.firstSeen, i.firstSeen));
  const kinds = [...firstOf.keys()].sort(
    (a, b) =>
      (firstOf.get(a) as number) - (firstOf.get(b) as number) ||
      INCIDENT_KINDS.indexOf(a) - INCIDENT_KINDS.indexOf(b),
  );
  return kinds.map((k) => {
    const services = [...new Set(incidents.filter((i) => i.kind === k).flatMap((i) => i.services))];
    return kindWords(k, services);
  });
}

function subjectSource(
  incidents: readonly Incident[],
  sources: readonly string[],
  networks: readonly (Network | undefined)[],
): string {
  if (sources.length === 0) {
    const host = incidents[0]?.srcHost;
    return host == null ? 'an unnamed source' : oneLine(host, 100);
  }
  if (sources.length === 1) return sources[0] as string;
  const range = sharedRange(networks);
  return range === null ? `${sources.length} addresses` : `${sources.length} addresses in ${range}`;
}

/** The netblock every incident's network shares, as a prefix (or `start - end`), else null. */
function sharedRange(networks: readonly (Network | undefined)[]): string | null {
  const blocks = networks.map((n) => n?.network ?? null);
  const first = blocks[0];
  if (first == null) return null;
  if (!blocks.every((b) => b !== null && b.start === first.start && b.end === first.end)) {
    return null;
  }
  const text =
    first.cidrs.length === 1 ? (first.cidrs[0] as string) : `${first.start} - ${first.end}`;
  return oneLine(text, 100);
}

function networkView(networks: readonly (Network | undefined)[]): ReportView['network'] {
  const range = sharedRange(networks);
  const first = networks[0];
  const block = range === null ? null : (first?.network ?? null);
  const asns = new Set(networks.map((n) => n?.asn ?? null));
  const asn = asns.size === 1 && first?.asn != null ? first.asn : null;
  return {
    range,
    name:
      block === null
        ? null
        : optionalLine([block.name, block.org].filter((x) => x !== null && x !== '').join(', ')),
    asn:
      asn === null
        ? null
        : `AS${asn}` + (first?.asName != null ? ` (${oneLine(first.asName, 100)})` : ''),
  };
}

function subjectDates(incidents: readonly Incident[]): string {
  const first = Math.min(...incidents.map((i) => i.firstSeen));
  const last = Math.max(...incidents.map((i) => i.lastSeen));
  const a = new Date(first).toISOString().slice(0, 10);
  const b = new Date(last).toISOString().slice(0, 10);
  return a === b ? `on ${a}` : `(${a} to ${b})`;
}

/** `2026-11-26 10:00:00 UTC (2026-11-26 11:00:00 Europe/Berlin, UTC+01:00)`. */
function timeText(ms: number, tz: string | null): string {
  const utc = `${dateTime(ms)} UTC`;
  if (tz === null) return utc;
  const z = zone(tz);
  if (z.isUtc) return utc;
  const offset = z.offsetAt(ms);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${utc} (${dateTime(ms + offset)} ${tz}, UTC${sign}${hh}:${mm})`;
}

function dateTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function signature(reporter: ReporterIdentity): string[] {
  const lines = [reporter.name, reporter.organization, reporter.email, reporter.phone]
    .map((x) => optionalLine(x))
    .filter((x): x is string => x !== null);
  return lines.length > 0 ? ['-- ', ...lines] : [];
}

/**
 * The redactor for text quoted from these incidents, wherever it goes (the memo, X-ARF, the
 * AbuseIPDB and DShield exports): the configured rules, plus — with `redact.targets` — each
 * incident's targets and the syslog host of every evidence line (the reporter's own machines).
 */
export function incidentRedactor(
  rules: RedactionRules,
  incidents: readonly Incident[],
  read: EvidenceReader,
): (text: string) => string {
  return buildRedactor(rules, {
    targets: incidents.flatMap((i) => i.targets),
    hosts: rules.targets ? loggingHosts(incidents, read) : [],
  });
}

function loggingHosts(incidents: readonly Incident[], read: EvidenceReader): string[] {
  const sources = new Set(incidents.map((i) => i.src));
  const hosts = new Set<string>();
  for (const incident of incidents) {
    // Every line, not only those the memo quotes: X-ARF and the exports carry more.
    for (const { loggedBy: host } of read(incident)) {
      if (host !== null && host !== '-' && host.length > 1 && !sources.has(host)) hosts.add(host);
    }
  }
  return [...hosts];
}

/**
 * Attacker-written text made safe for one line of a plain-text mail: controls, DEL, C1 and
 * bidi overrides escaped (printable), Unicode line and paragraph separators too, cut to `max`
 * characters (never inside a surrogate pair).
 */
function oneLine(text: string, max: number): string {
  let s = printable(text).replace(
    /[\u2028\u2029\ufeff]/g,
    (c) => `\\u{${c.charCodeAt(0).toString(16)}}`,
  );
  if (s.length > max) {
    let cut = max - 1;
    const c = s.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    s = s.slice(0, cut) + '…';
  }
  return s;
}

function optionalLine(text: string | undefined | null): string | null {
  if (text == null) return null;
  const s = oneLine(text.trim(), 200);
  return s === '' ? null : s;
}

/** The rendered subject as one header-safe line: controls become spaces, at most 200 chars. */
function subjectLine(rendered: string): string {
  const flat = rendered
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  return flat.length <= MAX_SUBJECT_CHARS ? flat : oneLine(flat, MAX_SUBJECT_CHARS);
}

/** The rendered body with LF line ends, no controls but tabs, no trailing blanks, one final LF. */
function plainBody(rendered: string): string {
  const lines = rendered
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '')
    .split('\n')
    // `-- ` keeps its space: it is the signature delimiter mail readers look for.
    .map((l) => (l === '-- ' ? l : l.trimEnd()));
  const out: string[] = [];
  for (const line of lines) {
    if (line === '' && (out.length === 0 || out[out.length - 1] === '')) continue;
    out.push(line);
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n') + '\n';
}

function listed(items: readonly string[], max: number): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown} and ${items.length - max} more` : shown;
}

function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words[0] ?? '';
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function groupDigits(n: number): string {
  const digits = String(n);
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0 && digits[i - 1] !== '-') out += ',';
    out += digits[i] as string;
  }
  return out;
}

function compareAddresses(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  if (x === null || y === null)
    return x !== null ? -1 : y !== null ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) {
    const d = (x[i] as number) - (y[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function compareIncidents(a: Incident, b: Incident): number {
  const sa = a.src ?? a.srcHost ?? '';
  const sb = b.src ?? b.srcHost ?? '';
  return (
    compareAddresses(sa, sb) ||
    a.firstSeen - b.firstSeen ||
    INCIDENT_KINDS.indexOf(a.kind) - INCIDENT_KINDS.indexOf(b.kind) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
