import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendApproved, type SendRequest } from '../../src/app/send.js';
import { defaultConfig } from '../../src/config/config-schema.js';
import type { ReportDraft } from '../../src/core/report.js';
import { smtpMailer } from '../../src/deliver/smtp-mailer.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtp-server.js';

// The outbox of `reportable send` against a real SQLite store and a real SMTP server on
// loopback: hourly limits, temporary and permanent refusals, an answer lost after the data,
// and two runs at once.

const SMTP = { ...defaultConfig().smtp, timeoutMs: 2000, retryAfter: 60_000, maxAttempts: 2 };
const FROM = { name: 'Example Ops', email: 'abuse-desk@example.net' };

function draft(n: number, to: string): ReportDraft {
  return {
    contact: to,
    recipients: [{ email: to, kind: 'to', source: 'test' }],
    subject: `Abuse report ${n}`,
    body: `Report ${n}.\n`,
    xarf: [],
    incidentIds: [`inc-${n}`],
    sources: [`194.164.64.${n}`],
    kinds: ['brute-force'],
    note: null,
  };
}

let clock = Date.UTC(2026, 10, 27, 12, 0, 0);
const now = (): number => clock;

async function approved(store: Store, drafts: readonly ReportDraft[]): Promise<string[]> {
  const ids: string[] = [];
  for (const d of drafts) ids.push((await store.insertReport(d, 'approved', now())).id);
  return ids;
}

function request(store: Store, server: TestSmtpServer, smtp = SMTP): SendRequest {
  return {
    store,
    smtp,
    from: FROM,
    mailer: smtpMailer(server.url(), { timeoutMs: smtp.timeoutMs }),
    now,
  };
}

