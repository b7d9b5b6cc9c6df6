import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Contact } from '../core/network.js';
import {
  extractRdapAutnum,
  extractRdapDomain,
  extractRdapNetwork,
  rdapRegistry,
} from './rdap-answer.js';

// The RDAP answers collected in the shared corpus; expectations are INDEX.md's.
const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(CORPUS, name), 'utf8')) as unknown;
}

/** Contacts as `level structured email roles` lines, easy to compare and to read in a diff. */
function lines(contacts: readonly Contact[]): string[] {
  return contacts.map(
    (c) => `${c.level} ${c.structured ? 'structured' : 'free'} ${c.email} [${c.roles.join(',')}]`,
  );
}

function network(file: string, url: string, address: string) {
  return extractRdapNetwork(url, address, fixture(file));
}

describe('RDAP ip network answers from ARIN', () => {
  it('rdap-ip-arin-13.104.0.0-microsoft-multi-cidr: three cidr0 prefixes, org-level POCs, remark e-mails', () => {
    const f = network(
      'rdap-ip-arin-13.104.0.0-microsoft-multi-cidr.json',
      'https://rdap.arin.net/registry/ip/13.104.0.0',
      '13.104.0.0',
    );
    assert.deepEqual(f.netblock, {
      start: '13.64.0.0',
      end: '13.107.255.255',
      cidrs: ['13.64.0.0/11', '13.96.0.0/13', '13.104.0.0/14'],
      name: 'MSFT',
      handle: 'NET-13-64-0-0-1',
      org: 'Microsoft Corporation',
      country: null,
      registry: 'arin',
    });
    assert.deepEqual(lines(f.contacts), [
      'org structured IOC@microsoft.com [technical]',
      'org structured iphostmaster@microsoft.com [administrative,technical]',
      'org structured abuse@microsoft.com [abuse]',
      // Registration comments, remark lines ending in \r: not ahead of structured ones.
      'remark free secure@microsoft.com []',
      'remark free msndcc@microsoft.com []',
    ]);
    assert.equal(f.contacts[2]?.source, 'rdap.arin.net entity MAC74-ARIN');
    assert.equal(f.contacts[3]?.source, 'rdap.arin.net entity MSFT remarks');
    assert.deepEqual(f.hints, ['https://cert.microsoft.com']);
    assert.equal(f.server, 'rdap.arin.net');
    assert.equal(f.limited, null);
    assert.equal(f.stub, false);
    assert.equal(f.referral, null);
  });

  it('rdap-ip-arin-2001-4860---google-v6: abuse at both levels (org network-abuse@, network arin-contact@)', () => {
    const f = network(
      'rdap-ip-arin-2001-4860---google-v6.json',
      'https://rdap.arin.net/registry/ip/2001:4860::',
      '2001:4860::',
    );
    assert.equal(f.netblock?.start, '2001:4860::');
    assert.equal(f.netblock?.end, '2001:4860:ffff:ffff:ffff:ffff:ffff:ffff');
    assert.deepEqual(f.netblock?.cidrs, ['2001:4860::/32']);
    assert.equal(f.netblock?.handle, 'NET6-2001-4860-1');
    assert.equal(f.netblock?.name, 'GOOGLE-IPV6');
    assert.equal(f.netblock?.org, 'Google LLC');
    assert.deepEqual(lines(f.contacts), [
      'org structured network-abuse@google.com [abuse]',
      // ZG39-ARIN appears nested (technical, administrative) and at the top (noc, technical,
      // abuse): one contact, at the more authoritative level.
      'network structured arin-contact@google.com [technical,administrative,noc,abuse]',
    ]);
    assert.equal(f.contacts[1]?.source, 'rdap.arin.net entity ZG39-ARIN');
    assert.equal(f.asn, 15169);
  });

  it('rdap-ip-arin-2606-4700-4700--1111-cloudflare-v6: repeated POCs merged, remark URL as hint', () => {
    const f = network(
      'rdap-ip-arin-2606-4700-4700--1111-cloudflare-v6.json',
      'https://rdap.arin.net/registry/ip/2606:4700:4700::1111',
      '2606:4700:4700::1111',
    );
    assert.deepEqual(f.netblock?.cidrs, ['2606:4700::/32']);
    assert.equal(f.netblock?.handle, 'NET6-2606-4700-1');
    assert.equal(f.netblock?.name, 'CLOUDFLARENET');
    assert.equal(f.netblock?.org, 'Cloudflare, Inc.');
    assert.deepEqual(lines(f.contacts), [
      'network structured noc@cloudflare.com [noc]',
      'network structured abuse@cloudflare.com [abuse]',
      'network structured rir@cloudflare.com [administrative,technical]',
    ]);
    // "All Cloudflare abuse reporting can be done via https://…": a URL, never an address.
    assert.deepEqual(f.hints, ['https://www.cloudflare.com/abuse']);
    assert.equal(f.asn, 13335);
  });

  it('rdap-ip-arin-74.125.225.229-google-2015: zero-padded octets read as decimal', () => {
    const f = network(
      'rdap-ip-arin-74.125.225.229-google-2015.json',
      'https://rdap.arin.net/registry/ip/74.125.225.229',
      '74.125.225.229',
    );
    assert.equal(f.netblock?.start, '74.125.0.0');
    assert.equal(f.netblock?.end, '74.125.255.255');
    assert.deepEqual(f.netblock?.cidrs, ['74.125.0.0/16']);
    assert.equal(f.netblock?.org, 'Google Inc.');
    assert.deepEqual(lines(f.contacts), [
      'org structured arin-contact@google.com [abuse,administrative,technical]',
    ]);
  });
});

