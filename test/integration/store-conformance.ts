import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Incident } from '../../src/core/incident.js';
import { addressValue, rangeSize, rangeToCidrs, valueAddress } from '../../src/core/ip-range.js';
import type { Contact, Netblock, Network } from '../../src/core/network.js';
import type { Recipient, Report, ReportDraft } from '../../src/core/report.js';
import type {
  CachedNetwork,
  Checkpoint,
  LedgerEntry,
  NewIncident,
  ReportPatch,
  Store,
} from '../../src/store/store.js';
import { mulberry32 } from '../support/fixtures.js';

/** What the suite needs beyond a fresh store. */
export interface ConformanceOptions {
  /**
   * For databases that outlive their connections: each call names a new, empty database and
   * returns an opener for it, which the suite calls several times, closing in between. Without
   * it, the persistence case is skipped.
   */
  readonly persistent?: () => () => Promise<Store>;
}

// 2026-11-26T04:00:00Z: epoch ms beyond 32 bits, so a narrow integer column shows.
const T0 = Date.UTC(2026, 10, 26, 4, 0, 0);
const MINUTE = 60_000;

/** A complete incident with every list filled; `overrides` replace fields. */
function incident(overrides: Partial<NewIncident> = {}): NewIncident {
  return {
    kind: 'brute-force',
    src: '192.0.2.10',
    srcHost: null,
    firstSeen: T0,
    lastSeen: T0 + 10 * MINUTE,
    events: 42,
    ports: [22, 2222],
    targets: ['198.51.100.1', 'gw'],
    services: ['ssh'],
    users: ['root', 'admin'],
    truncated: false,
    severity: 3,
    reportable: true,
    reasons: ['42 failed logins in 10 minutes', 'over the sshd threshold of 5'],
    evidence: [
      {
        at: T0,
        kind: 'auth-failure',
        source: '/var/log/secure',
        line: 17,
        text: 'Nov 26 04:00:00 gw sshd[4242]: Failed password for root from 192.0.2.10 port 50022 ssh2',
      },
      {
        at: null,
        kind: 'invalid-user',
        source: '-',
        line: 3,
        // Quotes, brackets, backslashes, a newline, a NUL and non-ASCII: JSON text must survive.
        text: 'Invalid user "a\\b" [x]\n\u0000 from 192.0.2.10 – ünïcödé 🔑',
      },
    ],
    ...overrides,
  };
}

const checkpointA: Checkpoint = {
  identity: 'dev=2049,ino=131077,head=9f86d081884c7d65',
  path: '/var/log/secure',
  offset: 5_000_000_123,
  lines: 48_000_001,
  readAt: T0 + MINUTE,
};

const checkpointB: Checkpoint = {
  identity: 'dev=2049,ino=131078,head=60303ae22b998861',
  path: '/var/log/secure.1',
  offset: 0,
  lines: 0,
  readAt: T0,
};

const DAY = 24 * 60 * MINUTE;

const abuseContact: Contact = {
  email: 'abuse@example.net',
  roles: ['abuse'],
  source: 'whois.ripe.net abuse-mailbox',
  structured: true,
  level: 'network',
};

const nocContact: Contact = {
  email: 'noc@example.net',
  roles: ['technical', 'noc'],
  source: 'rdap.arin.net entity NOC-EXAMPLE',
  structured: true,
  level: 'org',
};

const remarkContact: Contact = {
  email: 'Security.Team@example.org',
  roles: [],
  source: 'whois.ripe.net remarks',
  structured: false,
  level: 'remark',
};

/** A netblock from `start` to `end`, with every field filled. */
function netblock(start: string, end: string, name = 'EXAMPLE-NET'): Netblock {
  return {
    start,
    end,
    cidrs: rangeToCidrs({ start, end }),
    name,
    handle: `${name}-HANDLE`,
    org: 'Example Networks Ltd',
    country: 'NL',
    registry: 'ripe',
  };
}

/** A cached block from `start` to `end`, fetched at T0 and valid for 7 days. */
function cached(start: string, end: string, overrides: Partial<CachedNetwork> = {}): CachedNetwork {
  return {
    netblock: netblock(start, end),
    // A 32-bit private-use ASN: above 2^31, so a narrow integer column shows.
    asn: 4_200_000_001,
    asName: 'EXAMPLE-AS',
    contacts: [abuseContact, nocContact, remarkContact],
    hints: ['https://example.net/abuse-form'],
    chain: [
      { server: 'whois.iana.org', query: start },
      { server: 'whois.ripe.net', query: `-B ${start}` },
    ],
    errors: ['rdap.db.ripe.net: timed out after 10 s'],
    fetchedAt: T0,
    expiresAt: T0 + 7 * DAY,
    ...overrides,
  };
}

/** The block of a lookup, as `start - end`, for compact assertions. */
async function blockOf(store: Store, address: string, now = T0): Promise<string | null> {
  const found = await store.findNetwork(address, now);
  return found === null ? null : `${found.netblock.start} - ${found.netblock.end}`;
}

/** A complete per-address answer. */
const fullAnswer: Network = {
  address: '192.0.2.15',
  ptr: 'host-15.example.net',
  ptrConfirmed: true,
  domain: 'example.net',
  asn: 4_200_000_001,
  asName: 'EXAMPLE-AS',
  network: netblock('192.0.2.0', '192.0.2.255'),
  contacts: [
    abuseContact,
    nocContact,
    remarkContact,
    {
      email: 'abuse@registrar.example',
      roles: ['registrar-abuse'],
      source: 'whois.registrar.example Registrar Abuse Contact Email',
      structured: true,
      level: 'registrar',
    },
    {
      email: 'security@example.net',
      roles: ['rfc2142'],
      source: 'RFC 2142 mailbox of example.net',
      structured: false,
      level: 'guess',
    },
  ],
  hints: ['https://example.net/aup', 'https://example.net/abuse-form'],
  chain: [
    { server: 'whois.iana.org', query: '192.0.2.15' },
    { server: 'https://rdap.db.ripe.net/ip/192.0.2.15', query: '' },
  ],
  // Quotes, a newline, a NUL and non-ASCII: JSON text must survive.
  errors: ['whois.example.net said "no" \n\u0000 – ünïcödé'],
};

/** An answer with nothing found: unconfirmed PTR, no network, empty lists. */
const bareAnswer: Network = {
  address: '2001:db8::1',
  ptr: 'spoofed.example.com',
  ptrConfirmed: false,
  domain: null,
  asn: null,
  asName: null,
  network: null,
  contacts: [],
  hints: [],
  chain: [],
  errors: [],
};

const recipientTo: Recipient = {
  email: 'abuse@example.net',
  kind: 'to',
  source: 'whois.ripe.net % Abuse contact (abuse-mailbox)',
};

const recipientCc: Recipient = {
  email: 'soc@reporter.example',
  kind: 'cc',
  source: 'report.alwaysCc',
};

/** A complete report draft with every list filled; `overrides` replace fields. */
function reportDraft(overrides: Partial<ReportDraft> = {}): ReportDraft {
  return {
    contact: 'abuse@example.net',
    recipients: [recipientTo, recipientCc],
    subject: 'SSH brute force from 192.0.2.10 (2026-11-26)',
    // Quotes, a newline, a NUL and non-ASCII: JSON and text columns must survive.
    body: 'Dear abuse team,\n\n"root" tried 42 times \u0000 – ünïcödé 🔑\n',
    xarf: [
      {
        Version: '4',
        ReporterInfo: { ReporterOrg: 'Example', ReporterOrgEmail: 'soc@reporter.example' },
        Report: { ReportClass: 'Activity', ReportType: 'LoginAttack', SourceIp: '192.0.2.10' },
        Ports: [22, 2222],
      },
      { Version: '4', Report: { ReportType: 'PortScan', SourceIp: '192.0.2.11' } },
    ],
    incidentIds: ['inc-b', 'inc-a'],
    sources: ['192.0.2.10', '192.0.2.11'],
    kinds: ['brute-force', 'port-scan'],
    note: null,
    ...overrides,
  };
}

