import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import type { AddressObject } from 'mailparser';
import type { Recipient } from '../core/report.js';
import { buildReportMessage, newMessageId } from './report-message.js';
import type { MessageOptions } from './report-message.js';
import { LOGIN_XARF, SCAN_XARF, sampleReport } from '../../test/support/report-fixtures.js';

const OPTIONS: MessageOptions = {
  from: { name: 'Example Ops', email: 'ops@example.org' },
  messageId: '<report-r1.0123abcd@example.org>',
  date: new Date('2026-11-27T12:00:00Z'),
};

/** The addresses of a parsed To/Cc header. */
function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  const list = Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value.map((v) => v.address ?? ''));
}

/** The header block of a raw message. */
function headerBlock(raw: string): string {
  return raw.slice(0, raw.indexOf('\r\n\r\n'));
}

describe('buildReportMessage, composed', () => {
  it('report with two To, one Cc and two X-ARF parts: headers, body, attachments', async () => {
    const message = await buildReportMessage(sampleReport(), OPTIONS);
    assert.deepEqual(message.envelope, {
      from: 'ops@example.org',
      to: ['abuse@example.net', 'security@example.net', 'cert@example.com'],
    });
    const parsed = await simpleParser(message.raw);
    assert.equal(parsed.messageId, '<report-r1.0123abcd@example.org>');
    assert.equal(parsed.date?.toISOString(), '2026-11-27T12:00:00.000Z');
    assert.equal(parsed.from?.text, '"Example Ops" <ops@example.org>');
    assert.deepEqual(addresses(parsed.to), ['abuse@example.net', 'security@example.net']);
    assert.deepEqual(addresses(parsed.cc), ['cert@example.com']);
    assert.equal(parsed.subject, 'SSH login attack from 192.0.2.10 (2026-11-27)');
    assert.equal(parsed.headers.get('x-report-id'), 'r1');
    assert.equal(parsed.headers.has('auto-submitted'), false);
    assert.equal(parsed.text, sampleReport().body);
    assert.deepEqual(
      parsed.attachments.map((a) => [a.filename, a.contentType]),
      [
        ['xarf-1.json', 'application/json'],
        ['xarf-2.json', 'application/json'],
      ],
    );
    assert.deepEqual(
      parsed.attachments.map((a) => JSON.parse(a.content.toString('utf8')) as unknown),
      [LOGIN_XARF, SCAN_XARF],
    );
  });

  it('every line ends in CRLF (the bytes sent are the bytes written by --dry-run)', async () => {
    const message = await buildReportMessage(
      sampleReport({ body: 'one\ntwo\r\nthree\rfour' }),
      OPTIONS,
    );
    assert.equal(/[^\r]\n|\r[^\n]/.test(message.raw), false);
    assert.equal((await simpleParser(message.raw)).text, 'one\ntwo\nthree\nfour');
  });

  it('non-ASCII subject, sender name and body survive encoding', async () => {
    const message = await buildReportMessage(
      sampleReport({ subject: 'Angriff von 192.0.2.10 – Grüße', body: 'Grüße aus Köln\n' }),
      { ...OPTIONS, from: { name: 'Jürgen Müller', email: 'ops@example.org' } },
    );
    const parsed = await simpleParser(message.raw);
    assert.equal(parsed.subject, 'Angriff von 192.0.2.10 – Grüße');
    assert.equal(parsed.from?.value[0]?.name, 'Jürgen Müller');
    assert.equal(parsed.text, 'Grüße aus Köln\n');
  });

  it('an address both in To and Cc is mailed once, as To', async () => {
    const message = await buildReportMessage(
      sampleReport({
        recipients: [
          { email: 'abuse@example.net', kind: 'to', source: 'whois' },
          { email: 'Abuse@EXAMPLE.net', kind: 'cc', source: 'report.alwaysCc' },
        ],
      }),
      OPTIONS,
    );
    assert.deepEqual(message.envelope.to, ['abuse@example.net']);
    assert.equal(/^Cc:/im.test(headerBlock(message.raw)), false);
  });

  it('X-ARF part names are positional: an incident id never reaches a file name', async () => {
    const message = await buildReportMessage(
      sampleReport({ xarf: [LOGIN_XARF], incidentIds: ['../etc/passwd\r\nX-Evil: 1'] }),
      OPTIONS,
    );
    const parsed = await simpleParser(message.raw);
    assert.deepEqual(
      parsed.attachments.map((a) => a.filename),
      ['xarf-1.json'],
    );
  });
});

