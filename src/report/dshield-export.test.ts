import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  fixtureRedact,
  ICMP_PROBE,
  PORT_SCAN,
  SSH_BRUTE_FORCE,
  WEB_EXPLOIT,
} from '../../test/support/report-fixtures.js';
import { dshieldLines } from './dshield-export.js';
import { readEvidence } from '../app/evidence-reader.js';

test('netfilter port scan: every field from the SRC/DST/SPT/DPT/PROTO/flags of ufw lines', () => {
  const text = dshieldLines([PORT_SCAN], '123456', 'UTC', readEvidence);
  assert.equal(
    text,
    [
      '2026-11-26 10:00:00 +00:00\t123456\t1\t194.164.64.213\t53421\t192.0.2.10\t21\t6\tS',
      '2026-11-26 10:00:01 +00:00\t123456\t1\t194.164.64.213\t53421\t192.0.2.10\t22\t6\tS',
      '2026-11-26 10:00:02 +00:00\t123456\t1\t194.164.64.213\t53421\t192.0.2.10\t23\t6\tS',
      '2026-11-26 10:00:03 +00:00\t123456\t1\t194.164.64.213\t53421\t192.0.2.10\t25\t6\tS',
      '2026-11-26 10:00:04 +00:00\t123456\t1\t194.164.64.213\t53421\t192.0.2.10\t80\t6\tS',
      '',
    ].join('\n'),
  );
});

test('sshd brute force: source port from the line, target and target port unknown, TCP', () => {
  const text = dshieldLines([SSH_BRUTE_FORCE], '123456', 'Europe/Berlin', readEvidence);
  assert.equal(
    text,
    [
      '2026-11-26 06:00:00 +01:00\t123456\t1\t157.173.209.216\t40022\t???\t???\t6\t',
      '2026-11-26 06:00:04 +01:00\t123456\t1\t157.173.209.216\t40110\t???\t???\t6\t',
      '2026-11-26 06:00:09 +01:00\t123456\t1\t157.173.209.216\t40188\t???\t???\t6\t',
      '',
    ].join('\n'),
  );
});

test('lines of several incidents in time order; a redacted target becomes ???', () => {
  const lines = dshieldLines(
    [PORT_SCAN, SSH_BRUTE_FORCE],
    '7',
    'UTC',
    readEvidence,
    fixtureRedact,
  ).split('\n');
  assert.equal(lines.length, 9);
  assert.match(lines[0]!, /^2026-11-26 05:00:00 \+00:00\t7\t1\t157\.173\.209\.216\t40022\t/);
  assert.equal(lines[3], '2026-11-26 10:00:00 +00:00\t7\t1\t194.164.64.213\t53421\t???\t21\t6\tS');
});

test('ICMPv6 echo: type and code in the port columns, protocol 58; web log: ports and target unknown', () => {
  assert.equal(
    dshieldLines([ICMP_PROBE, WEB_EXPLOIT], 'bad\tid\n', 'No/Such_Zone', readEvidence),
    '2026-11-26 08:00:01 +00:00\tbadid\t1\t157.173.209.216\t???\t???\t???\t6\t\n' +
      '2026-11-26 09:00:00 +00:00\tbadid\t1\t2a00:2381:ffff::1\t128\t2001:db8::10\t0\t58\t\n',
  );
});
