import type { EventKind } from '../../src/core/event.js';
import type { Incident, IncidentKind } from '../../src/core/incident.js';
import type { Report } from '../../src/core/report.js';

/** 2026-11-26T00:00:00Z, the day the fixture logs were written. */
export const DAY = Date.UTC(2026, 10, 26);

/** One fixture log line: seconds after DAY, the event kind the parser gave it, the text. */
export type FixtureLine = readonly [seconds: number, kind: EventKind, text: string];

/** A stored incident as the detectors would leave it, with the lines as its evidence. */
export function fixtureIncident(
  kind: IncidentKind,
  src: string,
  lines: readonly FixtureLine[],
  fields: Partial<Incident> = {},
): Incident {
  const evidence = lines.map(([s, k, text], i) => ({
    at: DAY + s * 1000,
    kind: k,
    source: '/var/log/syslog',
    line: i + 1,
    text,
  }));
  return {
    id: `inc-${kind}-${src}`,
    kind,
    src,
    srcHost: null,
    firstSeen: evidence[0]!.at,
    lastSeen: evidence[evidence.length - 1]!.at,
    events: lines.length,
    ports: [],
    targets: [],
    services: [],
    users: [],
    truncated: false,
    severity: 3,
    reportable: true,
    reasons: [],
    evidence,
    ...fields,
  };
}

/** A redactor for the reporter of the fixtures: gw and web1, 192.0.2.10, the user alice. */
export function fixtureRedact(text: string): string {
  return text
    .replaceAll('192.0.2.10', '[redacted-address]')
    .replaceAll(' web1 ', ' [redacted-host] ')
    .replaceAll(' gw ', ' [redacted-host] ')
    .replaceAll('alice', '[redacted-user]');
}

const ufw = (src: string, dst: string, rest: string): string =>
  `[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=${src} DST=${dst} LEN=44 TOS=0x00 PREC=0x00 TTL=39 ID=38834 ${rest}`;

/** nmap SYN scan through ufw: 194.164.64.213 → 192.0.2.10, source port 53421, five ports. */
export const PORT_SCAN = fixtureIncident(
  'port-scan',
  '194.164.64.213',
  [21, 22, 23, 25, 80].map((port, i): FixtureLine => [
    36000 + i,
    'packet-blocked',
    `Nov 26 10:00:0${i} gw kernel: [87200.${i}00000] ${ufw('194.164.64.213', '192.0.2.10', `PROTO=TCP SPT=53421 DPT=${port} WINDOW=1024 RES=0x00 SYN URGP=0`)}`,
  ]),
  {
    ports: [21, 22, 23, 25, 80],
    targets: ['192.0.2.10'],
    services: ['ftp', 'ssh', 'telnet', 'smtp', 'http'],
    severity: 2,
  },
);

/** sshd brute force on web1 from 157.173.209.216, one source port per connection. */
export const SSH_BRUTE_FORCE = fixtureIncident(
  'brute-force',
  '157.173.209.216',
  [
    [18000, 'auth-failure', 'Nov 26 05:00:00 web1 sshd[2000]: Failed password for root from 157.173.209.216 port 40022 ssh2'],
    [18004, 'invalid-user', 'Nov 26 05:00:04 web1 sshd[2001]: Failed password for invalid user admin from 157.173.209.216 port 40110 ssh2'],
    [18009, 'auth-failure', 'Nov 26 05:00:09 web1 sshd[2002]: Failed password for alice from 157.173.209.216 port 40188 ssh2'],
  ],
  { events: 42, targets: ['web1'], services: ['ssh'], users: ['root', 'admin', 'alice'], severity: 3 },
); // prettier-ignore

/** SYN flood on port 80 through ufw, a new source port per packet. */
export const SYN_FLOOD = fixtureIncident(
  'dos',
  '82.112.247.12',
  [42794, 37146, 48906].map((sport, i): FixtureLine => [
    32400 + i,
    'packet-blocked',
    `Nov 26 09:00:0${i} gw kernel: [83600.${i}00000] ${ufw('82.112.247.12', '192.0.2.10', `PROTO=TCP SPT=${sport} DPT=80 WINDOW=1024 RES=0x00 SYN URGP=0`)}`,
  ]),
  { events: 12000, ports: [80], targets: ['192.0.2.10'], services: ['http'], severity: 4 },
);

/** sshd connections dropped before authentication: a probe. */
export const SSH_PROBE = fixtureIncident(
  'probe',
  '138.201.14.212',
  [
    [18003, 'protocol-error', 'Nov 26 05:00:03 web1 sshd[2000]: Connection closed by 138.201.14.212 port 42579 [preauth]'],
    [18020, 'protocol-error', 'Nov 26 05:00:20 web1 sshd[2001]: Did not receive identification string from 138.201.14.212 port 50430'],
  ],
  { targets: ['web1'], services: ['ssh'], severity: 2 },
); // prettier-ignore

