import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeWhois, queryWhois, type WhoisTransportOptions } from './whois-client.js';
import { whoisQueryFor } from './whois-servers.js';

// Transport tests over real sockets are in test/integration/whois.test.ts; these need none.

describe('decodeWhois', () => {
  test('UTF-8 as RIPE sends it when asked (`Köln`, `Pilgrimstraße`)', () => {
    const bytes = Buffer.from('address:        Pilgrimstraße 2, Köln\n', 'utf8');
    assert.equal(decodeWhois('whois.ripe.net', bytes), 'address:        Pilgrimstraße 2, Köln\n');
  });

  test('Latin-1 bytes (RIPE without --charset) are decoded as Latin-1, none dropped', () => {
    const bytes = Buffer.from('address:        K\xf6ln \xff\x80\n', 'latin1');
    const text = decodeWhois('whois.ripe.net', bytes);
    assert.equal(text, 'address:        Köln ÿ\u0080\n');
    assert.equal(Buffer.from(text, 'latin1').equals(bytes), true);
  });

  test('APNIC (ISO-8859-1) falls back to Latin-1', () => {
    assert.equal(
      decodeWhois('whois.apnic.net', Buffer.from([0x47, 0x61, 0x72, 0x63, 0xed, 0x61])),
      'García',
    );
  });

  test('JPNIC ISO-2022-JP Japanese is decoded, though it is 7-bit and valid UTF-8 too', () => {
    // "日本" in ISO-2022-JP: ESC $ B, the JIS X 0208 codes, ESC ( B.
    const bytes = Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x4b, 0x5c, 0x1b, 0x28, 0x42, 0x0a]);
    assert.equal(decodeWhois('whois.nic.ad.jp', bytes), '日本\n');
    assert.equal(decodeWhois('whois.arin.net', bytes), bytes.toString('latin1'));
  });

  test('CRLF is kept for the extractor', () => {
    assert.equal(
      decodeWhois('whois.lacnic.net', Buffer.from('inetnum: 200.57.128/19\r\n')),
      'inetnum: 200.57.128/19\r\n',
    );
  });
});

describe('queryWhois refuses before connecting', () => {
  const base: WhoisTransportOptions = { timeoutMs: 1000, maxBytes: 65536, endpoints: new Map() };

  test('a name that resolves to a private address (only --whois-host may point inside)', async () => {
    const options = { ...base, lookup: () => Promise.resolve(['10.0.0.1']) };
    await assert.rejects(
      queryWhois(whoisQueryFor('whois.example.net', '157.173.209.216'), options),
      {
        message:
          'whois.example.net: whois.example.net resolves to 10.0.0.1 (Private-Use (RFC1918)); not asked',
      },
    );
  });

  test('a loopback address given as the server itself', async () => {
    await assert.rejects(queryWhois(whoisQueryFor('127.0.0.1', '157.173.209.216'), base), {
      message: '127.0.0.1: 127.0.0.1 is Loopback (RFC1122); not asked',
    });
  });

  test('a name that does not resolve', async () => {
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    const options = { ...base, lookup: () => Promise.reject(notFound) };
    await assert.rejects(
      queryWhois(whoisQueryFor('whois.nowhere.example', '157.173.209.216'), options),
      {
        name: 'ExternalError',
        message: 'whois.nowhere.example: host name not found',
      },
    );
  });

  test('a resolver that never answers is bounded by the timeout', async () => {
    const options = {
      ...base,
      timeoutMs: 100,
      lookup: () => new Promise<string[]>(() => undefined),
    };
    await assert.rejects(
      queryWhois(whoisQueryFor('whois.slow.example', '157.173.209.216'), options),
      {
        message: 'whois.slow.example: no answer within 0.1 s',
      },
    );
  });
});