describe('the outbox', () => {
  let store: Store;
  before(async () => {
    store = await openSqliteStore(':memory:');
  });
  after(async () => {
    await store?.close();
  });

  it('sends within smtp.perHour and per recipient domain; the rest waits, approved', async () => {
    const server = await startSmtpServer();
    try {
      await approved(store, [
        draft(1, 'abuse@hostinger.com'),
        draft(2, 'noc@hostinger.com'),
        draft(3, 'abuse@hosteurope.de'),
        draft(4, 'abuse@triara.com'),
      ]);
      const out = await sendApproved(
        request(store, server, { ...SMTP, perHour: 3, perDomainPerHour: 1 }),
      );
      assert.deepEqual(
        out.map((o) => [o.id, o.result]),
        [
          ['1', 'sent'],
          ['2', 'held'],
          ['3', 'sent'],
          ['4', 'sent'],
        ],
      );
      assert.match(out[1]?.detail ?? '', /perDomainPerHour \(1\) reached for hostinger\.com/);
      assert.deepEqual(
        server.received.map((m) => m.to),
        [['abuse@hostinger.com'], ['abuse@hosteurope.de'], ['abuse@triara.com']],
      );
      // Within the same hour the hourly limit holds report 2 back too.
      const again = await sendApproved(
        request(store, server, { ...SMTP, perHour: 3, perDomainPerHour: 5 }),
      );
      assert.deepEqual(
        again.map((o) => [o.id, o.result]),
        [['2', 'held']],
      );
      assert.match(again[0]?.detail ?? '', /perHour \(3\) reached/);
      // An hour later it goes.
      clock += 3_600_001;
      const later = await sendApproved(request(store, server));
      assert.deepEqual(
        later.map((o) => [o.id, o.result]),
        [['2', 'sent']],
      );
      const sent = await store.listReports({ statuses: ['sent'] });
      assert.equal(sent.length, 4);
      const ledger = await store.findLedger(['194.164.64.2']);
      assert.deepEqual(
        ledger.map((e) => [e.reportId, e.contact, e.kind]),
        [['2', 'noc@hostinger.com', 'brute-force']],
      );
    } finally {
      await server.close();
    }
  });

  it('a temporary refusal backs off and is retried; after smtp.maxAttempts it fails', async () => {
    const server = await startSmtpServer({
      rcpt: (a) => (a === 'abuse@busy.example' ? { code: 451, message: 'try again later' } : null),
    });
    try {
      const [id] = await approved(store, [draft(10, 'abuse@busy.example')]);
      const first = await sendApproved(request(store, server));
      assert.deepEqual(
        first.map((o) => o.result),
        ['retry'],
      );
      let r = await store.getReport(id!);
      assert.equal(r?.status, 'approved');
      assert.equal(r?.attempts, 1);
      assert.equal(r?.nextAttemptAt, clock + 60_000);
      assert.match(r?.lastError ?? '', /451/);
      const messageId = r?.messageId;
      assert.ok(messageId, 'the Message-ID was recorded before the attempt');
      // Not due yet: nothing is tried.
      assert.deepEqual(await sendApproved(request(store, server)), []);
      clock += 60_000;
      const second = await sendApproved(request(store, server));
      assert.deepEqual(
        second.map((o) => o.result),
        ['failed'],
      );
      r = await store.getReport(id!);
      assert.equal(r?.status, 'failed');
      assert.equal(r?.attempts, 2);
      assert.equal(r?.messageId, messageId, 'one Message-ID across attempts');
    } finally {
      await server.close();
    }
  });

  it('a permanent refusal fails at once; a lost answer after the data fails without retry', async () => {
    const refusing = await startSmtpServer({
      rcpt: () => ({ code: 550, message: 'no such user' }),
    });
    const closing = await startSmtpServer({ afterData: 'close' });
    try {
      const [refused] = await approved(store, [draft(20, 'nobody@example.org')]);
      const out = await sendApproved(request(store, refusing));
      assert.deepEqual(
        out.map((o) => o.result),
        ['failed'],
      );
      assert.equal((await store.getReport(refused!))?.status, 'failed');

      const [lost] = await approved(store, [draft(21, 'abuse@example.org')]);
      const out2 = await sendApproved(request(store, closing));
      assert.deepEqual(
        out2.map((o) => o.result),
        ['failed'],
      );
      assert.equal(closing.received.length, 1);
      const r = await store.getReport(lost!);
      assert.equal(r?.status, 'failed');
      assert.match(r?.lastError ?? '', /may have accepted it/);
      // Not retried on its own.
      clock += 10 * 3_600_000;
      await sendApproved(request(store, closing));
      assert.equal(closing.received.length, 1);
    } finally {
      await refusing.close();
      await closing.close();
    }
  });

  it('two runs at once send each report once', async () => {
    const server = await startSmtpServer();
    try {
      clock += 10 * 3_600_000;
      const ids = await approved(
        store,
        Array.from({ length: 6 }, (_, i) => draft(30 + i, `abuse@net${i}.example`)),
      );
      const smtp = { ...SMTP, perHour: 100, perDomainPerHour: 100 };
      const [a, b] = await Promise.all([
        sendApproved(request(store, server, smtp)),
        sendApproved(request(store, server, smtp)),
      ]);
      const sent = [...a, ...b].filter((o) => o.result === 'sent').map((o) => o.id);
      assert.deepEqual(sent.sort(), [...ids].sort());
      assert.equal(server.received.length, 6);
    } finally {
      await server.close();
    }
  });

  it('a report without a recipient is held, saying why', async () => {
    const server = await startSmtpServer();
    try {
      clock += 10 * 3_600_000;
      const d = {
        ...draft(40, 'x@example.org'),
        recipients: [],
        note: 'no contact found for 194.164.64.40',
      };
      const r = await store.insertReport(d, 'approved', now());
      const out = await sendApproved(request(store, server));
      assert.deepEqual(out, [
        { id: r.id, result: 'held', detail: 'no contact found for 194.164.64.40' },
      ]);
      assert.equal(server.received.length, 0);
    } finally {
      await server.close();
    }
  });
});
