import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Contact } from '../core/network.js';
import { extractDomainWhois } from './domain-answer.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');
const fixture = (name: string): string => readFileSync(join(CORPUS, name), 'utf8');

const registrarAbuse = (email: string, server: string): Contact => ({
  email,
  roles: ['registrar-abuse'],
  source: `${server} Registrar Abuse Contact Email`,
  structured: true,
  level: 'registrar',
});
const domainContact = (email: string, server: string): Contact => ({
  email,
  roles: ['registrant', 'administrative', 'technical'],
  source: `${server} Registrant Email`,
  structured: true,
  level: 'domain',
});

describe('domain whois fixtures (INDEX.md, domain whois chains)', () => {
  it('domain-google.com-1-verisign.txt: thin registry, registrar abuse, referral to MarkMonitor', () => {
    const f = extractDomainWhois(
      'whois.verisign-grs.com',
      'google.com',
      fixture('domain-google.com-1-verisign.txt'),
    );
    assert.deepEqual(f, {
      registrarServer: 'whois.markmonitor.com',
      contacts: [registrarAbuse('abusecomplaints@markmonitor.com', 'whois.verisign-grs.com')],
      limited: null,
      refusedReferral: null,
    });
  });

  it('domain-google.com-2-registrar-markmonitor.txt: contacts, not the address in Registrant Street, stops at itself', () => {
    const f = extractDomainWhois(
      'whois.markmonitor.com',
      'google.com',
      fixture('domain-google.com-2-registrar-markmonitor.txt'),
    );
    assert.deepEqual(f, {
      registrarServer: null,
      contacts: [
        registrarAbuse('abusecomplaints@markmonitor.com', 'whois.markmonitor.com'),
        domainContact('dns-admin@google.com', 'whois.markmonitor.com'),
      ],
      limited: null,
      refusedReferral: null,
    });
    assert.ok(!f.contacts.some((c) => c.email === 'contact-admin@google.com'));
  });

  it('domain-google.net-1-verisign.txt: registrar abuse and referral', () => {
    const f = extractDomainWhois(
      'whois.verisign-grs.com',
      'google.net',
      fixture('domain-google.net-1-verisign.txt'),
    );
    assert.deepEqual(f.registrarServer, 'whois.markmonitor.com');
    assert.deepEqual(f.contacts, [
      registrarAbuse('abusecomplaints@markmonitor.com', 'whois.verisign-grs.com'),
    ]);
  });

  it('domain-google.net-2-registrar-markmonitor.txt: registrant, admin, tech dns-admin@google.com', () => {
    const f = extractDomainWhois(
      'whois.markmonitor.com',
      'google.net',
      fixture('domain-google.net-2-registrar-markmonitor.txt'),
    );
    assert.equal(f.registrarServer, null);
    assert.deepEqual(f.contacts, [
      registrarAbuse('abusecomplaints@markmonitor.com', 'whois.markmonitor.com'),
      domainContact('dns-admin@google.com', 'whois.markmonitor.com'),
    ]);
  });

  it('domain-aplicaya-neq.com-1-verisign.txt: mixed-case referral host lower-cased', () => {
    const f = extractDomainWhois(
      'whois.verisign-grs.com',
      'aplicaya-neq.com',
      fixture('domain-aplicaya-neq.com-1-verisign.txt'),
    );
    assert.deepEqual(f, {
      registrarServer: 'whois.publicdomainregistry.com',
      contacts: [
        registrarAbuse('abuse-contact@publicdomainregistry.com', 'whois.verisign-grs.com'),
      ],
      limited: null,
      refusedReferral: null,
    });
  });

  it('domain-aplicaya-neq.com-2-registrar-pdr.txt: registrar abuse ranked first, registrant after', () => {
    const f = extractDomainWhois(
      'whois.publicdomainregistry.com',
      'aplicaya-neq.com',
      fixture('domain-aplicaya-neq.com-2-registrar-pdr.txt'),
    );
    assert.deepEqual(f, {
      registrarServer: null,
      contacts: [
        registrarAbuse('abuse-contact@publicdomainregistry.com', 'whois.publicdomainregistry.com'),
        domainContact('diegoferrer684@gmail.com', 'whois.publicdomainregistry.com'),
      ],
      limited: null,
      refusedReferral: null,
    });
  });
});

/** A registrar answer in the ICANN layout with the given contact lines. */
function answer(lines: string[]): string {
  return [
    'Domain Name: EXAMPLE.NET',
    'Registrar WHOIS Server: whois.registrar.example',
    'Registrar: Example Registrar, Inc.',
    ...lines,
    '>>> Last update of WHOIS database: 2024-09-09T03:24:32Z <<<',
  ].join('\r\n');
}