describe('RDAP ip network answers from RIPE', () => {
  it('rdap-ip-ripe-193.0.6.139-ripe-ncc: the {"type":"abuse"} e-mail is the abuse contact', () => {
    const f = network(
      'rdap-ip-ripe-193.0.6.139-ripe-ncc.json',
      'https://rdap.db.ripe.net/ip/193.0.6.139',
      '193.0.6.139',
    );
    assert.deepEqual(f.netblock, {
      start: '193.0.0.0',
      end: '193.0.7.255',
      cidrs: ['193.0.0.0/21'],
      name: 'RIPE-NCC',
      handle: '193.0.0.0 - 193.0.7.255',
      org: null,
      country: 'NL',
      registry: 'ripe',
    });
    assert.deepEqual(lines(f.contacts), [
      'network structured abuse@ripe.net [abuse]',
      // The same role's plain e-mail: secondary, not an abuse mailbox.
      'network structured ops@ripe.net []',
    ]);
  });

  it('rdap-ip-ripe-62.239.237.1-bt-2015: /32-suffixed bounds; the 2015 abuse role e-mails (known discrepancy)', () => {
    const f = network(
      'rdap-ip-ripe-62.239.237.1-bt-2015.json',
      'https://rdap.db.ripe.net/ip/62.239.237.1',
      '62.239.237.1',
    );
    assert.equal(f.netblock?.start, '62.239.237.0');
    assert.equal(f.netblock?.end, '62.239.237.255');
    assert.deepEqual(f.netblock?.cidrs, ['62.239.237.0/24']);
    assert.equal(f.netblock?.name, 'BT-CORPORATE');
    assert.equal(f.netblock?.country, 'GB');
    assert.deepEqual(lines(f.contacts), [
      'network structured zzdnsr@bt.com [abuse]',
      'network structured steve.a.marshall@bt.com [abuse]',
      'network structured lee.bailey-hague@bt.com [abuse]',
    ]);
  });
});

