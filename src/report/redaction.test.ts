import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRedactor } from './redaction.js';
import type { RedactionRules } from './redaction.js';

const rules: RedactionRules = {
  addresses: ['192.0.2.0/28', '2001:db8:1::/48', '198.51.100.7'],
  hostnames: ['gw.example.org'],
  users: ['alice'],
  targets: true,
};
const redact = buildRedactor(rules);

test('sshd line: the reporter address, host and user are replaced, the attacker stays', () => {
  assert.equal(
    redact(
      'Nov 26 10:00:01 gw.example.org sshd[812]: Failed password for alice from 194.164.64.213 port 50022 ssh2 to 192.0.2.10',
    ),
    'Nov 26 10:00:01 [redacted-host] sshd[812]: Failed password for [redacted-user] from 194.164.64.213 port 50022 ssh2 to [redacted-address]',
  );
});

test('an address inside a longer number or dotted run is not the address', () => {
  assert.equal(
    redact('id 1192.0.2.10 and 192.0.2.10.5 and 192.0.2.100'),
    'id 1192.0.2.10 and 192.0.2.10.5 and 192.0.2.100',
  );
  assert.equal(redact('version 10.192.0.2.1'), 'version 10.192.0.2.1');
});

test('a dotted quad with a port, after a colon, at the end of a sentence', () => {
  assert.equal(
    redact('DST=192.0.2.1 to 192.0.2.2:22, addr:192.0.2.3. ok'),
    'DST=[redacted-address] to [redacted-address]:22, addr:[redacted-address]. ok',
  );
});

test('IPv6: compressed, upper case, bracketed with port, and IPv4-mapped forms', () => {
  assert.equal(
    redact('from 2001:DB8:1::5 [2001:db8:1:0::6]:443 rhost=::ffff:192.0.2.4 x ::FFFF:198.51.100.7'),
    'from [redacted-address] [[redacted-address]]:443 rhost=[redacted-address] x [redacted-address]',
  );
  // Outside the reporter's /48, and the attacker's v6 address from the whois corpus.
  assert.equal(redact('2001:db8:2::1 2a00:2381:ffff::1'), '2001:db8:2::1 2a00:2381:ffff::1');
  assert.equal(redact('at 2001:db8:1::9: closed'), 'at [redacted-address]: closed');
});

test('host names: case-insensitive, on label boundaries, with subdomains', () => {
  assert.equal(redact('GW.Example.ORG said'), '[redacted-host] said');
  assert.equal(redact('mail.gw.example.org.'), '[redacted-host].');
  assert.equal(
    redact('xgw.example.org gw.example.org.evil.net gw.example.orgx'),
    'xgw.example.org gw.example.org.evil.net gw.example.orgx',
  );
});

test('user names as whole words only', () => {
  assert.equal(
    redact('user=alice, ALICE; alice.'),
    'user=[redacted-user], [redacted-user]; [redacted-user].',
  );
  assert.equal(redact('malice alice2 alice_x alice.smith'), 'malice alice2 alice_x alice.smith');
});

test('targets and extra hosts are redacted only when asked', () => {
  const withTargets = buildRedactor(
    { ...rules, targets: true },
    { targets: ['203.0.113.5', 'web01'], hosts: ['mx1.example.com'] },
  );
  assert.equal(
    withTargets('203.0.113.5 web01 mx1.example.com'),
    '[redacted-address] [redacted-host] [redacted-host]',
  );
  const without = buildRedactor({ ...rules, targets: false }, { targets: ['203.0.113.5'] });
  assert.equal(without('203.0.113.5'), '203.0.113.5');
});

test('no rules: text unchanged', () => {
  const none = buildRedactor({ addresses: [], hostnames: [], users: [], targets: false });
  assert.equal(none('192.0.2.10 alice'), '192.0.2.10 alice');
});

test('linear time: a megabyte of address-like characters and near-miss names', () => {
  const hostile =
    '1.'.repeat(200_000) +
    ':'.repeat(200_000) +
    'gw.example.or'.repeat(20_000) +
    'alic'.repeat(50_000);
  const started = performance.now();
  const out = redact(hostile);
  assert.equal(out, hostile);
  assert.ok(performance.now() - started < 2_000, 'took too long');
});
