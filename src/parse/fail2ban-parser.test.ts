import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { fail2banParser } from './fail2ban-parser.js';
import type { SourceContext } from './source-context.js';

const ctx: SourceContext = {
  source: 't',
  zone: zone('UTC'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};

test('service follows the jail only when the jail names it', () => {
  const p = fail2banParser.build();
  const service = (jail: string) =>
    p.parseLine!(
      `2023-10-01 12:00:00,000 fail2ban.actions [1]: NOTICE [${jail}] Ban 192.0.2.1`,
      ctx,
    )?.service;
  assert.equal(service('sshd'), 'ssh');
  assert.equal(service('sshd-ddos'), 'ssh');
  assert.equal(service('postfix-sasl'), 'smtp');
  assert.equal(service('apache-auth'), 'http');
  assert.equal(service('vsftpd'), 'ftp');
  assert.equal(service('named-refused'), 'dns');
  assert.equal(service('mysqld-auth'), 'mysql');
  assert.equal(service('dovecot'), null);
  assert.equal(service('courier-auth'), null);
});

test('own-log time keeps the milliseconds after the comma, in --tz', () => {
  const p = fail2banParser.build();
  const berlin: SourceContext = { ...ctx, zone: zone('Europe/Berlin') };
  const line =
    '2006-07-13 15:52:30,388 fail2ban.actions        [123]: NOTICE  [sshd] Ban 2001:db8::15';
  const d = p.parseLine!(line, berlin);
  assert.equal(d?.at, Date.UTC(2006, 6, 13, 13, 52, 30, 388));
  assert.equal(d?.src, '2001:db8::15');
});

test('parseLine rejects lines of other formats', () => {
  const p = fail2banParser.build();
  for (const line of [
    '2015-10-07 06:09:42 5907 [Warning] Access denied for user ' + "'root'@'127.0.0.1'",
    '11-Aug-2013 03:36:11.372 error: client 192.0.2.4#52115: zone transfer',
    '2023-10-01 12:00:00,000 myapp.actions: NOTICE [sshd] Ban 192.0.2.1',
    '',
  ]) {
    assert.equal(p.parseLine!(line, ctx), null, line);
  }
});
