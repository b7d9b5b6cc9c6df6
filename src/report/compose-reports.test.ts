import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Incident } from '../core/incident.js';
import type { Contact, Network } from '../core/network.js';
import { composeReports } from './compose-reports.js';
import type { ComposeInput, FollowUp } from './compose-reports.js';
import { loadTemplates } from './report-templates.js';
import { readEvidence } from '../app/evidence-reader.js';

const templates = loadTemplates();
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

const hostingerAbuse: Contact = {
  email: 'abuse@hostinger.com',
  roles: ['abuse'],
  source: 'whois.ripe.net % Abuse contact',
  structured: true,
  level: 'network',
};

function network(
  address: string,
  contacts: Contact[],
  start: string,
  end: string,
  cidr: string,
): Network {
  return {
    address,
    ptr: null,
    ptrConfirmed: false,
    domain: null,
    asn: 47583,
    asName: 'AS-HOSTINGER',
    network: {
      start,
      end,
      cidrs: [cidr],
      name: 'HOSTINGER-HOSTING',
      handle: null,
      org: null,
      country: 'US',
      registry: 'ripe',
    },
    contacts,
    hints: [],
    chain: [],
    errors: [],
  };
}

const usNet = (a: string) =>
  network(a, [hostingerAbuse], '194.164.64.0', '194.164.71.255', '194.164.64.0/21');
const legacyNet = (a: string) =>
  network(a, [hostingerAbuse], '157.173.208.0', '157.173.215.255', '157.173.208.0/21');

function sshLine(at: number, user: string, src: string): string {
  const d = new Date(at);
  const hms = d.toISOString().slice(11, 19);
  return `Nov 26 ${hms} gw.example.org sshd[812]: Failed password for invalid user ${user} from ${src} port 50022 ssh2`;
}

function bruteForce(
  id: string,
  src: string,
  users: string[],
  extra: Partial<Incident> = {},
): Incident {
  const evidence = users.map((u, k) => ({
    at: T0 + k * 60_000,
    kind: 'auth-failure' as const,
    source: '/var/log/auth.log',
    line: 100 + k,
    text: sshLine(T0 + k * 60_000, u, src),
  }));
  return {
    id,
    kind: 'brute-force',
    src,
    srcHost: null,
    firstSeen: T0,
    lastSeen: T0 + 20 * 60_000,
    events: 1234,
    ports: [22],
    targets: ['192.0.2.10'],
    services: ['ssh'],
    users,
    truncated: false,
    severity: 3,
    reportable: true,
    reasons: [],
    evidence,
    ...extra,
  };
}

function input(
  incidents: Incident[],
  networks: Network[],
  extra: Partial<ComposeInput> = {},
): ComposeInput {
  return {
    incidents,
    networks: new Map(networks.map((n) => [n.address, n])),
    reporter: {
      name: 'Pat Example',
      organization: 'Example Org',
      email: 'security@example.org',
      phone: '+1 555 0100',
      timezone: 'Europe/Berlin',
    },
    recipients: { alwaysCc: [], neverMail: [] },
    redaction: {
      addresses: ['192.0.2.0/24'],
      hostnames: ['gw.example.org'],
      users: ['alice'],
      targets: true,
    },
    templates,
    followUps: new Map(),
    now: T0 + 3_600_000,
    read: readEvidence,
    ...extra,
  };
}

test('one SSH brute force: subject, recipients, body content with UTC and local time', () => {
  const src = '194.164.64.213';
  const [report, ...rest] = composeReports(
    input([bruteForce('i1', src, ['root', 'alice', 'admin'])], [usNet(src)]),
  );
  assert.equal(rest.length, 0);
  assert.ok(report);
  assert.equal(report.contact, 'abuse@hostinger.com');
  assert.equal(report.subject, 'Abuse report: SSH brute force from 194.164.64.213 on 2026-11-26');
  assert.deepEqual(report.recipients, [
    {
      email: 'abuse@hostinger.com',
      kind: 'to',
      source: 'whois.ripe.net % Abuse contact (network: abuse)',
    },
  ]);
  assert.deepEqual(report.incidentIds, ['i1']);
  assert.deepEqual(report.sources, [src]);
  assert.deepEqual(report.kinds, ['brute-force']);
  assert.equal(report.note, null);
  assert.equal(report.xarf.length, 1);
  assert.equal(report.xarf[0]?.source_identifier, src);
  const body = report.body;
  assert.match(body, /^Hello,\n/);
  assert.match(body, /1\. SSH brute force from 194\.164\.64\.213\n/);
  assert.match(body, /Events: +1,234 events\n/);
  assert.match(
    body,
    /First seen: +2026-11-26 10:00:00 UTC \(2026-11-26 11:00:00 Europe\/Berlin, UTC\+01:00\)\n/,
  );
  assert.match(body, /Ports: +22\n/);
  assert.match(body, /User names: +"root", "\[redacted-user\]", "admin"\n/);
  assert.match(body, /Targets: +1 of our systems/);
  // Evidence quoted, with the reporter's host, user and target address redacted.
  assert.match(
    body,
    /\n> Nov 26 10:01:00 \[redacted-host\] sshd\[812\]: Failed password for invalid user \[redacted-user\] from 194\.164\.64\.213 port 50022 ssh2\n/,
  );
  assert.doesNotMatch(body, /gw\.example\.org|alice|192\.0\.2\.10/);
  assert.match(body, /security@example\.org/);
  assert.match(body, /\n-- \nPat Example\nExample Org\nsecurity@example\.org\n\+1 555 0100\n$/);
  assert.match(body, /Please investigate/);
});

