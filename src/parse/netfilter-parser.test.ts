import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventDraft } from '../core/event.js';
import { zone } from '../core/time.js';
import { netfilterParser } from './netfilter-parser.js';
import type { SourceContext } from './source-context.js';
import { newTimeMemo, parseEnvelope, type Envelope } from './syslog-envelope.js';

const ctx: SourceContext = { source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27, 12) };
const ENV: Envelope = {
  format: 'rfc3164',
  at: 0,
  host: 'gw',
  program: 'kernel',
  pid: null,
  message: '',
  count: 1,
};
const BODY =
  'IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.45 ' +
  'DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=51 ID=54321 DF PROTO=TCP SPT=51515 DPT=22 ' +
  'WINDOW=64240 RES=0x00 ACK PSH URGP=0';
const UFW = `Nov 26 10:01:02 gw kernel: [  970.699396] [UFW BLOCK] ${BODY}`;

function parse(message: string): EventDraft | null {
  return netfilterParser.build().parseMessage!(message, ENV);
}

test('every truncation of a ufw line gives nothing or the real source', () => {
  const p = netfilterParser.build();
  let full: EventDraft | null = null;
  for (let n = 0; n <= UFW.length; n++) {
    const env = parseEnvelope(UFW.slice(0, n), ctx, newTimeMemo());
    if (env === null) continue;
    const d = p.parseMessage!(env.message, env);
    if (d !== null) assert.equal(d.src, '203.0.113.45', `at length ${n}`);
    if (n === UFW.length) full = d;
  }
  assert.equal(full?.dstPort, 22);
  assert.equal(full?.detail?.flags, 'PSH,ACK');
});

test('nothing an admin writes in the prefix is taken as a field', () => {
  const plain = parse(BODY)!;
  for (const prefix of [
    'SRC=10.0.0.1 ',
    'SRC=10.0.0.1 DST=10.0.0.2 PROTO=UDP SPT=1 DPT=2 ',
    'IN=lo SRC=10.0.0.1 ',
    'IN=lo OUT=lo SRC=10.0.0.1 DST=10.0.0.2 PROTO=UDP SPT=1 DPT=2:',
    'x SRC=10.0.0.1:',
  ]) {
    const d = parse(prefix + BODY);
    assert.ok(d !== null, prefix);
    assert.deepEqual(
      [d.src, d.dst, d.srcPort, d.dstPort, d.proto, d.detail?.flags, d.detail?.inInterface],
      [plain.src, plain.dst, plain.srcPort, plain.dstPort, plain.proto, 'PSH,ACK', 'eth0'],
      prefix,
    );
  }
});

test('TCP flags come out in tcpdump order whatever order the kernel used', () => {
  for (const [words, flags] of [
    ['ACK SYN', 'SYN,ACK'],
    ['ACK RST', 'RST,ACK'],
    ['ACK PSH FIN', 'FIN,PSH,ACK'],
    ['ECE CWR SYN', 'SYN,ECE,CWR'],
  ] as const) {
    const d = parse(BODY.replace('ACK PSH', words));
    assert.equal(d?.detail?.flags, flags, words);
  }
  assert.equal(parse(BODY.replace('ACK PSH ', ''))?.detail?.flags, undefined);
});

test('many distinct prefixes keep their own verdicts past the cache bound', () => {
  const p = netfilterParser.build();
  for (let i = 0; i < 3000; i++) {
    const allow = i % 3 === 0;
    const d = p.parseMessage!(`rule${i}-${allow ? 'ACCEPT' : 'DROP'}: ${BODY}`, ENV);
    assert.equal(d?.kind, allow ? 'connection' : 'packet-blocked', `prefix ${i}`);
    assert.equal(d?.detail?.prefix, `rule${i}-${allow ? 'ACCEPT' : 'DROP'}:`);
  }
  // Two prefixes of the same length must not share the memo of the last one.
  assert.equal(p.parseMessage!(`[UFW AUDIT] ${BODY}`, ENV)?.kind, 'connection');
  assert.equal(p.parseMessage!(`[UFW BLOCK] ${BODY}`, ENV)?.kind, 'packet-blocked');
  assert.equal(p.parseMessage!(`[UFW ALLOW] ${BODY}`, ENV)?.kind, 'connection');
});

