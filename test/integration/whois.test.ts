import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Contact } from '../../src/core/network.js';
import { extractWhois } from '../../src/investigate/whois-answer.js';
import { lookupWhois, type WhoisResult } from '../../src/investigate/whois-chain.js';
import { queryWhois } from '../../src/investigate/whois-client.js';
import {
  corpusBehaviours,
  corpusBytes,
  fixtureQuery,
  loopbackAsk,
  startWhoisServers,
  WHOIS_FIXTURES,
  type WhoisBehaviour,
  type WhoisServerSet,
} from '../support/whois-server.js';

// Real TCP on 127.0.0.1 only: every registry is a test server reached through `endpoints`
// (what --whois-host gives), and loopbackAsk refuses any name the set does not serve.

/** Structured abuse contacts, in order, each address once (ARIN repeats a POC at org and net level). */
function abuseEmails(contacts: readonly Contact[]): string[] {
  const out: string[] = [];
  for (const c of contacts)
    if (c.structured && c.roles.includes('abuse') && !out.includes(c.email)) out.push(c.email);
  return out;
}

interface Expected {
  readonly address: string;
  readonly firstServer?: string;
  readonly range: readonly [string, string];
  readonly cidrs: readonly string[];
  readonly abuse: readonly string[];
  readonly chain: readonly string[];
  readonly errors?: number;
}