/** telnet (23/tcp) tried on twelve hosts of 203.0.113.0/24: a sweep. */
export const TELNET_SWEEP = fixtureIncident(
  'sweep',
  '210.107.73.73',
  Array.from({ length: 12 }, (_, i): FixtureLine => [
    64800 + i,
    'packet-blocked',
    `Nov 26 18:00:${String(i).padStart(2, '0')} gw kernel: [16000.000000] ${ufw('210.107.73.73', `203.0.113.${i + 1}`, `PROTO=TCP SPT=${61000 + i} DPT=23 WINDOW=1024 RES=0x00 SYN URGP=0`)}`,
  ]),
  {
    ports: [23],
    targets: Array.from({ length: 12 }, (_, i) => `203.0.113.${i + 1}`),
    services: ['telnet'],
    severity: 2,
  },
);

/** A path traversal request in an nginx access log (no source port is logged). */
export const WEB_EXPLOIT = fixtureIncident(
  'exploit',
  '157.173.209.216',
  [
    [28801, 'exploit-attempt', '157.173.209.216 - - [26/Nov/2026:08:00:01 +0000] "GET /cgi-bin/../../../../etc/passwd HTTP/1.1" 400 157 "-" "Mozilla/5.0 (X11; Linux x86_64)"'],
  ],
  { services: ['http'], severity: 4 },
); // prettier-ignore

/** SQL injection attempts in an nginx access log. */
export const SQL_INJECTION = fixtureIncident(
  'exploit',
  '194.164.64.213',
  [
    [28801, 'exploit-attempt', `194.164.64.213 - - [26/Nov/2026:08:00:01 +0000] "GET /item.php?id=1'%20UNION%20SELECT%20user,password%20FROM%20users-- HTTP/1.1" 404 153 "-" "sqlmap/1.8"`],
    [28802, 'exploit-attempt', `194.164.64.213 - - [26/Nov/2026:08:00:02 +0000] "GET /item.php?id=1%20AND%20SLEEP(5) HTTP/1.1" 404 153 "-" "sqlmap/1.8"`],
  ],
  { services: ['http'], severity: 4 },
); // prettier-ignore

/** postfix SASL brute force: postfix logs no source port. */
export const SASL_BRUTE_FORCE = fixtureIncident(
  'brute-force',
  '196.11.240.215',
  [
    [600, 'auth-failure', 'Nov 26 00:10:00 mail postfix/smtpd[6000]: warning: unknown[196.11.240.215]: SASL LOGIN authentication failed: UGFzc3dvcmQ6'],
    [2400, 'auth-failure', 'Nov 26 00:40:00 mail postfix/smtpd[6001]: warning: unknown[196.11.240.215]: SASL LOGIN authentication failed: UGFzc3dvcmQ6'],
  ],
  { events: 30, targets: ['mail'], services: ['smtp'], severity: 3 },
); // prettier-ignore

/** ICMP echo requests dropped by ufw: a probe with no ports at all. */
export const ICMP_PROBE = fixtureIncident(
  'probe',
  '2a00:2381:ffff::1',
  [
    [32400, 'packet-blocked', 'Nov 26 09:00:00 gw kernel: [83600.000000] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=2a00:2381:ffff:0000:0000:0000:0000:0001 DST=2001:0db8:0000:0000:0000:0000:0000:0010 LEN=104 TC=0 HOPLIMIT=52 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=1 SEQ=1'],
  ],
  { targets: ['2001:db8::10'], severity: 1 },
); // prettier-ignore

/** Two X-ARF-shaped parts for message tests (their content does not matter to MIME). */
export const LOGIN_XARF = {
  Version: '4',
  Report: { ReportClass: 'Activity', ReportType: 'LoginAttack', SourceIp: '192.0.2.10' },
};
export const SCAN_XARF = {
  Version: '4',
  Report: { ReportClass: 'Activity', ReportType: 'PortScan', SourceIp: '192.0.2.11' },
};

/** An approved report with two To, one Cc and two X-ARF parts, unless overridden. */
export function sampleReport(overrides: Partial<Report> = {}): Report {
  return {
    id: 'r1',
    contact: 'abuse@example.net',
    recipients: [
      { email: 'abuse@example.net', kind: 'to', source: 'whois.ripe.net abuse-c' },
      { email: 'security@example.net', kind: 'to', source: 'domain security@' },
      { email: 'cert@example.com', kind: 'cc', source: 'report.alwaysCc' },
    ],
    subject: 'SSH login attack from 192.0.2.10 (2026-11-27)',
    body: 'Hello,\n\n192.0.2.10 tried 1200 SSH logins:\n  Invalid user admin from 192.0.2.10 port 4242\n',
    xarf: [LOGIN_XARF, SCAN_XARF],
    incidentIds: ['inc-1', 'inc-2'],
    sources: ['192.0.2.10', '192.0.2.11'],
    kinds: ['brute-force', 'port-scan'],
    note: null,
    status: 'approved',
    messageId: null,
    eml: null,
    createdAt: 0,
    updatedAt: 0,
    approvedAt: 0,
    sentAt: null,
    attempts: 0,
    nextAttemptAt: null,
    lastError: null,
    ...overrides,
  };
}
