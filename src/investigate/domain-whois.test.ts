import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WhoisAsk, WhoisRequest } from './answer-finding.js';
import {
  domainWhoisServer,
  ianaWhoisServer,
  lookupDomainWhois,
  rfc2142Contacts,
} from './domain-whois.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');
const fixture = (name: string): string => readFileSync(join(CORPUS, name), 'utf8');

/**
 * An in-process whois: answers `server query` from a table (a function may throw), records
 * every request, and rejects anything it does not know as a real client would ("no answer").
 */
function fakeWhois(
  table: Record<string, string | (() => string)>,
): WhoisAsk & { requests: WhoisRequest[] } {
  const requests: WhoisRequest[] = [];
  const ask = (async (request: WhoisRequest) => {
    requests.push(request);
    const entry = table[`${request.server} ${request.query}`];
    if (entry === undefined) throw new Error(`connection refused`);
    return typeof entry === 'string' ? entry : entry();
  }) as WhoisAsk & { requests: WhoisRequest[] };
  ask.requests = requests;
  return ask;
}

/** The three corpus chains, served by named server and the query as sent. */
const corpus = () =>
  fakeWhois({
    'whois.verisign-grs.com domain google.com': fixture('domain-google.com-1-verisign.txt'),
    'whois.markmonitor.com google.com': fixture('domain-google.com-2-registrar-markmonitor.txt'),
    'whois.verisign-grs.com domain google.net': fixture('domain-google.net-1-verisign.txt'),
    'whois.markmonitor.com google.net': fixture('domain-google.net-2-registrar-markmonitor.txt'),
    'whois.verisign-grs.com domain aplicaya-neq.com': fixture(
      'domain-aplicaya-neq.com-1-verisign.txt',
    ),
    'whois.publicdomainregistry.com aplicaya-neq.com': fixture(
      'domain-aplicaya-neq.com-2-registrar-pdr.txt',
    ),
  });

describe('lookupDomainWhois over the corpus chains', () => {
  it('google.com: Verisign (`domain` keyword), then MarkMonitor, which names itself: stop', async () => {
    const ask = corpus();
    const r = await lookupDomainWhois('Google.COM', ask);
    assert.deepEqual(r, {
      contacts: [
        {
          email: 'abusecomplaints@markmonitor.com',
          roles: ['registrar-abuse'],
          source: 'whois.verisign-grs.com Registrar Abuse Contact Email',
          structured: true,
          level: 'registrar',
        },
        {
          email: 'dns-admin@google.com',
          roles: ['registrant', 'administrative', 'technical'],
          source: 'whois.markmonitor.com Registrant Email',
          structured: true,
          level: 'domain',
        },
      ],
      chain: [
        { server: 'whois.verisign-grs.com', query: 'domain google.com' },
        { server: 'whois.markmonitor.com', query: 'google.com' },
      ],
      errors: [],
    });
    assert.deepEqual(
      ask.requests.map((q) => [q.protocol, q.port]),
      [
        ['whois', 43],
        ['whois', 43],
      ],
    );
  });

  it('google.net: same registrar, same contacts', async () => {
    const r = await lookupDomainWhois('google.net', corpus());
    assert.deepEqual(
      r.contacts.map((c) => [c.email, c.roles, c.level]),
      [
        ['abusecomplaints@markmonitor.com', ['registrar-abuse'], 'registrar'],
        ['dns-admin@google.com', ['registrant', 'administrative', 'technical'], 'domain'],
      ],
    );
    assert.deepEqual(r.errors, []);
  });

  it('aplicaya-neq.com: mixed-case registrar host followed in lower case, registrant not redacted', async () => {
    const r = await lookupDomainWhois('aplicaya-neq.com', corpus());
    assert.deepEqual(r.chain, [
      { server: 'whois.verisign-grs.com', query: 'domain aplicaya-neq.com' },
      { server: 'whois.publicdomainregistry.com', query: 'aplicaya-neq.com' },
    ]);
    assert.deepEqual(
      r.contacts.map((c) => [c.email, c.roles, c.level]),
      [
        ['abuse-contact@publicdomainregistry.com', ['registrar-abuse'], 'registrar'],
        ['diegoferrer684@gmail.com', ['registrant', 'administrative', 'technical'], 'domain'],
      ],
    );
    assert.deepEqual(r.errors, []);
  });
});

