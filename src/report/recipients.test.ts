import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Contact, Network } from '../core/network.js';
import { chooseRecipients } from './recipients.js';

const noRules = { alwaysCc: [], neverMail: [] };

function network(contacts: Contact[], extra: Partial<Network> = {}): Network {
  return {
    address: '194.164.64.213',
    ptr: null,
    ptrConfirmed: false,
    domain: null,
    asn: 47583,
    asName: 'AS-HOSTINGER',
    network: null,
    contacts,
    hints: [],
    chain: [],
    errors: [],
    ...extra,
  };
}

const abuse: Contact = {
  email: 'abuse@hostinger.com',
  roles: ['abuse'],
  source: 'whois.ripe.net % Abuse contact',
  structured: true,
  level: 'network',
};
const tech: Contact = {
  email: 'noc@hostinger.com',
  roles: ['technical'],
  source: 'whois.ripe.net tech-c',
  structured: true,
  level: 'network',
};
const admin: Contact = {
  email: 'admin@hostinger.com',
  roles: ['administrative'],
  source: 'whois.ripe.net admin-c',
  structured: true,
  level: 'org',
};
const remark: Contact = {
  email: 'report-abuse@hostinger.net',
  roles: ['abuse'],
  source: 'whois.ripe.net remarks',
  structured: false,
  level: 'remark',
};
const remarkOther: Contact = { ...remark, email: 'sales@hostinger.net', roles: [] };
const asnAbuse: Contact = {
  email: 'abuse@as47583.example.net',
  roles: ['abuse'],
  source: 'rdap.db.ripe.net autnum',
  structured: true,
  level: 'asn',
};
const registrar: Contact = {
  email: 'abuse@registrar.example',
  roles: ['registrar-abuse'],
  source: 'whois.registrar.example Registrar Abuse Contact Email',
  structured: true,
  level: 'registrar',
};
const domainTech: Contact = {
  email: 'hostmaster@srv-host.example',
  roles: ['technical'],
  source: 'whois.registrar.example Tech Email',
  structured: true,
  level: 'domain',
};
const guess: Contact = {
  email: 'abuse@srv-host.example',
  roles: ['rfc2142'],
  source: 'RFC 2142 abuse@ of srv-host.example',
  structured: false,
  level: 'guess',
};
const emails = (r: { email: string }[] | readonly { email: string }[]) => r.map((x) => x.email);

test('structured abuse contact is To, and its source names field, level and role', () => {
  const r = chooseRecipients(network([abuse, tech, admin, remark]), noRules);
  assert.deepEqual(emails(r.to), ['abuse@hostinger.com']);
  assert.equal(r.to[0]?.source, 'whois.ripe.net % Abuse contact (network: abuse)');
  assert.deepEqual(r.cc, []);
  assert.equal(r.note, null);
});

test('no abuse contact: the technical and administrative contacts', () => {
  const r = chooseRecipients(network([tech, admin, remark, asnAbuse]), noRules);
  assert.deepEqual(emails(r.to), ['noc@hostinger.com', 'admin@hostinger.com']);
});

test('no registry contact: the AS abuse contact, then registrar and domain, then guesses', () => {
  assert.deepEqual(emails(chooseRecipients(network([asnAbuse, registrar, guess]), noRules).to), [
    'abuse@as47583.example.net',
  ]);
  const confirmed = { ptr: 'srv.srv-host.example', ptrConfirmed: true, domain: 'srv-host.example' };
  assert.deepEqual(
    emails(chooseRecipients(network([registrar, domainTech, guess], confirmed), noRules).to),
    ['abuse@registrar.example', 'hostmaster@srv-host.example'],
  );
  assert.deepEqual(emails(chooseRecipients(network([guess], confirmed), noRules).to), [
    'abuse@srv-host.example',
  ]);
  // A guess for a PTR that is not forward-confirmed is never used.
  assert.deepEqual(chooseRecipients(network([guess]), noRules).to, []);
});

test('remark-only: the first remark address that mentions abuse, marked as such', () => {
  const r = chooseRecipients(network([remarkOther, remark]), noRules);
  assert.deepEqual(emails(r.to), ['report-abuse@hostinger.net']);
  assert.match(r.to[0]?.source ?? '', /found only in free text/);
  // Never when anything structured exists.
  assert.deepEqual(emails(chooseRecipients(network([remark, admin]), noRules).to), [
    'admin@hostinger.com',
  ]);
  // A remark address that does not mention abuse is not mailed at all.
  assert.deepEqual(chooseRecipients(network([remarkOther]), noRules).to, []);
});

test('neverMail by address falls through to the next tier', () => {
  const r = chooseRecipients(network([abuse, tech]), {
    alwaysCc: [],
    neverMail: ['ABUSE@hostinger.com'],
  });
  assert.deepEqual(emails(r.to), ['noc@hostinger.com']);
});

test('neverMail by domain matches the domain and its subdomains, not look-alikes', () => {
  const sub: Contact = { ...abuse, email: 'abuse@mx.hostinger.com' };
  const lookalike: Contact = { ...tech, email: 'noc@nothostinger.com' };
  const r = chooseRecipients(network([abuse, sub, lookalike]), {
    alwaysCc: [],
    neverMail: ['hostinger.com'],
  });
  assert.deepEqual(emails(r.to), ['noc@nothostinger.com']);
});

test('everything refused: no To, and the note says why', () => {
  const r = chooseRecipients(network([abuse], { errors: ['whois.ripe.net: timeout'] }), {
    alwaysCc: [],
    neverMail: ['hostinger.com'],
  });
  assert.deepEqual(r.to, []);
  assert.equal(
    r.note,
    'no contact found for 194.164.64.213 (1 contact is in report.neverMail; whois.ripe.net: timeout)',
  );
});

test('alwaysCc adds copies, not twice and not when already To', () => {
  const r = chooseRecipients(network([abuse]), {
    alwaysCc: ['soc@example.org', 'soc@example.org', 'abuse@hostinger.com'],
    neverMail: [],
  });
  assert.deepEqual(r.cc, [{ email: 'soc@example.org', kind: 'cc', source: 'report.alwaysCc' }]);
});

test('no investigation and no contacts: empty To with a note', () => {
  assert.deepEqual(chooseRecipients(null, noRules), {
    to: [],
    cc: [],
    note: 'no contact found (the address has not been investigated)',
  });
  const r = chooseRecipients(
    network([], { address: '196.11.240.215', errors: ['no abuse contact'] }),
    noRules,
  );
  assert.equal(r.note, 'no contact found for 196.11.240.215 (no abuse contact)');
});

test('an address that could carry a header or a second recipient is never used', () => {
  const hostile: Contact = { ...abuse, email: 'abuse@evil.example\r\nBcc: x@evil.example' };
  const comma: Contact = { ...abuse, email: 'a@evil.example,b@evil.example' };
  const r = chooseRecipients(network([hostile, comma, tech]), noRules);
  assert.deepEqual(emails(r.to), ['noc@hostinger.com']);
});
