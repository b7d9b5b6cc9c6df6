import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bracketAddress, readJoinedClient, readSpacedClient, replyCode } from './mail-client.js';

const joined = (token: string) => readJoinedClient(token, 0, token.length);

describe('readJoinedClient (postfix name[addr]:port)', () => {
  it('reads postfix unknown[ADDR] with a trailing colon', () => {
    assert.deepEqual(joined('unknown[192.0.2.1]:'), {
      src: '192.0.2.1',
      srcHost: null,
      srcPort: null,
      end: 19,
    });
  });
  it('reads an IPv6 client with a port (smtpd_client_port_logging)', () => {
    assert.deepEqual(joined('unknown[2001:DB8::1]:2525:'), {
      src: '2001:db8::1',
      srcHost: null,
      srcPort: 2525,
      end: 26,
    });
  });
  it('keeps a resolved name and takes the LAST bracket', () => {
    const c = joined('mx[203.0.113.9]x.example.com[192.0.2.7]');
    assert.equal(c?.src, '192.0.2.7');
    assert.equal(c?.srcHost, null); // `mx[203.0.113.9]x.example.com` is no host name
    assert.equal(joined('mail.example.com[192.0.2.8]')?.srcHost, 'mail.example.com');
  });
  it('reads postscreen [ADDR]:PORT', () => {
    assert.equal(joined('[192.0.2.2]:59415:')?.srcPort, 59415);
  });
  it('rejects tokens without an address', () => {
    assert.equal(joined('unknown[unknown]'), null);
    assert.equal(joined('host.example.com'), null);
    assert.equal(joined('[192.0.2.1]:99999'), null);
    assert.equal(joined(''), null);
  });
});

describe('readSpacedClient (sendmail/cyrus name [addr])', () => {
  it('reads name [addr] (may be forged)', () => {
    const text = 'dsl.example.net [192.0.2.3] (may be forged): possible SMTP attack';
    const c = readSpacedClient(text, 0);
    assert.equal(c?.src, '192.0.2.3');
    assert.equal(c?.srcHost, 'dsl.example.net');
    assert.equal(text.slice(c!.end), ': possible SMTP attack');
  });
  it("reads sendmail's IPv6 literal", () => {
    assert.equal(readSpacedClient('[IPv6:2001:DB8::1] did not issue', 0)?.src, '2001:db8::1');
  });
  it('reads an empty name written as two spaces', () => {
    assert.equal(readSpacedClient('from  [192.0.2.9] due', 5)?.src, '192.0.2.9');
  });
  it('does not look past the first token for a bracket', () => {
    assert.equal(readSpacedClient('from=<x@example.com>, relay=[192.0.2.1]', 0), null);
  });
});

describe('bracketAddress and replyCode', () => {
  it('unwraps v4-mapped addresses', () => {
    assert.equal(bracketAddress('::ffff:192.0.2.4'), '192.0.2.4');
    assert.equal(bracketAddress('ipv6:2001:db8::2'), '2001:db8::2');
    assert.equal(bracketAddress('example.com'), null);
  });
  it('reads SMTP reply codes only where one stands', () => {
    assert.equal(replyCode('550 5.1.1 User unknown', 0), 550);
    assert.equal(replyCode('535', 0), 535);
    assert.equal(replyCode('5501 x', 0), null);
    assert.equal(replyCode('650 x', 0), null);
  });
});
