import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDns, lookupPtr } from '../../src/investigate/dns-lookup.js';
import type { DnsPort } from '../../src/investigate/dns-lookup.js';
import { startDnsServer } from '../support/dns-server.js';
import type { TestDnsServer } from '../support/dns-server.js';

// Node's own resolver (c-ares) against a DNS server on 127.0.0.1: no traffic leaves the machine.
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const label = 'a'.repeat(63);
/** A 250-character name of valid labels: long, but a host name. */
const LONG = `${label}.${label}.${label}.${'b'.repeat(54)}.net`;

let server: TestDnsServer;
let dns: DnsPort;

before(async () => {
  server = await startDnsServer({
    ptr: {
      '192.0.2.10': ['mail.example.net'],
      '192.0.2.11': ['spoofed.example.com'],
      '2001:db8::10': ['mail6.example.net'],
      '192.0.2.20': ['evil.example.net\r\nX-Injected: yes'],
      '192.0.2.21': ['<script>alert(1)</script>.example.net'],
      '192.0.2.22': ['\u001b]0;owned\u0007\u001b[2Jx.example.net'],
      '192.0.2.23': [[bytes('a.b'), bytes('example'), bytes('net')]],
      '192.0.2.24': ['bücher.example.net'],
      '192.0.2.25': [LONG],
    },
    a: {
      'mail.example.net': ['192.0.2.10'],
      'spoofed.example.com': ['198.51.100.99'],
      [LONG]: ['192.0.2.25'],
      'evil.example.net': ['192.0.2.20'],
    },
    aaaa: { 'mail6.example.net': ['2001:db8:0:0::10'] },
    silent: ['192.0.2.30'],
    servfail: ['192.0.2.31'],
  });
  dns = createDns({ server: { host: server.address, port: server.port }, timeoutMs: 150 });
});

after(async () => {
  await server.close();
});

/** True when the text holds a C0/C1 control byte or DEL. */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

describe('PTR lookups against a loopback DNS server', () => {
  it('confirmed IPv4 PTR: name, confirmation and registered domain', async () => {
    assert.deepEqual(await lookupPtr('192.0.2.10', dns), {
      ptr: 'mail.example.net',
      confirmed: true,
      domain: 'example.net',
      errors: [],
    });
  });

  it('confirmed IPv6 PTR through ip6.arpa and AAAA', async () => {
    assert.deepEqual(await lookupPtr('2001:db8::10', dns), {
      ptr: 'mail6.example.net',
      confirmed: true,
      domain: 'example.net',
      errors: [],
    });
  });

  it('a PTR naming someone else (forward records elsewhere) is not confirmed', async () => {
    assert.deepEqual(await lookupPtr('192.0.2.11', dns), {
      ptr: 'spoofed.example.com',
      confirmed: false,
      domain: null,
      errors: [],
    });
  });

  it('NXDOMAIN: no PTR and no error', async () => {
    assert.deepEqual(await lookupPtr('198.51.100.200', dns), {
      ptr: null,
      confirmed: false,
      domain: null,
      errors: [],
    });
  });

  it('a server that never answers: bounded by the timeout, recorded', async () => {
    const started = Date.now();
    const r = await lookupPtr('192.0.2.30', dns);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual(r, {
      ptr: null,
      confirmed: false,
      domain: null,
      errors: ['PTR lookup for 192.0.2.30: timed out'],
    });
  });

  it('SERVFAIL is recorded', async () => {
    const r = await lookupPtr('192.0.2.31', dns);
    assert.equal(r.ptr, null);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0] ?? '', /^PTR lookup for 192\.0\.2\.31: .*ESERVFAIL/);
  });

  it('a 250-character name is read and confirmed', async () => {
    const r = await lookupPtr('192.0.2.25', dns);
    assert.deepEqual(r, {
      ptr: LONG,
      confirmed: true,
      domain: `${'b'.repeat(54)}.net`,
      errors: [],
    });
  });

  // c-ares escapes non-printable bytes in names (`\013`), so the raw bytes never reach us; the
  // escaped form is refused like the raw one (src/investigate/dns-lookup.test.ts tests raw bytes).
  const hostile: [string, string, string][] = [
    ['CR/LF', '192.0.2.20', 'evil.example.net\\013\\010X-Injected: yes'],
    ['HTML', '192.0.2.21', '<script>alert\\(1\\)</script>.example.net'],
    ['terminal escapes', '192.0.2.22', '\\027]0\\;owned\\007\\027[2Jx.example.net'],
    ['a dot inside a label', '192.0.2.23', 'a\\.b.example.net'],
    ['non-ASCII', '192.0.2.24', 'b\\195\\188cher.example.net'],
  ];
  for (const [what, address, seen] of hostile) {
    it(`a PTR with ${what} is refused, never returned, recorded printable`, async () => {
      const r = await lookupPtr(address, dns);
      assert.deepEqual([r.ptr, r.confirmed, r.domain], [null, false, null]);
      assert.deepEqual(r.errors, [`PTR of ${address} refused, not a host name: "${seen}"`]);
      assert.equal(hasControl(r.errors[0] ?? ''), false);
    });
  }

  it('asked only the questions needed (no forward lookup for refused names)', () => {
    assert.equal(server.queries.filter((q) => q === 'A evil.example.net').length, 0);
  });
});
