import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zone } from '../core/time.js';
import { courierParser } from './courier-parser.js';
import { cyrusParser } from './cyrus-parser.js';
import { dovecotParser } from './dovecot-parser.js';
import { eximParser } from './exim-parser.js';
import { LineParser, newSourceState } from './line-parser.js';
import { postfixParser } from './postfix-parser.js';
import { sendmailParser } from './sendmail-parser.js';

const MAIL = [postfixParser, dovecotParser, eximParser, sendmailParser, courierParser, cyrusParser];

function state() {
  return newSourceState({ source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27) });
}

describe('mail family parsers on hostile input', () => {
  const parser = new LineParser(MAIL);
  const prefixes = [
    'Nov 26 04:12:09 mx postfix/smtpd[1]: ',
    'Nov 26 04:12:09 mx postfix/smtpd[1]: warning: ',
    'Nov 26 04:12:09 mx postfix/smtpd[1]: NOQUEUE: reject: RCPT from ',
    'Nov 26 04:12:09 mx dovecot: imap-login: Disconnected (auth failed): ',
    'Nov 26 04:12:09 mx dovecot: auth: ',
    'Nov 26 04:12:09 mx sm-mta[1]: s1GNXHYB005133: ',
    'Nov 26 04:12:09 mx sm-mta[1]: ruleset=check_rcpt, arg1=<',
    'Nov 26 04:12:09 mx courieresmtpd: error,relay=',
    'Nov 26 04:12:09 mx imapd: badlogin: ',
    'Nov 26 04:12:09 mx imapd: LOGIN FAILED, user=',
    '2013-01-04 17:03:46 ',
    '2013-01-04 17:03:46 H=',
    '2013-01-04 17:03:46 SMTP protocol error in "',
    '2013-01-04 17:03:46 auth-worker(1): ',
  ];
  const bodies = [
    '',
    '[',
    ']',
    ':',
    '(((((',
    'a: '.repeat(5000),
    '['.repeat(5000),
    'x['.repeat(3000) + '192.0.2.1]',
    '" H=('.repeat(3000),
    ', relay=['.repeat(3000),
    'pam('.repeat(3000) + '192.0.2.1): unknown user',
    ' from unknown['.repeat(3000),
    '\u0000\uffff\ud800',
  ];

  it('never throws and stays fast on long, malformed lines', () => {
    const st = state();
    const started = performance.now();
    let n = 0;
    for (const pre of prefixes) {
      for (const body of bodies) {
        parser.parse(pre + body, ++n, st);
      }
    }
    const ms = performance.now() - started;
    // ~180 lines of up to 30 kB each; linear-time parsing finishes far below this.
    assert.ok(ms < 1500, `took ${ms.toFixed(0)} ms`);
  });

  it('gives no source from text the client wrote after the daemon fields', () => {
    const st = state();
    const ev = parser.parse(
      'Nov 26 04:12:09 mx postfix/smtpd[1]: warning: unknown[192.0.2.1]: SASL LOGIN authentication failed: ' +
        'x'.repeat(10_000) +
        ', sasl_username=unknown[203.0.113.9]',
      1,
      st,
    );
    assert.equal(ev?.src, '192.0.2.1');
  });
});

describe('own-format lines', () => {
  it('exim and dovecot leave each other’s ISO-stamped lines alone', () => {
    const exim = eximParser.build();
    const dovecot = dovecotParser.build();
    const ctx = { source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27) };
    const dovecotLine =
      '2013-08-11 03:56:40 auth-worker(default): Info: pam(u,192.0.2.1): pam_authenticate() failed: Authentication failure';
    const eximLine =
      '2013-06-12 03:57:58 login authenticator failed for (ylmf-pc) [192.0.2.2]: 535 Incorrect authentication data';
    assert.equal(exim.parseLine!(dovecotLine, ctx), null);
    assert.equal(dovecot.parseLine!(eximLine, ctx), null);
    assert.equal(exim.parseLine!(eximLine, ctx)?.src, '192.0.2.2');
    assert.equal(dovecot.parseLine!(dovecotLine, ctx)?.src, '192.0.2.1');
  });

  it('rejects lines that are not stamped without looking further', () => {
    const ctx = { source: 't', zone: zone('UTC'), now: 0 };
    assert.equal(eximParser.build().parseLine!('GET / HTTP/1.1', ctx), null);
    assert.equal(dovecotParser.build().parseLine!('192.0.2.1 - - [x]', ctx), null);
  });
});
