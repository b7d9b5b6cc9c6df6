import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  firstWhoisServer,
  serverLabel,
  specialAddressName,
  whoisCharsetFor,
  whoisQueryFor,
} from './whois-servers.js';
import { parseCsv } from '../../test/support/csv.js';

const IANA = join(import.meta.dirname, '..', '..', '..', 'shared', 'corpus', 'whois', 'iana');

/** The data rows of one of IANA's CSVs (header dropped). */
function csvRows(file: string): string[][] {
  return parseCsv(readFileSync(join(IANA, file), 'utf8')).slice(1);
}

describe('whoisQueryFor', () => {
  test('ARIN asks for network records with full POC details', () => {
    assert.deepEqual(whoisQueryFor('whois.arin.net', '157.173.209.216'), {
      server: 'whois.arin.net',
      protocol: 'whois',
      port: 43,
      query: 'n + 157.173.209.216',
    });
  });

  test('RIPE without personal objects (-r) and in UTF-8; AFRINIC with -r', () => {
    assert.equal(
      whoisQueryFor('whois.ripe.net', '93.184.216.34').query,
      '-r --charset UTF-8 93.184.216.34',
    );
    assert.equal(whoisQueryFor('whois.afrinic.net', '196.11.240.215').query, '-r 196.11.240.215');
  });

  test('APNIC, LACNIC, IANA and unknown servers get the bare address; JPNIC gets /e', () => {
    assert.equal(whoisQueryFor('whois.apnic.net', '210.107.73.73').query, '210.107.73.73');
    assert.equal(whoisQueryFor('whois.lacnic.net', '2801:10:c000::').query, '2801:10:c000::');
    assert.equal(whoisQueryFor('whois.iana.org', '93.184.216.34').query, '93.184.216.34');
    assert.equal(
      whoisQueryFor('rwhois.websitewelcome.com', '108.167.149.240').query,
      '108.167.149.240',
    );
    assert.equal(whoisQueryFor('whois.nic.ad.jp', '133.1.2.5').query, '133.1.2.5/e');
  });

  test('server names are compared in lower case (referrals are written in any case)', () => {
    assert.equal(whoisQueryFor('WHOIS.ARIN.NET', '192.0.2.1').query, 'n + 192.0.2.1');
  });
});

describe('whoisCharsetFor', () => {
  test('servers_charset_list: APNIC ISO-8859-1, JPNIC ISO-2022-JP, others unknown', () => {
    assert.equal(whoisCharsetFor('whois.apnic.net'), 'iso-8859-1');
    assert.equal(whoisCharsetFor('whois.nic.ad.jp'), 'iso-2022-jp');
    assert.equal(whoisCharsetFor('whois.arin.net'), null);
  });
});

describe('firstWhoisServer (IANA tables, bundled)', () => {
  test('INDEX.md oracles', () => {
    assert.equal(firstWhoisServer('93.184.216.34'), 'whois.ripe.net');
    assert.equal(firstWhoisServer('157.173.209.216'), 'whois.arin.net');
    assert.equal(firstWhoisServer('2001:4860::1'), 'whois.arin.net');
    assert.equal(firstWhoisServer('2a00:2381:ffff::1'), 'whois.ripe.net');
    assert.equal(firstWhoisServer('2801:10:c000::1'), 'whois.lacnic.net');
    assert.equal(firstWhoisServer('133.1.2.5'), 'whois.apnic.net');
    assert.equal(firstWhoisServer('196.11.240.215'), 'whois.afrinic.net');
    assert.equal(firstWhoisServer('2001:43f8:7b0::'), 'whois.afrinic.net');
    assert.equal(firstWhoisServer('2001:240:10c:1::ca20:9d1d'), 'whois.apnic.net');
  });

  test('space no registry holds, and non-addresses, go to IANA', () => {
    assert.equal(firstWhoisServer('10.0.0.1'), 'whois.iana.org');
    assert.equal(firstWhoisServer('224.0.0.1'), 'whois.iana.org');
    assert.equal(firstWhoisServer('3ffe::1'), 'whois.iana.org');
    assert.equal(firstWhoisServer('fe80::1'), 'whois.iana.org');
    assert.equal(firstWhoisServer('not an address'), 'whois.iana.org');
  });

  test('zero-padded and IPv4-mapped forms are read as the address they are', () => {
    assert.equal(firstWhoisServer('093.184.216.034'), 'whois.ripe.net');
    assert.equal(firstWhoisServer('::ffff:93.184.216.34'), 'whois.ripe.net');
  });

  test('every /8 of ipv4-address-space.csv gives its WHOIS column', () => {
    const rows = csvRows('ipv4-address-space.csv');
    assert.equal(rows.length, 256);
    for (const [prefix = '', , , whois = ''] of rows) {
      const octet = Number(prefix.slice(0, 3));
      assert.equal(
        firstWhoisServer(`${octet}.1.2.3`),
        whois === '' ? 'whois.iana.org' : whois,
        prefix,
      );
    }
  });

  test('every block of ipv6-unicast-address-assignments.csv gives its WHOIS column', () => {
    const rows = csvRows('ipv6-unicast-address-assignments.csv');
    assert.ok(rows.length >= 40);
    for (const [prefix = '', , , whois = ''] of rows) {
      const base = prefix.slice(0, prefix.indexOf('/'));
      const probe = base.endsWith('::') ? `${base}1` : base;
      assert.equal(firstWhoisServer(probe), whois === '' ? 'whois.iana.org' : whois, prefix);
    }
  });
});

describe('specialAddressName', () => {
  test('private, loopback and documentation space are named; public space is not', () => {
    assert.equal(specialAddressName('10.0.0.1'), 'Private-Use (RFC1918)');
    assert.equal(specialAddressName('127.0.0.1'), 'Loopback (RFC1122)');
    assert.equal(specialAddressName('::1'), 'Loopback Address (RFC4291)');
    assert.equal(specialAddressName('157.173.209.216'), null);
  });
});

describe('serverLabel', () => {
  test('the port is shown when it is not 43', () => {
    assert.equal(serverLabel({ server: 'whois.ripe.net', port: 43 }), 'whois.ripe.net');
    assert.equal(
      serverLabel({ server: 'rwhois.websitewelcome.com', port: 4321 }),
      'rwhois.websitewelcome.com:4321',
    );
  });
});