describe('extractDomainWhois: redaction and hostile fields', () => {
  const extract = (lines: string[]) =>
    extractDomainWhois('whois.registrar.example', 'example.net', answer(lines));

  it('2024 GDPR redaction: REDACTED FOR PRIVACY, RDDS pointers and web-form URLs are not contacts', () => {
    const f = extract([
      'Registrant Name: REDACTED FOR PRIVACY',
      'Registrant Email: Please query the RDDS service of the Registrar of Record identified in this output for information on how to contact the Registrant, Admin, or Tech contact of the queried domain name.',
      'Admin Email: REDACTED FOR PRIVACY',
      'Tech Email: https://www.registrar.example/contact-domain-holder?domain=example.net',
      'Billing Email: www.registrar.example/whois-contact',
      'Registrar Abuse Contact Email: abuse[at]registrar.example',
    ]);
    assert.deepEqual(f.contacts, [
      registrarAbuse('abuse@registrar.example', 'whois.registrar.example'),
    ]);
  });

  it('a privacy service: its addresses are skipped, by name and by mail domain', () => {
    const f = extract([
      'Registrant Organization: Privacy service provided by Withheld for Privacy ehf',
      'Registrant Email: 1a2b3c4d@withheldforprivacy.com',
      'Admin Organization: Domains By Proxy, LLC',
      'Admin Email: EXAMPLE.NET@domainsbyproxy.com',
      'Tech Name: Somebody',
      'Tech Email: x7@whoisguard.com',
    ]);
    assert.deepEqual(f.contacts, []);
  });

  it('addresses in street, name and remark fields are not contacts', () => {
    const f = extract([
      'Registrant Street: mail contact@example.net for anything',
      'Registrant Name: root@example.net',
      'Remarks: abuse@example.net',
      'Registrant Email: hostmaster@example.net',
    ]);
    assert.deepEqual(
      f.contacts.map((c) => [c.email, c.roles]),
      [['hostmaster@example.net', ['registrant']]],
    );
  });

  it('an e-mail field with two addresses or a header injection yields nothing', () => {
    const f = extract([
      'Registrant Email: a@example.net, b@example.org',
      'Admin Email: a@example.net\rBcc: victim@example.org',
    ]);
    assert.deepEqual(f.contacts, []);
  });

  it('only the record of the queried domain is read (old Verisign name-server records)', () => {
    const text = [
      'Domain Name: EXAMPLE.NET.EVIL.EXAMPLE',
      'Registrar WHOIS Server: whois.evil.example',
      'Registrar Abuse Contact Email: abuse@evil.example',
      'Domain Name: EXAMPLE.NET',
      'Registrar WHOIS Server: whois.good.example',
      'Registrar Abuse Contact Email: abuse@good.example',
    ].join('\n');
    const f = extractDomainWhois('whois.verisign-grs.com', 'example.net', text);
    assert.equal(f.registrarServer, 'whois.good.example');
    assert.deepEqual(
      f.contacts.map((c) => c.email),
      ['abuse@good.example'],
    );
  });

  const refused: [string, string][] = [
    ['an IPv4 address', '127.0.0.1'],
    ['an IPv6 address', '[::1]'],
    ['another port', 'whois.registrar.example:4343'],
    ['junk', 'whois.registrar.example\u001b[2J'],
    ['a URL with a path', 'http://whois.registrar.example/lookup'],
  ];
  for (const [what, value] of refused) {
    it(`a registrar referral to ${what} is refused and recorded`, () => {
      const f = extractDomainWhois(
        'whois.verisign-grs.com',
        'example.net',
        ['Domain Name: EXAMPLE.NET', `Registrar WHOIS Server: ${value}`].join('\n'),
      );
      assert.equal(f.registrarServer, null);
      assert.match(
        f.refusedReferral ?? '',
        /^whois\.verisign-grs\.com: registrar referral ".*" refused: /,
      );
      assert.ok(!(f.refusedReferral ?? '').includes('\u001b'));
    });
  }

  it('whois://host and host:43 forms are followed', () => {
    for (const value of ['whois://whois.Registrar.example/', 'whois.registrar.example:43']) {
      const f = extractDomainWhois(
        'whois.verisign-grs.com',
        'example.net',
        `Registrar WHOIS Server: ${value}`,
      );
      assert.equal(f.registrarServer, 'whois.registrar.example');
    }
  });

  it('an answer naming its own server (any case) has no referral', () => {
    const f = extractDomainWhois(
      'whois.publicdomainregistry.com',
      'example.net',
      'Registrar WHOIS Server: whois.PublicDomainRegistry.com',
    );
    assert.equal(f.registrarServer, null);
    assert.equal(f.refusedReferral, null);
  });

  const limits = [
    'WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS',
    'IP Address Has Reached Rate Limit',
    'Your access is too fast,please try again later.',
    'Number of allowed queries exceeded.',
  ];
  for (const text of limits) {
    it(`rate-limit text "${text}" marks the answer limited`, () => {
      const f = extractDomainWhois('whois.pir.org', 'example.org', `${text}\r\n`);
      assert.equal(f.limited, text);
      assert.deepEqual(f.contacts, []);
    });
  }

  it('terms of use that mention rate limits do not mark a full answer limited', () => {
    const f = extract([
      'Registrar Abuse Contact Email: abuse@registrar.example',
      'Queries are subject to rate limiting; too many queries will be refused.',
    ]);
    assert.equal(f.limited, null);
  });

  it('a huge answer is read only to its cap', () => {
    const text = `${'Remarks: x\n'.repeat(100_000)}Registrar Abuse Contact Email: late@registrar.example\n`;
    assert.deepEqual(
      extractDomainWhois('whois.registrar.example', 'example.net', text).contacts,
      [],
    );
  });
});

describe('extractDomainWhois: bounds', () => {
  it('a hostile answer with 10,000 contact fields yields at most 64 contacts', () => {
    const lines = ['Domain Name: EXAMPLE.NET'];
    for (let i = 0; i < 10_000; i++) lines.push(`Tech Email: tech${i}@example.net`);
    const found = extractDomainWhois(
      'whois.example-registrar.net',
      'example.net',
      lines.join('\n'),
    );
    assert.equal(found.contacts.length, 64);
  });
  it('a contact field with a control character inside gives no contact', () => {
    const text =
      'Domain Name: EXAMPLE.NET\nTech\u000bEmail: evil@example.net\nAdmin Email: admin@example.net\n';
    const found = extractDomainWhois('whois.example-registrar.net', 'example.net', text);
    assert.deepEqual(
      found.contacts.map((c) => c.email),
      ['admin@example.net'],
    );
  });
});
