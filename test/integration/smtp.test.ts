import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import { writeEml } from '../../src/deliver/eml-files.js';
import { buildReportMessage } from '../../src/deliver/report-message.js';
import type { BuiltMessage, MessageOptions } from '../../src/deliver/report-message.js';
import { SmtpFailure, smtpMailer } from '../../src/deliver/smtp-mailer.js';
import { makeTestCertificate, startSmtpServer } from '../support/smtp-server.js';
import type { TestCertificate, TestSmtpOptions, TestSmtpServer } from '../support/smtp-server.js';
import { LOGIN_XARF, SCAN_XARF, sampleReport } from '../support/report-fixtures.js';

// Every server here listens on 127.0.0.1: no mail leaves the machine.

const OPTIONS: MessageOptions = {
  from: { name: 'Example Ops', email: 'ops@example.org' },
  messageId: '<report-r1.0123abcd@example.org>',
  date: new Date('2026-11-27T12:00:00Z'),
};
const report = sampleReport;

/** The addresses of a parsed To/Cc header. */
function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((a) =>
    a.value.map((v) => v.address ?? ''),
  );
}

const servers: TestSmtpServer[] = [];
/** A server closed after the file's tests. */
async function server(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const s = await startSmtpServer(options);
  servers.push(s);
  return s;
}
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** The SmtpFailure a send rejects with. */
async function failure(url: string, message: BuiltMessage, timeoutMs = 2000): Promise<SmtpFailure> {
  const mailer = smtpMailer(url, { timeoutMs });
  try {
    await mailer.send(message);
  } catch (error) {
    assert.ok(error instanceof SmtpFailure, String(error));
    return error;
  } finally {
    mailer.close();
  }
  throw new Error('the send succeeded');
}

describe('delivery to a loopback SMTP server', () => {
  it('two To, one Cc, two X-ARF parts: envelope, headers, body and attachments arrive', async () => {
    const smtp = await server();
    const message = await buildReportMessage(report(), OPTIONS);
    const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000 });
    const result = await mailer.send(message);
    mailer.close();
    assert.deepEqual(result.accepted, [
      'abuse@example.net',
      'security@example.net',
      'cert@example.com',
    ]);
    assert.deepEqual(result.rejected, []);
    assert.match(result.response, /^250 .*Queued as TEST/);

    assert.equal(smtp.received.length, 1);
    const got = smtp.received[0]!;
    assert.equal(got.from, 'ops@example.org');
    assert.deepEqual(got.to, ['abuse@example.net', 'security@example.net', 'cert@example.com']);
    const parsed = await simpleParser(got.raw);
    assert.equal(parsed.from?.text, '"Example Ops" <ops@example.org>');
    assert.deepEqual(addresses(parsed.to), ['abuse@example.net', 'security@example.net']);
    assert.deepEqual(addresses(parsed.cc), ['cert@example.com']);
    assert.equal(parsed.subject, 'SSH login attack from 192.0.2.10 (2026-11-27)');
    assert.equal(parsed.messageId, '<report-r1.0123abcd@example.org>');
    assert.equal(parsed.headers.get('x-report-id'), 'r1');
    assert.equal(
      parsed.text,
      'Hello,\n\n192.0.2.10 tried 1200 SSH logins:\n  Invalid user admin from 192.0.2.10 port 4242\n',
    );
    assert.deepEqual(
      parsed.attachments.map((a) => [a.filename, JSON.parse(a.content.toString('utf8'))]),
      [
        ['xarf-1.json', LOGIN_XARF],
        ['xarf-2.json', SCAN_XARF],
      ],
    );
  });

  it('the .eml written by --dry-run holds the same bytes the server received', async () => {
    const smtp = await server();
    const message = await buildReportMessage(
      report({ body: 'Grüße\n.\n..leading dots\n' }),
      OPTIONS,
    );
    const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000 });
    await mailer.send(message);
    mailer.close();
    const dir = await mkdtemp(join(tmpdir(), 'reportable-smtp-eml-'));
    try {
      const path = await writeEml(dir, 'r1', message);
      assert.deepEqual(await readFile(path), smtp.received[0]!.raw);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const injection of ['\r\nBcc: victim@example.org', '\nX-Evil: 1']) {
    it(`attacker text with ${JSON.stringify(injection)} adds no header and no recipient`, async () => {
      const smtp = await server();
      const message = await buildReportMessage(
        report({
          recipients: [
            { email: 'abuse@example.net', kind: 'to', source: `whois remark${injection}` },
            { email: 'cert@example.com', kind: 'cc', source: `ptr${injection}` },
          ],
          subject: `SSH login attack by user root${injection}`,
          body: `Invalid user admin${injection} from 192.0.2.10\n${injection}\n`,
          xarf: [{ ...LOGIN_XARF, Url: `http://192.0.2.10/${injection}` }],
          incidentIds: [`inc${injection}`],
        }),
        { ...OPTIONS, from: { name: `Ops${injection}`, email: 'ops@example.org' } },
      );
      const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000 });
      await mailer.send(message);
      mailer.close();
      const got = smtp.received[0]!;
      assert.deepEqual(got.to, ['abuse@example.net', 'cert@example.com']);
      const parsed = await simpleParser(got.raw);
      assert.equal(parsed.bcc, undefined);
      assert.equal(parsed.headers.has('x-evil'), false);
      assert.deepEqual(addresses(parsed.to), ['abuse@example.net']);
      assert.deepEqual(addresses(parsed.cc), ['cert@example.com']);
      assert.deepEqual(JSON.parse(parsed.attachments[0]!.content.toString('utf8')), {
        ...LOGIN_XARF,
        Url: `http://192.0.2.10/${injection}`,
      });
    });
  }
});