/** A ledger entry of 192.0.2.10 reported to abuse@example.net; `overrides` replace fields. */
function ledgerEntry(overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    reportId: '1',
    src: '192.0.2.10',
    contact: 'abuse@example.net',
    kind: 'brute-force',
    network: '192.0.2.0 - 192.0.2.255',
    messageId: '<1.abc@reportable.example>',
    sentAt: T0,
    ...overrides,
  };
}

async function using<T>(open: () => Promise<Store>, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await open();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Registers the Store conformance tests (node:test) for one implementation. `open` must return a
 * store on a new, empty database each time it is called.
 */
export function storeConformance(
  name: string,
  open: () => Promise<Store>,
  options: ConformanceOptions = {},
): void {
  describe(`store conformance: ${name}`, () => {
    test('a file never read has no checkpoint', () =>
      using(open, async (store) => {
        assert.equal(await store.getCheckpoint(checkpointA.identity), null);
      }));

    test('checkpoints round trip exactly, offsets beyond 32 bits included', () =>
      using(open, async (store) => {
        await store.saveCheckpoints([checkpointA, checkpointB]);
        assert.deepEqual(await store.getCheckpoint(checkpointA.identity), checkpointA);
        assert.deepEqual(await store.getCheckpoint(checkpointB.identity), checkpointB);
        assert.equal(await store.getCheckpoint('dev=2049,ino=1,head=0'), null);
      }));

    test('saving a checkpoint again replaces it and leaves the others', () =>
      using(open, async (store) => {
        await store.saveCheckpoints([checkpointA, checkpointB]);
        // The file rotated: same identity, new name, read further.
        const grown: Checkpoint = {
          ...checkpointA,
          path: '/var/log/secure.1',
          offset: checkpointA.offset + 812,
          lines: checkpointA.lines + 7,
          readAt: checkpointA.readAt + 5 * MINUTE,
        };
        await store.saveCheckpoints([grown]);
        assert.deepEqual(await store.getCheckpoint(checkpointA.identity), grown);
        assert.deepEqual(await store.getCheckpoint(checkpointB.identity), checkpointB);
        await store.saveCheckpoints([]);
        assert.deepEqual(await store.getCheckpoint(checkpointA.identity), grown);
        // The same identity twice in one call: the later one wins.
        const c1: Checkpoint = { ...checkpointB, identity: 'c', offset: 10, lines: 1 };
        const c2: Checkpoint = { ...checkpointB, identity: 'c', offset: 20, lines: 2 };
        await store.saveCheckpoints([c1, c2]);
        assert.deepEqual(await store.getCheckpoint('c'), c2);
      }));

    test('many checkpoints in one call are all saved', () =>
      using(open, async (store) => {
        const many = Array.from({ length: 1203 }, (_, i): Checkpoint => ({
          identity: `ino=${i}`,
          path: `/var/log/app/${i}.log`,
          offset: i * 1000,
          lines: i,
          readAt: T0 + i,
        }));
        await store.saveCheckpoints(many);
        for (const i of [0, 499, 500, 1000, 1202]) {
          assert.deepEqual(await store.getCheckpoint(`ino=${i}`), many[i]);
        }
      }));

    test('insertIncident assigns distinct ids and every field reads back exactly', () =>
      using(open, async (store) => {
        const full = incident();
        // Logs named only a host; every list empty; capped lists cut short.
        const bare = incident({
          kind: 'probe',
          src: null,
          srcHost: 'scanner.example.net',
          firstSeen: T0 + MINUTE,
          lastSeen: T0 + MINUTE,
          events: 1,
          ports: [],
          targets: [],
          services: [],
          users: [],
          truncated: true,
          severity: 1,
          reportable: false,
          reasons: [],
          evidence: [],
        });
        const a = await store.insertIncident(full);
        const b = await store.insertIncident(bare);
        assert.equal(typeof a.id, 'string');
        assert.ok(a.id.length > 0);
        assert.notEqual(a.id, b.id);
        assert.deepEqual(a, { id: a.id, ...full });
        assert.deepEqual(b, { id: b.id, ...bare });
        assert.deepEqual(await store.listIncidents(), [a, b]);
      }));

    test('updateIncident replaces every field, keeps the id, and touches nothing else', () =>
      using(open, async (store) => {
        const a = await store.insertIncident(incident());
        const b = await store.insertIncident(incident({ src: '203.0.113.5', reportable: false }));
        const changed: Incident = {
          id: a.id,
          kind: 'sweep',
          src: null,
          srcHost: 'host.example.org',
          firstSeen: T0 - MINUTE,
          lastSeen: T0 + 90 * MINUTE,
          events: 3_000_000_000,
          ports: [],
          targets: ['198.51.100.1', '198.51.100.2', '198.51.100.3'],
          services: ['ftp'],
          users: [],
          truncated: true,
          severity: 5,
          reportable: false,
          reasons: ['10 hosts probed'],
          evidence: [
            { at: T0 + 90 * MINUTE, kind: 'connection', source: 'stdin', line: 9, text: 'x' },
          ],
        };
        await store.updateIncident(changed);
        assert.deepEqual(await store.listIncidents({ ids: [a.id] }), [changed]);
        assert.deepEqual(await store.listIncidents({ ids: [b.id] }), [b]);
      }));

    test('updateIncident of an id the store never gave rejects', () =>
      using(open, async (store) => {
        const a = await store.insertIncident(incident());
        await assert.rejects(store.updateIncident({ ...a, id: 'no-such-id', events: 1 }));
        assert.deepEqual(await store.listIncidents(), [a]);
      }));

    test('findContinuable matches on src and kind, respects since, returns the latest', () =>
      using(open, async (store) => {
        const src = '192.0.2.10';
        await store.insertIncident(incident({ src, lastSeen: T0 + 10 * MINUTE }));
        const latest = await store.insertIncident(incident({ src, lastSeen: T0 + 30 * MINUTE }));
        await store.insertIncident(incident({ src, lastSeen: T0 + 20 * MINUTE }));
        await store.insertIncident(incident({ src, kind: 'probe', lastSeen: T0 + 40 * MINUTE }));
        await store.insertIncident(incident({ src: '192.0.2.11', lastSeen: T0 + 50 * MINUTE }));
        assert.deepEqual(await store.findContinuable(src, null, 'brute-force', T0), latest);
        // srcHost does not matter when there is an address.
        assert.deepEqual(
          await store.findContinuable(src, 'other.example', 'brute-force', T0),
          latest,
        );
        // `since` is inclusive.
        assert.deepEqual(
          await store.findContinuable(src, null, 'brute-force', T0 + 30 * MINUTE),
          latest,
        );
        assert.equal(
          await store.findContinuable(src, null, 'brute-force', T0 + 30 * MINUTE + 1),
          null,
        );
        assert.equal(await store.findContinuable(src, null, 'dos', T0), null);
        assert.equal(await store.findContinuable('192.0.2.99', null, 'brute-force', T0), null);
      }));

    test('findContinuable matches on srcHost only among incidents without an address', () =>
      using(open, async (store) => {
        const host = 'scanner.example.net';
        const hostOnly = await store.insertIncident(
          incident({ kind: 'sweep', src: null, srcHost: host, lastSeen: T0 + 5 * MINUTE }),
        );
        // Same host name but with an address: that source is the address, not the name.
        await store.insertIncident(
          incident({
            kind: 'sweep',
            src: '198.51.100.7',
            srcHost: host,
            lastSeen: T0 + 20 * MINUTE,
          }),
        );
        assert.deepEqual(await store.findContinuable(null, host, 'sweep', T0), hostOnly);
        assert.equal(await store.findContinuable(null, host, 'sweep', T0 + 6 * MINUTE), null);
        assert.equal(await store.findContinuable(null, host, 'probe', T0), null);
        assert.equal(await store.findContinuable(null, 'other.example.net', 'sweep', T0), null);
        assert.equal(await store.findContinuable(null, null, 'sweep', T0), null);
      }));

    test('updatedSince keeps only incidents created or changed at or after the instant', () =>
      using(open, async (store) => {
        const old = await store.insertIncident(incident({ src: '192.0.2.1' }));
        const changed = await store.insertIncident(incident({ src: '192.0.2.2' }));
        await new Promise((resolve) => setTimeout(resolve, 5));
        const mark = Date.now();
        const fresh = await store.insertIncident(incident({ src: '192.0.2.3' }));
        await store.updateIncident({ ...changed, events: 43 });
        const listed = await store.listIncidents({ updatedSince: mark });
        assert.deepEqual(listed.map((i) => i.id).sort(), [fresh.id, changed.id].sort());
        assert.ok(!listed.some((i) => i.id === old.id));
      }));

    test('insertIncidents stores many (more than one statement holds) with distinct ids', () =>
      using(open, async (store) => {
        const many = Array.from({ length: 250 }, (_, i) =>
          incident({ src: `198.51.100.${i % 250}`, lastSeen: T0 + i, severity: 1 + (i % 5) }),
        );
        const stored = await store.insertIncidents(many);
        assert.equal(stored.length, 250);
        assert.equal(new Set(stored.map((i) => i.id)).size, 250);
        stored.forEach((inc, i) =>
          assert.deepEqual({ ...inc, id: undefined }, { ...many[i], id: undefined }),
        );
        const listed = await store.listIncidents({ limit: 1000 });
        assert.equal(listed.length, 250);
        assert.deepEqual(await store.insertIncidents([]), []);
      }));

    test('findContinuableMany returns every kind of the named sources within since', () =>
      using(open, async (store) => {
        const a = await store.insertIncident(incident({ src: '192.0.2.10', lastSeen: T0 + 10 }));
        const b = await store.insertIncident(
          incident({ src: '192.0.2.10', kind: 'probe', lastSeen: T0 + 20 }),
        );
        await store.insertIncident(incident({ src: '192.0.2.10', lastSeen: T0 - 1 }));
        const h = await store.insertIncident(
          incident({ src: null, srcHost: 'scanner.example.net', kind: 'sweep', lastSeen: T0 }),
        );
        await store.insertIncident(
          incident({ src: '198.51.100.7', srcHost: 'scanner.example.net', lastSeen: T0 }),
        );
        await store.insertIncident(incident({ src: '192.0.2.99', lastSeen: T0 + 10 }));
        const found = await store.findContinuableMany(
          [
            { src: '192.0.2.10', srcHost: null },
            { src: null, srcHost: 'scanner.example.net' },
            { src: '203.0.113.1', srcHost: null },
          ],
          T0,
        );
        const byId = (x: Incident, y: Incident): number => x.id.localeCompare(y.id);
        assert.deepEqual(found.sort(byId), [a, b, h].sort(byId));
        assert.deepEqual(await store.findContinuableMany([], T0), []);
      }));

    describe('listing', () => {
      // Inserted in an order that matches no single sort key.
      const cases = {
        a: incident({ reportable: false, severity: 5, lastSeen: T0 + 9, src: '192.0.2.10' }),
        b: incident({ reportable: true, severity: 2, lastSeen: T0 + 1, src: '192.0.2.10' }),
        c: incident({
          reportable: true,
          severity: 4,
          lastSeen: T0 + 2,
          src: null,
          srcHost: 'mail.example.org',
        }),
        d: incident({ reportable: true, severity: 4, lastSeen: T0 + 5, src: '192.0.2.20' }),
        e: incident({ reportable: false, severity: 1, lastSeen: T0 + 8, src: '192.0.2.30' }),
        f: incident({ reportable: false, severity: 5, lastSeen: T0 + 3, src: '192.0.2.40' }),
      };
      type Name = keyof typeof cases;

      async function seeded(
        fn: (list: (...names: Name[]) => Incident[], store: Store) => Promise<void>,
      ) {
        await using(open, async (store) => {
          const stored = new Map<Name, Incident>();
          for (const name of Object.keys(cases) as Name[]) {
            stored.set(name, await store.insertIncident(cases[name]));
          }
          await fn((...names) => names.map((n) => stored.get(n) as Incident), store);
        });
      }

      test('orders reportable first, then severity, then lastSeen, descending', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(await store.listIncidents(), expect('d', 'c', 'b', 'a', 'f', 'e'));
          assert.deepEqual(await store.listIncidents({}), expect('d', 'c', 'b', 'a', 'f', 'e'));
        }));

      test('filters on reportable', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(await store.listIncidents({ reportable: true }), expect('d', 'c', 'b'));
          assert.deepEqual(await store.listIncidents({ reportable: false }), expect('a', 'f', 'e'));
        }));

      test('filters on minimum severity, inclusive', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(
            await store.listIncidents({ minSeverity: 4 }),
            expect('d', 'c', 'a', 'f'),
          );
          assert.deepEqual(await store.listIncidents({ minSeverity: 6 }), []);
        }));

      test('filters on since (lastSeen at or after), inclusive', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(await store.listIncidents({ since: T0 + 5 }), expect('d', 'a', 'e'));
        }));

      test('filters on ids; an empty list and unknown ids match nothing', () =>
        seeded(async (expect, store) => {
          const [b, e] = expect('b', 'e') as [Incident, Incident];
          assert.deepEqual(
            await store.listIncidents({ ids: [e.id, 'no-such-id', b.id, e.id] }),
            expect('b', 'e'),
          );
          assert.deepEqual(await store.listIncidents({ ids: [] }), []);
          assert.deepEqual(await store.listIncidents({ ids: ['no-such-id'] }), []);
        }));

      test('filters on the source: address, or host name for incidents without one', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(await store.listIncidents({ src: '192.0.2.10' }), expect('b', 'a'));
          assert.deepEqual(await store.listIncidents({ src: 'mail.example.org' }), expect('c'));
          assert.deepEqual(await store.listIncidents({ src: '203.0.113.1' }), []);
        }));

      test('limits the count after ordering', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(await store.listIncidents({ limit: 2 }), expect('d', 'c'));
          assert.deepEqual(await store.listIncidents({ limit: 0 }), []);
          assert.deepEqual(
            await store.listIncidents({ limit: 100 }),
            expect('d', 'c', 'b', 'a', 'f', 'e'),
          );
          assert.deepEqual(await store.listIncidents({ reportable: false, limit: 1 }), expect('a'));
        }));

      test('pages with limit and offset: in order, without overlap or gap', () =>
        seeded(async (expect, store) => {
          const pages = [];
          for (let offset = 0; offset < 8; offset += 4) {
            pages.push(...(await store.listIncidents({ limit: 4, offset })));
          }
          assert.deepEqual(pages, expect('d', 'c', 'b', 'a', 'f', 'e'));
          assert.deepEqual(await store.listIncidents({ offset: 5 }), expect('e'));
          assert.deepEqual(
            await store.listIncidents({ reportable: true, limit: 1, offset: 1 }),
            expect('c'),
          );
        }));

      test('combines filters', () =>
        seeded(async (expect, store) => {
          assert.deepEqual(
            await store.listIncidents({ reportable: true, minSeverity: 3, since: T0 + 3 }),
            expect('d'),
          );
          const [a, c, f] = expect('a', 'c', 'f') as [Incident, Incident, Incident];
          assert.deepEqual(
            await store.listIncidents({ ids: [a.id, c.id, f.id], minSeverity: 5, limit: 1 }),
            expect('a'),
          );
        }));
    });

    test('filters on more ids than one statement may bind, in order', () =>
      using(open, async (store) => {
        const stored = await store.transaction(async (tx) => {
          const out: Incident[] = [];
          for (let i = 0; i < 1201; i++) {
            out.push(
              await tx.insertIncident(
                incident({
                  src: `198.51.100.${i % 250}`,
                  reportable: i % 3 === 0,
                  severity: (i % 5) + 1,
                  lastSeen: T0 + i,
                  evidence: [],
                }),
              ),
            );
          }
          return out;
        });
        const expected = [...stored].sort(
          (x, y) =>
            Number(y.reportable) - Number(x.reportable) ||
            y.severity - x.severity ||
            y.lastSeen - x.lastSeen,
        );
        const ids = stored.map((s) => s.id).reverse();
        assert.deepEqual(await store.listIncidents({ ids }), expected);
        assert.deepEqual(await store.listIncidents({ ids, limit: 7 }), expected.slice(0, 7));
        assert.deepEqual(
          await store.listIncidents({ ids, offset: 480, limit: 60 }),
          expected.slice(480, 540),
        );
        assert.deepEqual(
          await store.listIncidents({ ids: ids.slice(0, 1100), reportable: false, limit: 600 }),
          expected.filter((x) => !x.reportable && ids.slice(0, 1100).includes(x.id)).slice(0, 600),
        );
      }));

    test('a transaction commits all its writes and sees them inside', () =>
      using(open, async (store) => {
        const before = await store.insertIncident(incident({ src: '192.0.2.1' }));
        const result = await store.transaction(async (tx) => {
          const added = await tx.insertIncident(incident({ src: '192.0.2.2', severity: 1 }));
          await tx.updateIncident({ ...before, events: 99, lastSeen: before.lastSeen + MINUTE });
          await tx.saveCheckpoints([checkpointA]);
          assert.deepEqual(await tx.getCheckpoint(checkpointA.identity), checkpointA);
          assert.equal((await tx.listIncidents()).length, 2);
          return added;
        });
        assert.deepEqual(await store.listIncidents(), [
          { ...before, events: 99, lastSeen: before.lastSeen + MINUTE },
          result,
        ]);
        assert.deepEqual(await store.getCheckpoint(checkpointA.identity), checkpointA);
      }));

    test('a transaction rolls back all its writes when fn throws, and the error propagates', () =>
      using(open, async (store) => {
        const before = await store.insertIncident(incident({ src: '192.0.2.1' }));
        await store.saveCheckpoints([checkpointA]);
        const boom = new Error('detector failed half way');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.insertIncident(incident({ src: '192.0.2.2' }));
            await tx.updateIncident({ ...before, events: 99 });
            await tx.saveCheckpoints([{ ...checkpointA, offset: 1 }, checkpointB]);
            throw boom;
          }),
          (error) => error === boom,
        );
        assert.deepEqual(await store.listIncidents(), [before]);
        assert.deepEqual(await store.getCheckpoint(checkpointA.identity), checkpointA);
        assert.equal(await store.getCheckpoint(checkpointB.identity), null);
        // The store is still usable afterwards.
        const after = await store.insertIncident(incident({ src: '192.0.2.3', severity: 1 }));
        assert.deepEqual(await store.listIncidents(), [before, after]);
      }));

    test('another caller waits for a transaction: it never sees its writes, and its own write survives the rollback', () =>
      using(open, async (store) => {
        const before = await store.insertIncident(incident({ src: '192.0.2.1', severity: 1 }));
        let inside!: () => void;
        const entered = new Promise<void>((resolve) => (inside = resolve));
        const boom = new Error('rolled back');
        const tx = store.transaction(async (t) => {
          await t.updateIncident({ ...before, severity: 2 });
          inside();
          await new Promise((resolve) => setTimeout(resolve, 20));
          throw boom;
        });
        await entered;
        // Another async chain, outside the transaction (not its fn): it waits for it to end.
        const other = (async () => {
          const [seen] = await store.listIncidents();
          await store.updateIncident({ ...before, severity: 5 });
          return seen?.severity;
        })();
        await assert.rejects(tx, (e) => e === boom);
        assert.equal(await other, 1, 'the uncommitted severity 2 was never seen');
        assert.equal((await store.listIncidents())[0]?.severity, 5);
      }));

    test('a nested transaction joins the outer one: it commits and rolls back with it', () =>
      using(open, async (store) => {
        const kept = await store.transaction((tx) =>
          tx.transaction((inner) => inner.insertIncident(incident({ src: '192.0.2.1' }))),
        );
        assert.deepEqual(await store.listIncidents(), [kept]);
        const boom = new Error('outer failed after inner succeeded');
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.transaction((inner) => inner.insertIncident(incident({ src: '192.0.2.2' })));
            throw boom;
          }),
          (error) => error === boom,
        );
        assert.deepEqual(await store.listIncidents(), [kept]);
      }));

    test('inside a transaction the outer store refuses to be used', () =>
      using(open, async (store) => {
        const kept = await store.transaction(async (tx) => {
          await assert.rejects(store.insertIncident(incident({ src: '192.0.2.2' })), {
            message: /use the store passed to fn/,
          });
          await assert.rejects(store.listIncidents(), { message: /use the store passed to fn/ });
          await assert.rejects(
            store.transaction(() => Promise.resolve()),
            { message: /use the store passed to fn/ },
          );
          return tx.insertIncident(incident({ src: '192.0.2.1' }));
        });
        assert.deepEqual(await store.listIncidents(), [kept]);
      }));

    describe('investigation cache', () => {
      test('a cached block reads back exactly, and serves every address inside it', () =>
        using(open, async (store) => {
          const record = cached('192.0.2.0', '192.0.2.255');
          await store.saveNetwork(record);
          assert.deepEqual(await store.findNetwork('192.0.2.0', T0), record);
          assert.deepEqual(await store.findNetwork('192.0.2.77', T0), record);
          assert.deepEqual(await store.findNetwork('192.0.2.255', T0), record);
          const bare = cached('198.51.100.0', '198.51.100.255', {
            netblock: { ...netblock('198.51.100.0', '198.51.100.255'), name: null, handle: null },
            asn: null,
            asName: null,
            contacts: [],
            hints: [],
            chain: [],
            errors: [],
          });
          await store.saveNetwork(bare);
          assert.deepEqual(await store.findNetwork('198.51.100.1', T0), bare);
        }));

      test('the most specific block wins: IPv4 /16 and /24, IPv6 /32 and /48', () =>
        using(open, async (store) => {
          // The /24 is saved before its /16 and the /48 after its /32: order does not matter.
          await store.saveNetwork(cached('198.51.100.0', '198.51.100.255'));
          await store.saveNetwork(cached('198.51.0.0', '198.51.255.255'));
          await store.saveNetwork(cached('2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff'));
          await store.saveNetwork(cached('2001:db8:1::', '2001:db8:1:ffff:ffff:ffff:ffff:ffff'));
          assert.equal(await blockOf(store, '198.51.100.7'), '198.51.100.0 - 198.51.100.255');
          assert.equal(await blockOf(store, '198.51.101.7'), '198.51.0.0 - 198.51.255.255');
          assert.equal(await blockOf(store, '198.51.99.255'), '198.51.0.0 - 198.51.255.255');
          assert.equal(
            await blockOf(store, '2001:db8:1:2::3'),
            '2001:db8:1:: - 2001:db8:1:ffff:ffff:ffff:ffff:ffff',
          );
          assert.equal(
            await blockOf(store, '2001:db8:2::3'),
            '2001:db8:: - 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
          );
        }));

      test('a range that is not one prefix (ARIN style) contains exactly its bounds and between', () =>
        using(open, async (store) => {
          await store.saveNetwork(cached('192.0.2.0', '192.0.2.255'));
          // 192.0.2.10 - 192.0.2.20 is five prefixes: /31, /30, /30, /31, /32.
          await store.saveNetwork(cached('192.0.2.10', '192.0.2.20'));
          for (const inside of ['192.0.2.10', '192.0.2.11', '192.0.2.15', '192.0.2.20']) {
            assert.equal(await blockOf(store, inside), '192.0.2.10 - 192.0.2.20', inside);
          }
          for (const outside of ['192.0.2.9', '192.0.2.21']) {
            assert.equal(await blockOf(store, outside), '192.0.2.0 - 192.0.2.255', outside);
          }
        }));

      test('an address outside every block, or text that is no address, finds nothing', () =>
        using(open, async (store) => {
          assert.equal(await store.findNetwork('192.0.2.1', T0), null);
          await store.saveNetwork(cached('192.0.2.0', '192.0.2.255'));
          await store.saveNetwork(cached('2001:db8::', '2001:db8::ffff'));
          assert.equal(await store.findNetwork('192.0.3.0', T0), null);
          assert.equal(await store.findNetwork('192.0.1.255', T0), null);
          assert.equal(await store.findNetwork('2001:db8::1:0', T0), null);
          assert.equal(await store.findNetwork('scanner.example.net', T0), null);
          assert.equal(await store.findNetwork('', T0), null);
        }));

      test('IPv4 and IPv6 blocks of the same numeric values never answer for each other', () =>
        using(open, async (store) => {
          // ::/96 spans the same values, 0 to 2^32 - 1, as the whole IPv4 space.
          await store.saveNetwork(cached('0.0.0.0', '255.255.255.255'));
          await store.saveNetwork(cached('::', '::ffff:ffff'));
          assert.equal(await blockOf(store, '192.0.2.1'), '0.0.0.0 - 255.255.255.255');
          // An IPv4-mapped address is the IPv4 address.
          assert.equal(await blockOf(store, '::ffff:192.0.2.1'), '0.0.0.0 - 255.255.255.255');
          // The IPv4-compatible form (value 0xc0000201) is an IPv6 address.
          assert.equal(await blockOf(store, '::c000:201'), ':: - ::ffff:ffff');
          assert.equal(await blockOf(store, '2001:db8::1'), null);
        }));

      test('expired blocks are not returned; a live enclosing block is', () =>
        using(open, async (store) => {
          await store.saveNetwork(cached('198.51.0.0', '198.51.255.255', { expiresAt: T0 + DAY }));
          await store.saveNetwork(cached('198.51.100.0', '198.51.100.255', { expiresAt: T0 }));
          // expiresAt is the first instant at which the record is expired.
          assert.equal(
            await blockOf(store, '198.51.100.7', T0 - 1),
            '198.51.100.0 - 198.51.100.255',
          );
          assert.equal(await blockOf(store, '198.51.100.7', T0), '198.51.0.0 - 198.51.255.255');
          assert.equal(await blockOf(store, '198.51.100.7', T0 + DAY), null);
        }));

      test('saving a block again replaces it; other blocks stay', () =>
        using(open, async (store) => {
          await store.saveNetwork(cached('192.0.2.0', '192.0.2.255'));
          await store.saveNetwork(cached('198.51.100.0', '198.51.100.255'));
          const refreshed = cached('192.0.2.0', '192.0.2.255', {
            netblock: { ...netblock('192.0.2.0', '192.0.2.255', 'RENAMED-NET'), country: 'DE' },
            asn: 64500,
            contacts: [remarkContact],
            hints: [],
            chain: [{ server: 'whois.ripe.net', query: '-B 192.0.2.1' }],
            errors: [],
            fetchedAt: T0 + DAY,
            expiresAt: T0 + 8 * DAY,
          });
          await store.saveNetwork(refreshed);
          assert.deepEqual(await store.findNetwork('192.0.2.1', T0 + DAY), refreshed);
          assert.equal(await blockOf(store, '198.51.100.1'), '198.51.100.0 - 198.51.100.255');
          // Still one row for the block: purging all counts two.
          assert.equal(await store.purgeExpired(T0 + 100 * DAY), 2);
        }));

      test('a block whose bounds are not a range of one family is refused (a caller bug)', () =>
        using(open, async (store) => {
          const bounds = (start: string, end: string): CachedNetwork =>
            cached('192.0.2.0', '192.0.2.255', {
              netblock: { ...netblock('192.0.2.0', '192.0.2.255'), start, end, cidrs: [] },
            });
          await assert.rejects(store.saveNetwork(bounds('192.0.2.9', '192.0.2.1')), {
            message: 'store: not an address range: 192.0.2.9 - 192.0.2.1',
          });
          await assert.rejects(store.saveNetwork(bounds('192.0.2.0', '2001:db8::')));
          await assert.rejects(store.saveNetwork(bounds('example.net', '192.0.2.1')));
          await assert.rejects(
            store.saveNetwork(cached('192.0.2.0', '192.0.2.255', { expiresAt: 1.5 })),
            { message: 'store: expiresAt must be an integer: 1.5' },
          );
          assert.equal(await store.findNetwork('192.0.2.1', 0), null);
        }));

      test('a cached block saved in a rolled-back transaction is gone', () =>
        using(open, async (store) => {
          const boom = new Error('lookup aborted');
          await assert.rejects(
            store.transaction(async (tx) => {
              await tx.saveNetwork(cached('192.0.2.0', '192.0.2.255'));
              assert.equal(await blockOf(tx, '192.0.2.1'), '192.0.2.0 - 192.0.2.255');
              throw boom;
            }),
            (error) => error === boom,
          );
          assert.equal(await store.findNetwork('192.0.2.1', T0), null);
        }));

      test('failed lookups are remembered until they expire, and saving again replaces', () =>
        using(open, async (store) => {
          assert.equal(await store.findLookupFailure('192.0.2.1', T0), null);
          await store.saveLookupFailure('192.0.2.1', 'whois.arin.net: timed out', T0 + MINUTE);
          await store.saveLookupFailure('2001:db8::1', 'no RDAP server', T0 + 2 * MINUTE);
          assert.equal(await store.findLookupFailure('192.0.2.1', T0), 'whois.arin.net: timed out');
          assert.equal(
            await store.findLookupFailure('192.0.2.1', T0 + MINUTE - 1),
            'whois.arin.net: timed out',
          );
          assert.equal(await store.findLookupFailure('192.0.2.1', T0 + MINUTE), null);
          assert.equal(await store.findLookupFailure('2001:db8::1', T0 + MINUTE), 'no RDAP server');
          assert.equal(await store.findLookupFailure('192.0.2.2', T0), null);
          await store.saveLookupFailure('192.0.2.1', 'connection refused', T0 + 5 * MINUTE);
          assert.equal(
            await store.findLookupFailure('192.0.2.1', T0 + MINUTE),
            'connection refused',
          );
        }));

      test('per-address answers round trip exactly; saving again replaces', () =>
        using(open, async (store) => {
          await store.saveAddressNetwork(fullAnswer, T0);
          await store.saveAddressNetwork(bareAnswer, T0 + 1);
          const found = await store.findAddressNetworks([
            '192.0.2.15',
            '2001:db8::1',
            '192.0.2.15',
            '203.0.113.1',
          ]);
          assert.deepEqual(
            found,
            new Map([
              ['192.0.2.15', { network: fullAnswer, at: T0 }],
              ['2001:db8::1', { network: bareAnswer, at: T0 + 1 }],
            ]),
          );
          const again: Network = { ...fullAnswer, ptr: null, ptrConfirmed: false, contacts: [] };
          await store.saveAddressNetwork(again, T0 + DAY);
          assert.deepEqual(
            await store.findAddressNetworks(['192.0.2.15']),
            new Map([['192.0.2.15', { network: again, at: T0 + DAY }]]),
          );
          assert.deepEqual(await store.findAddressNetworks([]), new Map());
        }));

      test('more per-address answers than one statement may bind are all found', () =>
        using(open, async (store) => {
          const addresses = Array.from({ length: 1203 }, (_, i) =>
            valueAddress(addressValue('2001:db8::') + BigInt(i), true),
          );
          await store.transaction(async (tx) => {
            for (const address of addresses) {
              await tx.saveAddressNetwork({ ...bareAnswer, address }, T0);
            }
          });
          const found = await store.findAddressNetworks(addresses);
          assert.equal(found.size, 1203);
          for (const i of [0, 499, 500, 1202]) {
            const address = addresses[i] as string;
            assert.deepEqual(found.get(address), { network: { ...bareAnswer, address }, at: T0 });
          }
        }));

      test('purgeExpired deletes expired blocks and failures, counts them, keeps the rest', () =>
        using(open, async (store) => {
          await store.saveNetwork(cached('198.51.0.0', '198.51.255.255', { expiresAt: T0 + DAY }));
          await store.saveNetwork(cached('198.51.100.0', '198.51.100.255', { expiresAt: T0 }));
          await store.saveNetwork(cached('192.0.2.10', '192.0.2.20', { expiresAt: T0 - 1 }));
          await store.saveLookupFailure('203.0.113.1', 'timed out', T0);
          await store.saveLookupFailure('203.0.113.2', 'timed out', T0 + 1);
          await store.saveAddressNetwork(fullAnswer, T0 - 10 * DAY);
          assert.equal(await store.purgeExpired(T0), 3);
          assert.equal(await store.purgeExpired(T0), 0);
          // Purged is gone even to a lookup that asks as of earlier.
          assert.equal(await blockOf(store, '198.51.100.7', T0 - 1), '198.51.0.0 - 198.51.255.255');
          assert.equal(await blockOf(store, '192.0.2.15', T0 - 2), null);
          assert.equal(await store.findLookupFailure('203.0.113.1', T0 - 1), null);
          assert.equal(await store.findLookupFailure('203.0.113.2', T0), 'timed out');
          assert.equal((await store.findAddressNetworks(['192.0.2.15'])).size, 1);
          // A block saved again after its purge is found again.
          await store.saveNetwork(cached('192.0.2.10', '192.0.2.20'));
          assert.equal(await blockOf(store, '192.0.2.15'), '192.0.2.10 - 192.0.2.20');
          assert.equal(await store.purgeExpired(T0 + 100 * DAY), 3);
        }));

      test('among 10,000 blocks every lookup finds the same block as a full search', () =>
        using(open, async (store) => {
          const random = mulberry32(20261126);
          const int = (n: number): number => Math.floor(random() * n);
          const base6 = addressValue('2001:db8::');
          const bases4 = ['192.0.2.0', '198.51.100.0', '203.0.113.0'].map(addressValue);
          const now = T0 + DAY;
          const blocks = new Map<string, CachedNetwork>();
          const add = (start: string, end: string): void => {
            // One in ten expired by `now`.
            const expiresAt = int(10) === 0 ? now - int(2) : now + 1 + int(DAY);
            blocks.set(`${start}-${end}`, cached(start, end, { expiresAt, contacts: [] }));
          };
          // IPv6: prefixes /32 to /64 of 2001:db8::/32, so short ones enclose many long ones.
          while (blocks.size < 9000) {
            const length = 32 + int(33);
            const host = BigInt(128 - length);
            const net = BigInt(int(2 ** 16)) * 2n ** 80n + BigInt(int(2 ** 16)) * 2n ** 64n;
            const start = ((base6 + net) >> host) << host;
            add(valueAddress(start, true), valueAddress(start + (1n << host) - 1n, true));
          }
          // IPv4: arbitrary ranges in the documentation /24s, overlapping in every way.
          while (blocks.size < 10_000) {
            const base = bases4[int(3)] as bigint;
            const a = BigInt(int(256));
            const b = BigInt(int(256));
            const [lo, hi] = a <= b ? [a, b] : [b, a];
            add(valueAddress(base + lo, false), valueAddress(base + hi, false));
          }
          await store.transaction(async (tx) => {
            for (const block of blocks.values()) await tx.saveNetwork(block);
          });
          const live = [...blocks.values()]
            .filter((b) => b.expiresAt > now)
            .map(({ netblock: b }) => ({
              v6: b.start.includes(':'),
              start: addressValue(b.start),
              end: addressValue(b.end),
              text: `${b.start} - ${b.end}`,
            }));
          // The definition, by brute force: the smallest block; of equal sizes, the one starting last.
          const expected = (address: string): string | null => {
            const v6 = address.includes(':');
            const value = addressValue(address);
            let best: (typeof live)[number] | null = null;
            for (const b of live) {
              if (b.v6 !== v6 || b.start > value || b.end < value) continue;
              const size = b.end - b.start;
              const bestSize = best === null ? 0n : best.end - best.start;
              if (best === null || size < bestSize || (size === bestSize && b.start > best.start)) {
                best = b;
              }
            }
            return best === null ? null : best.text;
          };
          const all = [...blocks.values()];
          const probes: string[] = [];
          for (let i = 0; i < 300; i++) {
            const { netblock: b } = all[int(all.length)] as CachedNetwork;
            const size = rangeSize(b);
            const offset = BigInt(Math.floor(random() * Number(size))) % size;
            probes.push(valueAddress(addressValue(b.start) + offset, b.start.includes(':')));
          }
          probes.push('2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', '192.0.2.0');
          probes.push('203.0.113.255', '2001:db9::', '192.0.3.0');
          let hits = 0;
          for (const address of probes) {
            const want = expected(address);
            if (want !== null) hits++;
            assert.equal(await blockOf(store, address, now), want, address);
          }
          // The probes mostly land in blocks, so the comparison is not vacuous.
          assert.ok(hits > 250, `only ${hits} probes inside a block`);
        }));
    });

    describe('reports and the ledger', () => {
      test('insertReport numbers reports 1, 2, … and every field reads back exactly', () =>
        using(open, async (store) => {
          const full = reportDraft();
          const bare = reportDraft({
            contact: 'none:203.0.113.0 - 203.0.113.255',
            recipients: [],
            subject: '',
            body: '',
            xarf: [],
            incidentIds: [],
            sources: [],
            kinds: [],
            note: 'no abuse contact found for 203.0.113.0 - 203.0.113.255',
          });
          const a = await store.insertReport(full, 'draft', T0);
          const b = await store.insertReport(bare, 'approved', T0 + MINUTE);
          assert.deepEqual(a, {
            ...full,
            id: '1',
            status: 'draft',
            messageId: null,
            eml: null,
            createdAt: T0,
            updatedAt: T0,
            approvedAt: null,
            sentAt: null,
            attempts: 0,
            nextAttemptAt: null,
            lastError: null,
          } satisfies Report);
          // Inserted as approved (by configuration): approvedAt is the insert time.
          assert.deepEqual(b, {
            ...bare,
            id: '2',
            status: 'approved',
            messageId: null,
            eml: null,
            createdAt: T0 + MINUTE,
            updatedAt: T0 + MINUTE,
            approvedAt: T0 + MINUTE,
            sentAt: null,
            attempts: 0,
            nextAttemptAt: null,
            lastError: null,
          } satisfies Report);
          assert.deepEqual(await store.getReport('1'), a);
          assert.deepEqual(await store.getReport('2'), b);
          assert.equal(await store.getReport('3'), null);
          assert.equal(await store.getReport('no-such-id'), null);
        }));

      test('recipients keep only their documented fields', () =>
        using(open, async (store) => {
          const extra = { ...recipientTo, header: 'Bcc: victim@example.com' } as Recipient;
          const stored = await store.insertReport(
            reportDraft({ recipients: [extra, recipientCc] }),
            'draft',
            T0,
          );
          assert.deepEqual(stored.recipients, [recipientTo, recipientCc]);
          const patched = await store.transitionReport(
            stored.id,
            ['draft'],
            { recipients: [extra] },
            T0 + 1,
          );
          assert.deepEqual(patched?.recipients, [recipientTo]);
          assert.deepEqual((await store.getReport(stored.id))?.recipients, [recipientTo]);
        }));

      describe('listing', () => {
        // Twelve reports, so ids 10 to 12 show that order is numeric ("9" before "10").
        async function seeded(fn: (reports: Report[], store: Store) => Promise<void>) {
          await using(open, async (store) => {
            const reports: Report[] = [];
            for (let i = 0; i < 12; i++) {
              // Pairs share a creation time: the later id lists first.
              const createdAt = T0 + Math.floor(i / 2) * MINUTE;
              reports.push(
                await store.insertReport(
                  reportDraft({
                    contact: `abuse@net${i}.example`,
                    incidentIds: [`inc-${i}`, `inc-${i + 1}`, 'inc-shared'],
                    sources: [`192.0.2.${i}`],
                  }),
                  i % 3 === 0 ? 'approved' : 'draft',
                  createdAt,
                ),
              );
            }
            await fn(reports, store);
          });
        }
        const ids = (reports: readonly Report[]): string[] => reports.map((r) => r.id);

        test('lists newest first: createdAt, then id, descending (numerically)', () =>
          seeded(async (reports, store) => {
            const all = await store.listReports();
            assert.deepEqual(ids(all), [
              '12',
              '11',
              '10',
              '9',
              '8',
              '7',
              '6',
              '5',
              '4',
              '3',
              '2',
              '1',
            ]);
            assert.deepEqual(all, [...reports].reverse());
          }));

        test('filters on statuses, ids and sentSince; empty lists match nothing', () =>
          seeded(async (reports, store) => {
            assert.deepEqual(ids(await store.listReports({ statuses: ['approved'] })), [
              '10',
              '7',
              '4',
              '1',
            ]);
            assert.deepEqual(ids(await store.listReports({ statuses: ['sent', 'failed'] })), []);
            assert.deepEqual(await store.listReports({ statuses: [] }), []);
            assert.deepEqual(
              ids(await store.listReports({ ids: ['3', 'no-such-id', '11', '3'] })),
              ['11', '3'],
            );
            assert.deepEqual(await store.listReports({ ids: [] }), []);
            // Two sent at different times: sentSince is inclusive and skips unsent reports.
            const [r2, r5] = [reports[1], reports[4]] as [Report, Report];
            await store.transitionReport(
              r2.id,
              ['draft'],
              { status: 'sent', sentAt: T0 + DAY },
              T0,
            );
            await store.transitionReport(
              r5.id,
              ['draft'],
              { status: 'sent', sentAt: T0 + 2 * DAY },
              T0,
            );
            assert.deepEqual(ids(await store.listReports({ sentSince: T0 + DAY })), ['5', '2']);
            assert.deepEqual(ids(await store.listReports({ sentSince: T0 + DAY + 1 })), ['5']);
            assert.deepEqual(
              ids(await store.listReports({ statuses: ['sent'], sentSince: T0 + 3 * DAY })),
              [],
            );
          }));

        test('filters on incidentIds: reports covering any of them', () =>
          seeded(async (_reports, store) => {
            // inc-3 is in reports 3 and 4 (ids 3 and 4 cover inc-2/inc-3 and inc-3/inc-4).
            assert.deepEqual(ids(await store.listReports({ incidentIds: ['inc-3'] })), ['4', '3']);
            assert.deepEqual(
              ids(await store.listReports({ incidentIds: ['inc-0', 'inc-12', 'inc-99'] })),
              ['12', '1'],
            );
            assert.equal((await store.listReports({ incidentIds: ['inc-shared'] })).length, 12);
            assert.deepEqual(await store.listReports({ incidentIds: ['inc-99'] }), []);
            assert.deepEqual(await store.listReports({ incidentIds: [] }), []);
            assert.deepEqual(
              ids(
                await store.listReports({
                  incidentIds: ['inc-shared'],
                  statuses: ['approved'],
                  ids: ['1', '2', '10'],
                }),
              ),
              ['10', '1'],
            );
          }));

        test('pages with limit and offset, in order, without overlap or gap', () =>
          seeded(async (reports, store) => {
            const pages: Report[] = [];
            for (let offset = 0; offset < 12; offset += 5) {
              pages.push(...(await store.listReports({ limit: 5, offset })));
            }
            assert.deepEqual(pages, [...reports].reverse());
            assert.deepEqual(await store.listReports({ limit: 0 }), []);
            assert.deepEqual(ids(await store.listReports({ offset: 10 })), ['2', '1']);
            assert.deepEqual(
              ids(await store.listReports({ statuses: ['draft'], limit: 2, offset: 1 })),
              ['11', '9'],
            );
            await assert.rejects(store.listReports({ limit: -1 }));
            await assert.rejects(store.listReports({ offset: 1.5 }));
          }));

        test('filters on more ids and incident ids than one statement may bind', () =>
          seeded(async (_reports, store) => {
            const many = (prefix: string, n: number): string[] =>
              Array.from({ length: n }, (_, i) => `${prefix}${i}`);
            // inc-0 … inc-12 sit at the end of a list of 1,200.
            const incidentIds = [...many('unknown-', 1187), ...many('inc-', 13)];
            assert.equal((await store.listReports({ incidentIds })).length, 12);
            const reportIds = [...many('x', 1100), '2', '11', '7'];
            assert.deepEqual(ids(await store.listReports({ ids: reportIds })), ['11', '7', '2']);
            assert.deepEqual(
              ids(await store.listReports({ ids: reportIds, incidentIds, limit: 2, offset: 1 })),
              ['7', '2'],
            );
            assert.deepEqual(
              ids(await store.listReports({ incidentIds, statuses: ['approved'], limit: 3 })),
              ['10', '7', '4'],
            );
          }));
      });

      describe('transitions', () => {
        test('a transition applies the patch and updatedAt, and keeps everything else', () =>
          using(open, async (store) => {
            const stored = await store.insertReport(reportDraft(), 'approved', T0);
            const moved = await store.transitionReport(
              stored.id,
              ['approved', 'failed'],
              { status: 'sending', messageId: '<1.abc@reportable.example>', attempts: 1 },
              T0 + MINUTE,
            );
            const expected: Report = {
              ...stored,
              status: 'sending',
              messageId: '<1.abc@reportable.example>',
              attempts: 1,
              updatedAt: T0 + MINUTE,
            };
            assert.deepEqual(moved, expected);
            assert.deepEqual(await store.getReport(stored.id), expected);
          }));

        test('a report in another status, a missing id, or no from-status gives null', () =>
          using(open, async (store) => {
            const stored = await store.insertReport(reportDraft(), 'draft', T0);
            const patch: ReportPatch = { status: 'sending' };
            assert.equal(
              await store.transitionReport(stored.id, ['approved'], patch, T0 + 1),
              null,
            );
            assert.equal(
              await store.transitionReport('no-such-id', ['draft'], patch, T0 + 1),
              null,
            );
            assert.equal(await store.transitionReport(stored.id, [], patch, T0 + 1), null);
            // Unchanged, updatedAt included.
            assert.deepEqual(await store.getReport(stored.id), stored);
          }));

        test('of two concurrent claims of an approved report exactly one wins', () =>
          using(open, async (store) => {
            const stored = await store.insertReport(reportDraft(), 'approved', T0);
            const claim = (n: number) =>
              store.transitionReport(
                stored.id,
                ['approved'],
                { status: 'sending', messageId: `<${n}@reportable.example>` },
                T0 + n,
              );
            const results = await Promise.all([claim(1), claim(2)]);
            const winners = results.filter((r) => r !== null);
            assert.equal(winners.length, 1);
            const winner = winners[0] as Report;
            assert.equal(winner.status, 'sending');
            // The loser's patch never landed.
            assert.deepEqual(await store.getReport(stored.id), winner);
          }));

        test('each patchable field changes alone, and nullable ones go back to null', () =>
          using(open, async (store) => {
            const patches: ReportPatch[] = [
              { status: 'failed' },
              { messageId: '<7.x@reportable.example>' },
              { eml: 'Subject: edited\r\n\r\nBody "quoted" ünïcödé\n' },
              { subject: 'Port scan from 192.0.2.10 on 2026-11-26' },
              { body: 'Line one\nline two\n' },
              { recipients: [recipientCc] },
              { note: 'no abuse contact' },
              { note: null },
              { approvedAt: T0 + DAY },
              { approvedAt: null },
              { sentAt: T0 + 2 * DAY },
              { sentAt: null },
              { attempts: 3_000_000_000 },
              { nextAttemptAt: T0 + 3 * DAY },
              { nextAttemptAt: null },
              { lastError: '421 4.7.0 try again later' },
              { lastError: null },
              {},
            ];
            let current = await store.insertReport(reportDraft({ note: 'seed' }), 'approved', T0);
            let now = T0;
            for (const patch of patches) {
              now += 1;
              const moved = await store.transitionReport(current.id, [current.status], patch, now);
              const expected: Report = { ...current, ...patch, updatedAt: now };
              assert.deepEqual(moved, expected, JSON.stringify(patch));
              assert.deepEqual(await store.getReport(current.id), expected);
              current = expected;
            }
          }));
      });

      describe('ledger', () => {
        test('entries are found by source, newest first; other sources are not', () =>
          using(open, async (store) => {
            const e1 = ledgerEntry({ reportId: '1', sentAt: T0 });
            const e2 = ledgerEntry({ reportId: '2', sentAt: T0 + DAY, kind: 'port-scan' });
            const e3 = ledgerEntry({ reportId: '3', src: '2001:db8::7', sentAt: T0 + 2 * DAY });
            // Same time: the later report first ("10" after "9" numerically).
            const e9 = ledgerEntry({
              reportId: '9',
              sentAt: T0 + DAY,
              network: null,
              messageId: null,
            });
            const e10 = ledgerEntry({
              reportId: '10',
              sentAt: T0 + DAY,
              contact: 'abuse@other.example',
            });
            await store.addLedgerEntries([e1, e2, e3]);
            await store.addLedgerEntries([e9, e10]);
            await store.addLedgerEntries([]);
            assert.deepEqual(await store.findLedger(['192.0.2.10']), [e10, e9, e2, e1]);
            assert.deepEqual(await store.findLedger(['2001:db8::7', '192.0.2.10', '192.0.2.10']), [
              e3,
              e10,
              e9,
              e2,
              e1,
            ]);
            assert.deepEqual(await store.findLedger(['203.0.113.1']), []);
            assert.deepEqual(await store.findLedger([]), []);
          }));

        test('an entry recorded again keeps the first; many entries and sources all count', () =>
          using(open, async (store) => {
            const first = ledgerEntry({ messageId: '<first@reportable.example>' });
            await store.addLedgerEntries([first]);
            await store.addLedgerEntries([{ ...first, messageId: '<again@reportable.example>' }]);
            assert.deepEqual(await store.findLedger([first.src]), [first]);
            const sources = Array.from({ length: 1203 }, (_, i) =>
              valueAddress(addressValue('2001:db8::') + BigInt(i), true),
            );
            const entries = sources.map((src, i) =>
              ledgerEntry({ reportId: '5', src, sentAt: T0 + i }),
            );
            await store.addLedgerEntries(entries);
            const found = await store.findLedger(sources);
            assert.equal(found.length, 1203);
            assert.deepEqual(found.slice(0, 2), [entries[1202], entries[1201]]);
          }));
      });

      test('a transition to sent and its ledger entries commit together', () =>
        using(open, async (store) => {
          const stored = await store.insertReport(reportDraft(), 'approved', T0);
          const entry = ledgerEntry({ reportId: stored.id, sentAt: T0 + MINUTE });
          const sent = await store.transaction(async (tx) => {
            const moved = await tx.transitionReport(
              stored.id,
              ['approved'],
              { status: 'sent', sentAt: T0 + MINUTE },
              T0 + MINUTE,
            );
            await tx.addLedgerEntries([entry]);
            assert.deepEqual(await tx.findLedger([entry.src]), [entry]);
            return moved;
          });
          assert.equal(sent?.status, 'sent');
          assert.deepEqual(await store.getReport(stored.id), sent);
          assert.deepEqual(await store.findLedger([entry.src]), [entry]);
        }));

      test('a rolled-back transaction leaves the report’s status and the ledger unchanged', () =>
        using(open, async (store) => {
          const stored = await store.insertReport(reportDraft(), 'approved', T0);
          const claimed = await store.transitionReport(
            stored.id,
            ['approved'],
            { status: 'sending', messageId: '<1@reportable.example>' },
            T0 + 1,
          );
          const boom = new Error('killed between sending and recording');
          await assert.rejects(
            store.transaction(async (tx) => {
              const moved = await tx.transitionReport(
                stored.id,
                ['sending'],
                { status: 'sent', sentAt: T0 + 2 },
                T0 + 2,
              );
              assert.equal(moved?.status, 'sent');
              await tx.addLedgerEntries([ledgerEntry({ reportId: stored.id })]);
              throw boom;
            }),
            (error) => error === boom,
          );
          assert.deepEqual(await store.getReport(stored.id), claimed);
          assert.deepEqual(await store.findLedger(['192.0.2.10']), []);
        }));

      test('a report inserted in a rolled-back transaction leaves no trace', () =>
        using(open, async (store) => {
          const boom = new Error('composition failed');
          await assert.rejects(
            store.transaction(async (tx) => {
              await tx.insertReport(reportDraft(), 'draft', T0);
              throw boom;
            }),
            (error) => error === boom,
          );
          assert.deepEqual(await store.listReports(), []);
          assert.deepEqual(await store.listReports({ incidentIds: reportDraft().incidentIds }), []);
          // The number was not used: the next report takes it.
          assert.equal((await store.insertReport(reportDraft(), 'draft', T0)).id, '1');
        }));
    });

    const persistent = options.persistent;
    test(
      'a reopened database keeps reports and the ledger, and numbers on',
      { skip: persistent === undefined ? 'this database does not outlive its connection' : false },
      async () => {
        if (persistent === undefined) return;
        const reopen = persistent();
        const entry = ledgerEntry();
        const first = await using(reopen, async (store) => {
          await store.addLedgerEntries([entry]);
          await store.insertReport(reportDraft(), 'draft', T0);
          return store.insertReport(reportDraft({ incidentIds: ['inc-z'] }), 'approved', T0);
        });
        await using(reopen, async (store) => {
          assert.deepEqual(await store.listReports({ incidentIds: ['inc-z'] }), [first]);
          assert.deepEqual(await store.findLedger([entry.src]), [entry]);
          assert.equal((await store.insertReport(reportDraft(), 'draft', T0)).id, '3');
        });
      },
    );
    test(
      'a reopened database keeps its data and opens again without re-migrating',
      { skip: persistent === undefined ? 'this database does not outlive its connection' : false },
      async () => {
        if (persistent === undefined) return;
        const reopen = persistent();
        const block = cached('192.0.2.0', '192.0.2.255');
        const first = await using(reopen, async (store) => {
          await store.saveCheckpoints([checkpointA]);
          await store.saveNetwork(block);
          await store.saveLookupFailure('203.0.113.1', 'timed out', T0 + MINUTE);
          await store.saveAddressNetwork(fullAnswer, T0);
          return store.insertIncident(incident());
        });
        const second = await using(reopen, async (store) => {
          assert.deepEqual(await store.listIncidents(), [first]);
          assert.deepEqual(await store.getCheckpoint(checkpointA.identity), checkpointA);
          assert.deepEqual(await store.findNetwork('192.0.2.15', T0), block);
          assert.equal(await store.findLookupFailure('203.0.113.1', T0), 'timed out');
          assert.deepEqual(
            await store.findAddressNetworks([fullAnswer.address]),
            new Map([[fullAnswer.address, { network: fullAnswer, at: T0 }]]),
          );
          return store.insertIncident(incident({ src: '192.0.2.99', severity: 1 }));
        });
        await using(reopen, async (store) => {
          assert.deepEqual(await store.listIncidents(), [first, second]);
        });
      },
    );
  });
}
