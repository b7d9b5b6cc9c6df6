import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  loadRdapBootstrap,
  refreshRdapBootstrap,
  type RdapBootstrap,
} from '../../src/investigate/rdap-bootstrap.js';
import { fetchRdap, type RdapFetchOptions } from '../../src/investigate/rdap-client.js';
import { lookupRdapAutnum, lookupRdapNetwork } from '../../src/investigate/rdap-lookup.js';
import { startRdapServer, type RdapTestServer } from '../support/rdap-server.js';

// Real HTTP on 127.0.0.1 only: three fake registries answer from the shared corpus, and the
// IANA bootstrap from the corpus is rewritten to point at them.
const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');
const MiB = 1024 * 1024;

let arin: RdapTestServer;
let ripe: RdapTestServer;
let others: RdapTestServer;
let bootstrap: RdapBootstrap;
let dir: string;

/** The corpus bootstrap file with each registry's URLs replaced by its loopback server. */
function rewrite(file: string): string {
  const json = JSON.parse(readFileSync(join(CORPUS, 'bootstrap', file), 'utf8')) as {
    services: [string[], string[]][];
  };
  for (const service of json.services) {
    const host = new URL(service[1][0] ?? '').host;
    const to = host === 'rdap.arin.net' ? arin : host === 'rdap.db.ripe.net' ? ripe : others;
    service[1] = [to.base];
  }
  return JSON.stringify(json);
}

function limits(over: Partial<RdapFetchOptions> = {}): RdapFetchOptions {
  return {
    timeoutMs: 3000,
    maxBytes: MiB,
    maxRedirects: 3,
    allowedHosts: bootstrap.hosts,
    ...over,
  };
}

const get = (url: string) => fetchRdap(url, limits());

before(async () => {
  arin = await startRdapServer('registry/');
  ripe = await startRdapServer();
  others = await startRdapServer('rdap/');
  dir = mkdtempSync(join(tmpdir(), 'rdap-int-'));
  for (const f of ['ipv4.json', 'ipv6.json', 'asn.json']) writeFileSync(join(dir, f), rewrite(f));
  writeFileSync(join(dir, 'dns.json'), readFileSync(join(CORPUS, 'bootstrap', 'dns.json')));
  bootstrap = loadRdapBootstrap(dir);
});

