import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoUtc, zone } from '../core/time.js';
import { journalEnvelope, newTimeMemo, parseEnvelope } from './syslog-envelope.js';

const ctx = {
  source: 't',
  zone: zone('Europe/Berlin'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};
const env = (line: string) => {
  const e = parseEnvelope(line, ctx, newTimeMemo());
  return e && { ...e, at: e.at === null ? null : isoUtc(e.at) };
};

test('RFC 3164 with host, tag and pid, local time in --tz', () => {
  assert.deepEqual(env('Nov 26 04:12:09 gw ftpd[3689]: refused connect from 203.0.113.9'), {
    format: 'rfc3164',
    at: '2026-11-26T03:12:09Z',
    host: 'gw',
    program: 'ftpd',
    pid: '3689',
    message: 'refused connect from 203.0.113.9',
    count: 1,
  });
});

test('RFC 3164 with an unpadded day and no host (dropbear corpus)', () => {
  const e = env('Feb 9 00:00:00 dropbear[1234]: login attempt for nonexistent user');
  assert.equal(e?.host, null);
  assert.equal(e?.program, 'dropbear');
  assert.equal(e?.at, '2026-02-08T23:00:00Z');
});

test('priority prefix before an RFC 3164 header', () => {
  const e = env('<38>Nov 26 04:12:09 gw sshd[1]: hello');
  assert.equal(e?.program, 'sshd');
  assert.equal(e?.message, 'hello');
});

test('rsyslog high-precision ISO 8601 with offset', () => {
  const e = env('2026-11-26T04:12:09.123456+01:00 gw sshd[1]: hello');
  assert.equal(e?.format, 'iso8601');
  assert.equal(e?.at, '2026-11-26T03:12:09.123Z');
});

test('ISO 8601 without offset is local time (vsftpd corpus)', () => {
  const e = env(
    '2025-03-04T01:06:36.645577 ip-172-31-3-150.ap-southeast-2.compute.internal vsftpd[1658]: x',
  );
  assert.equal(e?.at, '2025-03-04T00:06:36.645Z');
  assert.equal(e?.host, 'ip-172-31-3-150.ap-southeast-2.compute.internal');
});

test('RFC 5424 with structured data and BOM', () => {
  const e = env(
    '<38>1 2019-07-08T17:40:16.954167-04:00 srv sshd 1234 - [meta x="a\\]b"] \uFEFFFailed password',
  );
  assert.equal(e?.format, 'rfc5424');
  assert.equal(e?.at, '2019-07-08T21:40:16.954Z');
  assert.equal(e?.program, 'sshd');
  assert.equal(e?.pid, '1234');
  assert.equal(e?.message, 'Failed password');
});

test('message repeated N times is unwrapped with its count', () => {
  const e = env(
    'Nov 26 04:12:09 gw sshd[1]: message repeated 5 times: [ Failed password for root from 192.0.2.1 port 22 ssh2]',
  );
  assert.equal(e?.count, 5);
  assert.equal(e?.message, 'Failed password for root from 192.0.2.1 port 22 ssh2');
});

test('kernel uptime prefix is removed', () => {
  const e = env('Nov 26 04:12:09 gw kernel: [  970.699396] IN=eth0 OUT= SRC=192.0.2.1');
  assert.equal(e?.message, 'IN=eth0 OUT= SRC=192.0.2.1');
});

test('time-less journal form host prog[pid]: msg', () => {
  const e = env('srv sshd[13709]: Invalid user x from 192.0.2.1');
  assert.equal(e?.format, 'untimed');
  assert.equal(e?.at, null);
  assert.equal(e?.program, 'sshd');
});

// libtai's tai_now() stores 2^62 + 10 + unix seconds, and tai64nlocal subtracts the 10 again;
// fail2ban ignores the 10 s, so its dovecot annotation is 10 s later than multilog meant.
test('TAI64N label (dovecot corpus) is decoded as tai64nlocal does', () => {
  const e = env('@400000004c91b044077a9e94 imap-login: Info: Aborted login');
  assert.equal(e?.format, 'tai64n');
  assert.equal(e?.at?.slice(0, 19), '2010-09-16T05:50:50');
  assert.equal(e?.program, 'imap-login');
});

test('lines that are not syslog give null', () => {
  for (const l of [
    '192.0.2.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 1',
    '[Sat Jun 01 02:17:42 2013] [error] [client 192.0.2.1] x',
    'Fri Jan 19 12:20:33 2007 [pid 27202] [anonymous] FAIL LOGIN: Client "192.0.2.1"',
    '',
    '\u0000\u0000binary',
  ]) {
    assert.equal(env(l), null, l);
  }
});

test('journalctl -o json record', () => {
  const e = journalEnvelope({
    __REALTIME_TIMESTAMP: '1700000000123456',
    _HOSTNAME: 'srv',
    SYSLOG_IDENTIFIER: 'sshd',
    _PID: '42',
    MESSAGE: 'Invalid user x from 192.0.2.1',
  });
  assert.equal(e?.at, 1700000000123);
  assert.equal(e?.program, 'sshd');
  assert.equal(e?.host, 'srv');
  const bytes = journalEnvelope({ MESSAGE: [104, 105], __REALTIME_TIMESTAMP: '1' });
  assert.equal(bytes?.message, 'hi');
});
