import type { Event } from '../core/event.js';
import type { Incident } from '../core/incident.js';
import { isValidZone, zone as zoneNamed } from '../core/time.js';
import { transportOf, type EvidenceReader } from './evidence-events.js';

/** What a DShield line says for a field the log did not give (fail2ban's dshield action does the same). */
export const DSHIELD_UNKNOWN = '???';

/** IANA protocol numbers, as DShield's protocol column takes them. */
const PROTOCOL_NUMBER: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, sctp: 132 };

/** netfilter's TCP flag words as the one-letter flags of a DShield line, in header order. */
const FLAG_LETTERS: readonly [string, string][] = [
  ['CWR', 'C'],
  ['ECE', 'E'],
  ['URG', 'U'],
  ['ACK', 'A'],
  ['PSH', 'P'],
  ['RST', 'R'],
  ['SYN', 'S'],
  ['FIN', 'F'],
];

/**
 * DShield submission lines for the incidents' evidence, tab-separated: `date time ±hh:mm`,
 * user id, count, source, source port, target, target port, protocol, TCP flags; ordered by
 * time, LF after each. One line per evidence line that names the incident's source and has a
 * time (the evidence is a sample, so the counts are those of the sampled lines, not the
 * incident's total). Times are wall-clock in `zone` (an IANA name; UTC when the runtime does
 * not know it: the offset is printed, so the instant stays right).
 *
 * Unknown fields: source and target port, target and protocol are `???` when the log line does
 * not give them (sshd and web logs name no target port; the protocol is inferred from a
 * TCP-only service such as ssh); for ICMP the source port column holds the ICMP type and the
 * target port column the ICMP code, as DShield's format asks; TCP flags are empty unless a
 * firewall logged them. Targets are the reporter's own addresses: with `redact`, a target the
 * redactor would change is written `???`.
 */
export function dshieldLines(
  incidents: readonly Incident[],
  userId: string,
  zone: string,
  read: EvidenceReader,
  redact?: (text: string) => string,
): string {
  const z = zoneNamed(isValidZone(zone) ? zone : 'UTC');
  const user = userId.replace(/[\s\u0000-\u001f\u007f]/g, '') || '0';
  const rows: { at: number; text: string }[] = [];
  for (const incident of incidents) {
    if (incident.src === null) continue;
    for (const { evidence, event } of read(incident)) {
      if (event === null || evidence.at === null) continue;
      const [sport, dport] = ports(event);
      const fields = [
        localTime(evidence.at, z.offsetAt(evidence.at)),
        user,
        String(event.count),
        incident.src,
        sport,
        target(event, redact),
        dport,
        protocol(event),
        flags(event),
      ];
      rows.push({ at: evidence.at, text: fields.join('\t') });
    }
  }
  rows.sort((a, b) => a.at - b.at);
  return rows.map((r) => r.text + '\n').join('');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD HH:MM:SS ±hh:mm` of an instant at the given offset from UTC. */
function localTime(utcMs: number, offsetMs: number): string {
  const d = new Date(utcMs + offsetMs);
  const minutes = Math.round(Math.abs(offsetMs) / 60_000);
  const sign = offsetMs < 0 ? '-' : '+';
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
  );
}

/** Source and target port; for ICMP, the type and the code. */
function ports(ev: Event): [string, string] {
  if (transportOf(ev) === 'icmp') {
    const type = ev.detail?.icmpType;
    const code = ev.detail?.icmpCode;
    return [
      type === undefined ? DSHIELD_UNKNOWN : String(type),
      code === undefined ? DSHIELD_UNKNOWN : String(code),
    ];
  }
  return [
    ev.srcPort === null ? DSHIELD_UNKNOWN : String(ev.srcPort),
    ev.dstPort === null ? DSHIELD_UNKNOWN : String(ev.dstPort),
  ];
}

function target(ev: Event, redact: ((text: string) => string) | undefined): string {
  if (ev.dst === null) return DSHIELD_UNKNOWN;
  if (redact !== undefined && redact(ev.dst) !== ev.dst) return DSHIELD_UNKNOWN;
  return ev.dst;
}

function protocol(ev: Event): string {
  if (ev.proto === 'ipv6-icmp' || ev.proto === 'icmpv6') return '58';
  const t = transportOf(ev);
  if (t !== null) return String(PROTOCOL_NUMBER[t]);
  return ev.proto !== null && /^\d{1,3}$/.test(ev.proto) ? ev.proto : DSHIELD_UNKNOWN;
}

function flags(ev: Event): string {
  const logged = ev.detail?.flags;
  if (logged === undefined || transportOf(ev) !== 'tcp') return '';
  const words = new Set(logged.split(' '));
  return FLAG_LETTERS.filter(([w]) => words.has(w))
    .map(([, l]) => l)
    .join('');
}
