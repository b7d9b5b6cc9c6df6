import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { mysqldParser } from './mysqld-parser.js';
import type { SourceContext } from './source-context.js';

const ctx: SourceContext = {
  source: 't',
  zone: zone('UTC'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};
const LINE =
  "2015-10-07  8:25:38 139845235329792 [Warning] Access denied for user 'root'@'203.0.113.50' (using password: YES)";

// A user name cannot push a line to the reader's 64 KiB cut: MySQL formats the message with
// `%-.48s` for the user. So the cut-line case only needs a plain name.
test('every truncation of an error-log line gives nothing or the real host', () => {
  const p = mysqldParser.build();
  for (let n = 0; n <= LINE.length; n++) {
    const d = p.parseLine!(LINE.slice(0, n), ctx);
    if (d !== null) assert.equal(d.src, '203.0.113.50', `at length ${n}: ${LINE.slice(0, n)}`);
  }
  assert.equal(p.parseLine!(LINE, ctx)?.at, Date.UTC(2015, 9, 7, 8, 25, 38));
});

test('all error-log stamp forms give the same instant', () => {
  const p = mysqldParser.build();
  const tail = " [Warning] Access denied for user 'root'@'192.0.2.1' (using password: NO)";
  const want = Date.UTC(2013, 2, 24, 0, 4, 0);
  for (const stamp of [
    '130324  0:04:00',
    '2013-03-24 00:04:00 5',
    '2013-03-24  0:04:00 5',
    '2013-03-24T00:04:00.000001 5',
    '2013-03-24T01:04:00.000001+01:00 5',
  ]) {
    assert.equal(p.parseLine!(stamp + tail, ctx)?.at, want, stamp);
  }
});

test('parseLine rejects lines of other formats and impossible dates', () => {
  const p = mysqldParser.build();
  for (const line of [
    '192.0.2.1 - - [26/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 1',
    '2006-02-13 15:52:30,388 fail2ban.actions: NOTICE [sshd] Ban 192.0.2.4',
    "130230  0:04:00 [Warning] Access denied for user 'root'@'192.0.2.1' (using password: NO)",
    "130324 24:04:00 [Warning] Access denied for user 'root'@'192.0.2.1' (using password: NO)",
    "130324  0:04:00 Access denied for user 'root'@'192.0.2.1' (using password: NO)",
    "130324  0:04:00 [Warning] Access denied for user 'root'@'not a host' (using password: NO)",
    '',
  ]) {
    assert.equal(p.parseLine!(line, ctx), null, line);
  }
});
