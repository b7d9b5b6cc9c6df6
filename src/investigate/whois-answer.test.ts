import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AnswerFinding } from './answer-finding.js';
import { extractWhois } from './whois-answer.js';
import { parseReferral } from './whois-text.js';

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/whois');

/** What INDEX.md says must come out of one fixture. */
interface Expected {
  readonly file: string;
  readonly server: string;
  readonly address: string;
  readonly start: string;
  readonly end: string;
  readonly cidrs: readonly string[];
  readonly name: string | null;
  readonly handle?: string | null;
  readonly org: string | null;
  readonly country: string | null;
  readonly registry: string;
  /** Structured contacts in answer order, as `level email role,role`. */
  readonly structured: readonly string[];
  /** Addresses found only in remarks/descr/Comment, in order. */
  readonly remarks: readonly string[];
  /** Addresses that must not appear at all. */
  readonly ignored: readonly string[];
  readonly referral: { protocol: 'whois' | 'rwhois'; host: string; port: number } | null;
  readonly stub?: boolean;
  readonly asn?: number | null;
  readonly hints?: readonly string[];
}

const FIXTURES: readonly Expected[] = [
  {
    file: 'ip-arin-74.125.225.229-google.txt',
    server: 'whois.arin.net',
    address: '74.125.225.229',
    start: '74.125.0.0',
    end: '74.125.255.255',
    cidrs: ['74.125.0.0/16'],
    name: 'GOOGLE',
    handle: 'NET-74-125-0-0-1',
    org: 'Google Inc.',
    country: 'US',
    registry: 'arin',
    structured: ['org arin-contact@google.com abuse,technical'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-arin-2001-4860-4860--8888-google-v6.txt',
    server: 'whois.arin.net',
    address: '2001:4860:4860::8888',
    start: '2001:4860::',
    end: '2001:4860:ffff:ffff:ffff:ffff:ffff:ffff',
    cidrs: ['2001:4860::/32'],
    name: 'GOOGLE-IPV6',
    handle: 'NET6-2001-4860-1',
    org: 'Google Inc.',
    country: 'US',
    registry: 'arin',
    // OrgAbuse and RAbuse name the same POC: one contact per level, roles merged.
    structured: [
      'org arin-contact@google.com abuse,technical',
      'network arin-contact@google.com abuse,noc,technical',
    ],
    remarks: [],
    ignored: [],
    referral: null,
    asn: 15169,
  },
  {
    file: 'ip-arin-138.201.14.212-erx-referral-ripe.txt',
    server: 'whois.arin.net',
    address: '138.201.14.212',
    start: '138.198.0.0',
    end: '138.201.255.255',
    cidrs: ['138.198.0.0/15', '138.200.0.0/15'],
    name: 'RIPE-ERX-138-198-0-0',
    handle: 'NET-138-198-0-0-1',
    org: 'RIPE Network Coordination Centre',
    country: 'NL',
    registry: 'arin',
    // The RIPE NCC's own POCs: kept, but the stub flag says they are the registry's.
    structured: ['org hostmaster@ripe.net technical', 'org abuse@ripe.net abuse'],
    remarks: [],
    ignored: [],
    referral: { protocol: 'whois', host: 'whois.ripe.net', port: 43 },
    stub: true,
    hints: ['http://www.ripe.net/whois'],
  },
  {
    file: 'ip-arin-24.255.128.0-cox-two-nets-EDITED.txt',
    server: 'whois.arin.net',
    address: '24.255.130.7',
    start: '24.255.128.0',
    end: '24.255.255.255',
    cidrs: ['24.255.128.0/17'],
    name: 'NETBLK-WI-RDC-24-255-128-0',
    handle: 'NET-24-255-128-0-1',
    org: 'Cox Communications',
    country: 'US',
    registry: 'arin',
    structured: [
      'org mark.goodwin@cox.com technical',
      'org alvin.anderson@cox.com technical',
      'org cari.merola@cox.com technical',
      'org abuse@cox.net abuse',
      'org sophea.long@cox.com technical',
      'org tori.berube@cox.com technical',
    ],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-arin-108.167.149.240-hostgator-rwhois-referral.txt',
    server: 'whois.arin.net',
    address: '108.167.149.240',
    start: '108.167.128.0',
    end: '108.167.191.255',
    cidrs: ['108.167.128.0/18'],
    name: 'HGBLOCK-4',
    handle: 'NET-108-167-128-0-1',
    org: 'HostGator.com LLC',
    country: 'US',
    registry: 'arin',
    // Org-level and resource-level abuse differ: both kept.
    structured: [
      'org abuse@hostgator.com abuse',
      'org eig-noc@endurance.com technical,noc',
      'network eig-net-team@endurance.com abuse,technical,noc',
    ],
    remarks: [],
    ignored: [],
    referral: { protocol: 'rwhois', host: 'rwhois.websitewelcome.com', port: 4321 },
  },
  {
    file: 'ip-arin-157.173.209.216-erx-referral-ripe.txt',
    server: 'whois.arin.net',
    address: '157.173.209.216',
    start: '157.171.0.0',
    end: '157.173.255.255',
    cidrs: ['157.171.0.0/16', '157.172.0.0/15'],
    name: 'RIPE-ERX-157-171-0-0',
    handle: 'NET-157-171-0-0-1',
    org: 'RIPE Network Coordination Centre',
    country: 'NL',
    registry: 'arin',
    structured: ['org abuse@ripe.net abuse', 'org hostmaster@ripe.net technical'],
    remarks: [],
    ignored: [],
    referral: { protocol: 'whois', host: 'whois.ripe.net', port: 43 },
    stub: true,
  },
  {
    file: 'rwhois-websitewelcome-108.167.149.240.txt',
    server: 'rwhois.websitewelcome.com',
    address: '108.167.149.240',
    start: '108.167.149.240',
    end: '108.167.149.240',
    cidrs: ['108.167.149.240/32'],
    name: 'BO-108.167.149.240/32',
    handle: 'NETBLK-BO.108.167.149.240/32',
    org: 'focalfija.com',
    country: null,
    registry: 'rwhois.websitewelcome.com',
    // Updated-By carries the same address but is not a role; the /18 adds nothing new.
    structured: ['rwhois support@websitewelcome.com technical,administrative'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'rwhois-softlayer-208.43.132.31.txt',
    server: 'rwhois.softlayer.com',
    address: '208.43.132.31',
    start: '208.43.132.0',
    end: '208.43.132.31',
    cidrs: ['208.43.132.0/27'],
    name: 'SOFTLAYER-208.43.128.0',
    handle: 'NETBLK-SOFTLAYER.208.43.128.0/19',
    org: 'End Point Corporation',
    country: 'US',
    registry: 'rwhois.softlayer.com',
    // Admin-Contact is a handle (IPADM258-ARIN), not an address; `%referral` to the root is no referral.
    structured: ['rwhois sysadmins@softlayer.com technical', 'rwhois abuse@endpoint.com abuse'],
    remarks: [],
    ignored: ['ipadmin@softlayer.com'],
    referral: null,
  },
  {
    file: 'ip-ripe-62.239.237.1-bt-corporate.txt',
    server: 'whois.ripe.net',
    address: '62.239.237.1',
    start: '62.239.237.0',
    end: '62.239.237.255',
    cidrs: ['62.239.237.0/24'],
    name: 'BT-CORPORATE',
    org: null,
    country: 'GB',
    registry: 'ripe',
    // The roles' abuse-mailbox repeats the Abuse contact line: one contact.
    structured: ['network protect@bt.com abuse'],
    remarks: ['btcertcc@bt.com'],
    ignored: [],
    referral: null,
    asn: 2856,
  },
  {
    file: 'ip-ripe-2a00-2381-ffff--1-bt-v6.txt',
    server: 'whois.ripe.net',
    address: '2a00:2381:ffff::1',
    start: '2a00:2381:ffff::',
    end: '2a00:2381:ffff:0:ffff:ffff:ffff:ffff',
    cidrs: ['2a00:2381:ffff::/64'],
    name: 'BT-WORLD-IPVSIX-LAUNCH',
    org: null,
    country: 'GB',
    registry: 'ripe',
    structured: ['network protect@bt.com abuse'],
    remarks: ['abuse@bt.net', 'ip.address.management.account@bt.com'],
    ignored: [],
    referral: null,
    asn: 2856,
  },
  {
    file: 'ip-ripe-31.13.74.0-facebook-short.txt',
    server: 'whois.ripe.net',
    address: '31.13.74.0',
    start: '31.13.74.0',
    end: '31.13.74.255',
    cidrs: ['31.13.74.0/24'],
    name: 'ORD1',
    org: null,
    country: 'US',
    registry: 'ripe',
    structured: ['network domain@fb.com abuse'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-ripe-93.184.216.34-edgecast.txt',
    server: 'whois.ripe.net',
    address: '93.184.216.34',
    start: '93.184.216.0',
    end: '93.184.216.255',
    cidrs: ['93.184.216.0/24'],
    name: 'EDGECAST-NETBLK-03',
    org: null,
    country: 'EU',
    registry: 'ripe',
    structured: ['network abuse@verizondigitalmedia.com abuse'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-ripe-51.107.8.147-microsoft-legacy.txt',
    server: 'whois.ripe.net',
    address: '51.107.8.147',
    start: '51.107.0.0',
    end: '51.107.255.255',
    cidrs: ['51.107.0.0/16'],
    name: 'MICROSOFT',
    org: 'Microsoft Limited',
    country: 'GB',
    registry: 'ripe',
    // The inetnum has no abuse-c; the line names the organisation's (MAC274-RIPE).
    structured: ['org abuse@microsoft.com abuse'],
    remarks: [
      'abuse@microsoft.com',
      'secure@microsoft.com',
      'msndcc@microsoft.com',
      'IOC@microsoft.com',
    ],
    ignored: [],
    referral: null,
    asn: 8075,
    hints: ['https://cert.microsoft.com'],
  },
  {
    file: 'ip-ripe-82.112.247.12-hostinger-br.txt',
    server: 'whois.ripe.net',
    address: '82.112.247.12',
    start: '82.112.244.0',
    end: '82.112.247.255',
    cidrs: ['82.112.244.0/22'],
    name: 'HOSTINGER-HOSTING',
    org: null,
    country: 'BR',
    registry: 'ripe',
    structured: ['network abuse@hostinger.com abuse'],
    remarks: [],
    ignored: [],
    referral: null,
    asn: 47583,
    // geofeed: is a URL but not a remark.
    hints: [],
  },
  {
    file: 'ip-ripe-92.205.169.9-hosteurope-utf8.txt',
    server: 'whois.ripe.net',
    address: '92.205.169.9',
    start: '92.205.156.0',
    end: '92.205.255.255',
    cidrs: ['92.205.156.0/22', '92.205.160.0/19', '92.205.192.0/18'],
    name: 'DE-GODADDY-20071017',
    org: 'Host Europe GmbH',
    country: 'DE',
    registry: 'ripe',
    structured: ['org abuse@hosteurope.de abuse'],
    remarks: [],
    ignored: [],
    referral: null,
    asn: 21499,
  },
  {
    file: 'ip-ripe-194.164.64.213-hostinger-us.txt',
    server: 'whois.ripe.net',
    address: '194.164.64.213',
    start: '194.164.64.0',
    end: '194.164.71.255',
    cidrs: ['194.164.64.0/21'],
    name: 'HOSTINGER-HOSTING',
    org: 'Hostinger International Limited',
    country: 'US',
    registry: 'ripe',
    structured: ['org abuse@hostinger.com abuse'],
    remarks: [],
    ignored: [],
    referral: null,
    asn: 47583,
  },
  {
    file: 'ip-ripe-157.173.209.216-hostinger-legacy.txt',
    server: 'whois.ripe.net',
    address: '157.173.209.216',
    start: '157.173.208.0',
    end: '157.173.215.255',
    cidrs: ['157.173.208.0/21'],
    name: 'HOSTINGER-HOSTING',
    org: 'Hostinger International Limited',
    country: 'US',
    registry: 'ripe',
    structured: ['org abuse@hostinger.com abuse'],
    remarks: [],
    ignored: [],
    referral: null,
    asn: 47583,
  },
  {
    file: 'ip-apnic-210.107.73.73-boranet-krnic-irt.txt',
    server: 'whois.apnic.net',
    address: '210.107.73.73',
    start: '210.107.0.0',
    end: '210.107.127.255',
    cidrs: ['210.107.0.0/17'],
    name: 'BORANET-NET-210-107',
    org: null,
    country: 'KR',
    registry: 'apnic',
    structured: [
      'network ipadm@nic.bora.net administrative,technical',
      'network abuse@bora.net administrative,technical',
      'network security@bora.net administrative,technical',
      'network hostmaster@nic.or.kr abuse',
    ],
    remarks: ['abuse@bora.net', 'security@bora.net', 'ipadm@nic.bora.net'],
    ignored: ['hm-changed@apnic.net', 'jeonsi@bora.net'],
    // The less specific mirrored KRNIC object sends the chain to the national registry.
    referral: { protocol: 'whois', host: 'whois.nic.or.kr', port: 43 },
  },
  {
    file: 'ip-apnic-2001-240-10c-1--ca20-9d1d-jpnic-iij-v6.txt',
    server: 'whois.apnic.net',
    address: '2001:240:10c:1::ca20:9d1d',
    start: '2001:240:10c::',
    end: '2001:240:10c:ffff:ffff:ffff:ffff:ffff',
    cidrs: ['2001:240:10c::/48'],
    name: 'IIJ-PRJNET',
    org: null,
    country: 'JP',
    registry: 'jpnic',
    // YM10542JP is a JPNIC handle with no object here; the NIR's hostmaster comes from the /32.
    structured: ['network hostmaster@nic.ad.jp administrative,technical'],
    remarks: [],
    ignored: [
      'hostmaster@apnic.net',
      'hm-changed@apnic.net',
      'ip-staff@nic.ad.jp',
      'ip-apnic@nic.ad.jp',
      'apnic-ftp@nic.ad.jp',
    ],
    referral: { protocol: 'whois', host: 'whois.nic.ad.jp', port: 43 },
    hints: ['http://www.nic.ad.jp/en/db/whois/en-gateway.html'],
  },
  {
    file: 'ip-lacnic-200.57.141.161-triara.txt',
    server: 'whois.lacnic.net',
    address: '200.57.141.161',
    start: '200.57.128.0',
    end: '200.57.159.255',
    cidrs: ['200.57.128.0/19'],
    name: null,
    org: 'Triara.com, S.A. de C.V.',
    country: 'MX',
    registry: 'lacnic',
    structured: ['network operacion.redes@triara.com registrant,technical,abuse'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-lacnic-2801-10-c000---uco-v6.txt',
    server: 'whois.lacnic.net',
    address: '2801:10:c000::',
    start: '2801:10:c000::',
    end: '2801:10:c000:ffff:ffff:ffff:ffff:ffff',
    cidrs: ['2801:10:c000::/48'],
    name: null,
    org: 'Universidad Catolica de Oriente',
    country: 'CO',
    registry: 'lacnic',
    structured: ['network sistemas.red@uco.edu.co registrant,technical,abuse'],
    remarks: [],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-afrinic-196.11.240.215-mtn-no-abuse-contact.txt',
    server: 'whois.afrinic.net',
    address: '196.11.240.215',
    start: '196.11.239.0',
    end: '196.11.246.255',
    cidrs: ['196.11.239.0/24', '196.11.240.0/22', '196.11.244.0/23', '196.11.246.0/24'],
    name: 'NET-196-11-239-0',
    org: 'MTN SA',
    country: 'ZA',
    registry: 'afrinic',
    structured: [],
    remarks: ['abuse@mtnbusiness.co.za'],
    ignored: [],
    referral: null,
  },
  {
    file: 'ip-afrinic-2001-43f8-7b0---tespok-v6.txt',
    server: 'whois.afrinic.net',
    address: '2001:43f8:7b0::',
    start: '2001:43f8:7b0::',
    end: '2001:43f8:7b0:ffff:ffff:ffff:ffff:ffff',
    cidrs: ['2001:43f8:7b0::/48'],
    name: 'Tespok',
    org: 'Telecommunication Sevice  Providers Association of Kenya - TESPOK',
    country: 'KE',
    registry: 'afrinic',
    structured: [],
    remarks: [],
    ignored: [],
    referral: null,
    // `www.tespok.or.ke` has no scheme: not a URL.
    hints: [],
  },
  {
    file: 'iana-ip-93.184.216.34.txt',
    server: 'whois.iana.org',
    address: '93.184.216.34',
    start: '93.0.0.0',
    end: '93.255.255.255',
    cidrs: ['93.0.0.0/8'],
    name: null,
    org: 'RIPE NCC',
    country: null,
    registry: 'iana',
    structured: [],
    remarks: [],
    ignored: [],
    referral: { protocol: 'whois', host: 'whois.ripe.net', port: 43 },
  },
];

function read(file: string, server: string, address: string): AnswerFinding {
  return extractWhois(server, address, readFileSync(join(CORPUS, file), 'utf8'));
}

function structured(f: AnswerFinding): string[] {
  return f.contacts
    .filter((c) => c.structured)
    .map((c) => `${c.level} ${c.email} ${c.roles.join(',')}`);
}

function remarks(f: AnswerFinding): string[] {
  return f.contacts.filter((c) => !c.structured).map((c) => c.email);
}

function abuse(f: AnswerFinding): string[] {
  return f.contacts.filter((c) => c.structured && c.roles.includes('abuse')).map((c) => c.email);
}

describe('extractWhois on every whois, rwhois and IANA fixture of INDEX.md', () => {
  for (const x of FIXTURES) {
    it(x.file, () => {
      const f = read(x.file, x.server, x.address);
      assert.equal(f.server, x.server);
      assert.deepEqual(f.netblock, {
        start: x.start,
        end: x.end,
        cidrs: x.cidrs,
        name: x.name,
        handle: x.handle ?? null,
        org: x.org,
        country: x.country,
        registry: x.registry,
      });
      assert.deepEqual(structured(f), x.structured);
      assert.deepEqual(remarks(f), x.remarks);
      for (const c of f.contacts) {
        assert.equal(c.level === 'remark', !c.structured, `${c.email}: level and structured agree`);
        assert.ok(c.source.startsWith(`${x.server} `), c.source);
      }
      const all = f.contacts.map((c) => c.email.toLowerCase());
      for (const gone of x.ignored) assert.ok(!all.includes(gone), `${gone} must be ignored`);
      assert.deepEqual(
        f.referral === null
          ? null
          : { protocol: f.referral.protocol, host: f.referral.host, port: f.referral.port },
        x.referral,
      );
      assert.equal(f.stub, x.stub ?? false);
      assert.equal(f.limited, null);
      if (x.asn !== undefined) assert.equal(f.asn, x.asn);
      if (x.hints !== undefined) assert.deepEqual(f.hints, x.hints);
    });
  }

  it('keeps the abuse contacts in answer order (HostGator: org-level, then resource-level)', () => {
    const f = read(
      'ip-arin-108.167.149.240-hostgator-rwhois-referral.txt',
      'whois.arin.net',
      '108.167.149.240',
    );
    assert.deepEqual(abuse(f), ['abuse@hostgator.com', 'eig-net-team@endurance.com']);
    assert.equal(f.contacts[0]?.source, 'whois.arin.net OrgAbuseEmail');
  });

  it('credits the RIPE Abuse contact line as its source', () => {
    const f = read('ip-ripe-62.239.237.1-bt-corporate.txt', 'whois.ripe.net', '62.239.237.1');
    assert.equal(f.contacts[0]?.source, 'whois.ripe.net % Abuse contact');
  });

  it('credits an APNIC irt abuse-mailbox, and labels a less specific network', () => {
    const kr = read(
      'ip-apnic-210.107.73.73-boranet-krnic-irt.txt',
      'whois.apnic.net',
      '210.107.73.73',
    );
    assert.deepEqual(abuse(kr), ['hostmaster@nic.or.kr']);
    assert.equal(
      kr.contacts.find((c) => c.email === 'hostmaster@nic.or.kr')?.source,
      'whois.apnic.net mnt-irt IRT-KRNIC-KR abuse-mailbox',
    );
    const jp = read(
      'ip-apnic-2001-240-10c-1--ca20-9d1d-jpnic-iij-v6.txt',
      'whois.apnic.net',
      '2001:240:10c:1::ca20:9d1d',
    );
    assert.match(jp.contacts[0]?.source ?? '', /less specific IIJ-JPNIC-JP-20000308/);
  });

  it('takes the parent of the Cox answer when the address is only in the parent', () => {
    const f = read('ip-arin-24.255.128.0-cox-two-nets-EDITED.txt', 'whois.arin.net', '24.250.1.1');
    assert.equal(f.netblock?.name, 'NETBLK-COX-ATLANTA-8');
    // The upstream edit put `Country: FOO` on the parent's organisation: not a country code.
    assert.equal(f.netblock?.country, null);
  });

  it('finds no netblock when no network contains the address', () => {
    const f = read('ip-ripe-31.13.74.0-facebook-short.txt', 'whois.ripe.net', '198.51.100.7');
    assert.equal(f.netblock, null);
    assert.deepEqual(f.contacts, []);
  });

  it('reads the rwhois answer whatever the server is called', () => {
    const f = read('rwhois-softlayer-208.43.132.31.txt', 'whois.example.net', '208.43.132.31');
    assert.equal(f.netblock?.handle, 'NETBLK-SOFTLAYER.208.43.128.0/19');
    assert.equal(f.referral, null);
  });
});

describe('ARIN forms', () => {
  const arin = (extra: string, net = '192.0.2.0 - 192.0.2.255'): AnswerFinding =>
    extractWhois(
      'whois.arin.net',
      '192.0.2.10',
      `NetRange:       ${net}\nNetName:        DOC-NET\nNetType:        Direct Allocation\nOrganization:   Example (EX)\n\nOrgName:        Example\nCountry:        us\n${extra}`,
    );

  it('reads every ReferralServer shape, the last one winning', () => {
    const cases: [string, unknown][] = [
      ['whois://whois.ripe.net', { protocol: 'whois', host: 'whois.ripe.net', port: 43 }],
      [
        'whois://whois.example.net:4343',
        { protocol: 'whois', host: 'whois.example.net', port: 4343 },
      ],
      [
        'rwhois://rwhois.example.net:4321/auth-area=.',
        { protocol: 'rwhois', host: 'rwhois.example.net', port: 4321 },
      ],
      [
        'rwhois://RWHOIS.Example.NET',
        { protocol: 'rwhois', host: 'rwhois.example.net', port: 4321 },
      ],
      ['whois.example.net', { protocol: 'whois', host: 'whois.example.net', port: 43 }],
      ['rwhois://198.51.100.3:43', { protocol: 'rwhois', host: '198.51.100.3', port: 43 }],
      ['whois://[2001:db8::1]:4343', { protocol: 'whois', host: '2001:db8::1', port: 4343 }],
      ['http://whois.example.net', null],
      ['whois://whois.example.net:http', null],
      ['whois://whois.example.net:99999', null],
      ['whois://user@whois.example.net', null],
      ['whois://bad_host!', null],
    ];
    for (const [value, want] of cases) {
      const f = arin(`ReferralServer:  whois://first.example.net\nReferralServer:  ${value}\n`);
      const got =
        f.referral === null
          ? null
          : { protocol: f.referral.protocol, host: f.referral.host, port: f.referral.port };
      assert.deepEqual(got, want, value);
    }
  });

  it('upper-cases the country and reads OriginAS lists', () => {
    const f = arin('OriginAS:       AS64500, AS64501\n');
    assert.equal(f.netblock?.country, 'US');
    assert.equal(f.asn, 64500);
  });

  it('marks space allocated to another RIR as a stub', () => {
    const f = extractWhois(
      'whois.arin.net',
      '192.0.2.10',
      'NetRange: 192.0.2.0 - 192.0.2.255\nNetType: Allocated to RIPE NCC\nReferralServer: whois://whois.ripe.net\n',
    );
    assert.equal(f.stub, true);
    assert.equal(f.referral?.host, 'whois.ripe.net');
  });

  it('takes a Comment address as a remark and its URL as a hint', () => {
    const f = arin('Comment:        Abuse: abuse[at]example.net, form https://example.net/abuse\n');
    assert.deepEqual(
      f.contacts.map((c) => [c.email, c.level, c.structured, c.source]),
      [['abuse@example.net', 'remark', false, 'whois.arin.net Comment']],
    );
    assert.deepEqual(f.hints, ['https://example.net/abuse']);
  });

  it('ignores a referral to the server itself', () => {
    const f = arin('ReferralServer:  whois://whois.arin.net\n');
    assert.equal(f.referral, null);
  });
});

describe('RPSL forms', () => {
  it('follows an APNIC "Transferred to" stub to the RIR it names', () => {
    const f = extractWhois(
      'whois.apnic.net',
      '203.0.113.9',
      [
        'inetnum:        203.0.113.0 - 203.0.113.255',
        'netname:        ERX-NETBLOCK',
        'descr:          Transferred to the ARIN region on 2005-01-01.',
        'country:        AU',
        'admin-c:        HM20-AP',
        'mnt-by:         APNIC-HM',
        'source:         APNIC',
        '',
        'role:           APNIC Hostmaster',
        'nic-hdl:        HM20-AP',
        'e-mail:         helpdesk@apnic.example',
        '',
      ].join('\n'),
    );
    assert.equal(f.stub, true);
    assert.deepEqual(
      f.referral && { host: f.referral.host, port: f.referral.port, protocol: f.referral.protocol },
      { host: 'whois.arin.net', port: 43, protocol: 'whois' },
    );
  });

  it('marks the RIPE NON-RIPE-NCC-MANAGED placeholder as a stub without a referral', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '198.51.100.1',
      [
        "% Abuse contact for '198.0.0.0 - 198.255.255.255' is 'abuse@ripe.example'",
        '',
        'inetnum:        198.0.0.0 - 198.255.255.255',
        'netname:        NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK',
        'descr:          IPv4 address block not managed by the RIPE NCC',
        'remarks:        http://www.iana.org/assignments/ipv4-address-space',
        'remarks:        ARIN (Northern America) http://www.arin.net/ whois.arin.net',
        'source:         RIPE',
      ].join('\n'),
    );
    assert.equal(f.stub, true);
    assert.equal(f.referral, null);
    assert.deepEqual(abuseOf(f), ['abuse@ripe.example']);
  });

  it('joins continuation lines and reads an abuse-c person abuse-mailbox (AFRINIC style)', () => {
    const f = extractWhois(
      'whois.afrinic.net',
      '192.0.2.77',
      [
        'inetnum:        192.0.2.0 - 192.0.2.255',
        'netname:        DOC',
        'remarks:        abuse reports go',
        '                to noc@example.org',
        'abuse-c:        EX1-AFRINIC',
        'source:         AFRINIC # Filtered',
        '',
        'person:         Example Noc',
        'nic-hdl:        EX1-AFRINIC',
        'abuse-mailbox:  abuse@example.org',
        'notify:         notify@example.org',
        'mnt-nfy:        mntnfy@example.org',
        'upd-to:         updto@example.org',
        'changed:        changed@example.org 20150101',
        'source:         AFRINIC # Filtered',
      ].join('\n'),
    );
    assert.deepEqual(
      f.contacts.map((c) => `${c.level} ${c.email} ${c.roles.join(',')}`),
      ['remark noc@example.org abuse', 'network abuse@example.org abuse'],
    );
  });

  it('reads the origin AS and its name from route and aut-num objects', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '192.0.2.77',
      [
        'inetnum: 192.0.2.0 - 192.0.2.255',
        'source: RIPE',
        '',
        'route: 192.0.0.0/16',
        'origin: AS64499',
        '',
        'route: 192.0.2.0/24',
        'origin: AS64500',
        '',
        'aut-num: AS64500',
        'as-name: DOC-AS',
      ].join('\n'),
    );
    assert.equal(f.asn, 64500);
    assert.equal(f.asName, 'DOC-AS');
  });
});

describe('national registries', () => {
  it('reads the JPNIC English form', () => {
    const f = extractWhois(
      'whois.nic.ad.jp',
      '192.0.2.5',
      [
        '[ JPNIC database provides information regarding IP address and ASN. ]',
        'Network Information:',
        'a. [Network Number]             192.0.2.0/24',
        'b. [Network Name]               DOC-NET',
        'g. [Organization]               Example University',
        'm. [Administrative Contact]     EX123JP',
        '[Abuse Mail]                    abuse@example.ac.jp',
      ].join('\n'),
    );
    assert.deepEqual(f.netblock, {
      start: '192.0.2.0',
      end: '192.0.2.255',
      cidrs: ['192.0.2.0/24'],
      name: 'DOC-NET',
      handle: null,
      org: 'Example University',
      country: null,
      registry: 'jpnic',
    });
    assert.deepEqual(abuseOf(f), ['abuse@example.ac.jp']);
  });

  it('reads the KRNIC English form, most specific assignment first', () => {
    const f = extractWhois(
      'whois.nic.or.kr',
      '198.51.100.20',
      [
        '# ENGLISH',
        '[ Network Information ]',
        'IPv4 Address       : 198.51.0.0 - 198.51.255.255 (/16)',
        'Organization Name  : Example Telecom',
        'Service Name       : EXNET',
        'E-Mail             : ip@example.kr',
        '',
        'More specific assignment information is as follows.',
        '[ Network Information ]',
        'IPv4 Address       : 198.51.100.0 - 198.51.100.63 (/26)',
        'Organization Name  : Example Customer',
        'Network Type       : CUSTOMER',
        'E-Mail             : net@customer.example.kr',
      ].join('\n'),
    );
    assert.equal(f.netblock?.start, '198.51.100.0');
    assert.equal(f.netblock?.org, 'Example Customer');
    assert.equal(f.netblock?.registry, 'krnic');
    assert.deepEqual(
      f.contacts.map((c) => c.email),
      ['net@customer.example.kr', 'ip@example.kr'],
    );
  });
});

describe('limited answers', () => {
  const cases = [
    ['whois.ripe.net', '%ERROR:201: access denied for 192.0.2.1'],
    ['whois.ripe.net', '% Access from your host has been temporarily denied.'],
    ['whois.lacnic.net', 'Query rate limit exceeded'],
    ['whois.example.net', 'WHOIS LIMIT EXCEEDED - SEE WWW.PIR.ORG/WHOIS FOR DETAILS'],
    ['whois.example.net', 'Your access is too fast,please try again later.'],
    ['whois.example.net', 'Access to whois service at whois.isoc.org.il was **DENIED**'],
    ['whois.example.net', 'IP Address Has Reached Rate Limit'],
  ] as const;
  for (const [server, text] of cases) {
    it(text, () => {
      const f = extractWhois(server, '192.0.2.1', `\n${text}\n\n`);
      assert.equal(f.limited, text.trim());
      assert.equal(f.netblock, null);
    });
  }

  it('does not take a remark about denied access for a limit', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '192.0.2.1',
      'inetnum: 192.0.2.0 - 192.0.2.255\nremarks: access denied to spammers\nsource: RIPE\n',
    );
    assert.equal(f.limited, null);
  });
});

