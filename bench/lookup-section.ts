/**
 * The lookup benchmark (issue 4): 10,000 addresses in 300 netblocks, investigated through the
 * real whois client against loopback whois servers that wait 30 ms before each answer. A tenth
 * of the blocks sit in ARIN-first space transferred to RIPE (an ERX stub and a referral hop).
 * Targets: queries sent ≤ netblocks + referral hops, and total time within 2× of
 * queries × latency ÷ concurrency (what perfect scheduling would take).
 *
 * Registry manners (per-server limits) are lifted for the run: the benchmark measures how well
 * lookups are scheduled and cached, not how long LACNIC's 10-a-minute limit takes to wait out.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookupAddresses } from '../src/app/lookup.js';
import { defaultConfig } from '../src/config/config-schema.js';
import { valueAddress, rangeToCidrs, addressValue } from '../src/core/ip-range.js';
import { specialPurpose } from '../src/core/special-blocks.js';
import { firstWhoisServer, whoisQueryFor } from '../src/investigate/whois-servers.js';
import { startDnsServer } from '../test/support/dns-server.js';
import { mulberry32 } from '../test/support/fixtures.js';
import { startWhoisServers, type WhoisBehaviour } from '../test/support/whois-server.js';
import {
  formatInt,
  type BenchContext,
  type BenchSection,
  type SectionReport,
} from './bench-section.js';

const ADDRESSES = 10_000;
const NETBLOCKS = 300;
const LATENCY_MS = 30;
const CONCURRENCY = 8;
const RIRS = [
  'whois.arin.net',
  'whois.ripe.net',
  'whois.apnic.net',
  'whois.lacnic.net',
  'whois.afrinic.net',
];

interface Block {
  readonly start: bigint;
  readonly size: bigint;
  readonly erx: boolean;
  readonly n: number;
}

function ip(v: bigint): string {
  return valueAddress(v, false);
}

/** 300 non-overlapping public blocks of /18 to /24, a tenth of the ARIN-first ones ERX. */
function makeBlocks(random: () => number): Block[] {
  const blocks: Block[] = [];
  const taken: [bigint, bigint][] = [];
  while (blocks.length < NETBLOCKS) {
    const bits = 18 + Math.floor(random() * 7);
    const size = 1n << BigInt(32 - bits);
    const base = (BigInt(Math.floor(random() * 2 ** 32)) / size) * size;
    const first = ip(base);
    const last = ip(base + size - 1n);
    if (specialPurpose(first) !== null || specialPurpose(last) !== null) continue;
    if (Number(base >> 24n) >= 224 || Number(base >> 24n) === 0) continue;
    if (taken.some(([a, b]) => base <= b && base + size - 1n >= a)) continue;
    taken.push([base, base + size - 1n]);
    const arin = firstWhoisServer(first) === 'whois.arin.net';
    blocks.push({ start: base, size, erx: arin && random() < 0.3, n: blocks.length });
  }
  return blocks;
}

function arinAnswer(b: Block): string {
  const range = `${ip(b.start)} - ${ip(b.start + b.size - 1n)}`;
  const cidr = rangeToCidrs({ start: ip(b.start), end: ip(b.start + b.size - 1n) }).join(', ');
  if (b.erx) {
    return [
      `NetRange:       ${range}`,
      `CIDR:           ${cidr}`,
      `NetName:        RIPE-ERX-${b.n}`,
      'NetType:        Early Registrations, Transferred to RIPE NCC',
      'Organization:   RIPE Network Coordination Centre (RIPE)',
      'OrgName:        RIPE Network Coordination Centre',
      'Country:        NL',
      'ReferralServer:  whois://whois.ripe.net',
      'OrgAbuseEmail:  abuse@ripe.net',
      '',
    ].join('\n');
  }
  return [
    `NetRange:       ${range}`,
    `CIDR:           ${cidr}`,
    `NetName:        BENCH-NET-${b.n}`,
    `NetHandle:      NET-BENCH-${b.n}`,
    `Organization:   Bench Holder ${b.n} (BH-${b.n})`,
    '',
    `OrgName:        Bench Holder ${b.n}`,
    'Country:        US',
    `OrgAbuseHandle: ABUSE${b.n}-ARIN`,
    `OrgAbuseEmail:  abuse@holder${b.n}.example`,
    '',
  ].join('\n');
}

function rpslAnswer(b: Block, source: string): string {
  const range = `${ip(b.start)} - ${ip(b.start + b.size - 1n)}`;
  return [
    `% Abuse contact for '${range}' is 'abuse@holder${b.n}.example'`,
    '',
    `inetnum:        ${range}`,
    `netname:        BENCH-NET-${b.n}`,
    'country:        DE',
    `status:         ASSIGNED PA`,
    `source:         ${source}`,
    '',
  ].join('\n');
}

function lacnicAnswer(b: Block): string {
  const cidr = rangeToCidrs({ start: ip(b.start), end: ip(b.start + b.size - 1n) })[0] ?? '';
  return [
    '% Joint Whois - whois.lacnic.net',
    '',
    `inetnum:     ${cidr}`,
    `owner:       Bench Holder ${b.n}`,
    'country:     BR',
    'abuse-c:     BH1',
    '',
    'nic-hdl:     BH1',
    `e-mail:      abuse@holder${b.n}.example`,
    '',
  ].join('\r\n');
}