describe('RDAP ip network answers from APNIC', () => {
  it('rdap-ip-apnic-1.1.1.1-apnic-labs-2024: IRT listed twice, remark e-mail labelled as such', () => {
    const f = network(
      'rdap-ip-apnic-1.1.1.1-apnic-labs-2024.json',
      'https://rdap.apnic.net/ip/1.1.1.1',
      '1.1.1.1',
    );
    assert.deepEqual(f.netblock, {
      start: '1.1.1.0',
      end: '1.1.1.255',
      cidrs: ['1.1.1.0/24'],
      name: 'APNIC-LABS',
      handle: '1.1.1.0 - 1.1.1.255',
      org: 'APNIC Research and Development',
      country: 'AU',
      registry: 'apnic',
    });
    assert.deepEqual(lines(f.contacts), [
      'network structured research@apnic.net [technical,administrative]',
      'network structured helpdesk@apnic.net [abuse,registrant]',
      'remark free resolver-abuse@cloudflare.com [abuse]',
    ]);
    assert.equal(f.contacts[2]?.source, 'rdap.apnic.net remarks');
  });

  it('rdap-ip-apnic-1.1.1.1-apnic-labs-2022: the older registry data', () => {
    const f = network(
      'rdap-ip-apnic-1.1.1.1-apnic-labs-2022.json',
      'https://rdap.apnic.net/ip/1.1.1.1',
      '1.1.1.1',
    );
    assert.deepEqual(f.netblock?.cidrs, ['1.1.1.0/24']);
    assert.deepEqual(lines(f.contacts), [
      'network structured abuse@apnic.net [abuse]',
      'network structured research@apnic.net [technical,administrative]',
      'remark free resolver-abuse@cloudflare.com [abuse]',
    ]);
  });

  it('rdap-ip-apnic-210.107.73.73-boranet-2015: the NIR hostmaster is the only IRT', () => {
    const f = network(
      'rdap-ip-apnic-210.107.73.73-boranet-2015.json',
      'https://rdap.apnic.net/ip/210.107.73.73',
      '210.107.73.73',
    );
    assert.deepEqual(f.netblock?.cidrs, ['210.107.0.0/17']);
    assert.equal(f.netblock?.name, 'BORANET-NET-210-107');
    assert.equal(f.netblock?.country, 'KR');
    assert.deepEqual(lines(f.contacts), [
      'network structured ipadm@nic.bora.net [technical,administrative]',
      'network structured abuse@bora.net [technical,administrative]',
      'network structured security@bora.net [technical,administrative]',
      'network structured hostmaster@nic.or.kr [abuse]',
    ]);
  });
});

describe('RDAP ip network answers from LACNIC and NIC.br', () => {
  it('rdap-ip-lacnic-179.0.0.0_23-neuralsoft: no name, no country; technical+abuse POC', () => {
    const f = network(
      'rdap-ip-lacnic-179.0.0.0_23-neuralsoft.json',
      'https://rdap.lacnic.net/rdap/ip/179.0.0.0/23',
      '179.0.0.1',
    );
    assert.deepEqual(f.netblock, {
      start: '179.0.0.0',
      end: '179.0.1.255',
      cidrs: ['179.0.0.0/23'],
      name: null,
      handle: '179.0.0.0/23',
      org: 'NEURALSOFT S.R.L.',
      country: null,
      registry: 'lacnic',
    });
    assert.deepEqual(lines(f.contacts), [
      'network structured tomas.cribb@neuralsoft.com [technical,abuse]',
    ]);
    // "RDAP Cache … may take up to 4 hours to refresh" is not a limit on the answer.
    assert.equal(f.limited, null);
  });

  it('rdap-ip-lacnic-200.57.141.161-triara-2015: the echoed query is kept as the one-address range it says', () => {
    const f = network(
      'rdap-ip-lacnic-200.57.141.161-triara-2015.json',
      'https://rdap.lacnic.net/rdap/ip/200.57.141.161',
      '200.57.141.161',
    );
    assert.equal(f.netblock?.start, '200.57.141.161');
    assert.equal(f.netblock?.end, '200.57.141.161');
    assert.deepEqual(f.netblock?.cidrs, ['200.57.141.161/32']);
    assert.equal(f.netblock?.name, 'Triara.com, S.A. de C.V.');
    assert.equal(f.netblock?.country, 'MX');
    assert.deepEqual(lines(f.contacts), [
      // LACNIC prints the domain in upper case.
      'network structured operacion.redes@triara.com [administrative,technical,abuse,registrant]',
    ]);
  });

  it('rdap-ip-nicbr-177.0.0.0_14-brasil-telecom-partial: no e-mails and marked limited, not "no contact"', () => {
    const f = network(
      'rdap-ip-nicbr-177.0.0.0_14-brasil-telecom-partial.json',
      'https://rdap.registro.br/ip/177.0.0.0/14',
      '177.1.2.3',
    );
    assert.deepEqual(f.netblock?.cidrs, ['177.0.0.0/14']);
    assert.equal(f.netblock?.name, '153304');
    assert.equal(f.netblock?.country, 'BR');
    assert.equal(f.netblock?.registry, 'nicbr');
    assert.deepEqual(f.contacts, []);
    assert.equal(
      f.limited,
      'The object does not contain all data due to server policy. Could be excessive total number of queries.',
    );
    assert.equal(f.asn, 8167);
  });
});

