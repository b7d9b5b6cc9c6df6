import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, type CliResult } from '../support/cli.js';
import { startDnsServer, type TestDnsServer } from '../support/dns-server.js';
import { startRdapServer, type RdapTestServer } from '../support/rdap-server.js';
import {
  corpusBehaviours,
  corpusBytes,
  startWhoisServers,
  WHOIS_CORPUS,
  type WhoisServerSet,
} from '../support/whois-server.js';

const ROOT = join(import.meta.dirname, '../..');
const EXAMPLES = join(ROOT, 'examples/logs');

interface Looked {
  address: string;
  ptr: string | null;
  ptrConfirmed: boolean;
  domain: string | null;
  asn: number | null;
  network: { range: string; cidrs: string[]; name: string | null; country: string | null } | null;
  contacts: { email: string; roles: string[]; source: string; structured: boolean }[];
  chain: { server: string; query: string }[];
  errors: string[];
}

let whois: WhoisServerSet;
let rdap: RdapTestServer;
let bootstrapDir: string;
let dns: TestDnsServer;
let dir: string;
let config: string;

async function lookup(...args: string[]): Promise<Looked[]> {
  const r = await cli(['lookup', '--no-rdap', '--format', 'json', ...args]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return JSON.parse(r.stdout) as Looked[];
}

before(async () => {
  const behaviours = corpusBehaviours();
  // The domain chain of a confirmed PTR under google.com: Verisign, then MarkMonitor.
  behaviours.set('whois.verisign-grs.com', {
    kind: 'answers',
    answers: new Map([['domain google.com', corpusBytes('domain-google.com-1-verisign.txt')]]),
  });
  behaviours.set('whois.markmonitor.com', {
    kind: 'answers',
    answers: new Map([
      ['google.com', corpusBytes('domain-google.com-2-registrar-markmonitor.txt')],
    ]),
  });
  // A hostile AFRINIC answer: bidi override and a C1 CSI in the names.
  const afrinic = behaviours.get('whois.afrinic.net');
  assert.ok(afrinic?.kind === 'answers');
  (afrinic.answers as Map<string, Uint8Array>).set(
    '-r 41.0.0.2',
    Buffer.from(
      [
        "% Abuse contact for '41.0.0.0 - 41.0.0.255' is 'abuse@evil-isp.example'",
        '',
        'inetnum:        41.0.0.0 - 41.0.0.255',
        'netname:        EVIL\u202eTEN\u009b31mNET',
        'descr:          hostile',
        'country:        ZA',
        'source:         AFRINIC',
        '',
      ].join('\n'),
    ),
  );
  whois = await startWhoisServers(behaviours);
  dns = await startDnsServer({
    ptr: {
      '74.125.225.229': ['ord08s08-in-f5.google.com'],
      '62.239.237.1': ['mail.attacker-owned.example.com'],
      '82.112.247.12': ['evil\r\nBcc: victim@example.org.example.net'],
    },
    a: { 'ord08s08-in-f5.google.com': ['74.125.225.229'] },
  });
  dir = mkdtempSync(join(tmpdir(), 'reportable-lookup-'));
  // One loopback RDAP server stands in for every registry: the corpus bootstrap, rewritten.
  rdap = await startRdapServer();
  bootstrapDir = join(dir, 'bootstrap');
  mkdirSync(bootstrapDir);
  for (const f of ['ipv4.json', 'ipv6.json', 'asn.json', 'dns.json']) {
    const json = JSON.parse(readFileSync(join(WHOIS_CORPUS, 'bootstrap', f), 'utf8')) as {
      services: [string[], string[]][];
    };
    for (const service of json.services) service[1] = [rdap.base];
    writeFileSync(join(bootstrapDir, f), JSON.stringify(json));
  }
  rdap.route('/ip/1.1.1.1', {
    kind: 'file',
    path: join(WHOIS_CORPUS, 'rdap-ip-apnic-1.1.1.1-apnic-labs-2024.json'),
  });
  rdap.route('/ip/41.0.0.1', {
    kind: 'file',
    path: join(WHOIS_CORPUS, 'rdap-ip-afrinic-41.0.0.0_16-vodacom.json'),
  });
  config = join(dir, 'reportable.yaml');
  const hosts = [...whois.endpoints].map(([n, hp]) => `    ${n}: "${hp.host}:${hp.port}"`);
  writeFileSync(
    config,
    [
      'lookup:',
      '  onlyListedServers: true',
      `  dnsServer: "${dns.address}:${dns.port}"`,
      '  timeoutMs: 3000',
      '  whoisHosts:',
      ...hosts,
      '',
    ].join('\n'),
  );
});

after(async () => {
  await whois?.close();
  await rdap?.close();
  await dns?.close();
});

describe('reportable lookup against loopback registries', () => {
  it('follows ARIN to RIPE for transferred space and never names the RIPE NCC', async () => {
    const [n] = await lookup('--no-db', '157.173.209.216');
    assert.ok(n);
    assert.equal(n.network?.range, '157.173.208.0 - 157.173.215.255');
    assert.deepEqual(n.network?.cidrs, ['157.173.208.0/21']);
    assert.equal(n.contacts[0]?.email, 'abuse@hostinger.com');
    assert.ok(!n.contacts.some((c) => c.email.endsWith('@ripe.net')));
    assert.deepEqual(
      n.chain.map((s) => s.server),
      ['whois.arin.net', 'whois.ripe.net'],
    );
  });

  it('keeps holder and resource abuse contacts and the rwhois block (HostGator)', async () => {
    const [n] = await lookup('--no-db', '108.167.149.240');
    assert.ok(n);
    assert.deepEqual(
      n.contacts.slice(0, 2).map((c) => c.email),
      ['abuse@hostgator.com', 'eig-net-team@endurance.com'],
    );
    assert.ok(n.contacts.some((c) => c.email === 'support@websitewelcome.com'));
    assert.equal(n.network?.range, '108.167.149.240 - 108.167.149.240');
    assert.deepEqual(
      n.chain.map((s) => s.server),
      ['whois.arin.net', 'rwhois.websitewelcome.com:4321'],
    );
  });

  it('a forward-confirmed PTR brings the domain, its registrar and RFC 2142 guesses last', async () => {
    const [n] = await lookup('--no-db', '74.125.225.229');
    assert.ok(n);
    assert.equal(n.ptr, 'ord08s08-in-f5.google.com');
    assert.equal(n.ptrConfirmed, true);
    assert.equal(n.domain, 'google.com');
    const emails = n.contacts.map((c) => c.email);
    assert.equal(emails[0], 'arin-contact@google.com');
    assert.ok(emails.includes('abusecomplaints@markmonitor.com'));
    assert.deepEqual(emails.slice(-2), ['abuse@google.com', 'security@google.com']);
  });

  it('an unconfirmed PTR gives no domain and no guessed mailbox', async () => {
    const [n] = await lookup('--no-db', '62.239.237.1');
    assert.ok(n);
    assert.equal(n.ptr, 'mail.attacker-owned.example.com');
    assert.equal(n.ptrConfirmed, false);
    assert.equal(n.domain, null);
    assert.equal(n.contacts[0]?.email, 'protect@bt.com');
    assert.ok(!n.contacts.some((c) => c.email.includes('attacker-owned')));
  });

  it('a PTR with CR/LF is refused, shown escaped, and never reaches a contact', async () => {
    const text = await cli(['lookup', '--no-rdap', '--no-db', '82.112.247.12']);
    assert.equal(text.status, 0, text.stderr);
    assert.ok(!text.stdout.includes('\r'), 'no raw CR on the terminal');
    assert.match(text.stdout, /PTR of 82\.112\.247\.12 refused, not a host name/);
    const [n] = await lookup('--no-db', '82.112.247.12');
    assert.ok(n);
    assert.equal(n.ptr, null);
    assert.equal(n.domain, null);
    assert.deepEqual(
      n.contacts.map((c) => c.email),
      ['abuse@hostinger.com'],
    );
  });

  it('--traceroute names the networks on the path before the target', async () => {
    const trace = join(dir, 'trace.txt');
    writeFileSync(
      trace,
      [
        'traceroute to 82.112.247.12 (82.112.247.12), 30 hops max, 60 byte packets',
        ' 1  192.168.1.1  0.512 ms  0.480 ms  0.470 ms',
        ' 2  * * *',
        ' 3  62.239.237.1  5.100 ms  5.300 ms  5.200 ms',
        ' 4  93.184.216.34  9.871 ms  9.800 ms  9.912 ms',
        ' 5  82.112.247.12  12.500 ms  12.410 ms  12.600 ms',
        '',
      ].join('\n'),
    );
    const hops = (await lookup('--no-db', '--traceroute', trace)) as (Looked & { hop: number })[];
    assert.deepEqual(
      hops.map((h) => [h.hop, h.address, h.network?.name, h.contacts[0]?.email]),
      [
        [3, '62.239.237.1', 'BT-CORPORATE', 'protect@bt.com'],
        [4, '93.184.216.34', 'EDGECAST-NETBLK-03', 'abuse@verizondigitalmedia.com'],
      ],
    );
  });

  it('RDAP first: an abuse entity there means no whois query (APNIC 1.1.1.1)', async () => {
    const asked = whois.log.length;
    const r = await cli([
      'lookup',
      '--no-db',
      '--rdap-bootstrap',
      bootstrapDir,
      '--format',
      'json',
      '1.1.1.1',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const [n] = JSON.parse(r.stdout) as Looked[];
    assert.equal(n?.network?.range, '1.1.1.0 - 1.1.1.255');
    assert.equal(n?.contacts[0]?.email, 'helpdesk@apnic.net');
    const remark = n?.contacts.find((c) => c.email === 'resolver-abuse@cloudflare.com');
    assert.equal(remark?.structured, false);
    assert.equal(n?.chain[0]?.server, rdap.host);
    assert.equal(whois.log.length, asked, 'whois was not asked');
  });

  it('RDAP without an abuse contact falls back to whois, keeping what RDAP found', async () => {
    const asked = whois.log.length;
    const r = await cli([
      'lookup',
      '--no-db',
      '--rdap-bootstrap',
      bootstrapDir,
      '--format',
      'json',
      '41.0.0.1',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const [n] = JSON.parse(r.stdout) as Looked[];
    assert.equal(n?.network?.range, '41.0.0.0 - 41.0.255.255');
    assert.equal(n?.contacts[0]?.email, 'Jacques.hendricks@vodacom.co.za');
    assert.deepEqual(
      whois.log.slice(asked).map((q) => q.server),
      ['whois.afrinic.net'],
    );
  });

  it('a private address is refused without asking anyone', async () => {
    const before = whois.log.length;
    const r = await cli(['lookup', '--no-rdap', '--no-db', '--format', 'json', '10.1.2.3']);
    assert.equal(r.status, 1);
    const [n] = JSON.parse(r.stdout) as Looked[];
    assert.match(n?.errors[0] ?? '', /special-purpose block \(Private-Use/);
    assert.equal(whois.log.length, before);
  });

  it('--file and - (stdin) read one address a line; ndjson prints one object a line', async () => {
    const list = join(dir, 'addresses.txt');
    writeFileSync(
      list,
      '# attackers of the night\n194.164.64.213\n\n92.205.169.9  # the .env scanner\n',
    );
    const fromFile = await cli([
      'lookup',
      '--no-rdap',
      '--no-db',
      '--format',
      'ndjson',
      '--file',
      list,
    ]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const lines = fromFile.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Looked);
    assert.deepEqual(
      lines.map((n) => [n.address, n.contacts[0]?.email]),
      [
        ['194.164.64.213', 'abuse@hostinger.com'],
        ['92.205.169.9', 'abuse@hosteurope.de'],
      ],
    );
    const fromStdin = await runCli(
      config,
      dir,
      ['lookup', '--no-rdap', '--no-db', '--format', 'ndjson', '-'],
      '200.57.141.161\n',
    );
    assert.equal(fromStdin.status, 0, fromStdin.stderr);
    assert.equal(
      (JSON.parse(fromStdin.stdout) as Looked).contacts[0]?.email,
      'operacion.redes@triara.com',
    );
  });

  it('a fresh failure is reported as fresh; asked again within failureTtl it is remembered', async () => {
    const db = join(dir, 'failures.db');
    const first = await cli(['lookup', '--no-rdap', '--db', db, '--format', 'json', '41.0.0.1']);
    assert.equal(first.status, 1);
    const [fresh] = JSON.parse(first.stdout) as Looked[];
    assert.ok(fresh && fresh.errors.length > 0);
    assert.ok(!fresh.errors.some((e) => /remembered/.test(e)), fresh.errors.join(' | '));
    const asked = whois.log.length;
    const second = await cli(['lookup', '--no-rdap', '--db', db, '--format', 'json', '41.0.0.1']);
    const [again] = JSON.parse(second.stdout) as Looked[];
    assert.ok(again?.errors.some((e) => /remembered; asked again later/.test(e)));
    assert.equal(whois.log.length, asked, 'nobody asked within failureTtl');
  });

  it('bidi overrides and C1 controls in a whois answer never reach the JSON output', async () => {
    const r = await cli(['lookup', '--no-rdap', '--no-db', '--format', 'json', '41.0.0.2']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!/[\u0080-\u009f\u202a-\u202e]/.test(r.stdout), r.stdout);
    const [n] = JSON.parse(r.stdout) as Looked[];
    assert.equal(n?.network?.name, 'EVIL TEN 31mNET');
    assert.equal(n?.contacts[0]?.email, 'abuse@evil-isp.example');
  });

  it('a word that is not an address is a usage error (exit 2)', async () => {
    const r = await cli(['lookup', '--no-db', 'example.net']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /"example\.net" is not an IP address/);
  });

  it('scan, lookup --incidents, then --offline answers from the store without asking', async () => {
    const db = join(dir, 'flow.db');
    const scan = await cli([
      'scan',
      '--db',
      db,
      '--tz',
      'UTC',
      '--now',
      '2026-11-27T12:00:00Z',
      EXAMPLES,
    ]);
    assert.equal(scan.status, 0, scan.stderr);
    const first = await cli(['lookup', '--no-rdap', '--db', db, '--incidents', '--format', 'json']);
    assert.equal(first.status, 0, first.stderr);
    assert.notEqual(first.stdout, '', first.stderr + scan.stdout);
    const found = JSON.parse(first.stdout) as Looked[];
    assert.deepEqual(found.map((n) => n.address).sort(), [
      '108.167.149.240',
      '157.173.209.216',
      '194.164.64.213',
      '200.57.141.161',
      '210.107.73.73',
      '82.112.247.12',
      '92.205.169.9',
    ]);
    const abuse = Object.fromEntries(found.map((n) => [n.address, n.contacts[0]?.email]));
    assert.deepEqual(abuse, {
      '108.167.149.240': 'abuse@hostgator.com',
      '157.173.209.216': 'abuse@hostinger.com',
      '194.164.64.213': 'abuse@hostinger.com',
      '200.57.141.161': 'operacion.redes@triara.com',
      '210.107.73.73': 'hostmaster@nic.or.kr',
      '82.112.247.12': 'abuse@hostinger.com',
      '92.205.169.9': 'abuse@hosteurope.de',
    });
    const asked = whois.log.length;
    const again = await cli([
      'lookup',
      '--no-rdap',
      '--db',
      db,
      '--offline',
      '--format',
      'json',
      '194.164.64.1',
    ]);
    assert.equal(again.status, 0, again.stderr);
    const [cached] = JSON.parse(again.stdout) as Looked[];
    assert.equal(cached?.network?.range, '194.164.64.0 - 194.164.71.255');
    assert.equal(cached?.contacts[0]?.email, 'abuse@hostinger.com');
    assert.equal(whois.log.length, asked, 'the cached block answered without a query');
  });
});

/** The built command with this test's configuration and data directory. */
function cli(args: string[]): Promise<CliResult> {
  return runCli(config, dir, args);
}