describe('buildReportMessage, header injection', () => {
  const INJECTIONS = ['\r\nBcc: victim@example.org', '\nX-Evil: 1', '\rBcc: victim@example.org'];

  for (const injection of INJECTIONS) {
    it(`subject, body, X-ARF, source, sender name and id with ${JSON.stringify(injection)}`, async () => {
      const recipients: Recipient[] = [
        { email: 'abuse@example.net', kind: 'to', source: `whois${injection}` },
      ];
      const message = await buildReportMessage(
        sampleReport({
          id: `r1${injection}`,
          recipients,
          subject: `SSH attack${injection}`,
          body: `evidence: Invalid user admin${injection}\n${injection}\n`,
          xarf: [{ ...LOGIN_XARF, Note: `x${injection}` }],
          incidentIds: [`inc${injection}`],
        }),
        { ...OPTIONS, from: { name: `Ops${injection}`, email: 'ops@example.org' } },
      );
      assert.deepEqual(message.envelope.to, ['abuse@example.net']);
      assert.equal(/^(bcc|x-evil):/im.test(headerBlock(message.raw)), false);
      const parsed = await simpleParser(message.raw);
      assert.equal(parsed.bcc, undefined);
      assert.equal(parsed.headers.has('x-evil'), false);
      assert.deepEqual(addresses(parsed.to), ['abuse@example.net']);
      assert.equal(parsed.subject, `SSH attack ${injection.trim()}`);
      assert.equal(parsed.attachments.length, 1);
    });
  }

  const BAD_EMAILS = [
    'abuse@example.net\r\nBcc: victim@example.org',
    'abuse@example.net\n',
    'abuse@example.net, victim@example.org',
    'abuse@example.net victim@example.org',
    '<abuse@example.net>',
    'Abuse Desk <abuse@example.net>',
    'mailto:abuse@example.net',
    'abuse@localhost',
    '',
  ];
  for (const email of BAD_EMAILS) {
    it(`refuses the recipient ${JSON.stringify(email)}`, async () => {
      await assert.rejects(
        buildReportMessage(
          sampleReport({ recipients: [{ email, kind: 'to', source: 'x' }] }),
          OPTIONS,
        ),
        /recipient to is not a plain e-mail address/,
      );
      await assert.rejects(
        buildReportMessage(
          sampleReport({
            recipients: [
              { email: 'abuse@example.net', kind: 'to', source: 'x' },
              { email, kind: 'cc', source: 'x' },
            ],
          }),
          OPTIONS,
        ),
        /recipient cc is not a plain e-mail address/,
      );
    });
  }

  it('refuses a sender address or Message-ID that is not plain', async () => {
    await assert.rejects(
      buildReportMessage(sampleReport(), {
        ...OPTIONS,
        from: { name: null, email: 'ops@example.org\r\nBcc: v@example.org' },
      }),
      /sender is not a plain e-mail address/,
    );
    await assert.rejects(
      buildReportMessage(sampleReport(), { ...OPTIONS, messageId: '<a@b>\r\nBcc: v@example.org' }),
      /not a Message-ID/,
    );
  });

  it('a report without a To recipient is not built', async () => {
    await assert.rejects(
      buildReportMessage(
        sampleReport({ recipients: [], note: 'no abuse contact for 192.0.2.0/24' }),
        OPTIONS,
      ),
      /report r1 has no To recipient: no abuse contact for 192.0.2.0\/24/,
    );
  });
});

