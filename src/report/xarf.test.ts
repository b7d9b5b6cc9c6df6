import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Incident } from '../core/incident.js';
import type { XarfReport } from '../core/report.js';
import {
  fixtureIncident,
  fixtureRedact,
  ICMP_PROBE,
  PORT_SCAN,
  SASL_BRUTE_FORCE,
  SQL_INJECTION,
  SSH_BRUTE_FORCE,
  SSH_PROBE,
  SYN_FLOOD,
  TELNET_SWEEP,
  WEB_EXPLOIT,
} from '../../test/support/report-fixtures.js';
import { buildXarfValidator, XARF_DIR } from '../../test/support/xarf-schema.js';
import { incidentToXarf, nameUuid, xarfIncomplete, xarfType, type XarfOptions } from './xarf.js';
import { readEvidence } from '../app/evidence-reader.js';

const validate = buildXarfValidator();

function errorsOf(report: unknown): ErrorObject[] {
  return validate(report) ? [] : [...(validate.errors ?? [])];
}

function assertValid(report: unknown): void {
  const errors = errorsOf(report);
  assert.deepEqual(
    errors.map((e) => `${e.instancePath} ${e.message ?? ''}`),
    [],
    'valid X-ARF 4',
  );
}

const NOW = Date.UTC(2026, 10, 27, 8, 30, 0);

const OPTIONS: XarfOptions = {
  reporter: {
    organization: 'Example Hosting',
    email: 'abuse-reports@example.net',
    name: 'Ops Team',
    domain: 'example.net',
  },
  now: NOW,
  read: readEvidence,
  reportId: 'r-2026-11-27-0001',
  redact: fixtureRedact,
};

function xarf(incident: Incident, options: Partial<XarfOptions> = {}): Record<string, unknown> {
  // Through JSON, as the report travels: what validates is the text the abuse desk receives.
  return JSON.parse(JSON.stringify(incidentToXarf(incident, null, { ...OPTIONS, ...options })));
}

function evidenceText(report: XarfReport): string {
  const items = report.evidence as { payload: string }[];
  return Buffer.from(items[0]!.payload, 'base64').toString('utf8');
}

test('the validator accepts every X-ARF 4 connection sample of the corpus', () => {
  const dir = join(XARF_DIR, 'samples/v4');
  const samples = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.equal(samples.length, 8);
  for (const f of samples) {
    const sample: unknown = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    assert.deepEqual(errorsOf(sample), [], f);
  }
});

test('the validator rejects a login attack without source_port and a bad report_id', () => {
  const sample = JSON.parse(
    readFileSync(join(XARF_DIR, 'samples/v4/connection-login-attack.json'), 'utf8'),
  ) as Record<string, unknown>;
  const noPort = { ...sample };
  delete noPort.source_port;
  assert.ok(errorsOf(noPort).some((e) => e.params.missingProperty === 'source_port'));
  assert.ok(errorsOf({ ...sample, report_id: 'r-1' }).some((e) => e.instancePath === '/report_id'));
});

test('sshd brute force → login_attack with the first source port, service and attempt count', () => {
  const r = xarf(SSH_BRUTE_FORCE);
  assertValid(r);
  assert.deepEqual(xarfType(SSH_BRUTE_FORCE, readEvidence), {
    category: 'connection',
    type: 'login_attack',
  });
  assert.equal(r.xarf_version, '4.2.0');
  assert.equal(r.report_id, nameUuid(JSON.stringify(['r-2026-11-27-0001', SSH_BRUTE_FORCE.id])));
  assert.match(r.report_id as string, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-/);
  assert.equal(r.timestamp, '2026-11-27T08:30:00Z');
  assert.deepEqual(r.reporter, {
    org: 'Example Hosting',
    contact: 'abuse-reports@example.net',
    domain: 'example.net',
  });
  assert.deepEqual(r.sender, r.reporter);
  assert.equal(r.source_identifier, '157.173.209.216');
  assert.equal(r.source_port, 40022);
  assert.equal(r.category, 'connection');
  assert.equal(r.type, 'login_attack');
  assert.equal(r.protocol, 'tcp');
  assert.equal(r.service, 'ssh');
  assert.equal(r.attempt_count, 42);
  assert.equal(r.first_seen, '2026-11-26T05:00:00Z');
  assert.equal(r.last_seen, '2026-11-26T05:00:09Z');
  assert.equal(r.evidence_source, 'server_logs');
  assert.equal(r.confidence, 0.95);
  assert.deepEqual(r.tags, ['attack:brute_force', 'service:ssh', 'severity:3']);
  // The logging host names no address: no destination_ip; sshd logs no target port.
  assert.equal('destination_ip' in r, false);
  assert.equal('destination_port' in r, false);
});

