import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Contact } from '../core/network.js';
import { hasAbuseContact, rankContacts } from './contact-ranking.js';

function c(
  email: string,
  roles: Contact['roles'],
  level: Contact['level'],
  structured = true,
): Contact {
  return { email, roles, level, structured, source: `test ${email}` };
}

describe('rankContacts', () => {
  it('puts structured abuse first, then tech/NOC/admin, remarks, ASN, domain, guesses', () => {
    const ranked = rankContacts([
      c('security@example.net', ['rfc2142'], 'guess', false),
      c('abuse@registrar.example', ['registrar-abuse'], 'registrar'),
      c('remark@example.net', [], 'remark', false),
      c('admin@example.net', ['administrative'], 'network'),
      c('abuse@as.example', ['abuse'], 'asn'),
      c('noc@example.net', ['noc'], 'org'),
      c('tech@example.net', ['technical'], 'network'),
      c('abuse@example.net', ['abuse'], 'org'),
    ]);
    assert.deepEqual(
      ranked.map((x) => x.email),
      [
        'abuse@example.net',
        'tech@example.net',
        'noc@example.net',
        'admin@example.net',
        'remark@example.net',
        'abuse@as.example',
        'abuse@registrar.example',
        'security@example.net',
      ],
    );
  });
  it('keeps both abuse contacts when holder and resource differ, in the answer order (HostGator)', () => {
    const ranked = rankContacts([
      c('abuse@hostgator.com', ['abuse'], 'org'),
      c('eig-noc@endurance.com', ['technical'], 'org'),
      c('eig-net-team@endurance.com', ['abuse'], 'network'),
    ]);
    assert.deepEqual(
      ranked.map((x) => x.email),
      ['abuse@hostgator.com', 'eig-net-team@endurance.com', 'eig-noc@endurance.com'],
    );
  });
  it('merges one address found in several places (Google: abuse, tech and NOC are one POC)', () => {
    const ranked = rankContacts([
      c('arin-contact@google.com', ['abuse'], 'org'),
      c('arin-contact@google.com', ['technical'], 'org'),
      c('ARIN-contact@GOOGLE.com', ['noc'], 'network'),
    ]);
    assert.equal(ranked.length, 1);
    assert.deepEqual(ranked[0]?.roles, ['abuse', 'technical', 'noc']);
    assert.equal(ranked[0]?.level, 'org');
  });
  it('a structured mention lifts an address also seen in remarks (Microsoft)', () => {
    const ranked = rankContacts([
      c('abuse@microsoft.com', ['abuse'], 'network'),
      c('abuse@microsoft.com', [], 'remark', false),
      c('secure@microsoft.com', [], 'remark', false),
    ]);
    assert.deepEqual(
      ranked.map((x) => [x.email, x.structured, x.level]),
      [
        ['abuse@microsoft.com', true, 'network'],
        ['secure@microsoft.com', false, 'remark'],
      ],
    );
  });
  it('says whether there is a real abuse contact', () => {
    assert.equal(hasAbuseContact([c('a@example.net', ['abuse'], 'network')]), true);
    assert.equal(hasAbuseContact([c('a@example.net', ['abuse'], 'asn')]), false);
    assert.equal(hasAbuseContact([c('a@example.net', [], 'remark', false)]), false);
  });
});

describe('rankContacts: remarks never promote', () => {
  it('an ISP role address that a remark calls "abuse" stays below the IRT (BORANET/KRNIC)', () => {
    const ranked = rankContacts([
      c('hostmaster@nic.or.kr', ['abuse'], 'network'),
      c('abuse@bora.net', ['administrative', 'technical'], 'network'),
      c('abuse@bora.net', ['abuse'], 'remark', false),
    ]);
    assert.deepEqual(
      ranked.map((x) => [x.email, x.roles.join('+')]),
      [
        ['hostmaster@nic.or.kr', 'abuse'],
        ['abuse@bora.net', 'technical+administrative'],
      ],
    );
  });
});

describe('rankContacts: registrar before the domain', () => {
  it("the registrar's abuse desk ranks above the PTR domain's own technical contact", () => {
    const ranked = rankContacts([
      c('tech@evil.example', ['technical'], 'domain'),
      c('abuse@registrar.example', ['registrar-abuse'], 'registrar'),
    ]);
    assert.deepEqual(
      ranked.map((x) => x.email),
      ['abuse@registrar.example', 'tech@evil.example'],
    );
  });
});