test('reporter without a time zone: UTC only, and UTC is named', () => {
  const src = '194.164.64.213';
  const base = input([bruteForce('i1', src, ['root'])], [usNet(src)]);
  const [report] = composeReports({ ...base, reporter: { ...base.reporter, timezone: undefined } });
  assert.match(report?.body ?? '', /First seen: +2026-11-26 10:00:00 UTC\n/);
  assert.match(report?.body ?? '', /All times are UTC\./);
});

test('two sources sharing abuse@hostinger.com make one report; the subject counts them', () => {
  const a = '194.164.64.213';
  const b = '157.173.209.216';
  const scan: Incident = {
    ...bruteForce('i2', b, []),
    kind: 'port-scan',
    services: [],
    ports: [22, 23, 80],
    firstSeen: T0 - 86_400_000,
    lastSeen: T0 - 86_000_000,
  };
  const reports = composeReports(
    input(
      [bruteForce('i1', a, ['root']), scan, bruteForce('i3', b, ['oracle'])],
      [usNet(a), legacyNet(b)],
    ),
  );
  assert.equal(reports.length, 1);
  const r = reports[0];
  assert.equal(r?.contact, 'abuse@hostinger.com');
  assert.deepEqual(r?.sources, [b, a]);
  assert.deepEqual(r?.incidentIds, ['i2', 'i3', 'i1']);
  assert.deepEqual(r?.kinds, ['brute-force', 'port-scan']);
  assert.equal(
    r?.subject,
    'Abuse report: port scan and SSH brute force from 2 addresses (2026-11-25 to 2026-11-26)',
  );
  // One incident's lines name no source port: its X-ARF part would not be valid X-ARF 4, so
  // only the two complete parts are attached (the memo covers all three).
  assert.equal(r?.xarf.length, 2);
  assert.ok(r?.xarf.every((x) => typeof x['source_port'] === 'number'));
});

test('several sources of one netblock: the subject names the range', () => {
  const srcs = ['157.173.209.216', '157.173.209.217', '157.173.210.1'];
  const reports = composeReports(
    input(
      srcs.map((s, k) => bruteForce(`i${k}`, s, ['root'])),
      srcs.map(legacyNet),
    ),
  );
  assert.equal(reports.length, 1);
  assert.equal(
    reports[0]?.subject,
    'Abuse report: SSH brute force from 3 addresses in 157.173.208.0/21 on 2026-11-26',
  );
  assert.match(
    reports[0]?.body ?? '',
    /Network: 157\.173\.208\.0\/21 \(HOSTINGER-HOSTING\), AS47583 \(AS-HOSTINGER\)/,
  );
});

test('different contacts make two reports, sorted by contact; no contact: a draft per source', () => {
  const a = '194.164.64.213';
  const b = '108.167.149.240';
  const c = '196.11.240.215';
  const hostgator = network(
    b,
    [
      {
        ...hostingerAbuse,
        email: 'abuse@hostgator.com',
        source: 'whois.arin.net OrgAbuseEmail',
        level: 'org',
      },
    ],
    '108.167.128.0',
    '108.167.191.255',
    '108.167.128.0/18',
  );
  const mtn = {
    ...network(c, [], '196.11.240.0', '196.11.240.255', '196.11.240.0/24'),
    errors: ['whois.afrinic.net: no abuse contact'],
  };
  const reports = composeReports(
    input(
      [
        bruteForce('i1', a, ['root']),
        bruteForce('i2', b, ['root']),
        bruteForce('i3', c, ['root']),
        bruteForce('i4', '203.0.113.9', []),
      ],
      [usNet(a), hostgator, mtn],
    ),
  );
  assert.deepEqual(
    reports.map((r) => [r.contact, r.note]),
    [
      ['abuse@hostgator.com', null],
      ['abuse@hostinger.com', null],
      [
        'none:196.11.240.215',
        'no contact found for 196.11.240.215 (whois.afrinic.net: no abuse contact)',
      ],
      [
        'none:203.0.113.9',
        'no contact found for 203.0.113.9 (the address has not been investigated: run `reportable lookup --incidents`)',
      ],
    ],
  );
  assert.deepEqual(reports[2]?.recipients, []);
});

