import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, ExternalError } from '../core/errors.js';
import { SmtpFailure, smtpMailer } from './smtp-mailer.js';

describe('smtpMailer URL', () => {
  it('accepts smtp:// and smtps:// with or without credentials and port', () => {
    for (const url of [
      'smtp://mail.example.net',
      'smtp://user:p%40ss@mail.example.net:587',
      'smtps://mail.example.net:465/',
      'smtp://[2001:db8::25]:2525',
    ]) {
      smtpMailer(url, { timeoutMs: 1000 }).close();
    }
  });

  const BAD: [string, RegExp][] = [
    ['mail.example.net', /not a URL/],
    ['http://mail.example.net', /must be smtp:\/\/ or smtps:\/\/, not http:\/\//],
    ['smtp://mail.example.net/path', /no path or query/],
    ['smtp://mail.example.net?tls=off', /no path or query/],
    ['smtp://user:%E0%A4%A@mail.example.net', /not valid percent-encoding/],
  ];
  for (const [url, error] of BAD) {
    it(`refuses ${url} with a ConfigError`, () => {
      assert.throws(
        () => smtpMailer(url, { timeoutMs: 1000 }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, error);
          return true;
        },
      );
    });
  }

  it('never repeats the password in an error', () => {
    assert.throws(
      () => smtpMailer('ftp://user:s3cret@mail.example.net', { timeoutMs: 1000 }),
      (e: unknown) => e instanceof ConfigError && !e.message.includes('s3cret'),
    );
  });
});

describe('SmtpFailure', () => {
  it('is an ExternalError (exit status 1) carrying its classification and cause', () => {
    const cause = new Error('451 try later');
    const failure = new SmtpFailure(
      'SMTP 127.0.0.1:25: 451 try later',
      { temporary: true, uncertain: false, code: 'EENVELOPE', responseCode: 451 },
      { cause },
    );
    assert.ok(failure instanceof ExternalError);
    assert.deepEqual(
      [failure.temporary, failure.uncertain, failure.code, failure.responseCode, failure.cause],
      [true, false, 'EENVELOPE', 451, cause],
    );
  });
});
