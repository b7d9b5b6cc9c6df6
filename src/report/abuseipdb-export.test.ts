import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv } from '../../test/support/csv.js';
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
import {
  abuseIpdbCategories,
  abuseIpdbComment,
  abuseIpdbCsv,
  MAX_COMMENT_BYTES,
} from './abuseipdb-export.js';
import { readEvidence } from '../app/evidence-reader.js';

test('AbuseIPDB categories for every incident kind', () => {
  const ftp = fixtureIncident('brute-force', '194.164.64.213', [
    [0, 'auth-failure', 'Nov 26 00:00:00 gw vsftpd[1]: pam_unix(vsftpd:auth): authentication failure; logname= uid=0 euid=0 tty=ftp ruser=x rhost=194.164.64.213'],
  ], { services: ['ftp'] }); // prettier-ignore
  const webLogin = { ...ftp, services: ['https'] };
  const rows = [
    SSH_BRUTE_FORCE,
    ftp,
    webLogin,
    SASL_BRUTE_FORCE,
    PORT_SCAN,
    TELNET_SWEEP,
    SSH_PROBE,
    ICMP_PROBE,
    SYN_FLOOD,
    WEB_EXPLOIT,
    SQL_INJECTION,
  ].map(
    (i) =>
      `${i.kind} ${i.services.join('+') || '-'}: ${abuseIpdbCategories(i, readEvidence).join(',')}`,
  );
  assert.deepEqual(rows, [
    'brute-force ssh: 18,22',
    'brute-force ftp: 5,18',
    'brute-force https: 18,21',
    'brute-force smtp: 18',
    // The scan touched port 22 too: SSH abuse is part of it.
    'port-scan ftp+ssh+telnet+smtp+http: 14,22',
    'sweep telnet: 14',
    'probe ssh: 14,22',
    'probe -: 14',
    'dos http: 4',
    'exploit http: 15,21',
    'exploit http: 15,16,21',
  ]);
});

test('bulk CSV: header, one row per incident with an address, quoted categories and comment', () => {
  const hostOnly = { ...SSH_PROBE, src: null, srcHost: 'scanner.example.com' };
  const csv = abuseIpdbCsv([SSH_BRUTE_FORCE, hostOnly, SYN_FLOOD], fixtureRedact, readEvidence);
  const lines = csv.split('\n');
  assert.equal(lines.length, 4, 'header, two rows, final newline');
  assert.equal(lines[0], 'IP,Categories,ReportDate,Comment');
  assert.equal(
    lines[1],
    '157.173.209.216,"18,22",2026-11-26T05:00:09Z,"Brute force: 42 failed logins (ssh), ' +
      '2026-11-26T05:00:00Z to 2026-11-26T05:00:09Z UTC. ' +
      'Log: Nov 26 05:00:00 [redacted-host] sshd[2000]: Failed password for root from 157.173.209.216 port 40022 ssh2 ' +
      'Log: Nov 26 05:00:04 [redacted-host] sshd[2001]: Failed password for invalid user admin from 157.173.209.216 port 40110 ssh2 ' +
      'Log: Nov 26 05:00:09 [redacted-host] sshd[2002]: Failed password for [redacted-user] from 157.173.209.216 port 40188 ssh2"',
  );
  assert.match(lines[2]!, /^82\.112\.247\.12,"4",2026-11-26T09:00:02Z,"Flood: 12000 requests/);
  assert.ok(!lines[2]!.includes('192.0.2.10'), 'the target is redacted');
});

test('a comment with quotes, commas, CR/LF and ESC stays one CSV field of one line', () => {
  const nasty =
    'Nov 26 05:00:00 web1 sshd[2000]: Invalid user "a,b"\r\nFeb  1 00:00:00 x: \u001b[31m,"' +
    ' from 157.173.209.216 port 40022';
  const incident = fixtureIncident(
    'brute-force',
    '157.173.209.216',
    [[18000, 'invalid-user', nasty]],
    { services: ['ssh'], events: 7 },
  );
  const csv = abuseIpdbCsv([incident], fixtureRedact, readEvidence);
  assert.equal(csv.split('\n').length, 3, 'header, one row, final newline');
  assert.ok(!csv.includes('\r'));
  assert.ok(!csv.includes('\u001b'));
  const rows = parseCsv(csv);
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1]!.slice(0, 3), ['157.173.209.216', '18,22', '2026-11-26T05:00:00Z']);
  assert.equal(
    rows[1]![3],
    'Brute force: 7 failed logins (ssh), 2026-11-26T05:00:00Z to 2026-11-26T05:00:00Z UTC. ' +
      'Log: Nov 26 05:00:00 [redacted-host] sshd[2000]: Invalid user "a,b"\\x0d\\x0aFeb  1 00:00:00 x: \\x1b[31m,"' +
      ' from 157.173.209.216 port 40022',
  );
});

test('a comment is cut to 1024 bytes of UTF-8 without splitting a character', () => {
  const long = `Nov 26 05:00:00 web1 sshd[2000]: Invalid user ${'ü'.repeat(5000)} from 157.173.209.216 port 40022`;
  const incident = fixtureIncident(
    'brute-force',
    '157.173.209.216',
    [
      [18000, 'invalid-user', long],
      [18001, 'invalid-user', long],
    ],
    { services: ['ssh'] },
  );
  const comment = abuseIpdbComment(incident, fixtureRedact);
  const bytes = Buffer.byteLength(comment, 'utf8');
  assert.ok(bytes <= MAX_COMMENT_BYTES && bytes > MAX_COMMENT_BYTES - 4, `${bytes} bytes`);
  assert.ok(comment.endsWith('ü…'));
  assert.ok(!comment.includes('\ufffd'));
  assert.equal(comment.split('Log: ').length, 2, 'the second line does not fit at all');
});
