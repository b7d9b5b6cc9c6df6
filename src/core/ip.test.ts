import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededInts } from '../../test/support/fixtures.js';
import {
  canonicalAddress,
  canonicalIPv4,
  cleanIPv4End,
  parsePort,
  parsePortAt,
  plainIPv4Value,
  splitHostPort,
} from './ip.js';

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

test('cleanIPv4End accepts exactly the dotted quads that are their own canonical form', () => {
  // Every token of up to 16 characters drawn from digits, dots and a few others, in context.
  const alphabet = ['0', '1', '2', '5', '9', '.', ' ', ':', 'a'];
  const next = seededInts(11);
  const tokens = ['1.2.3.4', '255.255.255.255', '0.0.0.0', '10.0.0.01', '256.1.1.1', '1.2.3.4.5'];
  for (let k = 0; k < 20000; k++) {
    let t = '';
    const len = 1 + next(16);
    for (let i = 0; i < len; i++) t += alphabet[next(alphabet.length)];
    tokens.push(t);
  }
  for (const token of tokens) {
    for (const after of ['', ' x', ':22', '5']) {
      const text = `SRC=${token}${after}`;
      const end = cleanIPv4End(text, 4);
      if (end < 0) {
        // Not a plain quad at the start: the token as a whole is not one either.
        if (canonicalIPv4(token) === token && !/^\d/.test(after)) assert.fail(text);
        continue;
      }
      const quad = text.slice(4, end);
      assert.equal(canonicalIPv4(quad), quad, text);
      assert.ok(!/^\d/.test(text.slice(end)), text);
    }
  }
});

test('plainIPv4Value gives the number of exactly the canonical dotted quads', () => {
  const alphabet = ['0', '1', '2', '5', '9', '.', 'x'];
  const next = seededInts(5);
  const tokens = ['1.2.3.4', '255.255.255.255', '0.0.0.0', '10.0.0.01', '256.1.1.1', '203.0.113.9'];
  for (let k = 0; k < 20000; k++) {
    let t = '';
    const len = 1 + next(16);
    for (let i = 0; i < len; i++) t += alphabet[next(alphabet.length)];
    tokens.push(t);
  }
  for (const token of tokens) {
    const text = `from ${token} 7`;
    const v = plainIPv4Value(text, 5, 5 + token.length);
    if (canonicalIPv4(token) !== token) {
      assert.equal(v, -1, token);
      continue;
    }
    const [a, b, c, d] = token.split('.').map(Number) as [number, number, number, number];
    assert.equal(v, ((a * 256 + b) * 256 + c) * 256 + d, token);
  }
});

test('parsePortAt reads a port inside a text as parsePort reads it alone', () => {
  const text = 'port 0 1 65535 65536 08080 x9 123456';
  for (let a = 0; a <= text.length; a++) {
    for (let b = a; b <= text.length + 2; b++) {
      assert.equal(parsePortAt(text, a, b), parsePort(text.slice(a, b)), `${a}..${b}`);
    }
  }
});
