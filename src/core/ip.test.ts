import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalAddress, canonicalIPv4, parsePort, splitHostPort } from './ip.js';

test('IPv4 dotted quad is returned as is', () => {
  assert.equal(canonicalAddress('203.0.113.9'), '203.0.113.9');
});

test('IPv4 with leading zeros (sshd corpus 192.030.0.6) is read as decimal, never octal', () => {
  assert.equal(canonicalIPv4('192.030.0.6'), '192.30.0.6');
  assert.equal(canonicalAddress('192.0.2.09'), '192.0.2.9');
  assert.equal(canonicalAddress('010.000.000.001'), '10.0.0.1');
});

test('not addresses', () => {
  for (const s of [
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    'example.com',
    '',
    '1.2.3.4 ',
    '::g',
    '1234.1.1.1',
  ]) {
    assert.equal(canonicalAddress(s), null, s);
  }
});

test('IPv6 is RFC 5952 lower case, brackets and zone removed', () => {
  assert.equal(canonicalAddress('2001:DB8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(canonicalAddress('[2001:db8::1]'), '2001:db8::1');
  assert.equal(canonicalAddress('fe80::1%eth0'), 'fe80::1');
  assert.equal(canonicalAddress('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
});

test('IPv4-mapped IPv6 is unwrapped (courier ::ffff:, fail2ban ::FFFF:)', () => {
  assert.equal(canonicalAddress('::ffff:218.249.210.161'), '218.249.210.161');
  assert.equal(canonicalAddress('::FFFF:192.0.2.3'), '192.0.2.3');
  assert.equal(canonicalAddress('[::ffff:192.0.2.3]'), '192.0.2.3');
});

test('host:port splitting for IPv4, bracketed IPv6 and bare IPv6', () => {
  assert.deepEqual(splitHostPort('192.0.2.1:54321'), { addr: '192.0.2.1', port: 54321 });
  assert.deepEqual(splitHostPort('[2001:db8::1]:443'), { addr: '2001:db8::1', port: 443 });
  assert.deepEqual(splitHostPort('2001:db8::1'), { addr: '2001:db8::1', port: null });
  assert.equal(splitHostPort('192.0.2.1:99999'), null);
});

test('ports', () => {
  assert.equal(parsePort('22'), 22);
  assert.equal(parsePort('65535'), 65535);
  assert.equal(parsePort('65536'), null);
  assert.equal(parsePort('2a'), null);
});