// INDEX.md's expectations, per chain. The corpus has no RIPE answer for 138.201.14.212, so the
// test RIPE server says "no entries found" and the ERX stub stays in use, with a note.
const CHAINS: readonly Expected[] = [
  {
    address: '74.125.225.229',
    range: ['74.125.0.0', '74.125.255.255'],
    cidrs: ['74.125.0.0/16'],
    abuse: ['arin-contact@google.com'],
    chain: ['whois.arin.net'],
  },
  {
    address: '2001:4860:4860::8888',
    range: ['2001:4860::', '2001:4860:ffff:ffff:ffff:ffff:ffff:ffff'],
    cidrs: ['2001:4860::/32'],
    abuse: ['arin-contact@google.com'],
    chain: ['whois.arin.net'],
  },
  {
    address: '157.173.209.216',
    range: ['157.173.208.0', '157.173.215.255'],
    cidrs: ['157.173.208.0/21'],
    abuse: ['abuse@hostinger.com'],
    chain: ['whois.arin.net', 'whois.ripe.net'],
  },
  {
    address: '138.201.14.212',
    range: ['138.198.0.0', '138.201.255.255'],
    cidrs: ['138.198.0.0/15', '138.200.0.0/15'],
    // The corpus has no RIPE answer for it: RIPE NCC's own abuse@ripe.net on the ARIN stub is
    // never taken for the holder's.
    abuse: [],
    chain: ['whois.arin.net', 'whois.ripe.net'],
    errors: 1,
  },
  {
    address: '24.255.128.0',
    range: ['24.255.128.0', '24.255.255.255'],
    cidrs: ['24.255.128.0/17'],
    abuse: ['abuse@cox.net'],
    chain: ['whois.arin.net'],
  },
  {
    address: '108.167.149.240',
    range: ['108.167.149.240', '108.167.149.240'],
    cidrs: ['108.167.149.240/32'],
    abuse: ['abuse@hostgator.com', 'eig-net-team@endurance.com'],
    chain: ['whois.arin.net', 'rwhois.websitewelcome.com:4321'],
  },
  {
    address: '93.184.216.34',
    firstServer: 'whois.iana.org',
    range: ['93.184.216.0', '93.184.216.255'],
    cidrs: ['93.184.216.0/24'],
    abuse: ['abuse@verizondigitalmedia.com'],
    chain: ['whois.iana.org', 'whois.ripe.net'],
  },
  {
    address: '93.184.216.34',
    range: ['93.184.216.0', '93.184.216.255'],
    cidrs: ['93.184.216.0/24'],
    abuse: ['abuse@verizondigitalmedia.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '62.239.237.1',
    range: ['62.239.237.0', '62.239.237.255'],
    cidrs: ['62.239.237.0/24'],
    abuse: ['protect@bt.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '2a00:2381:ffff::1',
    range: ['2a00:2381:ffff::', '2a00:2381:ffff:0:ffff:ffff:ffff:ffff'],
    cidrs: ['2a00:2381:ffff::/64'],
    abuse: ['protect@bt.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '31.13.74.0',
    range: ['31.13.74.0', '31.13.74.255'],
    cidrs: ['31.13.74.0/24'],
    abuse: ['domain@fb.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '51.107.8.147',
    range: ['51.107.0.0', '51.107.255.255'],
    cidrs: ['51.107.0.0/16'],
    abuse: ['abuse@microsoft.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '82.112.247.12',
    range: ['82.112.244.0', '82.112.247.255'],
    cidrs: ['82.112.244.0/22'],
    abuse: ['abuse@hostinger.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '92.205.169.9',
    range: ['92.205.156.0', '92.205.255.255'],
    cidrs: ['92.205.156.0/22', '92.205.160.0/19', '92.205.192.0/18'],
    abuse: ['abuse@hosteurope.de'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '194.164.64.213',
    range: ['194.164.64.0', '194.164.71.255'],
    cidrs: ['194.164.64.0/21'],
    abuse: ['abuse@hostinger.com'],
    chain: ['whois.ripe.net'],
  },
  {
    address: '210.107.73.73',
    range: ['210.107.0.0', '210.107.127.255'],
    cidrs: ['210.107.0.0/17'],
    abuse: ['hostmaster@nic.or.kr'],
    chain: ['whois.apnic.net', 'whois.nic.or.kr'],
  },
  {
    address: '2001:240:10c:1::ca20:9d1d',
    range: ['2001:240:10c::', '2001:240:10c:ffff:ffff:ffff:ffff:ffff'],
    cidrs: ['2001:240:10c::/48'],
    abuse: [],
    chain: ['whois.apnic.net', 'whois.nic.ad.jp'],
  },
  {
    address: '200.57.141.161',
    range: ['200.57.128.0', '200.57.159.255'],
    cidrs: ['200.57.128.0/19'],
    abuse: ['operacion.redes@triara.com'],
    chain: ['whois.lacnic.net'],
  },
  {
    address: '2801:10:c000::',
    range: ['2801:10:c000::', '2801:10:c000:ffff:ffff:ffff:ffff:ffff'],
    cidrs: ['2801:10:c000::/48'],
    abuse: ['sistemas.red@uco.edu.co'],
    chain: ['whois.lacnic.net'],
  },
  {
    address: '196.11.240.215',
    range: ['196.11.239.0', '196.11.246.255'],
    cidrs: ['196.11.239.0/24', '196.11.240.0/22', '196.11.244.0/23', '196.11.246.0/24'],
    abuse: [],
    chain: ['whois.afrinic.net'],
  },
  {
    address: '2001:43f8:7b0::',
    range: ['2001:43f8:7b0::', '2001:43f8:7b0:ffff:ffff:ffff:ffff:ffff'],
    cidrs: ['2001:43f8:7b0::/48'],
    abuse: [],
    chain: ['whois.afrinic.net'],
  },
];

describe('whois chains over loopback TCP, served from the corpus', () => {
  let set: WhoisServerSet;
  before(async () => {
    set = await startWhoisServers(corpusBehaviours());
  });
  after(() => set.close());

  for (const e of CHAINS) {
    const via = e.firstServer === undefined ? '' : ` from ${e.firstServer}`;
    test(`${e.address}${via}: ${e.chain.join(' → ')}`, async () => {
      const start = set.log.length;
      const r = await lookupWhois(e.address, {
        ask: loopbackAsk(set),
        ...(e.firstServer === undefined ? {} : { firstServer: e.firstServer }),
      });
      assert.deepEqual([r.netblock?.start, r.netblock?.end], e.range);
      assert.deepEqual(r.netblock?.cidrs, e.cidrs);
      assert.deepEqual(abuseEmails(r.contacts), e.abuse);
      assert.deepEqual(
        r.chain.map((s) => s.server),
        e.chain,
      );
      assert.equal(r.errors.length, e.errors ?? 0, r.errors.join('\n'));
      // What went over the wire is what the chain says it asked.
      assert.deepEqual(
        set.log.slice(start).map((q) => q.query),
        r.chain.map((s) => s.query),
      );
    });
  }

  test('ERX stub followed: RIPE NCC’s own abuse@ripe.net and hostmaster@ripe.net are not reported', async () => {
    const r = await lookupWhois('157.173.209.216', { ask: loopbackAsk(set) });
    assert.deepEqual(
      r.contacts.filter((c) => c.email.endsWith('@ripe.net')),
      [],
    );
    assert.equal(r.findings[0]?.stub, true);
    assert.equal(r.asn, 47583);
  });

  test('ARIN then rwhois: both kept, the ISP’s rwhois contact at level rwhois', async () => {
    const r = await lookupWhois('108.167.149.240', { ask: loopbackAsk(set) });
    const rwhois = r.contacts.filter((c) => c.level === 'rwhois').map((c) => c.email);
    assert.deepEqual(rwhois, ['support@websitewelcome.com']);
    assert.equal(r.contacts[0]?.email, 'abuse@hostgator.com');
  });

  test('every fixture is served byte for byte under the query our client sends (CRLF kept)', async () => {
    const ask = loopbackAsk(set);
    for (const f of WHOIS_FIXTURES) {
      const text = await ask({
        server: f.server,
        protocol: f.protocol,
        port: f.protocol === 'rwhois' ? 4321 : 43,
        query: fixtureQuery(f),
      });
      assert.equal(text, corpusBytes(f.file).toString('utf8'), f.file);
    }
  });

  test('rwhois: greeting, query, answer up to %ok; the client closes though the server would wait', async () => {
    const started = Date.now();
    const text = await loopbackAsk(set)({
      server: 'rwhois.softlayer.com',
      protocol: 'rwhois',
      port: 4321,
      query: '208.43.132.31',
    });
    assert.ok(Date.now() - started < 4000); // well under the 5 s timeout: %ok ended it
    assert.ok(text.startsWith('%rwhois V-1.5'));
    assert.ok(text.endsWith('%ok\n'));
    const finding = extractWhois('rwhois.softlayer.com', '208.43.132.31', text);
    assert.deepEqual(abuseEmails(finding.contacts), ['abuse@endpoint.com']);
    // `%referral rwhois://root.rwhois.net:4321/auth-area=.` points at the rwhois root: never followed.
    assert.ok(finding.referral === null || finding.referral.host === 'root.rwhois.net');
  });
});

// ---------------------------------------------------------------------------------------------
// Hostile answers. Each must be bounded in time and memory, recorded in errors, yield no contact,
// and never throw. The address is 157.173.209.216 (ARIN's table sends it to whois.arin.net).

const ADDRESS = '157.173.209.216';

/** An ARIN answer for ADDRESS that refers to `target` and names nobody. */
function arinReferral(target: string): Buffer {
  return Buffer.from(
    [
      'NetRange:       157.171.0.0 - 157.173.255.255',
      'CIDR:           157.172.0.0/15, 157.171.0.0/16',
      'NetName:        EXAMPLE-REFERRAL',
      'NetHandle:      NET-157-171-0-0-1',
      'NetType:        Direct Allocation',
      'Organization:   Example Referral Holder (EX-1)',
      '',
      'OrgName:        Example Referral Holder',
      'OrgId:          EX-1',
      'Country:        US',
      `ReferralServer:  ${target}`,
      '',
    ].join('\n'),
  );
}

async function withServers(
  behaviours: Record<string, WhoisBehaviour>,
  limits: { timeoutMs?: number; maxBytes?: number },
  run: (
    set: WhoisServerSet,
    lookup: (firstServer?: string) => Promise<WhoisResult>,
  ) => Promise<void>,
): Promise<void> {
  const set = await startWhoisServers(new Map(Object.entries(behaviours)));
  try {
    const ask = loopbackAsk(set, limits);
    await run(set, (firstServer) =>
      lookupWhois(ADDRESS, { ask, ...(firstServer === undefined ? {} : { firstServer }) }),
    );
  } finally {
    await set.close();
  }
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await work();
  return { value, ms: Date.now() - started };
}

describe('hostile whois answers are bounded, recorded, and yield no contact', () => {
  test('an endless answer stops at the size cap', async () => {
    await withServers(
      { 'whois.arin.net': { kind: 'endless' } },
      { maxBytes: 256 * 1024 },
      async (set, lookup) => {
        const { value: r, ms } = await timed(() => lookup());
        assert.deepEqual(r.errors, ['whois.arin.net: answer larger than 262144 bytes']);
        assert.deepEqual(r.contacts, []);
        assert.ok(ms < 4000, `${ms} ms`);
        // The server stops once the client hangs up: a few socket buffers, not megabytes on end.
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.ok((set.bytesSent.get('whois.arin.net') ?? 0) < 16 * 1024 * 1024);
      },
    );
  });

  test('a 5 MB answer is refused at the cap (1 MiB), not buffered', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024, 'remarks: padding\n');
    await withServers(
      { 'whois.arin.net': { kind: 'fixed', bytes: big } },
      {},
      async (_set, lookup) => {
        const { value: r, ms } = await timed(() => lookup());
        assert.deepEqual(r.errors, ['whois.arin.net: answer larger than 1048576 bytes']);
        assert.deepEqual(r.contacts, []);
        assert.ok(ms < 4000, `${ms} ms`);
      },
    );
  });

  test('a one-byte-per-second drip is cut at the answer timeout', async () => {
    const drip: WhoisBehaviour = {
      kind: 'drip',
      bytes: arinReferral('whois://whois.ripe.net'),
      intervalMs: 1000,
    };
    await withServers({ 'whois.arin.net': drip }, { timeoutMs: 1500 }, async (_set, lookup) => {
      const { value: r, ms } = await timed(() => lookup());
      assert.equal(r.errors.length, 1);
      assert.match(
        r.errors[0] ?? '',
        /^whois\.arin\.net: answer not complete within 1\.5 s \(\d bytes received\)$/,
      );
      assert.deepEqual(r.contacts, []);
      assert.ok(ms < 4000, `${ms} ms`);
    });
  });

  test('a server that accepts and never answers is cut at the timeout', async () => {
    await withServers(
      { 'whois.arin.net': { kind: 'silent' } },
      { timeoutMs: 300 },
      async (_set, lookup) => {
        const { value: r, ms } = await timed(() => lookup());
        assert.deepEqual(r.errors, ['whois.arin.net: no answer within 0.3 s']);
        assert.ok(ms < 3000, `${ms} ms`);
      },
    );
  });

  test('a reset connection is a readable error', async () => {
    await withServers({ 'whois.arin.net': { kind: 'reset' } }, {}, async (_set, lookup) => {
      const r = await lookup();
      assert.deepEqual(r.errors, ['whois.arin.net: connection reset by the server']);
    });
  });

  test('a refused connection is a readable error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    assert.ok(address !== null && typeof address !== 'string');
    const endpoints = new Map([['whois.arin.net', { host: '127.0.0.1', port: address.port }]]);
    const r = await lookupWhois(ADDRESS, { ask: loopbackAsk({ endpoints }) });
    assert.deepEqual(r.errors, ['whois.arin.net: connection refused']);
  });

  test('a referral loop (IANA → ARIN → IANA) stops at the repeated question', async () => {
    const behaviours: Record<string, WhoisBehaviour> = {
      'whois.iana.org': {
        kind: 'fixed',
        bytes: Buffer.from(
          corpusBytes('iana-ip-93.184.216.34.txt')
            .toString('utf8')
            .replaceAll('whois.ripe.net', 'whois.arin.net')
            .replace('93.0.0.0 - 93.255.255.255', '157.0.0.0 - 157.255.255.255'),
        ),
      },
      'whois.arin.net': { kind: 'fixed', bytes: arinReferral('whois://whois.iana.org') },
    };
    await withServers(behaviours, {}, async (set, lookup) => {
      const r = await lookup('whois.iana.org');
      assert.deepEqual(
        set.log.map((q) => q.server),
        ['whois.iana.org', 'whois.arin.net'],
      );
      assert.deepEqual(r.errors, [
        `whois.iana.org was already asked "${ADDRESS}": referral loop, stopped`,
      ]);
      assert.deepEqual(r.contacts, []);
    });
  });

  const refused: [string, string, string][] = [
    ['a private address', 'whois://10.0.0.1', '10.0.0.1 is Private-Use (RFC1918)'],
    ['the loopback address', 'rwhois://127.0.0.1:4321', '127.0.0.1 is Loopback (RFC1122)'],
    ['a bare public address', 'whois://198.18.0.1', '198.18.0.1 is Benchmarking (RFC2544)'],
    [
      'a bare public address',
      'whois://157.173.209.1',
      'a bare address, not a registry server name',
    ],
    ['port 25', 'whois://whois.ripe.net:25', 'port 25 is not a whois port (43 or 4321)'],
  ];
  for (const [what, target, reason] of refused) {
    test(`a referral to ${what} (${target}) is refused`, async () => {
      // whois.ripe.net is served too, so following by mistake would show in the log.
      const behaviours: Record<string, WhoisBehaviour> = {
        'whois.arin.net': { kind: 'fixed', bytes: arinReferral(target) },
        'whois.ripe.net': {
          kind: 'fixed',
          bytes: corpusBytes('ip-ripe-157.173.209.216-hostinger-legacy.txt'),
        },
      };
      await withServers(behaviours, {}, async (set, lookup) => {
        const r = await lookup();
        assert.deepEqual(
          set.log.map((q) => q.server),
          ['whois.arin.net'],
        );
        assert.equal(r.errors.length, 1, r.errors.join('\n'));
        assert.ok(r.errors[0]?.startsWith('whois.arin.net refers to '), r.errors[0]);
        assert.ok(r.errors[0]?.endsWith(`: ${reason}; not followed`), r.errors[0]);
        assert.deepEqual(r.contacts, []);
      });
    });
  }

  test('Latin-1 bytes (RIPE answering without UTF-8) are decoded, nothing dropped', async () => {
    const utf8 = corpusBytes('ip-ripe-92.205.169.9-hosteurope-utf8.txt').toString('utf8');
    assert.ok(utf8.includes('Köln'));
    const latin1 = Buffer.from(utf8, 'latin1');
    const set = await startWhoisServers(
      new Map([['whois.ripe.net', { kind: 'fixed', bytes: latin1 }]]),
    );
    try {
      const request = {
        server: 'whois.ripe.net',
        protocol: 'whois',
        port: 43,
        query: '92.205.169.9',
      } as const;
      const text = await loopbackAsk(set)(request);
      assert.equal(text, utf8);
      const r = await lookupWhois('92.205.169.9', { ask: loopbackAsk(set) });
      assert.deepEqual(abuseEmails(r.contacts), ['abuse@hosteurope.de']);
    } finally {
      await set.close();
    }
  });

  test('an rwhois server that never says %ok: the answer is taken once it falls silent', async () => {
    const answer = Buffer.from(
      'network:IP-Network:157.173.208.0/21\nnetwork:Abuse-Contact;I:abuse@example.net\n\n',
    );
    const set = await startWhoisServers(
      new Map([
        [
          'rwhois.example.net',
          {
            kind: 'rwhois',
            banner: '%rwhois V-1.5 rwhois.example.net\r\n',
            answers: new Map([[ADDRESS, answer]]),
          } satisfies WhoisBehaviour,
        ],
      ]),
    );
    try {
      const { value: text, ms } = await timed(() =>
        queryWhois(
          { server: 'rwhois.example.net', protocol: 'rwhois', port: 4321, query: ADDRESS },
          { timeoutMs: 10_000, maxBytes: 65536, endpoints: set.endpoints },
        ),
      );
      assert.ok(text.endsWith(answer.toString()));
      assert.ok(ms < 5000, `${ms} ms`);
    } finally {
      await set.close();
    }
  });

  test('a server that closes without a word is an error, not an empty answer', async () => {
    const empty: WhoisBehaviour = { kind: 'fixed', bytes: new Uint8Array(0) };
    await withServers({ 'whois.arin.net': empty }, {}, async (_set, lookup) => {
      const r = await lookup();
      assert.deepEqual(r.errors, ['whois.arin.net: closed the connection without answering']);
    });
  });

  test('an rwhois server that greets with %error is refused, its text escaped', async () => {
    const busy: WhoisBehaviour = {
      kind: 'rwhois',
      banner: '%error 503 busy \x1b[31m\r\n',
      answers: new Map(),
    };
    const set = await startWhoisServers(new Map([['rwhois.example.net', busy]]));
    try {
      const request = {
        server: 'rwhois.example.net',
        protocol: 'rwhois',
        port: 4321,
        query: ADDRESS,
      } as const;
      await assert.rejects(loopbackAsk(set)(request), {
        message: 'rwhois.example.net:4321: refused: %error 503 busy \\x1b[31m',
      });
      assert.deepEqual(set.log, []);
    } finally {
      await set.close();
    }
  });

  test('a referral to a server no test serves never leaves loopback', async () => {
    const behaviours: Record<string, WhoisBehaviour> = {
      'whois.arin.net': { kind: 'fixed', bytes: arinReferral('whois://whois.elsewhere.example') },
    };
    await withServers(behaviours, {}, async (_set, lookup) => {
      const r = await lookup();
      assert.deepEqual(r.errors, ['whois.elsewhere.example: not served in this test']);
    });
  });
});