test('interface names are not carried over from the previous line', () => {
  const p = netfilterParser.build();
  assert.equal(p.parseMessage!(BODY, ENV)?.detail?.inInterface, 'eth0');
  assert.equal(
    p.parseMessage!(BODY.replace('IN=eth0', 'IN=eth1'), ENV)?.detail?.inInterface,
    'eth1',
  );
  const out = p.parseMessage!(BODY.replace('IN=eth0 OUT=', 'IN= OUT=ppp0'), ENV);
  assert.equal(out?.detail?.inInterface, undefined);
  assert.equal(out?.detail?.outInterface, 'ppp0');
});

test('destinations and interface names are not carried over from the previous line', () => {
  // The parser reuses the last destination and input interface when they repeat; each line must
  // still give its own, whatever the length or form of the one before.
  const p = netfilterParser.build();
  const v6 = (last: string) => `2001:0db8:0000:0000:0000:0000:0000:${last}`;
  for (const [dst, iface, wantDst] of [
    ['192.0.2.10', 'eth0', '192.0.2.10'],
    ['192.0.2.11', 'eth1', '192.0.2.11'],
    ['192.0.2.11', 'eth1', '192.0.2.11'],
    ['198.51.100.200', 'wlan0', '198.51.100.200'],
    [v6('0010'), 'wlan1', '2001:db8::10'],
    [v6('0010'), 'enp1s0f0np0', '2001:db8::10'],
    [v6('0011'), 'enp1s0f0np1', '2001:db8::11'],
    ['192.0.2.10', 'enp1s0f0np1', '192.0.2.10'],
    ['192.0.2.10', 'br0', '192.0.2.10'],
  ] as const) {
    const d = p.parseMessage!(
      BODY.replace('DST=192.0.2.10', `DST=${dst}`).replace('IN=eth0', `IN=${iface}`),
      ENV,
    );
    assert.deepEqual([d?.dst, d?.detail?.inInterface], [wantDst, iface], `${dst} ${iface}`);
  }
});

test('lines that only look like packet logs give nothing', () => {
  for (const message of [
    '',
    'IN=',
    'IN=eth0',
    'IN=eth0 SRC=203.0.113.5 DST=192.0.2.10',
    'IN=eth0 OUT= SRC=not-an-address DST=192.0.2.10 PROTO=TCP',
    'IN=eth0 OUT= SRC=',
    `IN=${'e'.repeat(40)} OUT= SRC=203.0.113.5 DST=192.0.2.10 PROTO=TCP`,
    `${'x'.repeat(300)} ${BODY}`,
    'IN=eth0 OUT= ARP HTYPE=1 PTYPE=0x0800 OPCODE=1 IPSRC=192.0.2.77 IPDST=192.0.2.10',
  ]) {
    assert.equal(parse(message), null, message);
  }
});

test('a fragment or a truncated transport header keeps the addresses, not the ports', () => {
  const frag = parse(
    'IN=eth0 OUT= SRC=203.0.113.5 DST=192.0.2.10 LEN=1500 TOS=0x00 PREC=0x00 TTL=50 ID=7 ' +
      'FRAG:185 PROTO=UDP',
  );
  assert.deepEqual(
    [frag?.src, frag?.proto, frag?.srcPort, frag?.dstPort],
    ['203.0.113.5', 'udp', null, null],
  );
  const cut = parse(
    'IN=eth0 OUT= SRC=203.0.113.6 DST=192.0.2.10 LEN=40 TOS=0x00 PREC=0x00 TTL=50 ID=8 ' +
      'PROTO=TCP INCOMPLETE [8 bytes]',
  );
  assert.deepEqual(
    [cut?.src, cut?.proto, cut?.dstPort, cut?.detail?.flags],
    ['203.0.113.6', 'tcp', null, undefined],
  );
});
