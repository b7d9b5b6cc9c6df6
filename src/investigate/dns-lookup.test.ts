import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DnsPort } from './dns-lookup.js';
import { hostNameOf, lookupPtr, registeredDomain, reverseName } from './dns-lookup.js';

/** A DnsPort answering from maps; a value that is an Error is thrown with its code. */
function fakeDns(zone: {
  ptr?: Record<string, string[] | Error>;
  a?: Record<string, string[] | Error>;
  aaaa?: Record<string, string[] | Error>;
}): DnsPort & { asked: string[] } {
  const asked: string[] = [];
  const answer = (map: Record<string, string[] | Error> | undefined, key: string) => {
    const v = map?.[key];
    if (v === undefined) return Promise.reject(coded('ENOTFOUND'));
    return v instanceof Error ? Promise.reject(v) : Promise.resolve(v);
  };
  return {
    asked,
    reverse: (a) => (asked.push(`PTR ${a}`), answer(zone.ptr, a)),
    resolve4: (n) => (asked.push(`A ${n}`), answer(zone.a, n)),
    resolve6: (n) => (asked.push(`AAAA ${n}`), answer(zone.aaaa, n)),
  };
}

function coded(code: string, message = `query ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

/** True when the text holds a C0/C1 control byte or DEL. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

describe('lookupPtr', () => {
  it('confirmed IPv4 PTR yields the registered domain', async () => {
    const dns = fakeDns({
      ptr: { '192.0.2.10': ['Mail.Example.NET.'] },
      a: { 'mail.example.net': ['198.51.100.1', '192.0.2.10'] },
    });
    assert.deepEqual(await lookupPtr('192.0.2.10', dns), {
      ptr: 'mail.example.net',
      confirmed: true,
      domain: 'example.net',
      errors: [],
    });
  });

  it('IPv6 is confirmed through AAAA, comparing canonical forms', async () => {
    const dns = fakeDns({
      ptr: { '2001:db8::25': ['mx.example.co.uk'] },
      aaaa: { 'mx.example.co.uk': ['2001:0DB8:0:0:0:0:0:25'] },
    });
    const r = await lookupPtr('2001:db8:0::25', dns);
    assert.deepEqual(r, {
      ptr: 'mx.example.co.uk',
      confirmed: true,
      domain: 'example.co.uk',
      errors: [],
    });
    assert.deepEqual(dns.asked, ['PTR 2001:db8::25', 'AAAA mx.example.co.uk']);
  });

  it('a PTR whose A records do not include the address is not confirmed and has no domain', async () => {
    const dns = fakeDns({
      ptr: { '192.0.2.66': ['mail.victim.example.com'] },
      a: { 'mail.victim.example.com': ['198.51.100.7'] },
    });
    assert.deepEqual(await lookupPtr('192.0.2.66', dns), {
      ptr: 'mail.victim.example.com',
      confirmed: false,
      domain: null,
      errors: [],
    });
  });

  it('a PTR name without A records is not confirmed, and that is not an error', async () => {
    const dns = fakeDns({ ptr: { '192.0.2.67': ['gone.example.org'] } });
    assert.deepEqual(await lookupPtr('192.0.2.67', dns), {
      ptr: 'gone.example.org',
      confirmed: false,
      domain: null,
      errors: [],
    });
  });

  it('no PTR (NXDOMAIN or NODATA) is normal: no name, no error', async () => {
    assert.deepEqual(await lookupPtr('192.0.2.1', fakeDns({})), {
      ptr: null,
      confirmed: false,
      domain: null,
      errors: [],
    });
    const nodata = fakeDns({ ptr: { '192.0.2.2': coded('ENODATA') } });
    assert.deepEqual((await lookupPtr('192.0.2.2', nodata)).errors, []);
  });

  it('a timeout or a refused connection is recorded', async () => {
    const timeout = fakeDns({ ptr: { '192.0.2.3': coded('ETIMEOUT') } });
    assert.deepEqual((await lookupPtr('192.0.2.3', timeout)).errors, [
      'PTR lookup for 192.0.2.3: timed out',
    ]);
    const forward = fakeDns({
      ptr: { '192.0.2.4': ['a.example.net'] },
      a: { 'a.example.net': coded('ECONNREFUSED', 'queryA ECONNREFUSED a.example.net') },
    });
    const r = await lookupPtr('192.0.2.4', forward);
    assert.equal(r.confirmed, false);
    assert.deepEqual(r.errors, ['A lookup for a.example.net: queryA ECONNREFUSED a.example.net']);
  });

  // Raw bytes, as a resolver that does not escape would return them.
  const rawHostile: [string, string][] = [
    ['CR/LF header injection', 'evil.example.net\r\nX-Injected: 1'],
    ['HTML', '<img src=x onerror=alert(1)>.example.net'],
    ['terminal escape', '\u001b[2J\u001b[31mred.example.net'],
    ['bell and NUL', 'a\u0007b\u0000.example.net'],
    ['non-ASCII (a homograph)', 'pаypal.example.net'],
    ['space', 'has space.example.net'],
    ['underscore', '_dmarc.example.net'],
    ['bidi override', 'moc.\u202eexample.net'],
    ['an address as a name', '192.0.2.5'],
    ['a single label', 'localhost'],
  ];
  // Escaped, as c-ares 1.34 returns them (checked against test/support/dns-server.ts).
  const escapedHostile: [string, string][] = [
    ['c-ares escaped CR/LF', 'evil\\013\\010X-Injected: 1.example.net'],
    ['c-ares escaped ESC', 'a\\027[31mred.example.net'],
    ['c-ares escaped dot inside a label', 'a\\.b.example.net'],
    ['c-ares escaped UTF-8', 'b\\195\\188cher.example.net'],
  ];
  for (const [what, name] of [...rawHostile, ...escapedHostile]) {
    it(`refuses a PTR with ${what}: never returned, recorded printable`, async () => {
      const dns = fakeDns({ ptr: { '192.0.2.5': [name] }, a: { [name]: ['192.0.2.5'] } });
      const r = await lookupPtr('192.0.2.5', dns);
      assert.equal(r.ptr, null);
      assert.equal(r.confirmed, false);
      assert.equal(r.domain, null);
      assert.equal(r.errors.length, 1);
      assert.match(r.errors[0] ?? '', /^PTR of 192\.0\.2\.5 refused, not a host name: "/);
      assert.equal(hasControl(r.errors[0] ?? ''), false);
      assert.deepEqual(dns.asked, ['PTR 192.0.2.5'], 'a refused name is never looked up');
    });
  }

  it('skips a hostile first name and takes the next valid one', async () => {
    const dns = fakeDns({
      ptr: { '192.0.2.8': ['x\r\n.example.net', 'host.example.net'] },
      a: { 'host.example.net': ['192.0.2.8'] },
    });
    const r = await lookupPtr('192.0.2.8', dns);
    assert.equal(r.ptr, 'host.example.net');
    assert.equal(r.confirmed, true);
    assert.deepEqual(r.errors, [
      'PTR of 192.0.2.8 refused, not a host name: "x\\x0d\\x0a.example.net"',
    ]);
  });

  it('a long error text is cut', async () => {
    const dns = fakeDns({ ptr: { '192.0.2.9': [`${'\u001b'.repeat(5000)}.example.net`] } });
    const [error = ''] = (await lookupPtr('192.0.2.9', dns)).errors;
    assert.ok(error.length < 700, `error is ${error.length} characters`);
  });

  it('a confirmed name under a non-ICANN suffix has no domain', async () => {
    const dns = fakeDns({
      ptr: { '192.0.2.11': ['nas.home.lan'] },
      a: { 'nas.home.lan': ['192.0.2.11'] },
    });
    const r = await lookupPtr('192.0.2.11', dns);
    assert.deepEqual([r.confirmed, r.domain], [true, null]);
  });
});

describe('registeredDomain', () => {
  it('uses the ICANN section of the public suffix list only', () => {
    assert.equal(registeredDomain('ec2-192-0-2-1.compute-1.amazonaws.com'), 'amazonaws.com');
    assert.equal(registeredDomain('someone.blogspot.com'), 'blogspot.com');
    assert.equal(registeredDomain('a.b.example.co.uk'), 'example.co.uk');
    assert.equal(registeredDomain('co.uk'), null);
    assert.equal(registeredDomain('printer.internal'), null);
  });
});

describe('hostNameOf', () => {
  it('lower-cases and drops the final dot; refuses names over 253 characters', () => {
    assert.equal(hostNameOf('Host.Example.NET.'), 'host.example.net');
    const label = 'a'.repeat(63);
    const name253 = `${label}.${label}.${label}.${'b'.repeat(57)}.net`;
    assert.equal(name253.length, 253);
    assert.equal(hostNameOf(name253), name253);
    assert.equal(hostNameOf(`x${name253}`), null);
  });
});

describe('reverseName', () => {
  it('builds in-addr.arpa and ip6.arpa names', () => {
    assert.equal(reverseName('192.0.2.10'), '10.2.0.192.in-addr.arpa');
    assert.equal(
      reverseName('2001:db8::1'),
      '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    );
    assert.equal(reverseName('::'), `${'0.'.repeat(32)}ip6.arpa`);
    assert.equal(reverseName('not-an-address'), null);
  });
});
