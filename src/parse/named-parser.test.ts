import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { namedParser } from './named-parser.js';
import type { SourceContext } from './source-context.js';
import { newTimeMemo, parseEnvelope } from './syslog-envelope.js';

const ctx: SourceContext = {
  source: 't',
  zone: zone('Europe/Berlin'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};
const OWN =
  '23-Aug-2013 18:41:28.090 client @0x7f7c95c76968 192.0.2.3#60683 (example.com): ' +
  "query (cache) 'example.com/A/IN' denied (allow-query-cache did not match)";
const SYSLOG =
  'Aug 27 16:59:00 host named[28098]: client @0x7f6450002ef0 192.0.2.1#23332 (example.com): ' +
  "bad zone transfer request: 'test.com/IN': non-authoritative zone (NOTAUTH)";

test('every truncation of an own-log denial gives nothing or the real client', () => {
  const p = namedParser.build();
  for (let n = 0; n <= OWN.length; n++) {
    const d = p.parseLine!(OWN.slice(0, n), ctx);
    if (d !== null) assert.equal(d.src, '192.0.2.3', `at length ${n}`);
  }
  assert.equal(p.parseLine!(OWN, ctx)?.src, '192.0.2.3');
});

test('every truncation of a syslog denial gives nothing or the real client', () => {
  const p = namedParser.build();
  for (let n = 0; n <= SYSLOG.length; n++) {
    const env = parseEnvelope(SYSLOG.slice(0, n), ctx, newTimeMemo());
    if (env === null) continue;
    const d = p.parseMessage!(env.message, env);
    if (d !== null) assert.equal(d.src, '192.0.2.1', `at length ${n}`);
  }
});

test('parseLine rejects lines of other formats', () => {
  const p = namedParser.build();
  for (const line of [
    '192.0.2.1 - - [26/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 1',
    '2006-02-13 15:52:30,388 fail2ban.actions: NOTICE [sshd] Ban 192.0.2.4',
    '130324  0:04:00 [Warning] Access denied for user ' + "'root'@'192.0.2.35'",
    '11-Aug-2013 03:36:11.372 general: info: zone example.com/IN: loaded serial 1',
    '31-Feb-2013 03:36:11.372 client 192.0.2.4#52115: zone transfer ' + "'x/AXFR/IN' denied",
    '',
  ]) {
    assert.equal(p.parseLine!(line, ctx), null, line);
  }
});