describe('lookupDomainWhois: failures and hostile answers', () => {
  const registry = (referral: string) =>
    `Domain Name: EXAMPLE.COM\r\nRegistrar WHOIS Server: ${referral}\r\nRegistrar Abuse Contact Email: abuse@registrar-a.example\r\n`;

  it('a registrar that does not answer: the registry contacts stay, the failure is recorded', async () => {
    const r = await lookupDomainWhois(
      'example.com',
      fakeWhois({
        'whois.verisign-grs.com domain example.com': registry('whois.registrar-a.example'),
      }),
    );
    assert.deepEqual(
      r.contacts.map((c) => c.email),
      ['abuse@registrar-a.example'],
    );
    assert.deepEqual(r.errors, ['whois.registrar-a.example (example.com): connection refused']);
  });

  it('a referral loop A → B → A stops with an error', async () => {
    const r = await lookupDomainWhois(
      'example.com',
      fakeWhois({
        'whois.verisign-grs.com domain example.com': registry('whois.registrar-a.example'),
        'whois.registrar-a.example example.com': registry('whois.registrar-b.example'),
        'whois.registrar-b.example example.com': registry('WHOIS.Registrar-A.example'),
      }),
    );
    assert.deepEqual(
      r.chain.map((s) => s.server),
      ['whois.verisign-grs.com', 'whois.registrar-a.example', 'whois.registrar-b.example'],
    );
    assert.deepEqual(r.errors, [
      'whois.registrar-b.example: referral loop back to whois.registrar-a.example, not followed',
    ]);
  });

  it('a chain longer than three answers is cut', async () => {
    const r = await lookupDomainWhois(
      'example.com',
      fakeWhois({
        'whois.verisign-grs.com domain example.com': registry('whois.r1.example'),
        'whois.r1.example example.com': registry('whois.r2.example'),
        'whois.r2.example example.com': registry('whois.r3.example'),
        'whois.r3.example example.com': registry('whois.r4.example'),
      }),
    );
    assert.equal(r.chain.length, 3);
    assert.deepEqual(r.errors, [
      'domain whois for example.com: stopped after 3 servers (next: whois.r3.example)',
    ]);
  });

  it('a referral to an address is refused and recorded, never asked', async () => {
    const ask = fakeWhois({ 'whois.verisign-grs.com domain example.com': registry('127.0.0.1') });
    const r = await lookupDomainWhois('example.com', ask);
    assert.equal(ask.requests.length, 1);
    assert.deepEqual(r.errors, [
      'whois.verisign-grs.com: registrar referral "127.0.0.1" refused: an address, not a host name',
    ]);
  });

  it('a rate-limited registry answer is recorded as limited', async () => {
    const r = await lookupDomainWhois(
      'example.org',
      fakeWhois({
        'whois.pir.org example.org': 'WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS\r\n',
      }),
    );
    assert.deepEqual(r, {
      contacts: [],
      chain: [{ server: 'whois.pir.org', query: 'example.org' }],
      errors: [
        'whois.pir.org limited its answer: WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS',
      ],
    });
  });

  it('an error message with control bytes is recorded printable', async () => {
    const r = await lookupDomainWhois(
      'example.com',
      fakeWhois({
        'whois.verisign-grs.com domain example.com': () => {
          throw new Error('bad\u001b[2Janswer');
        },
      }),
    );
    assert.deepEqual(r.errors, ['whois.verisign-grs.com (domain example.com): bad\\x1b[2Janswer']);
  });

  it('a TLD outside the table: IANA names the registry server', async () => {
    const ask = fakeWhois({
      'whois.iana.org xyz':
        'domain:       XYZ\nrefer:        whois.nic.xyz\n\nwhois:        whois.nic.xyz\n',
      'whois.nic.xyz example.xyz':
        'Domain Name: example.xyz\nRegistrar Abuse Contact Email: abuse@registrar.example\n',
    });
    const r = await lookupDomainWhois('example.xyz', ask);
    assert.deepEqual(r.chain, [
      { server: 'whois.iana.org', query: 'xyz' },
      { server: 'whois.nic.xyz', query: 'example.xyz' },
    ]);
    assert.deepEqual(
      r.contacts.map((c) => c.email),
      ['abuse@registrar.example'],
    );
  });

  it('a TLD IANA knows no whois server for is recorded', async () => {
    const r = await lookupDomainWhois(
      'example.zz',
      fakeWhois({ 'whois.iana.org zz': '% This query returned 0 objects.\n' }),
    );
    assert.deepEqual(r.errors, ['whois.iana.org: no whois server for .zz']);
  });

  it('refuses a domain that is not a host name without asking', async () => {
    const ask = fakeWhois({});
    const r = await lookupDomainWhois('evil\r\nexample.com', ask);
    assert.equal(ask.requests.length, 0);
    assert.deepEqual(r.errors, ['not a domain name: evil\\x0d\\x0aexample.com']);
  });
});

describe('domainWhoisServer', () => {
  it('knows the legacy gTLDs and large ccTLDs, and leaves the rest to IANA', () => {
    assert.equal(domainWhoisServer('example.com'), 'whois.verisign-grs.com');
    assert.equal(domainWhoisServer('EXAMPLE.NET.'), 'whois.verisign-grs.com');
    assert.equal(domainWhoisServer('example.org'), 'whois.pir.org');
    assert.equal(domainWhoisServer('example.co.uk'), 'whois.nic.uk');
    assert.equal(domainWhoisServer('example.xyz'), null);
  });
});

describe('ianaWhoisServer', () => {
  it('takes whois:, else refer:, and never an address', () => {
    assert.equal(
      ianaWhoisServer('refer: whois.a.example\nwhois: whois.b.example\n'),
      'whois.b.example',
    );
    assert.equal(ianaWhoisServer('refer: whois.a.example\n'), 'whois.a.example');
    assert.equal(ianaWhoisServer('whois: 192.0.2.1\n'), null);
    assert.equal(ianaWhoisServer('whois:\n'), null);
  });
});

describe('rfc2142Contacts', () => {
  it('abuse@ and security@ as guesses', () => {
    assert.deepEqual(rfc2142Contacts('Example.NET'), [
      {
        email: 'abuse@example.net',
        roles: ['rfc2142'],
        source: 'RFC 2142',
        structured: false,
        level: 'guess',
      },
      {
        email: 'security@example.net',
        roles: ['rfc2142'],
        source: 'RFC 2142',
        structured: false,
        level: 'guess',
      },
    ]);
    assert.deepEqual(rfc2142Contacts('not a domain'), []);
  });
});