describe('buildReportMessage, edited message', () => {
  const EDITED = [
    'From: Example Ops <ops@example.org>',
    'To: "Abuse Desk" <abuse@example.net>,',
    '  security@example.net',
    'Cc: Team: cert@example.com, noc@example.com;',
    'Subject: Edited by a person',
    'Message-ID: <old-id@example.org>',
    'DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel; b=stale',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Edited body.',
    '',
  ].join('\n');

  it('is sent as written with our Message-ID, CRLF line ends and no stale DKIM signature', async () => {
    const message = await buildReportMessage(sampleReport({ eml: EDITED }), OPTIONS);
    assert.equal(/[^\r]\n/.test(message.raw), false);
    const head = headerBlock(message.raw);
    assert.equal(head.match(/^Message-ID:/gim)?.length, 1);
    assert.equal(/^DKIM-Signature:/im.test(head), false);
    const parsed = await simpleParser(message.raw);
    assert.equal(parsed.messageId, '<report-r1.0123abcd@example.org>');
    assert.equal(parsed.subject, 'Edited by a person');
    assert.equal(parsed.text, 'Edited body.\n');
  });

  it('envelope from the To and Cc headers (display names, folding, groups)', async () => {
    const message = await buildReportMessage(sampleReport({ eml: EDITED }), OPTIONS);
    assert.deepEqual(message.envelope, {
      from: 'ops@example.org',
      to: ['abuse@example.net', 'security@example.net', 'cert@example.com', 'noc@example.com'],
    });
  });

  it('an edited message without a Message-ID gets ours', async () => {
    const eml = 'To: abuse@example.net\r\nSubject: s\r\n\r\nbody\r\n';
    const message = await buildReportMessage(sampleReport({ eml }), OPTIONS);
    assert.equal(
      message.raw,
      'Message-ID: <report-r1.0123abcd@example.org>\r\nTo: abuse@example.net\r\nSubject: s\r\n\r\nbody\r\n',
    );
  });

  it('refuses a Bcc header, a recipient that is not plain, no recipient, a broken header', async () => {
    const cases: [string, RegExp][] = [
      ['To: abuse@example.net\nBcc: victim@example.org\n\nx', /has a Bcc header/],
      ['To: abuse@example.net\nbcc:\n\nx', /has a Bcc header/],
      ['To: "a" <abuse@example.net>, victim@localhost\n\nx', /edited to is not a plain/],
      ['Subject: nobody\n\nx', /no To or Cc recipient/],
      ['To: abuse@example.net\nnot a header\n\nx', /header line 2 is not a header field/],
    ];
    for (const [eml, error] of cases) {
      await assert.rejects(buildReportMessage(sampleReport({ eml }), OPTIONS), error);
    }
  });
});

describe('buildReportMessage, DKIM', () => {
  it('signs with the given key: DKIM-Signature with d= and s=, first header', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dkim = {
      domainName: 'example.org',
      keySelector: 'rep2026',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    for (const report of [sampleReport(), sampleReport({ eml: 'To: abuse@example.net\n\nx\n' })]) {
      const message = await buildReportMessage(report, { ...OPTIONS, dkim });
      assert.match(message.raw, /^DKIM-Signature: v=1; a=rsa-sha256;/);
      const parsed = await simpleParser(message.raw);
      const signature = parsed.headerLines
        .filter((h) => h.key === 'dkim-signature')
        .map((h) => h.line.replace(/\r\n[ \t]+/g, ' '))
        .join('\n');
      assert.match(signature, /(^|;\s*)d=example\.org;/);
      assert.match(signature, /(^|;\s*)s=rep2026;/);
      assert.match(signature, /h=[^;]*message-id/i);
      assert.equal(parsed.messageId, OPTIONS.messageId);
    }
  });
});

describe('newMessageId', () => {
  it('`<report-ID.RANDOM@domain-of-from>`', () => {
    assert.equal(
      newMessageId('42', 'Ops@Example.ORG', () => 'a1b2'),
      '<report-42.a1b2@example.org>',
    );
  });

  it('a default random part: unique and hex', () => {
    const a = newMessageId('42', 'ops@example.org');
    assert.match(a, /^<report-42\.[0-9a-f]{16}@example\.org>$/);
    assert.notEqual(a, newMessageId('42', 'ops@example.org'));
  });

  it('characters outside a dot-atom are replaced', () => {
    assert.equal(
      newMessageId('r 1>\r\n<x', 'ops@example.org', () => '@@'),
      '<report-r-1-x.-@example.org>',
    );
  });

  it('refuses a sender that is not a plain address', () => {
    assert.throws(() => newMessageId('1', 'ops'), /sender is not a plain e-mail address/);
  });
});