test('alwaysCc is copied on every report', () => {
  const a = '194.164.64.213';
  const [r] = composeReports(
    input([bruteForce('i1', a, ['root'])], [usNet(a)], {
      recipients: { alwaysCc: ['soc@example.org'], neverMail: [] },
    }),
  );
  assert.deepEqual(
    r?.recipients.map((x) => [x.email, x.kind]),
    [
      ['abuse@hostinger.com', 'to'],
      ['soc@example.org', 'cc'],
    ],
  );
});

test('follow-up: the earlier report and how long the activity continued', () => {
  const a = '194.164.64.213';
  const followUps = new Map<string, FollowUp[]>([
    [
      'abuse@hostinger.com',
      [
        {
          src: a,
          kind: 'brute-force',
          sentAt: Date.UTC(2026, 10, 20, 8, 0, 0),
          messageId: '<r1.1700000000@example.org>',
          stillActiveDays: 3,
        },
        {
          src: '157.173.209.216',
          kind: 'brute-force',
          sentAt: T0,
          messageId: null,
          stillActiveDays: 1,
        },
      ],
    ],
  ]);
  const [r] = composeReports(input([bruteForce('i1', a, ['root'])], [usNet(a)], { followUps }));
  assert.match(
    r?.body ?? '',
    /We reported this address to you on 2026-11-20 \(Message-ID <r1\.1700000000@example\.org>\); the activity continued 3 days after that report\./,
  );
  assert.doesNotMatch(r?.body ?? '', /157\.173/);
});

test('hostile text: user names with CR/LF and ESC, a URL with CRLF Bcc:, a whois name with a newline', () => {
  const a = '194.164.64.213';
  const evil = 'root\r\nBcc: victim@example.net\u001b[2J';
  const incident: Incident = {
    ...bruteForce('i1', a, [evil]),
    kind: 'exploit',
    services: ['http'],
    evidence: [
      {
        at: T0,
        kind: 'exploit-attempt',
        source: '/var/log/nginx/access.log',
        line: 7,
        text: `${a} - - [26/Nov/2026:10:00:00 +0000] "GET /x?\r\nBcc: victim@example.net HTTP/1.1" 404 0 "-" "\u2028Subject: hi ${'A'.repeat(900)}"`,
      },
    ],
  };
  const net = {
    ...usNet(a),
    asName: 'EVIL\r\nBcc: x@example.net',
    ptr: 'a.example.net\nTo: x@example.net',
  };
  const [r] = composeReports(input([incident], [net]));
  assert.ok(r);
  assert.doesNotMatch(r.subject, /[\r\n\u0000-\u001f]/);
  assert.ok(r.subject.length <= 200);
  assert.doesNotMatch(r.body, /[\r\u0000-\u0009\u000b-\u001f\u007f\u2028]/);
  // No line of the body starts with a header-looking or attacker-chosen word.
  for (const line of r.body.split('\n')) assert.doesNotMatch(line, /^(Bcc|To|Subject):/i);
  assert.match(r.body, /User names: +"root\\x0d\\x0aBcc: victim@example\.net\\x1b\[2J"/);
  assert.match(r.body, /GET \/x\?\\x0d\\x0aBcc: victim@example\.net/);
  const quoted = r.body.split('\n').find((l) => l.startsWith('> '));
  assert.ok(quoted !== undefined && quoted.length <= 502 && quoted.endsWith('…'));
  assert.deepEqual(
    r.recipients.map((x) => x.email),
    ['abuse@hostinger.com'],
  );
});

test('at most 20 evidence lines per incident, the rest counted', () => {
  const a = '194.164.64.213';
  const users = Array.from({ length: 25 }, (_, k) => `user${k}`);
  const [r] = composeReports(input([bruteForce('i1', a, users)], [usNet(a)]));
  assert.equal(r?.body.split('\n').filter((l) => l.startsWith('> ')).length, 20);
  assert.match(r?.body ?? '', /\(5 more lines not shown\)/);
});

test('deterministic: the same input in another order gives the same drafts', () => {
  const a = '194.164.64.213';
  const b = '157.173.209.216';
  const incidents = [bruteForce('i1', a, ['root']), bruteForce('i2', b, ['admin'])];
  const nets = [usNet(a), legacyNet(b)];
  const one = composeReports(input(incidents, nets));
  const two = composeReports(input([...incidents].reverse(), [...nets].reverse()));
  assert.deepEqual(one, two);
});
