import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findEmails, findUrls, normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  it('lower-cases the domain only (LACNIC prints upper-case domains)', () => {
    assert.equal(normalizeEmail('operacion.redes@TRIARA.COM'), 'operacion.redes@triara.com');
    assert.equal(
      normalizeEmail('Jacques.hendricks@vodacom.co.za'),
      'Jacques.hendricks@vodacom.co.za',
    );
  });
  it('takes mailto: and angle brackets off', () => {
    assert.equal(normalizeEmail('mailto:abuse@example.net'), 'abuse@example.net');
    assert.equal(normalizeEmail('<abuse@example.net>'), 'abuse@example.net');
  });
  it('refuses header and recipient injection', () => {
    assert.equal(normalizeEmail('abuse@example.net\r\nBcc: x@example.org'), null);
    assert.equal(normalizeEmail('abuse@example.net, x@example.org'), null);
    assert.equal(normalizeEmail('"a b"@example.net'), null);
    assert.equal(normalizeEmail('a@b@example.net'), null);
  });
  it('refuses addresses that cannot be routed', () => {
    assert.equal(normalizeEmail('root@localhost'), null);
    assert.equal(normalizeEmail('abuse@192.0.2.1'), null);
    assert.equal(normalizeEmail('abuse@-bad.example'), null);
  });
});

describe('findEmails in remarks', () => {
  it('de-obfuscates [at] and (dot) forms', () => {
    assert.deepEqual(findEmails('Abuse: abuse[at]realtimeregister.com'), [
      'abuse@realtimeregister.com',
    ]);
    assert.deepEqual(findEmails('mail abuse (at) example (dot) net please'), ['abuse@example.net']);
  });
  it('finds every address once, in order, without trailing punctuation', () => {
    assert.deepEqual(
      findEmails('Spam: abuse@bora.net, Security: security@bora.net. Again abuse@bora.net.'),
      ['abuse@bora.net', 'security@bora.net'],
    );
  });
  it('never takes a URL with credentials for an address', () => {
    assert.deepEqual(
      findEmails('see http://user@www.example.net/abuse and ftp://a@b.example.org'),
      [],
    );
  });
  it('keeps whole addresses with digits (abuse@a2hosting.com)', () => {
    assert.deepEqual(findEmails('contact abuse@a2hosting.com'), ['abuse@a2hosting.com']);
  });
});

describe('findUrls', () => {
  it('keeps abuse-form URLs without trailing punctuation', () => {
    assert.deepEqual(findUrls('Report abuse at https://www.example.net/abuse/form. Thanks'), [
      'https://www.example.net/abuse/form',
    ]);
  });
});
