import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { idsParser } from './ids-parser.js';
import type { SourceContext } from './source-context.js';
import type { Envelope } from './syslog-envelope.js';

const ctx: SourceContext = {
  source: 't',
  zone: zone('Europe/Berlin'),
  now: Date.parse('2026-11-27T12:00:00Z'),
};
const ENV: Envelope = {
  format: 'rfc3164',
  at: 1,
  host: 'ids',
  program: 'suricata',
  pid: '2222',
  message: '',
  count: 1,
};
const FAST =
  '10/16-19:50:46.620218  [**] [1:2003:8] MS-SQL Worm propagation attempt [**] ' +
  '[Classification: Misc Attack] [Priority: 2] {UDP} 203.0.113.5:1044 -> 192.0.2.10:1434';
const EVE = {
  timestamp: '2026-11-26T11:30:00.100200+0100',
  flow_id: 1,
  in_iface: 'eth0',
  event_type: 'alert',
  src_ip: '203.0.113.5',
  src_port: 1044,
  dest_ip: '192.0.2.10',
  dest_port: 1434,
  proto: 'UDP',
  alert: {
    action: 'allowed',
    gid: 1,
    signature_id: 2003,
    rev: 8,
    signature: 'MS-SQL Worm propagation attempt',
    category: 'Misc Attack',
    severity: 2,
  },
};

test('every truncation of a fast.log alert gives nothing or the real source', () => {
  const p = idsParser.build();
  for (let n = 0; n <= FAST.length; n++) {
    const d = p.parseLine!(FAST.slice(0, n), ctx);
    if (d !== null) assert.equal(d.src, '203.0.113.5', `at length ${n}`);
  }
  const d = p.parseLine!(FAST, ctx);
  assert.equal(d?.dstPort, 1434);
  assert.equal(d?.signature, 'MS-SQL Worm propagation attempt');
});

test('every truncation of an EVE alert gives nothing or the real source', () => {
  const p = idsParser.build();
  const line = JSON.stringify(EVE);
  for (let n = 0; n <= line.length; n++) {
    const d = p.parseLine!(line.slice(0, n), ctx);
    if (d !== null) assert.equal(d.src, '203.0.113.5', `at length ${n}`);
  }
  assert.equal(p.parseLine!(line, ctx)?.at, Date.parse('2026-11-26T10:30:00.100Z'));
});

test('EVE fields of the wrong type are dropped, never trusted or thrown on', () => {
  const p = idsParser.build();
  const odd: unknown[] = [null, 7, -1, 1.5, '', 'x', [], ['203.0.113.9'], {}, { a: 1 }, true];
  const alertKeys = Object.keys(EVE.alert);
  for (const key of Object.keys(EVE)) {
    for (const value of odd) {
      const d = p.parseLine!(JSON.stringify({ ...EVE, [key]: value }), ctx);
      const object = typeof value === 'object' && value !== null && !Array.isArray(value);
      if (key === 'src_ip' || key === 'event_type' || (key === 'alert' && !object)) {
        assert.equal(d, null, `${key}=${JSON.stringify(value)}`);
        continue;
      }
      assert.equal(d?.src, '203.0.113.5', `${key}=${JSON.stringify(value)}`);
    }
  }
  for (const key of alertKeys) {
    for (const value of odd) {
      const d = p.parseLine!(
        JSON.stringify({ ...EVE, alert: { ...EVE.alert, [key]: value } }),
        ctx,
      );
      assert.equal(d?.kind, 'ids-alert', `alert.${key}=${JSON.stringify(value)}`);
      if (d?.signature !== null) assert.equal(typeof d?.signature, 'string');
      if (d?.detail?.priority !== undefined) assert.equal(typeof d.detail.priority, 'number');
    }
  }
});

test('hostile JSON is rejected without throwing', () => {
  const p = idsParser.build();
  const deep = '{"event_type":"alert","alert":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
  const big = JSON.stringify({ ...EVE, pad: 'x'.repeat(70_000) });
  for (const line of [
    deep,
    big,
    '{"event_type":"alert"',
    '{"__proto__":{"event_type":"alert"},"src_ip":"203.0.113.5","alert":{}}',
    '["alert"]',
    '{"event_type":"alert","src_ip":"203.0.113.5","alert":null}',
  ]) {
    assert.equal(p.parseLine!(line, ctx), null, line.slice(0, 60));
  }
});

test('IPv6 endpoints: brackets, Suricata full form, and Snort compressed form by protocol', () => {
  const p = idsParser.build();
  const line = (proto: string, a: string, b: string): string =>
    `10/16-19:50:46.620218  [**] [1:1:1] t [**] [Priority: 1] {${proto}} ${a} -> ${b}`;
  const cases: [string, string, string, string, number | null, string, number | null][] = [
    ['TCP', '[2001:db8::1]:80', '[2001:db8::2]:443', '2001:db8::1', 80, '2001:db8::2', 443],
    ['TCP', '2001:db8::1:80', '2001:db8::2:443', '2001:db8::1', 80, '2001:db8::2', 443],
    ['ICMP6', '2001:db8::1:80', '2001:db8::2', '2001:db8::1:80', null, '2001:db8::2', null],
    [
      'UDP',
      '2001:0db8:0000:0000:0000:0000:0000:0001:53',
      '2001:0db8:0000:0000:0000:0000:0000:0002:5353',
      '2001:db8::1',
      53,
      '2001:db8::2',
      5353,
    ],
  ];
  for (const [proto, a, b, src, srcPort, dst, dstPort] of cases) {
    const d = p.parseLine!(line(proto, a, b), ctx);
    assert.deepEqual([d?.src, d?.srcPort, d?.dst, d?.dstPort], [src, srcPort, dst, dstPort], a);
  }
});

test('syslog EVE records without an offset are read as UTC', () => {
  const p = idsParser.build();
  const d = p.parseMessage!(
    JSON.stringify({ ...EVE, timestamp: '2026-11-26T11:30:00.000000' }),
    ENV,
  );
  assert.equal(d?.at, Date.parse('2026-11-26T11:30:00Z'));
});

test('parseLine rejects lines of other formats', () => {
  const p = idsParser.build();
  for (const line of [
    '',
    '192.0.2.1 - - [26/Nov/2026:10:00:01 +0100] "GET / HTTP/1.1" 200 1',
    '10/16-19:50:46.620218 nothing of an alert here',
    '12/Mar/2026:10:00:00 [**] not a time',
    '{"__REALTIME_TIMESTAMP":"1","MESSAGE":"alert"}',
    '{"timestamp":"2026-11-26T11:30:00+0100","event_type":"flow","src_ip":"203.0.113.5"}',
  ]) {
    assert.equal(p.parseLine!(line, ctx), null, line);
  }
});