after(async () => {
  await Promise.all([arin.close(), ripe.close(), others.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('RDAP over HTTP on loopback', () => {
  it('rdap-ip-arin-74.125.225.229-google-2015 through the bootstrap (plain http base URL)', async () => {
    arin.route('/registry/ip/74.125.225.229', {
      kind: 'file',
      path: join(CORPUS, 'rdap-ip-arin-74.125.225.229-google-2015.json'),
    });
    const r = await lookupRdapNetwork('74.125.225.229', bootstrap, get);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.chain, [{ server: arin.host, query: `${arin.base}ip/74.125.225.229` }]);
    assert.deepEqual(r.finding?.netblock?.cidrs, ['74.125.0.0/16']);
    assert.deepEqual(
      r.finding?.contacts.map((c) => c.email),
      ['arin-contact@google.com'],
    );
  });

  it('rdap-ip-arin-2606-4700-4700--1111-cloudflare-v6 by its IPv6 path', async () => {
    arin.route('/registry/ip/2606:4700:4700::1111', {
      kind: 'file',
      path: join(CORPUS, 'rdap-ip-arin-2606-4700-4700--1111-cloudflare-v6.json'),
    });
    const r = await lookupRdapNetwork('2606:4700:4700:0:0:0:0:1111', bootstrap, get);
    assert.deepEqual(r.finding?.netblock?.cidrs, ['2606:4700::/32']);
    assert.equal(r.finding?.asn, 13335);
  });

  it('rdap-asn-arin-AS13335-cloudflare by autnum', async () => {
    arin.route('/registry/autnum/13335', {
      kind: 'file',
      path: join(CORPUS, 'rdap-asn-arin-AS13335-cloudflare.json'),
    });
    const r = await lookupRdapAutnum(13335, bootstrap, get);
    assert.equal(r.asn, 13335);
    assert.equal(r.asName, 'CLOUDFLARENET');
    assert.ok(
      r.contacts.some((c) => c.email === 'abuse@cloudflare.com' && c.roles.includes('abuse')),
    );
  });

  it('rdap-error-ripe-404 served with HTTP 404 becomes a readable error', async () => {
    ripe.route('/ip/193.0.6.1', {
      kind: 'file',
      path: join(CORPUS, 'rdap-error-ripe-404.json'),
      status: 404,
    });
    const r = await lookupRdapNetwork('193.0.6.1', bootstrap, get);
    assert.equal(r.finding, null);
    assert.deepEqual(r.errors, [`${ripe.host}: HTTP 404 nameservers not found`]);
  });

  it('a gzip-compressed answer is read', async () => {
    const body = JSON.parse(
      readFileSync(join(CORPUS, 'rdap-ip-ripe-193.0.6.139-ripe-ncc.json'), 'utf8'),
    ) as unknown;
    ripe.route('/ip/193.0.6.139', { kind: 'json', body, gzip: true });
    const r = await lookupRdapNetwork('193.0.6.139', bootstrap, get);
    assert.deepEqual(r.finding?.netblock?.cidrs, ['193.0.0.0/21']);
  });
});

describe('ARIN-style redirects for transferred space', () => {
  it('157.173.209.216: ARIN (per the bootstrap) redirects to RIPE, whose answer is used', async () => {
    // 157/8 is ARIN's in the bootstrap; the block is RIPE's (ERX). The RIPE answer is built from
    // ip-ripe-157.173.209.216-hostinger-legacy.txt (range, netname, country, abuse contact line).
    const whois = readFileSync(
      join(CORPUS, 'ip-ripe-157.173.209.216-hostinger-legacy.txt'),
      'utf8',
    );
    assert.ok(
      whois.includes(
        "Abuse contact for '157.173.208.0 - 157.173.215.255' is 'abuse@hostinger.com'",
      ),
    );
    arin.route('/registry/ip/157.173.209.216', {
      kind: 'redirect',
      status: 301,
      location: `${ripe.base}ip/157.173.209.216`,
    });
    ripe.route('/ip/157.173.209.216', {
      kind: 'json',
      body: {
        objectClassName: 'ip network',
        handle: '157.173.208.0 - 157.173.215.255',
        startAddress: '157.173.208.0',
        endAddress: '157.173.215.255',
        name: 'HOSTINGER-HOSTING',
        country: 'US',
        entities: [
          {
            handle: 'HA2755-RIPE',
            roles: ['abuse'],
            vcardArray: ['vcard', [['email', { type: 'abuse' }, 'text', 'abuse@hostinger.com']]],
          },
        ],
      },
    });
    const r = await lookupRdapNetwork('157.173.209.216', bootstrap, get);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.chain, [
      { server: arin.host, query: `${arin.base}ip/157.173.209.216` },
      { server: ripe.host, query: `${ripe.base}ip/157.173.209.216` },
    ]);
    assert.equal(r.finding?.server, ripe.host);
    assert.deepEqual(r.finding?.netblock?.cidrs, ['157.173.208.0/21']);
    assert.deepEqual(
      r.finding?.contacts.map((c) => `${c.email} ${c.roles.join(',')}`),
      ['abuse@hostinger.com abuse'],
    );
  });

  it('a redirect loop is stopped', async () => {
    arin.route('/registry/ip/157.1.1.1', {
      kind: 'redirect',
      status: 302,
      location: `${ripe.base}ip/157.1.1.1`,
    });
    ripe.route('/ip/157.1.1.1', {
      kind: 'redirect',
      status: 307,
      location: `${arin.base}ip/157.1.1.1`,
    });
    const r = await lookupRdapNetwork('157.1.1.1', bootstrap, get);
    assert.equal(r.finding, null);
    assert.deepEqual(r.errors, [`${ripe.host}: redirect loop (${arin.base}ip/157.1.1.1 again)`]);
  });

  it('too many redirects are stopped', async () => {
    for (let i = 0; i < 5; i++) {
      arin.route(`/registry/hop/${i}`, {
        kind: 'redirect',
        status: 308,
        location: `/registry/hop/${i + 1}`,
      });
    }
    await assert.rejects(fetchRdap(`${arin.base}hop/0`, limits({ maxRedirects: 2 })), {
      message: `${arin.host}: more than 2 redirects`,
    });
  });

  it('a redirect to a private, link-local or loopback address not in the bootstrap is refused', async () => {
    const cases: [string, RegExp][] = [
      [
        'http://10.0.0.1/ip/157.2.2.2',
        /^10\.0\.0\.1: refused an address not named by the bootstrap$/,
      ],
      [
        'http://169.254.169.254/latest/meta-data/',
        /^169\.254\.169\.254: refused an address not named by the bootstrap$/,
      ],
      ['http://[::1]/ip/157.2.2.2', /^\[::1\]: refused an address not named by the bootstrap$/],
      // A name is resolved first (here from /etc/hosts) and refused for its loopback address.
      [
        'http://localhost/ip/157.2.2.2',
        /^localhost: refused: localhost resolves to (127\.0\.0\.1|::1)/,
      ],
      ['gopher://rdap.example/ip/x', /refused a gopher URL/],
    ];
    for (const [location, expected] of cases) {
      arin.route('/registry/ip/157.2.2.2', { kind: 'redirect', status: 302, location });
      const r = await lookupRdapNetwork('157.2.2.2', bootstrap, get);
      assert.equal(r.finding, null, location);
      assert.equal(r.errors.length, 1, location);
      assert.match(r.errors[0] ?? '', expected);
    }
  });
});

describe('hostile RDAP servers', () => {
  it('a 50 MB body is cut at the cap while streaming, with bounded memory', async () => {
    arin.route('/registry/ip/74.1.1.1', { kind: 'huge', bytes: 50 * MiB });
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    const r = await lookupRdapNetwork('74.1.1.1', bootstrap, get);
    assert.deepEqual(r.errors, [`${arin.host}: answer larger than 1 MiB`]);
    assert.equal(r.finding, null);
    // Let the server notice the closed socket.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(arin.written.bytes < 16 * MiB, `server wrote ${arin.written.bytes} bytes`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * MiB);
    assert.ok(Date.now() - started < 3000);
  });

  it('a declared 50 MB length is refused before reading', async () => {
    arin.route('/registry/ip/74.1.1.2', { kind: 'huge', bytes: 50 * MiB, declareLength: true });
    await assert.rejects(fetchRdap(`${arin.base}ip/74.1.1.2`, limits()), {
      message: `${arin.host}: answer larger than 1 MiB (declared 50 MiB)`,
    });
  });

  it('a gzip bomb is cut at the cap after decompression', async () => {
    arin.route('/registry/ip/74.1.1.3', { kind: 'gzip-bomb', bytes: 50 * MiB });
    await assert.rejects(fetchRdap(`${arin.base}ip/74.1.1.3`, limits()), {
      message: `${arin.host}: answer larger than 1 MiB`,
    });
  });

  it('a server dripping one byte per second hits the total timeout', async () => {
    arin.route('/registry/ip/74.1.1.4', { kind: 'drip', intervalMs: 1000 });
    const started = Date.now();
    await assert.rejects(fetchRdap(`${arin.base}ip/74.1.1.4`, limits({ timeoutMs: 1500 })), {
      message: `${arin.host}: no complete answer within 1500 ms`,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1400 && elapsed < 3000, `${elapsed} ms`);
  });

  it('429 with an HTML page is "rate limited", and the lookup does not retry elsewhere', async () => {
    arin.route('/registry/ip/74.1.1.5', { kind: 'html', status: 429, retryAfter: '60' });
    const before = arin.requests.length;
    const r = await lookupRdapNetwork('74.1.1.5', bootstrap, get);
    assert.deepEqual(r.errors, [`${arin.host}: rate limited (HTTP 429, retry after 60 s)`]);
    assert.equal(arin.requests.length - before, 1);
  });

  it('an HTML page with 200 is not RDAP', async () => {
    arin.route('/registry/ip/74.1.1.6', { kind: 'html', status: 200 });
    await assert.rejects(fetchRdap(`${arin.base}ip/74.1.1.6`, limits()), {
      message: `${arin.host}: answered with HTML (HTTP 200), not RDAP`,
    });
  });

  it('a refused connection is an error, not a crash', async () => {
    const gone = await startRdapServer();
    await gone.close();
    const allowedHosts = new Set([gone.host]);
    await assert.rejects(fetchRdap(`${gone.base}ip/192.0.2.1`, limits({ allowedHosts })), {
      message: `${gone.host}: connection refused`,
    });
  });
});

describe('refreshRdapBootstrap', () => {
  it('downloads, validates and writes the four files', async () => {
    const iana = await startRdapServer('rdap/');
    const target = mkdtempSync(join(tmpdir(), 'rdap-refresh-'));
    try {
      for (const f of ['ipv4.json', 'ipv6.json', 'asn.json', 'dns.json']) {
        iana.route(`/rdap/${f}`, { kind: 'file', path: join(CORPUS, 'bootstrap', f) });
      }
      const written = await refreshRdapBootstrap(target, { baseUrl: iana.base, timeoutMs: 3000 });
      assert.deepEqual(
        written,
        ['ipv4.json', 'ipv6.json', 'asn.json', 'dns.json'].map((f) => join(target, f)),
      );
      assert.deepEqual(readdirSync(target).sort(), [
        'asn.json',
        'dns.json',
        'ipv4.json',
        'ipv6.json',
      ]);
      const b = loadRdapBootstrap(target);
      assert.deepEqual(b.ipServers('93.184.216.34'), ['https://rdap.db.ripe.net/']);
    } finally {
      await iana.close();
      rmSync(target, { recursive: true, force: true });
    }
  });

  it('writes nothing when one download is not a bootstrap file', async () => {
    const iana = await startRdapServer('rdap/');
    const target = mkdtempSync(join(tmpdir(), 'rdap-refresh-'));
    try {
      for (const f of ['ipv4.json', 'ipv6.json', 'asn.json']) {
        iana.route(`/rdap/${f}`, { kind: 'file', path: join(CORPUS, 'bootstrap', f) });
      }
      iana.route('/rdap/dns.json', { kind: 'html', status: 200 });
      await assert.rejects(
        refreshRdapBootstrap(target, { baseUrl: iana.base, timeoutMs: 3000 }),
        /answered with HTML/,
      );
      assert.equal(existsSync(join(target, 'ipv4.json')), false);
    } finally {
      await iana.close();
      rmSync(target, { recursive: true, force: true });
    }
  });
});
