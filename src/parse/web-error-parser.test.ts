import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import type { SourceContext } from './source-context.js';
import { webErrorParser } from './web-error-parser.js';

const ctx: SourceContext = { source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27) };
const nginx = (tail: string): string =>
  `2026/11/26 10:00:00 [error] 1#1: *1 user "u": password mismatch${tail}`;

test('nginx: the structural client is the one followed by a well-formed tail', () => {
  const p = webErrorParser.build();
  const ok = p.parseLine!(
    nginx(
      ', client: 192.0.2.1, server: s, request: "GET / HTTP/1.1", upstream: "http://127.0.0.1:8080/", host: "h"',
    ),
    ctx,
  );
  assert.equal(ok?.src, '192.0.2.1');
  // A host value with spaces is not what nginx writes: that candidate is not structural.
  const fake = p.parseLine!(nginx(', client: 192.0.2.1, server: s, host: "a b"'), ctx);
  assert.equal(fake, null);
  // No server field at all (end of line) is accepted: some modules stop after the client.
  assert.equal(p.parseLine!(nginx(', client: 192.0.2.1'), ctx)?.src, '192.0.2.1');
  // A unix socket peer has no address.
  assert.equal(p.parseLine!(nginx(', client: unix:, server: s'), ctx), null);
});

test('nginx: more than eight client fields is a flood, no source is trusted', () => {
  const p = webErrorParser.build();
  const nginx = (tail: string): string =>
    `2026/11/26 10:00:00 [error] 1#1: *1 limiting requests, excess: 1.0 by zone "one"${tail}`;
  const many = ', client: 192.0.2.9, server: s, host: "x y"'.repeat(8);
  assert.equal(p.parseLine!(nginx(many + ', client: 192.0.2.1, server: s'), ctx), null);
  const few = ', client: 192.0.2.9, server: s, host: "x y"'.repeat(7);
  assert.equal(p.parseLine!(nginx(few + ', client: 192.0.2.1, server: s'), ctx)?.src, '192.0.2.1');
});

test('apache: local time in the source zone, fractions truncated to the millisecond', () => {
  const p = webErrorParser.build();
  const berlin: SourceContext = { ...ctx, zone: zone('Europe/Berlin') };
  const d = p.parseLine!(
    '[Sun Jan 05 08:00:00.999999 2025] [auth_basic:error] [pid 1] [client 192.0.2.1:5] AH01618: user x not found: /',
    berlin,
  );
  assert.equal(d?.at, Date.UTC(2025, 0, 5, 7, 0, 0, 999));
  const padded = p.parseLine!(
    '[Sun Jan  5 08:00:00 2025] [error] [client 192.0.2.1] user x not found',
    ctx,
  );
  assert.equal(padded?.at, Date.UTC(2025, 0, 5, 8));
});

test('apache: a client bracket must follow the header, not a message', () => {
  const p = webErrorParser.build();
  // Text that is not an errno or source-file prefix stands before the bracket: not structural.
  assert.equal(
    p.parseLine!(
      '[Sun Jan 05 08:00:00 2025] [error] hello: [client 192.0.2.1] user x not found',
      ctx,
    ),
    null,
  );
  assert.equal(
    p.parseLine!(
      '[Sun Jan 05 08:00:00 2025] [core:debug] [pid 1] protocol.c(1305): (104)Connection reset by peer: [client 192.0.2.1:5] AH00566: request failed: error reading the headers',
      ctx,
    )?.src,
    '192.0.2.1',
  );
});

test('hostile lines end quickly and never throw', () => {
  const p = webErrorParser.build();
  const hostile = [
    nginx(', client: 192.0.2.1, server: s, request: "' + '"'.repeat(60_000)),
    nginx(', client: 192.0.2.1, server: s, request: "' + '", host: "'.repeat(6_000)),
    nginx(', client: 192.0.2.1, server: s' + ', client: 192.0.2.1'.repeat(3_000)),
    '[Sun Jan 05 08:00:00 2025] ' + '[x] '.repeat(20_000),
    '[Sun Jan 05 08:00:00 2025] [error] [client ' + '['.repeat(50_000),
    '[Sun Jan 05 08:00:00 2025] [error] [client 192.0.2.1] user ' + ' not found'.repeat(5_000),
  ];
  const t0 = performance.now();
  for (const l of hostile) {
    p.parseLine!(l, ctx);
    p.parseMessage!(l.slice(20), null as never);
  }
  assert.ok(performance.now() - t0 < 2000, 'hostile lines took too long');
});
