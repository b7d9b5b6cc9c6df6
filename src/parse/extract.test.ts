import assert from 'node:assert/strict';
import { test } from 'node:test';
import { indexOfWord, isHostName, remoteFrom, type Remote } from './extract.js';
import { RecentTexts } from './recent-texts.js';

test('indexOfWord finds what indexOf finds with the blank in front', () => {
  const texts = [
    'Failed password for root from 203.0.113.7 port 52014 ssh2',
    'from from  from x from',
    ' from',
    'from ',
    'fromfrom from',
    '',
    'a from b',
  ];
  for (const text of texts) {
    for (const word of ['from', 'from ', 'port ', 'f', 'x']) {
      for (let from = -2; from <= text.length + 1; from++) {
        assert.equal(
          indexOfWord(text, word, from),
          text.indexOf(' ' + word, from),
          `${JSON.stringify(text)} ${word} ${from}`,
        );
      }
    }
  }
});

test('RecentTexts answers for a text equal to one stored, slice or not', () => {
  const cache = new RecentTexts<number>(8);
  assert.equal(cache.get('sshd'), undefined);
  cache.set('sshd', 1);
  cache.set('kernel', 2);
  assert.equal(cache.get('sshd'), 1);
  assert.equal(cache.get('gw sshd[1]', 3, 7), 1);
  assert.equal(cache.get('kernel'), 2);
  assert.equal(cache.get('sshd2'), undefined);
  assert.equal(cache.get('sxhd'), undefined);
  assert.equal(cache.get(''), undefined);
  cache.set('', 3);
  assert.equal(cache.get(''), 3);
  assert.equal(cache.get('x', 1, 1), 3);
});

test('isHostName: labels of 1 to 63 characters, 253 at most, an optional final dot', () => {
  const label = (n: number) => 'a'.repeat(n);
  const long = (n: number) => (label(63) + '.').repeat(4).slice(0, n - 1) + 'x';
  for (const name of [
    '198-51-100-7.dyn.example.net', // ftpd `failed login from HOST`
    'mail.example.com.',
    '_dmarc.example.com',
    'x-',
    label(63),
    `${label(63)}.example`,
    long(253),
  ]) {
    assert.equal(isHostName(name), true, name);
  }
  for (const name of [
    '',
    '.',
    'a..b',
    '.a',
    '-a',
    'a.-b',
    'a b',
    'a:b',
    label(64),
    long(254),
    'a\n',
  ]) {
    assert.equal(isHostName(name), false, JSON.stringify(name));
  }
});

test('remoteFrom: addresses first, then host names that are not all digits and dots', () => {
  const cases: [string, Remote | null][] = [
    ['203.0.113.9', { src: '203.0.113.9', srcHost: null }],
    ['203.0.113.09', { src: '203.0.113.9', srcHost: null }],
    ['203.0.113.256', null],
    ['2001:db8::1', { src: '2001:db8::1', srcHost: null }],
    ['[2001:DB8::1]', { src: '2001:db8::1', srcHost: null }],
    ['fe80::1%eth0', { src: 'fe80::1', srcHost: null }],
    ['::ffff:192.0.2.3', { src: '192.0.2.3', srcHost: null }],
    // A hyphen or a letter past f before any `:`: read as a host name without the address test.
    ['198-51-100-7.dyn.example.net', { src: null, srcHost: '198-51-100-7.dyn.example.net' }],
    ['deadbeef.example', { src: null, srcHost: 'deadbeef.example' }],
    ['host_1', { src: null, srcHost: 'host_1' }],
    ['g::1', null],
    ['x%eth0', null],
    // Hex letters and digits only: the address test answers first.
    ['cafe', { src: null, srcHost: 'cafe' }],
    ['beef.cafe', { src: null, srcHost: 'beef.cafe' }],
    ['1.2.3', null],
    ['', null],
  ];
  for (const [token, expected] of cases) assert.deepEqual(remoteFrom(token), expected, token);
});