describe('TLS and AUTH', () => {
  let certificate: TestCertificate | null = null;
  before(async () => {
    certificate = await makeTestCertificate();
  });
  const CREDENTIALS = { user: 'reporter', pass: 'p@ss:w/rd' };

  it('smtp:// upgrades with STARTTLS when offered and logs in with user:pass from the URL', async (t) => {
    if (certificate === null) return t.skip('openssl is not installed: no test certificate');
    const smtp = await server({ tls: 'starttls', certificate, auth: CREDENTIALS });
    const mailer = smtpMailer(smtp.url(CREDENTIALS), {
      timeoutMs: 5000,
      tls: { ca: certificate.cert },
    });
    await mailer.send(await buildReportMessage(report(), OPTIONS));
    mailer.close();
    assert.deepEqual(
      smtp.received.map((m) => [m.secure, m.user]),
      [[true, 'reporter']],
    );
  });

  it('smtp:// without credentials still upgrades when STARTTLS is offered', async (t) => {
    if (certificate === null) return t.skip('openssl is not installed: no test certificate');
    const smtp = await server({ tls: 'starttls', certificate });
    const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000, tls: { ca: certificate.cert } });
    await mailer.send(await buildReportMessage(report(), OPTIONS));
    mailer.close();
    assert.deepEqual(
      smtp.received.map((m) => m.secure),
      [true],
    );
  });

  it('smtps:// speaks TLS from the start', async (t) => {
    if (certificate === null) return t.skip('openssl is not installed: no test certificate');
    const smtp = await server({ tls: 'implicit', certificate, auth: CREDENTIALS });
    assert.match(smtp.url(), /^smtps:/);
    const mailer = smtpMailer(smtp.url(CREDENTIALS), {
      timeoutMs: 5000,
      tls: { ca: certificate.cert },
    });
    await mailer.send(await buildReportMessage(report(), OPTIONS));
    mailer.close();
    assert.deepEqual(
      smtp.received.map((m) => [m.secure, m.user]),
      [[true, 'reporter']],
    );
  });

  it('an untrusted certificate is refused before anything is sent', async (t) => {
    if (certificate === null) return t.skip('openssl is not installed: no test certificate');
    const smtp = await server({ tls: 'starttls', certificate });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS));
    assert.match(error.message, /self[- ]signed certificate/);
    assert.deepEqual([error.temporary, error.uncertain], [true, false]);
    assert.equal(smtp.received.length, 0);
  });

  it('a wrong password is a permanent failure (535) and the password is not in the message', async (t) => {
    if (certificate === null) return t.skip('openssl is not installed: no test certificate');
    const smtp = await server({ tls: 'starttls', certificate, auth: CREDENTIALS });
    const mailer = smtpMailer(smtp.url({ user: 'reporter', pass: 'wrong-pass' }), {
      timeoutMs: 5000,
      tls: { ca: certificate.cert },
    });
    await assert.rejects(mailer.send(await buildReportMessage(report(), OPTIONS)), (e: unknown) => {
      assert.ok(e instanceof SmtpFailure);
      assert.deepEqual(
        [e.temporary, e.uncertain, e.code, e.responseCode],
        [false, false, 'EAUTH', 535],
      );
      assert.equal(e.message.includes('wrong-pass'), false);
      return true;
    });
    mailer.close();
    assert.equal(smtp.received.length, 0);
  });

  it('credentials are never sent over a connection without STARTTLS', async () => {
    const smtp = await server({ auth: CREDENTIALS });
    const error = await failure(smtp.url(CREDENTIALS), await buildReportMessage(report(), OPTIONS));
    assert.equal(error.code, 'ETLS');
    assert.equal(smtp.received.length, 0);
  });
});