test('evidence: redacted lines, base64, sha256 of the payload bytes, size', () => {
  const r = xarf(SSH_BRUTE_FORCE);
  const [item] = r.evidence as { payload: string; hash: string; size: number }[];
  const text = evidenceText(r);
  assert.equal(
    text,
    'Nov 26 05:00:00 [redacted-host] sshd[2000]: Failed password for root from 157.173.209.216 port 40022 ssh2\n' +
      'Nov 26 05:00:04 [redacted-host] sshd[2001]: Failed password for invalid user admin from 157.173.209.216 port 40110 ssh2\n' +
      'Nov 26 05:00:09 [redacted-host] sshd[2002]: Failed password for [redacted-user] from 157.173.209.216 port 40188 ssh2\n',
  );
  const bytes = Buffer.from(item!.payload, 'base64');
  assert.equal(item!.hash, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  assert.equal(item!.size, bytes.length);
  assert.equal('evidence' in xarf(SSH_BRUTE_FORCE, { includeEvidence: false }), false);
});

test('ufw SYN scan → port_scan with ports_scanned; the target only when the redactor keeps it', () => {
  const r = xarf(PORT_SCAN);
  assertValid(r);
  assert.equal(r.type, 'port_scan');
  assert.equal(r.source_port, 53421);
  assert.equal(r.protocol, 'tcp');
  assert.deepEqual(r.ports_scanned, [21, 22, 23, 25, 80]);
  assert.equal(r.evidence_source, 'firewall_logs');
  assert.equal(r.confidence, 0.8);
  assert.equal('destination_ip' in r, false, '192.0.2.10 is redacted');
  assert.equal('destination_port' in r, false, 'five ports, not one');
  assert.ok(!evidenceText(r).includes('192.0.2.10'));

  const open = xarf(PORT_SCAN, { redact: (t) => t });
  assertValid(open);
  assert.equal(open.destination_ip, '192.0.2.10');
});

test('ufw SYN flood → ddos syn_flood on port 80, low confidence (spoofable)', () => {
  const r = xarf(SYN_FLOOD, { redact: (t) => t });
  assertValid(r);
  assert.equal(r.type, 'ddos');
  assert.equal(r.source_port, 42794);
  assert.equal(r.protocol, 'tcp');
  assert.equal(r.attack_vector, 'syn_flood');
  assert.equal(r.destination_ip, '192.0.2.10');
  assert.equal(r.destination_port, 80);
  assert.equal(r.duration_seconds, 2);
  assert.equal(r.evidence_source, 'firewall_logs');
  assert.equal(r.confidence, 0.5);
  assert.deepEqual(r.tags, ['attack:flood', 'service:http', 'severity:4']);
});

test('sshd preauth disconnects → reconnaissance probing ssh', () => {
  const r = xarf(SSH_PROBE);
  assertValid(r);
  assert.equal(r.type, 'reconnaissance');
  assert.equal(r.protocol, 'tcp');
  assert.deepEqual(r.probed_resources, ['ssh']);
  assert.equal(r.total_probes, 2);
  assert.equal(r.source_port, 42579);
});

test('telnet sweep of 12 hosts → reconnaissance of tcp/23 on 12 targets', () => {
  const r = xarf(TELNET_SWEEP, { redact: (t) => t });
  assertValid(r);
  assert.equal(r.type, 'reconnaissance');
  assert.deepEqual(r.probed_resources, ['tcp/23']);
  assert.equal(r.targets_count, 12);
  assert.equal(r.destination_port, 23);
  assert.equal('destination_ip' in r, false, 'twelve targets, not one');
});

test('HTTP path traversal → vulnerability_scan (web), no source port needed', () => {
  const r = xarf(WEB_EXPLOIT);
  assertValid(r);
  assert.deepEqual(xarfType(WEB_EXPLOIT, readEvidence), {
    category: 'connection',
    type: 'vulnerability_scan',
  });
  assert.equal(r.scan_type, 'web_vuln_scan');
  assert.equal(r.protocol, 'tcp');
  assert.deepEqual(r.targeted_services, ['http']);
  assert.deepEqual(r.vulnerabilities_probed, ['path traversal']);
  assert.equal('source_port' in r, false);
});

test('SQL injection requests → sql_injection when every attempt is one', () => {
  const r = xarf(SQL_INJECTION);
  assertValid(r);
  assert.equal(r.type, 'sql_injection');
  assert.equal(r.http_method, 'GET');
  assert.equal(r.attempts_count, 2);
  assert.deepEqual(r.tags, [
    'attack:exploit',
    'attack:sql_injection',
    'service:http',
    'severity:4',
  ]);
  const mixed = fixtureIncident('exploit', '194.164.64.213', [
    ...SQL_INJECTION.evidence.map((e) => [(e.at! - SQL_INJECTION.firstSeen) / 1000, e.kind, e.text] as const),
    [5, 'exploit-attempt', WEB_EXPLOIT.evidence[0]!.text.replaceAll('157.173.209.216', '194.164.64.213')],
  ]); // prettier-ignore
  assert.equal(xarfType(mixed, readEvidence).type, 'vulnerability_scan');
});

test('a source port no log line names is left out: the only schema error is source_port', () => {
  // postfix logs no client port; ICMP has none. The type schemas offer no "unknown" value.
  for (const incident of [SASL_BRUTE_FORCE, ICMP_PROBE]) {
    const r = xarf(incident);
    assert.equal('source_port' in r, false);
    const errors = errorsOf(r).filter((e) => e.keyword === 'required');
    assert.deepEqual(
      errors.map((e) => e.params.missingProperty),
      ['source_port'],
      incident.id,
    );
  }
  const icmp = xarf(ICMP_PROBE, { redact: (t) => t });
  assert.equal(icmp.type, 'port_scan', 'reconnaissance allows only tcp and udp');
  assert.equal(icmp.protocol, 'icmp');
  assert.equal(icmp.source_identifier, '2a00:2381:ffff::1');
  assert.equal(icmp.destination_ip, '2001:db8::10');
  const sasl = xarf(SASL_BRUTE_FORCE);
  assert.equal(sasl.protocol, 'tcp');
  assert.equal(sasl.service, 'smtp');
});

test('every incident kind maps to its X-ARF type', () => {
  const types = [
    SSH_BRUTE_FORCE,
    PORT_SCAN,
    SYN_FLOOD,
    SSH_PROBE,
    TELNET_SWEEP,
    WEB_EXPLOIT,
    SQL_INJECTION,
  ].map((i) => `${i.kind} ${xarfType(i, readEvidence).type}`);
  assert.deepEqual(types, [
    'brute-force login_attack',
    'port-scan port_scan',
    'dos ddos',
    'probe reconnaissance',
    'sweep reconnaissance',
    'exploit vulnerability_scan',
    'exploit sql_injection',
  ]);
});

test('CR, LF, ESC and a 10 KB user name in evidence stay escaped and bounded', () => {
  const huge = 'x'.repeat(10_000);
  const line = `Nov 26 05:00:00 web1 sshd[2000]: Invalid user ${huge}\r\nInjected: \u001b[2J\u202e from 157.173.209.216 port 40022`;
  const incident = fixtureIncident(
    'brute-force',
    '157.173.209.216',
    [
      [18000, 'invalid-user', line],
      ...SSH_BRUTE_FORCE.evidence.map((e) => [(e.at! - SSH_BRUTE_FORCE.firstSeen) / 1000, e.kind, e.text] as const),
    ],
    { services: ['ssh'], users: [huge] },
  ); // prettier-ignore
  const report = incidentToXarf(incident, null, OPTIONS);
  const json = JSON.stringify(report);
  assertValid(JSON.parse(json));
  assert.ok(json.length < 4000, `report is ${json.length} characters`);
  assert.ok(!json.includes(huge));
  const text = evidenceText(report);
  const lines = text.split('\n');
  assert.equal(lines.length, 5, 'four evidence lines and the final newline');
  assert.equal(lines[0]!.length, 1024);
  assert.ok(lines[0]!.endsWith(' [truncated]'));
  for (const l of lines) assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(l), l.slice(0, 60));
  const short = incidentToXarf(
    {
      ...incident,
      evidence: [{ ...incident.evidence[0]!, text: `sshd: user a\r\nb\u001b[2J\u202e` }],
    },
    null,
    OPTIONS,
  );
  assert.equal(evidenceText(short), 'sshd: user a\\x0d\\x0ab\\x1b[2J\\u{202e}\n');
  // The description is built from reportable's own fields only.
  assert.ok(!(report.description as string).includes('xxxx'));
  assert.ok((report.description as string).length <= 1000);
});

test('a reporter without organization or domain: name, then the mail domain', () => {
  const r = xarf(SSH_BRUTE_FORCE, {
    reporter: { organization: null, name: null, email: 'ops@mail.example.org', domain: null },
  });
  assertValid(r);
  assert.deepEqual(r.reporter, {
    org: 'mail.example.org',
    contact: 'ops@mail.example.org',
    domain: 'mail.example.org',
  });
});

test('xarfIncomplete: a login attack without a source port, or without a reporter address, is not sendable', () => {
  const complete = {
    reporter: { contact: 'abuse-desk@example.net' },
    type: 'login_attack',
    source_port: 40022,
  };
  assert.equal(xarfIncomplete(complete), null);
  const portless: Record<string, unknown> = { ...complete };
  delete portless['source_port'];
  assert.match(xarfIncomplete(portless) ?? '', /source port/);
  assert.equal(xarfIncomplete({ ...portless, type: 'reconnaissance' }), null);
  assert.match(xarfIncomplete({ ...complete, reporter: { contact: '' } }) ?? '', /reporter e-mail/);
});
