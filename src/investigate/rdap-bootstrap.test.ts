import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { bundledBootstrapDir, loadRdapBootstrap } from './rdap-bootstrap.js';

// IANA's files as collected in the shared corpus (INDEX.md, "IANA RDAP bootstrap files").
const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois/bootstrap');

const ARIN = ['https://rdap.arin.net/registry/', 'http://rdap.arin.net/registry/'];
const RIPE = ['https://rdap.db.ripe.net/'];
const APNIC = ['https://rdap.apnic.net/'];
const LACNIC = ['https://rdap.lacnic.net/rdap/'];
const AFRINIC = ['https://rdap.afrinic.net/rdap/', 'http://rdap.afrinic.net/rdap/'];

const temps: string[] = [];
after(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

/** A bootstrap directory holding the corpus files with some replaced. */
function bootstrapDir(replace: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rdap-bootstrap-'));
  temps.push(dir);
  for (const f of ['ipv4.json', 'ipv6.json', 'asn.json', 'dns.json']) {
    writeFileSync(join(dir, f), replace[f] ?? readFileSync(join(CORPUS, f)));
  }
  return dir;
}

describe('RDAP bootstrap (IANA files from the corpus)', () => {
  const b = loadRdapBootstrap(CORPUS);

  it('answers the INDEX.md oracles for IPv4', () => {
    assert.deepEqual(b.ipServers('93.184.216.34'), RIPE);
    // 157/8 is ARIN's in the bootstrap although the block was transferred to RIPE.
    assert.deepEqual(b.ipServers('157.173.209.216'), ARIN);
    assert.deepEqual(b.ipServers('1.1.1.1'), APNIC);
    assert.deepEqual(b.ipServers('179.0.0.1'), LACNIC);
    assert.deepEqual(b.ipServers('41.0.0.1'), AFRINIC);
  });
  it('answers the INDEX.md oracles for IPv6 (longest prefix)', () => {
    assert.deepEqual(b.ipServers('2001:4860::1'), ARIN);
    assert.deepEqual(b.ipServers('2a00:2381:ffff::1'), RIPE);
    assert.deepEqual(b.ipServers('2801:10:c000::1'), LACNIC);
    assert.deepEqual(b.ipServers('2001:4860:0000::0001'), ARIN);
    assert.deepEqual(b.ipServers('fd00::1'), []);
  });
  it('answers the INDEX.md oracles for AS numbers (ranges)', () => {
    assert.deepEqual(b.asnServers(13335), ARIN);
    assert.deepEqual(b.asnServers(27648), LACNIC);
    assert.deepEqual(b.asnServers(36864), AFRINIC);
    assert.deepEqual(b.asnServers(4294967295), []);
  });
  it('reads zero-padded addresses as decimal and knows nothing of private space', () => {
    assert.deepEqual(b.ipServers('074.125.225.229'), ARIN);
    assert.deepEqual(b.ipServers('10.0.0.1'), []);
    assert.deepEqual(b.ipServers('not an address'), []);
  });
  it('finds a domain by its TLD, case and trailing dot ignored', () => {
    assert.deepEqual(b.domainServers('google.com'), ['https://rdap.verisign.com/com/v1/']);
    assert.deepEqual(b.domainServers('Example.CO.UK.'), ['https://rdap.nominet.uk/uk/']);
    assert.deepEqual(b.domainServers('example.invalid'), []);
  });
  it('lists every server host', () => {
    for (const h of ['rdap.arin.net', 'rdap.db.ripe.net', 'rdap.verisign.com']) {
      assert.ok(b.hosts.has(h), h);
    }
  });
});

describe('RDAP bootstrap files of our own', () => {
  it('prefers https but keeps plain http base URLs (local servers), adding the final slash', () => {
    const ipv4 = JSON.stringify({
      services: [
        [['192.0.2.0/24'], ['http://127.0.0.1:8080/rdap', 'https://rdap.example.net/']],
        [['192.0.0.0/8'], ['http://127.0.0.1:8081/']],
      ],
    });
    const b = loadRdapBootstrap(bootstrapDir({ 'ipv4.json': ipv4 }));
    assert.deepEqual(b.ipServers('192.0.2.7'), [
      'https://rdap.example.net/',
      'http://127.0.0.1:8080/rdap/',
    ]);
    assert.deepEqual(b.ipServers('192.0.3.1'), ['http://127.0.0.1:8081/']);
    assert.ok(b.hosts.has('127.0.0.1:8080'));
  });
  it('takes the single-number AS key form', () => {
    const asn = JSON.stringify({ services: [[['64496'], ['http://127.0.0.1:1/']]] });
    const b = loadRdapBootstrap(bootstrapDir({ 'asn.json': asn }));
    assert.deepEqual(b.asnServers(64496), ['http://127.0.0.1:1/']);
    assert.deepEqual(b.asnServers(64497), []);
  });
  it('names the missing file', () => {
    const dir = bootstrapDir();
    rmSync(join(dir, 'asn.json'));
    assert.throws(
      () => loadRdapBootstrap(dir),
      (e: unknown) => e instanceof ConfigError && e.message.includes(join(dir, 'asn.json')),
    );
  });
  it('names the file and entry that is wrong', () => {
    const ipv6 = JSON.stringify({
      services: [
        [
          ['2001:db8::/129', '192.0.2.0/24'],
          ['ftp://x.example/', 'https://ok.example/'],
        ],
      ],
    });
    const dir = bootstrapDir({ 'ipv6.json': ipv6, 'dns.json': 'not json' });
    assert.throws(
      () => loadRdapBootstrap(dir),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.includes(`${join(dir, 'ipv6.json')}: services[0][0][0]: not an IPv6 prefix`) &&
        e.problems.includes(`${join(dir, 'ipv6.json')}: services[0][0][1]: not an IPv6 prefix`) &&
        e.problems.includes(
          `${join(dir, 'ipv6.json')}: services[0][1][0]: not an http(s) base URL`,
        ) &&
        e.problems.includes(`${join(dir, 'dns.json')}: not JSON`),
    );
  });
  it('refuses a file without services', () => {
    const dir = bootstrapDir({ 'asn.json': '{"description":"x"}' });
    assert.throws(() => loadRdapBootstrap(dir), /asn\.json: no "services" array/);
  });
});

describe('bundled bootstrap', () => {
  it('is found from the module and loads', () => {
    const dir = bundledBootstrapDir();
    assert.ok(existsSync(join(dir, 'README.md')));
    const b = loadRdapBootstrap(dir);
    assert.deepEqual(b.ipServers('93.184.216.34'), RIPE);
  });
});
