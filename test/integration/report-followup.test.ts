import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { draftReports, networkHistory } from '../../src/app/report.js';
import { defaultConfig, type Config } from '../../src/config/config-schema.js';
import type { Incident } from '../../src/core/incident.js';
import type { Network } from '../../src/core/network.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { DAY as DAY0, SSH_BRUTE_FORCE } from '../support/report-fixtures.js';

// Never twice, and follow-up (issue 5, item 6), through the real store: a source reported to a
// contact is not reported to it again within report.dedupePeriod; activity that goes on after
// the report is written on the incident and mentioned in the next report; the network's record
// says the activity did not stop.

const DAY = 86_400_000;
const SRC = SSH_BRUTE_FORCE.src as string;

const config: Config = {
  ...defaultConfig(),
  reporter: { name: 'Jane Operator', email: 'abuse-desk@example.net' },
};

const network: Network = {
  address: SRC,
  ptr: null,
  ptrConfirmed: false,
  domain: null,
  asn: 47583,
  asName: null,
  network: {
    start: '157.173.208.0',
    end: '157.173.215.255',
    cidrs: ['157.173.208.0/21'],
    name: 'HOSTINGER-HOSTING',
    handle: null,
    org: 'Hostinger International Limited',
    country: 'US',
    registry: 'ripe',
  },
  contacts: [
    {
      email: 'abuse@hostinger.com',
      roles: ['abuse'],
      source: 'whois.ripe.net % Abuse contact',
      structured: true,
      level: 'org',
    },
  ],
  hints: [],
  chain: [],
  errors: [],
};

/** Marks a report sent at `at`, as `send` does: status and ledger in one transaction. */
async function markSent(store: Store, id: string, at: number): Promise<void> {
  await store.transaction(async (tx) => {
    const r = await tx.transitionReport(
      id,
      ['draft', 'approved'],
      { status: 'sent', sentAt: at, messageId: `<report-${id}.test@example.net>` },
      at,
    );
    assert.ok(r);
    await tx.addLedgerEntries(
      r.sources.flatMap((src) =>
        r.kinds.map((kind) => ({
          reportId: r.id,
          src,
          contact: r.contact,
          kind,
          network: '157.173.208.0 - 157.173.215.255',
          messageId: r.messageId,
          sentAt: at,
        })),
      ),
    );
  });
}

describe('never twice, and follow-up', () => {
  let store: Store;
  let incident: Incident;
  before(async () => {
    store = await openSqliteStore(':memory:');
    const fresh: Record<string, unknown> = { ...SSH_BRUTE_FORCE };
    delete fresh['id'];
    incident = await store.insertIncident(fresh as Omit<Incident, 'id'>);
    await store.saveAddressNetwork(network, DAY0);
  });
  after(async () => {
    await store?.close();
  });

  it('drafts once, then nothing while the report is pending or nothing new happened', async () => {
    const first = await draftReports({ config, store, now: DAY0 + DAY });
    assert.equal(first.reports.length, 1);
    assert.equal(first.reports[0]?.contact, 'abuse@hostinger.com');
    const pending = await draftReports({ config, store, now: DAY0 + DAY });
    assert.deepEqual(pending.reports, []);
    assert.match(pending.skipped[0]?.reason ?? '', /already in report 1 \(draft\)/);
    await markSent(store, '1', DAY0 + DAY);
    const quiet = await draftReports({ config, store, now: DAY0 + 2 * DAY });
    assert.deepEqual(quiet.reports, []);
    assert.match(
      quiet.skipped[0]?.reason ?? '',
      /reported in report 1 on 2026-11-27; nothing new since/,
    );
  });

  it('activity within the dedupe period is noted on the incident, not reported again', async () => {
    incident = { ...incident, lastSeen: DAY0 + 4 * DAY, events: incident.events + 10 };
    await store.updateIncident(incident);
    const again = await draftReports({ config, store, now: DAY0 + 4 * DAY });
    assert.deepEqual(again.reports, []);
    assert.match(
      again.skipped[0]?.reason ?? '',
      /reported to abuse@hostinger\.com for brute-force on 2026-11-27 \(report 1\), within report\.dedupePeriod/,
    );
    const [stored] = await store.listIncidents({ ids: [incident.id] });
    assert.ok(stored?.reasons.includes('still active 3 days after report 1 of 2026-11-27'));
  });

  it('after the period, the next report says the activity went on after the first', async () => {
    incident = {
      ...(await store.listIncidents({ ids: [incident.id] }))[0]!,
      lastSeen: DAY0 + 10 * DAY,
    };
    await store.updateIncident(incident);
    const later = await draftReports({ config, store, now: DAY0 + 10 * DAY });
    assert.equal(later.reports.length, 1);
    assert.match(
      later.reports[0]?.body ?? '',
      /We reported this address to you on 2026-11-27 \(Message-ID <report-1\.test@example\.net>\); the activity continued 9 days after that report\./,
    );
    const history = await networkHistory(store);
    assert.deepEqual(
      history.map((h) => [h.network, h.reports, h.continuedAfterReport]),
      [['157.173.208.0 - 157.173.215.255', 1, true]],
    );
  });
});