describe('RDAP ip network answers from AFRINIC', () => {
  it('rdap-ip-afrinic-41.0.0.0_16-vodacom: no abuse entity', () => {
    const f = network(
      'rdap-ip-afrinic-41.0.0.0_16-vodacom.json',
      'https://rdap.afrinic.net/rdap/ip/41.0.0.1',
      '41.0.0.1',
    );
    assert.deepEqual(f.netblock?.cidrs, ['41.0.0.0/16']);
    assert.equal(f.netblock?.name, null);
    assert.equal(f.netblock?.country, 'ZA');
    assert.deepEqual(lines(f.contacts), [
      'network structured Jacques.hendricks@vodacom.co.za [administrative,technical]',
    ]);
  });

  it('rdap-ip-afrinic-196.11.240.215-mtn-2015: entities without roles are unknown; abuse only in a remark', () => {
    const f = network(
      'rdap-ip-afrinic-196.11.240.215-mtn-2015.json',
      'https://rdap.afrinic.net/rdap/ip/196.11.240.215',
      '196.11.240.215',
    );
    assert.deepEqual(f.netblock?.cidrs, [
      '196.11.239.0/24',
      '196.11.240.0/22',
      '196.11.244.0/23',
      '196.11.246.0/24',
    ]);
    assert.equal(f.netblock?.name, 'ORG-VSA1-AFRINIC');
    assert.deepEqual(lines(f.contacts), [
      'network structured ip-maint@mtnbusiness.co.za []',
      'network structured teixei_a@mtn.co.za []',
      'remark free abuse@mtnbusiness.co.za [abuse]',
    ]);
  });
});

