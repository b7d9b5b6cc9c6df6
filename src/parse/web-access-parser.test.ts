import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import type { SourceContext } from './source-context.js';
import { webAccessParser } from './web-access-parser.js';
import {
  attackSignature,
  badRequest,
  scanSignature,
  splitRequest,
} from './web-attack-classifier.js';

const ctx: SourceContext = { source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27) };
const line = (stamp: string, req = 'GET / HTTP/1.1', status = 200): string =>
  `192.0.2.1 - - [${stamp}] "${req}" ${status} 10 "-" "-"`;

test('the one-entry time memo keys on the whole stamp, offset included', () => {
  const p = webAccessParser.build();
  const a = p.parseLine!(line('26/Nov/2026:10:00:00 +0000'), ctx);
  const b = p.parseLine!(line('26/Nov/2026:10:00:00 +0100'), ctx);
  const c = p.parseLine!(line('26/Nov/2026:10:00:00 +0000'), ctx);
  assert.equal(a?.at, Date.UTC(2026, 10, 26, 10));
  assert.equal(b?.at, Date.UTC(2026, 10, 26, 9));
  assert.equal(c?.at, a?.at);
});

test('a stamp with milliseconds (%{msec_frac}t) keeps them', () => {
  const p = webAccessParser.build();
  const d = p.parseLine!(line('26/Nov/2026:10:00:00.123 -0200'), ctx);
  assert.equal(d?.at, Date.UTC(2026, 10, 26, 12, 0, 0, 123));
});

test('invalid stamps and statuses give nothing', () => {
  const p = webAccessParser.build();
  assert.equal(p.parseLine!(line('32/Nov/2026:10:00:00 +0000'), ctx), null);
  assert.equal(p.parseLine!(line('26/Foo/2026:10:00:00 +0000'), ctx), null);
  assert.equal(p.parseLine!(line('26/Nov/2026:10:00:00 +9900'), ctx), null);
  assert.equal(
    p.parseLine!('192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 2x0 1', ctx),
    null,
  );
  assert.equal(p.parseLine!('192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "GET / HTTP', ctx), null);
});

test('request lines: HTTP/0.9, lower-case methods, no version', () => {
  assert.deepEqual(splitRequest('GET /'), { method: 'GET', target: '/' });
  assert.deepEqual(splitRequest('PROPFIND /dav/ HTTP/1.1'), {
    method: 'PROPFIND',
    target: '/dav/',
  });
  assert.equal(splitRequest('get / HTTP/1.1'), null);
  assert.equal(splitRequest('GET'), null);
  assert.equal(splitRequest('GET foo'), null);
  assert.equal(splitRequest('\\x16\\x03\\x01 / HTTP/1.1'), null);
});

test('attack signatures see through percent-encoding, double encoding and SQL comments', () => {
  assert.equal(attackSignature('/a/%2E%2E/%2e%2e/etc/passwd', null, null), 'path traversal');
  assert.equal(attackSignature('/a/%252e%252e/x', null, null), 'path traversal');
  assert.equal(attackSignature('/a/..%5c..%5cwindows', null, null), 'path traversal');
  assert.equal(attackSignature('/x?q=%24%28id%29', null, null), 'command injection');
  assert.equal(attackSignature('/x?q=a%7Csh', null, null), 'command injection');
  assert.equal(attackSignature('/shop?q=a|shoes', null, null), null);
  assert.equal(attackSignature('/x?id=1%20UnIoN%20aLl%20SeLeCt%201', null, null), 'sql injection');
  assert.equal(attackSignature('/x?id=1/**/UNION/**/SELECT/**/1', null, null), 'sql injection');
  assert.equal(attackSignature('/x', '() { :;}; echo', null), 'shellshock');
  assert.equal(attackSignature('/x', null, '() { _; } >_[$($())] { id; }'), 'shellshock');
  assert.equal(attackSignature('/index.html?utm=a+b', null, null), null);
  assert.equal(attackSignature('/' + 'a'.repeat(2001), null, null), 'overflow');
});

test('cmd= counts only with a value that reads like a command line', () => {
  assert.equal(attackSignature('/x?cmd=status', null, null), null);
  assert.equal(attackSignature('/x?cmd=cat+/etc/passwd', null, null), 'command injection');
  assert.equal(attackSignature('/x?a=1&cmd=id;uname', null, null), 'command injection');
  assert.equal(attackSignature('/x?mycmd=a+b', null, null), null);
});

test('scanner paths: whole segments, case-insensitive, query ignored', () => {
  assert.equal(scanSignature('/PhpMyAdmin/index.php'), 'scan for phpmyadmin');
  assert.equal(scanSignature('/pma2011/'), 'scan for phpmyadmin');
  assert.equal(scanSignature('/pmapper/x'), null);
  assert.equal(scanSignature('/search?q=/phpmyadmin'), null);
  assert.equal(scanSignature('/.env.production'), 'scan for .env');
  assert.equal(scanSignature('/environment'), null);
  assert.equal(scanSignature('/manager/html/list'), 'scan for tomcat manager');
  assert.equal(scanSignature('/manager/'), null);
  assert.equal(scanSignature('/backup/db.sql'), 'scan for database dumps');
});

test('bad requests: handshakes, shellcode, garbage', () => {
  assert.equal(badRequest('').signature, 'empty request');
  assert.equal(badRequest('\\x16\\x03\\x01\\x00').signature, 'TLS handshake on plain HTTP');
  assert.equal(badRequest('\\x90'.repeat(16)).kind, 'exploit-attempt');
  assert.equal(badRequest('\\x90'.repeat(15)).kind, 'protocol-error');
  assert.equal(badRequest('HELP').signature, 'bad request');
});

test('hostile lines end quickly and never throw', () => {
  const p = webAccessParser.build();
  const hostile = [
    '192.0.2.1 - ' + '['.repeat(100_000),
    '192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "' + '\\"'.repeat(50_000),
    '192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "GET /' + '%25'.repeat(30_000) + ' HTTP/1.1" 404 1',
    '192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "GET /' +
      'cmd='.repeat(30_000) +
      ' HTTP/1.1" 404 1',
    '192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "' + '\\x'.repeat(50_000) + '" 400 1',
    'a'.repeat(100_000),
  ];
  const t0 = performance.now();
  for (const l of hostile) p.parseLine!(l, ctx);
  assert.ok(performance.now() - t0 < 2000, 'hostile lines took too long');
  let seed = 7;
  const alphabet = ' -[]"\\/:.0123456789abcdefGET%+()HTTP';
  for (let i = 0; i < 2000; i++) {
    let s = '192.0.2.1 - - [26/Nov/2026:10:00:00 +0000] "';
    for (let k = 0; k < 80; k++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      s += alphabet[seed % alphabet.length];
    }
    assert.doesNotThrow(() => p.parseLine!(s, ctx));
    assert.doesNotThrow(() => p.parseMessage!(s, null as never));
  }
});