/** Runs the lookup benchmark in-process (the servers are part of the measurement setup). */
async function run(ctx: BenchContext): Promise<SectionReport> {
  const random = mulberry32(4242);
  const blocks = makeBlocks(random);
  const addresses: string[] = [];
  for (let i = 0; i < ADDRESSES; i++) {
    const b = blocks[Math.floor(random() * blocks.length)] as Block;
    addresses.push(ip(b.start + BigInt(Math.floor(random() * Number(b.size)))));
  }
  // Every query the client could send, per server: the answer of the block holding the address.
  const tables = new Map<string, Map<string, Uint8Array>>(RIRS.map((r) => [r, new Map()]));
  const blockOf = (a: string): Block => {
    const v = addressValue(a);
    return blocks.find((b) => v >= b.start && v < b.start + b.size) as Block;
  };
  let hops = 0;
  for (const b of blocks) if (b.erx) hops++;
  for (const a of new Set(addresses)) {
    const b = blockOf(a);
    const first = firstWhoisServer(a);
    const put = (server: string, text: string): void =>
      void tables.get(server)?.set(whoisQueryFor(server, a).query, Buffer.from(text));
    if (first === 'whois.arin.net') put(first, arinAnswer(b));
    else if (first === 'whois.lacnic.net') put(first, lacnicAnswer(b));
    else put(first, rpslAnswer(b, first.split('.')[1]?.toUpperCase() ?? 'RIPE'));
    if (b.erx) put('whois.ripe.net', rpslAnswer(b, 'RIPE'));
  }
  const behaviours = new Map<string, WhoisBehaviour>(
    [...tables].map(([name, answers]) => [name, { kind: 'answers', answers }]),
  );
  const servers = await startWhoisServers(behaviours, { delayMs: LATENCY_MS });
  const dns = await startDnsServer({});
  const dataDir = await mkdtemp(join(tmpdir(), 'reportable-bench-'));
  try {
    const base = defaultConfig().lookup;
    const lookup = {
      ...base,
      rdap: false,
      domainWhois: false,
      onlyListedServers: true,
      concurrency: CONCURRENCY,
      whoisHosts: Object.fromEntries(
        [...servers.endpoints].map(([n, hp]) => [n, `${hp.host}:${hp.port}`]),
      ),
      dnsServer: `${dns.address}:${dns.port}`,
      defaultLimits: { concurrency: CONCURRENCY, perMinute: 60_000 },
      servers: Object.fromEntries(
        RIRS.map((r) => [r, { concurrency: CONCURRENCY, perMinute: 60_000 }]),
      ),
    };
    ctx.log(
      `lookup: ${ADDRESSES} addresses in ${NETBLOCKS} netblocks, ${LATENCY_MS} ms per answer`,
    );
    const result = await lookupAddresses(
      { lookup, cache: null, offline: false, dataDir },
      addresses,
    );
    const queries = Object.values(result.queries).reduce((s, n) => s + n, 0);
    const found = result.networks.filter((n) =>
      n.contacts[0]?.email.startsWith('abuse@holder'),
    ).length;
    const wrong = result.networks.filter((n) => {
      const b = blockOf(n.address);
      return n.contacts[0]?.email !== `abuse@holder${b.n}.example`;
    }).length;
    const ideal = (queries * LATENCY_MS) / CONCURRENCY;
    const ratio = result.elapsedMs / ideal;
    const allowed = NETBLOCKS + hops;
    return {
      title: 'lookup: 10,000 addresses, 300 netblocks, loopback whois with 30 ms latency',
      table: {
        head: ['measure', 'value'],
        rows: [
          ['addresses', formatInt(ADDRESSES)],
          ['netblocks (ERX referral hops)', `${NETBLOCKS} (${hops})`],
          ['queries sent', formatInt(queries)],
          [
            'per server',
            Object.entries(result.queries)
              .map(([s, n]) => `${s} ${n}`)
              .join(', '),
          ],
          ['elapsed', `${(result.elapsedMs / 1000).toFixed(2)} s`],
          ['queries x latency / concurrency', `${(ideal / 1000).toFixed(2)} s`],
          ['ratio', `${ratio.toFixed(2)}x`],
          [
            'right abuse contact first',
            `${formatInt(found)} of ${formatInt(ADDRESSES)} (${wrong} wrong)`,
          ],
        ],
      },
      notes: [
        `concurrency ${CONCURRENCY}; per-server limits lifted to ${CONCURRENCY} at once for the run`,
      ],
      targets: [
        {
          target: `queries <= netblocks + referral hops (${allowed})`,
          measured: formatInt(queries),
          status: queries <= allowed ? 'PASS' : 'FAIL',
        },
        {
          target: 'time <= 2x queries x latency / concurrency',
          measured: `${ratio.toFixed(2)}x`,
          status: ratio <= 2 ? 'PASS' : 'FAIL',
        },
        {
          target: 'every address gets its block abuse contact first',
          measured: `${wrong} wrong`,
          status: wrong === 0 ? 'PASS' : 'FAIL',
        },
      ],
      data: { queries: result.queries, elapsedMs: result.elapsedMs, ideal, hops, wrong },
    };
  } finally {
    await servers.close();
    await dns.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The lookup section of `npm run bench`. */
export const lookupSection: BenchSection = { name: 'lookup', run };