describe('RDAP autnum answers', () => {
  const autnum = (file: string) =>
    extractRdapAutnum('https://rdap.example/autnum/1', fixture(file));

  it('rdap-asn-arin-AS13335-cloudflare', () => {
    const a = autnum('rdap-asn-arin-AS13335-cloudflare.json');
    assert.equal(a.asn, 13335);
    assert.equal(a.asName, 'CLOUDFLARENET');
    assert.deepEqual(lines(a.contacts), [
      'asn structured noc@cloudflare.com [noc]',
      'asn structured abuse@cloudflare.com [abuse]',
      'asn structured rir@cloudflare.com [administrative,technical]',
    ]);
  });
  it('rdap-asn-arin-AS256', () => {
    const a = autnum('rdap-asn-arin-AS256.json');
    assert.equal(a.asn, 256);
    assert.equal(a.asName, 'DNIC-AS-00256');
    assert.deepEqual(lines(a.contacts), [
      'asn structured disa.columbus.ns.mbx.arin-registrations@mail.mil [abuse,administrative,technical]',
    ]);
  });
  it('rdap-asn-apnic-AS4608', () => {
    const a = autnum('rdap-asn-apnic-AS4608.json');
    assert.equal(a.asn, 4608);
    assert.equal(a.asName, 'APNIC-SERVICES');
    assert.deepEqual(lines(a.contacts), [
      'asn structured noc@apnic.net [abuse,administrative,technical]',
    ]);
  });
  it('rdap-asn-ripe-AS1234: the number from the handle; no vCards, no e-mails', () => {
    const a = autnum('rdap-asn-ripe-AS1234.json');
    assert.equal(a.asn, 1234);
    assert.equal(a.asName, 'FORTUM-AS');
    assert.deepEqual(a.contacts, []);
  });
  it('rdap-asn-lacnic-AS27648: a bare-number handle, no name', () => {
    const a = autnum('rdap-asn-lacnic-AS27648.json');
    assert.equal(a.asn, 27648);
    assert.equal(a.asName, null);
    assert.deepEqual(lines(a.contacts), ['asn structured aperez@bantel.net.ve [technical,abuse]']);
  });
  it('rdap-asn-afrinic-AS36864: the org handle as name, no abuse entity', () => {
    const a = autnum('rdap-asn-afrinic-AS36864.json');
    assert.equal(a.asn, 36864);
    assert.equal(a.asName, 'ORG-AMS4-AFRINIC');
    assert.deepEqual(lines(a.contacts), [
      'asn structured stevance@afribonemali.net [administrative,technical,registrant]',
    ]);
  });
});

describe('RDAP domain answers', () => {
  // Made up in the shape of the ICANN gTLD RDAP profile: the registrar's abuse contact nested
  // under the registrar entity, a redacted registrant, an unredacted technical contact.
  const body = {
    objectClassName: 'domain',
    ldhName: 'example.net',
    entities: [
      {
        objectClassName: 'entity',
        handle: '9999',
        roles: ['registrar'],
        vcardArray: ['vcard', [['email', {}, 'text', 'info@registrar.example']]],
        entities: [
          {
            objectClassName: 'entity',
            roles: ['abuse'],
            vcardArray: ['vcard', [['email', {}, 'text', 'abuse@registrar.example']]],
          },
        ],
      },
      {
        objectClassName: 'entity',
        roles: ['registrant'],
        vcardArray: ['vcard', [['email', {}, 'text', 'REDACTED FOR PRIVACY']]],
      },
      {
        objectClassName: 'entity',
        roles: ['technical'],
        vcardArray: ['vcard', [['email', {}, 'text', 'hostmaster@example.net']]],
      },
    ],
  };
  it('takes the registrar abuse contact and unredacted contacts, not the registrar itself', () => {
    const d = extractRdapDomain('https://rdap.verisign.com/net/v1/domain/example.net', body);
    assert.deepEqual(lines(d.contacts), [
      'registrar structured abuse@registrar.example [registrar-abuse]',
      'domain structured hostmaster@example.net [technical]',
    ]);
  });
});

