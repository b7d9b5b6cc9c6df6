import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareAddresses,
  parseLooseAddress,
  parseLoosePrefix,
  parseRange,
  rangeAsPrefix,
  rangeContains,
  rangeToCidrs,
} from './ip-range.js';

describe('registry address forms', () => {
  it('reads ARIN RDAP zero-padded octets as decimal', () => {
    assert.equal(parseLooseAddress('074.125.000.000'), '74.125.0.0');
    assert.equal(parseLooseAddress('010.000.000.008'), '10.0.0.8');
  });
  it('strips the /32 suffix old RIPE RDAP put on bounds', () => {
    assert.equal(parseLooseAddress('62.239.237.255/32'), '62.239.237.255');
    assert.equal(parseLooseAddress('62.239.237.0/24'), null);
  });
  it('canonicalises upper-case and zero-padded IPv6', () => {
    assert.equal(
      parseLooseAddress('2001:4860:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF'),
      '2001:4860:ffff:ffff:ffff:ffff:ffff:ffff',
    );
    assert.equal(parseLooseAddress('2001:0240:010c::'), '2001:240:10c::');
  });
  it('reads LACNIC abbreviated prefixes', () => {
    assert.deepEqual(parseLoosePrefix('200.57.128/19'), {
      start: '200.57.128.0',
      end: '200.57.159.255',
    });
    assert.deepEqual(parseLoosePrefix('190.46/15'), { start: '190.46.0.0', end: '190.47.255.255' });
    assert.deepEqual(parseLoosePrefix('2001:43f8:07b0::/48'), {
      start: '2001:43f8:7b0::',
      end: '2001:43f8:7b0:ffff:ffff:ffff:ffff:ffff',
    });
  });
  it('rejects what is not a prefix', () => {
    assert.equal(parseLoosePrefix('example.net/24'), null);
    assert.equal(parseLoosePrefix('10.0.0.0/33'), null);
    assert.equal(parseLoosePrefix('1.2.3.4.5/8'), null);
  });
});

describe('ranges', () => {
  it('splits a range that is not one prefix (RIPE 92.205.156.0 - 92.205.255.255)', () => {
    const r = parseRange('92.205.156.0 - 92.205.255.255');
    assert.ok(r);
    assert.deepEqual(rangeToCidrs(r), ['92.205.156.0/22', '92.205.160.0/19', '92.205.192.0/18']);
    assert.equal(rangeAsPrefix(r), null);
  });
  it('splits the AFRINIC MTN range into four prefixes', () => {
    const r = parseRange('196.11.239.0 - 196.11.246.255');
    assert.ok(r);
    assert.deepEqual(rangeToCidrs(r), [
      '196.11.239.0/24',
      '196.11.240.0/22',
      '196.11.244.0/23',
      '196.11.246.0/24',
    ]);
  });
  it('reads ranges without spaces and IPv6 ranges', () => {
    assert.deepEqual(parseRange('208.43.132.0-208.43.132.31'), {
      start: '208.43.132.0',
      end: '208.43.132.31',
    });
    const r = parseRange('2001:4860:: - 2001:4860:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF');
    assert.ok(r);
    assert.deepEqual(rangeToCidrs(r), ['2001:4860::/32']);
    assert.equal(rangeAsPrefix(r), '2001:4860::/32');
  });
  it('refuses reversed or mixed-family ranges', () => {
    assert.equal(parseRange('10.0.0.9 - 10.0.0.1'), null);
    assert.equal(parseRange('10.0.0.0 - ::1'), null);
  });
  it('covers the whole space and single addresses', () => {
    assert.deepEqual(rangeToCidrs({ start: '0.0.0.0', end: '255.255.255.255' }), ['0.0.0.0/0']);
    assert.deepEqual(rangeToCidrs({ start: '108.167.149.240', end: '108.167.149.240' }), [
      '108.167.149.240/32',
    ]);
  });
  it('tests containment and order', () => {
    const r = { start: '74.125.0.0', end: '74.125.255.255' };
    assert.equal(rangeContains(r, '74.125.225.229'), true);
    assert.equal(rangeContains(r, '74.126.0.0'), false);
    assert.equal(rangeContains(r, '::1'), false);
    assert.ok(compareAddresses('9.0.0.0', '10.0.0.0') < 0);
    assert.ok(compareAddresses('255.0.0.0', '::') < 0);
  });
});