describe('hostile answers', () => {
  it('a CR inside a field does not start a line of its own', () => {
    const f = extractWhois(
      'whois.arin.net',
      '192.0.2.1',
      [
        'NetRange: 192.0.2.0 - 192.0.2.255',
        'Comment: hello\rOrgAbuseEmail: evil@attacker.example',
        'OrgTechEmail: tech@example.net\r\nBcc: evil2@attacker.example',
        'OrgAbuseEmail: abuse@example.net\rX: evil3@attacker.example',
      ].join('\n'),
    );
    const emails = f.contacts.map((c) => c.email);
    assert.deepEqual(emails, ['tech@example.net']);
  });

  it('a line with a CR inside is dropped: a forged Abuse contact line in a remark yields nothing', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '192.0.2.1',
      [
        'inetnum: 192.0.2.0 - 192.0.2.255',
        "remarks: \r% Abuse contact for '192.0.2.0 - 192.0.2.255' is 'evil@attacker.example'",
        'source: RIPE',
      ].join('\n'),
    );
    assert.deepEqual(f.contacts, []);
  });

  it('never takes notify:, changed:, Updated-By or registry headers', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '192.0.2.1',
      [
        '% This is the RIPE Database query service. Contact ripe-dbm@ripe.example',
        '% Note: mail hostmaster@ripe.example for help',
        'inetnum: 192.0.2.0 - 192.0.2.255',
        'notify: notify@attacker.example',
        'changed: changed@attacker.example 20200101',
        'admin-c: X1-RIPE',
        'source: RIPE',
        '',
        'role: X',
        'nic-hdl: X1-RIPE',
        'notify: notify2@attacker.example',
        'e-mail: admin@example.net',
      ].join('\n'),
    );
    assert.deepEqual(
      f.contacts.map((c) => c.email),
      ['admin@example.net'],
    );
    const rw = extractWhois(
      'rwhois.example.net',
      '192.0.2.1',
      'network:IP-Network:192.0.2.0/24\nnetwork:Updated-By:upd@attacker.example\n%ok\n',
    );
    assert.deepEqual(rw.contacts, []);
  });

  it('a URL with user@host is neither an address nor a hint', () => {
    const f = extractWhois(
      'whois.ripe.net',
      '192.0.2.1',
      [
        'inetnum: 192.0.2.0 - 192.0.2.255',
        'remarks: report at http://abuse@attacker.example/form',
        'abuse-mailbox: http://abuse@attacker.example',
        'source: RIPE',
      ].join('\n'),
    );
    assert.deepEqual(f.contacts, []);
    assert.deepEqual(f.hints, []);
  });

  it('reads at most 1 MiB of a 2 MB answer, quickly', () => {
    const head = 'NetRange: 192.0.2.0 - 192.0.2.255\nOrgAbuseEmail: abuse@example.net\n';
    const filler = 'Comment: ' + 'x'.repeat(70) + '\n';
    const body = head + filler.repeat(Math.ceil(2_000_000 / filler.length));
    const text = body + 'OrgAbuseEmail: late@attacker.example\n';
    assert.ok(text.length > 2_000_000);
    const t0 = performance.now();
    const f = extractWhois('whois.arin.net', '192.0.2.1', text);
    const ms = performance.now() - t0;
    assert.deepEqual(
      f.contacts.map((c) => c.email),
      ['abuse@example.net'],
    );
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('skips a line over 4 KiB rather than reading a cut address from it', () => {
    const f = extractWhois(
      'whois.arin.net',
      '192.0.2.1',
      `NetRange: 192.0.2.0 - 192.0.2.255\nOrgAbuseEmail: ${'a'.repeat(5000)}@example.net\n`,
    );
    assert.deepEqual(f.contacts, []);
    assert.equal(f.netblock?.start, '192.0.2.0');
  });

  it('many objects and handles stay bounded', () => {
    const lines = ['inetnum: 192.0.2.0 - 192.0.2.255'];
    for (let i = 0; i < 5000; i++) lines.push(`admin-c: H${i}`);
    lines.push('source: RIPE', '');
    for (let i = 0; i < 5000; i++)
      lines.push(`person: P`, `nic-hdl: H${i}`, `e-mail: p${i}@example.net`, '');
    const f = extractWhois('whois.ripe.net', '192.0.2.1', lines.join('\n'));
    assert.ok(f.contacts.length <= 64);
  });

  it('junk bytes yield nothing and do not throw', () => {
    let seed = 7;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed;
    };
    for (let round = 0; round < 20; round++) {
      let junk = '';
      for (let i = 0; i < 20_000; i++) junk += String.fromCharCode(rand() % 300);
      for (const server of [
        'whois.arin.net',
        'whois.ripe.net',
        'rwhois.example.net',
        'whois.nic.ad.jp',
      ]) {
        const f = extractWhois(server, '192.0.2.1', junk);
        assert.equal(f.netblock, null);
        assert.deepEqual(f.contacts, []);
      }
    }
    const weird = extractWhois('whois.ripe.net', 'not an address', 'inetnum:\n:\n%\n\u0000');
    assert.equal(weird.netblock, null);
  });

  it('rwhois %referral to the rwhois root is never a referral', () => {
    const f = extractWhois(
      'rwhois.example.net',
      '192.0.2.1',
      '%rwhois V-1.5\nnetwork:IP-Network:192.0.2.0/24\n\n%referral rwhois://root.rwhois.net:4321/auth-area=.\n%ok\n',
    );
    assert.equal(f.referral, null);
    assert.equal(f.netblock?.registry, 'rwhois.example.net');
  });
});

describe('parseReferral', () => {
  it('keeps the referral text for errors', () => {
    assert.equal(
      parseReferral('whois.example.net', 'refer: whois.example.net')?.text,
      'refer: whois.example.net',
    );
  });
});

function abuseOf(f: AnswerFinding): string[] {
  return abuse(f);
}