describe('DKIM', () => {
  it('the delivered message carries a DKIM-Signature with d= and s=', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const smtp = await server();
    const message = await buildReportMessage(report(), {
      ...OPTIONS,
      dkim: {
        domainName: 'example.org',
        keySelector: 'rep2026',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      },
    });
    const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000 });
    await mailer.send(message);
    mailer.close();
    const parsed = await simpleParser(smtp.received[0]!.raw);
    const signature = parsed.headerLines.find((h) => h.key === 'dkim-signature')?.line ?? '';
    const tags = signature.replace(/\r\n[ \t]+/g, ' ');
    assert.match(tags, /[; ]d=example\.org;/);
    assert.match(tags, /[; ]s=rep2026;/);
  });
});

describe('error classification against a real server', () => {
  it('451 on RCPT TO: temporary', async () => {
    const smtp = await server({ rcpt: () => ({ code: 451, message: 'Greylisted, try later' }) });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS));
    assert.deepEqual(
      [error.temporary, error.uncertain, error.code, error.responseCode],
      [true, false, 'EENVELOPE', 451],
    );
    assert.match(error.message, /^SMTP 127\.0\.0\.1:\d+: .*451/);
    assert.equal(smtp.received.length, 0);
  });

  it('550 on RCPT TO: permanent', async () => {
    const smtp = await server({ rcpt: () => ({ code: 550, message: 'No such user' }) });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS));
    assert.deepEqual(
      [error.temporary, error.uncertain, error.code, error.responseCode],
      [false, false, 'EENVELOPE', 550],
    );
  });

  it('one recipient refused with 550, the others accepted: sent, and the refusal reported', async () => {
    const smtp = await server({
      rcpt: (a) => (a === 'security@example.net' ? { code: 550, message: 'No such user' } : null),
    });
    const mailer = smtpMailer(smtp.url(), { timeoutMs: 5000 });
    const result = await mailer.send(await buildReportMessage(report(), OPTIONS));
    mailer.close();
    assert.deepEqual(result.accepted, ['abuse@example.net', 'cert@example.com']);
    assert.deepEqual(result.rejected, ['security@example.net']);
    assert.deepEqual(smtp.received[0]!.to, ['abuse@example.net', 'cert@example.com']);
  });

  it('connection closed after the message data, without a reply: uncertain', async () => {
    const smtp = await server({ afterData: 'close' });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS));
    assert.deepEqual([error.temporary, error.uncertain, error.responseCode], [false, true, null]);
    assert.match(error.message, /may have been delivered/);
    assert.equal(smtp.received.length, 1);
  });

  it('no reply after the message data until the timeout: uncertain', async () => {
    const smtp = await server({ afterData: 'silent' });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS), 500);
    assert.deepEqual([error.temporary, error.uncertain, error.code], [false, true, 'ETIMEDOUT']);
  });

  it('connection refused: temporary', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    assert.ok(address !== null && typeof address === 'object');
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(
      `smtp://127.0.0.1:${address.port}`,
      await buildReportMessage(report(), OPTIONS),
    );
    assert.deepEqual([error.temporary, error.uncertain, error.responseCode], [true, false, null]);
  });

  it('no reply to RCPT TO until the timeout (before DATA): temporary', async () => {
    const smtp = await server({ stallRcpt: true });
    const error = await failure(smtp.url(), await buildReportMessage(report(), OPTIONS), 500);
    assert.deepEqual([error.temporary, error.uncertain, error.code], [true, false, 'ETIMEDOUT']);
    assert.equal(smtp.received.length, 0);
  });
});