describe('hostile and broken RDAP answers', () => {
  const URL0 = 'https://rdap.example/ip/192.0.2.1';
  const base = { startAddress: '192.0.2.0', endAddress: '192.0.2.255', handle: 'NET-TEST' };

  it('a network that does not contain the address gives no netblock and no contacts', () => {
    const f = extractRdapNetwork(URL0, '198.51.100.1', {
      ...base,
      entities: [
        { roles: ['abuse'], vcardArray: ['vcard', [['email', {}, 'text', 'a@example.net']]] },
      ],
    });
    assert.equal(f.netblock, null);
    assert.deepEqual(f.contacts, []);
    assert.equal(
      f.limited,
      'answer describes 192.0.2.0 - 192.0.2.255, which does not contain 198.51.100.1',
    );
  });
  it('a body that is not an object, or has no range', () => {
    assert.equal(
      extractRdapNetwork(URL0, '192.0.2.1', '<html>').limited,
      'answer is not an RDAP object',
    );
    assert.equal(extractRdapNetwork(URL0, '192.0.2.1', [1, 2]).netblock, null);
    assert.equal(
      extractRdapNetwork(URL0, '192.0.2.1', { startAddress: '192.0.2.9', endAddress: '192.0.2.1' })
        .limited,
      'answer holds no network range',
    );
  });
  it('entities nested 10,000 deep or 100,000 wide are read to a bound, without a crash', () => {
    let deep: Record<string, unknown> = {
      roles: ['abuse'],
      vcardArray: ['vcard', [['email', {}, 'text', 'deep@example.net']]],
    };
    for (let i = 0; i < 10_000; i++) deep = { roles: ['technical'], entities: [deep] };
    const f = extractRdapNetwork(URL0, '192.0.2.1', { ...base, entities: [deep] });
    assert.deepEqual(f.contacts, []);
    const wide = Array.from({ length: 100_000 }, (_, i) => ({
      roles: ['technical'],
      vcardArray: ['vcard', [['email', {}, 'text', `t${i}@example.net`]]],
    }));
    const w = extractRdapNetwork(URL0, '192.0.2.1', { ...base, entities: wide });
    assert.ok(w.contacts.length <= 128, String(w.contacts.length));
  });
  it('refuses e-mails carrying headers and strips terminal escapes from names', () => {
    const f = extractRdapNetwork(URL0, '192.0.2.1', {
      ...base,
      name: 'EVIL\u001b[2J\r\nNAME',
      country: 'ZZZ',
      entities: [
        {
          roles: ['abuse'],
          vcardArray: [
            'vcard',
            [
              ['email', {}, 'text', 'abuse@example.net\r\nBcc: x@example.org'],
              ['email', {}, 'text', 'https://abuse.example.net/form'],
              ['email', { type: ['work', 'abuse'] }, 'text', 'ok@example.net'],
            ],
          ],
        },
      ],
    });
    assert.equal(f.netblock?.name, 'EVIL [2J  NAME');
    assert.equal(f.netblock?.country, null);
    assert.deepEqual(lines(f.contacts), ['network structured ok@example.net [abuse]']);
  });
  it('a cidr0 list that does not cover the range is replaced by the computed prefixes', () => {
    const f = extractRdapNetwork(URL0, '192.0.2.1', {
      ...base,
      cidr0_cidrs: [{ v4prefix: '10.0.0.0', length: 8 }],
    });
    assert.deepEqual(f.netblock?.cidrs, ['192.0.2.0/24']);
  });
  it('a LACNIC "Rate Limit Notice" marks the answer limited', () => {
    const f = extractRdapNetwork(URL0, '192.0.2.1', {
      ...base,
      notices: [{ title: 'Rate Limit Notice', description: ['Too many queries; try later.'] }],
    });
    assert.equal(f.limited, 'Rate Limit Notice: Too many queries; try later.');
  });
  it('notices are the server talking: their e-mails are never contacts', () => {
    const f = extractRdapNetwork(URL0, '192.0.2.1', {
      ...base,
      notices: [{ title: 'Terms', description: ['Questions to rdap-support@registry.example'] }],
    });
    assert.deepEqual(f.contacts, []);
  });
  it('names the registry from the server host', () => {
    assert.equal(rdapRegistry('https://rdap.arin.net/registry/ip/1.2.3.4'), 'arin');
    assert.equal(rdapRegistry('https://rdap.db.ripe.net/ip/1.2.3.4'), 'ripe');
    assert.equal(rdapRegistry('https://rdap.lacnic.net/rdap/ip/1.2.3.4'), 'lacnic');
    assert.equal(rdapRegistry('https://rdap.registro.br/ip/1.2.3.4'), 'nicbr');
    assert.equal(rdapRegistry('http://127.0.0.1:8080/ip/1.2.3.4'), '127.0.0.1:8080');
  });
});
