import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventDraft } from '../core/event.js';
import { SlotTable, SSHD_SESSION_CAP, sshdParser } from './sshd-parser.js';
import type { Envelope } from './syslog-envelope.js';

const T0 = Date.parse('2026-11-26T04:00:00Z');

function env(pid: string, at: number | null = T0, host: string | null = 'gw'): Envelope {
  return { format: 'rfc3164', at, host, program: 'sshd', pid, message: '', count: 1 };
}

function parse(
  p: ReturnType<typeof sshdParser.build>,
  msg: string,
  e: Envelope,
): EventDraft | null {
  return p.parseMessage!(msg, { ...e, message: msg });
}

const TOO_MANY = 'Disconnecting: Too many authentication failures [preauth]';

test('SlotTable replaces the least recently used entry of a full set', () => {
  const t = new SlotTable(4); // 2 sets of 2
  const slotOf = new Map<number, number>();
  const put = (key: number) => slotOf.set(key, t.claim(key));
  put(0);
  put(2); // same set as 0
  put(1); // the other set
  assert.equal(t.find(0), slotOf.get(0)); // 0 used again: 2 is now the older of its set
  put(4);
  assert.equal(t.find(2), -1);
  assert.equal(slotOf.get(4), slotOf.get(2)); // 4 took the slot of 2
  assert.equal(t.find(0), slotOf.get(0));
  assert.equal(t.find(4), slotOf.get(4));
  assert.equal(t.find(1), slotOf.get(1));
  assert.equal(t.claim(1), slotOf.get(1)); // a key claims its own slot again
  t.delete(1);
  assert.equal(t.find(1), -1);
  assert.equal(t.size, 2);
  assert.equal(t.capacity, 4);
  put(3); // takes the slot 1 freed
  assert.equal(slotOf.get(3), slotOf.get(1));
});

test('the session table stays bounded and forgets the oldest connections', () => {
  const p = sshdParser.build();
  const n = SSHD_SESSION_CAP * 4;
  for (let pid = 1; pid <= n; pid++) {
    parse(
      p,
      `Connection from 192.0.2.1 port ${pid % 60000} on 192.0.2.2 port 22`,
      env(String(pid)),
    );
  }
  // pid 1 was evicted long ago: its address-less line has nothing to attach to.
  assert.equal(parse(p, TOO_MANY, env('1')), null);
  const last = parse(p, TOO_MANY, env(String(n)));
  assert.equal(last?.kind, 'auth-failure');
  assert.equal(last?.src, '192.0.2.1');
});

test('sshd pid sessions are per host and expire after ten minutes', () => {
  const p = sshdParser.build();
  parse(p, 'Connection from 203.0.113.5 port 4000 on 192.0.2.2 port 22', env('77'));
  assert.equal(parse(p, TOO_MANY, env('77', T0 + 1000, 'other')), null);
  assert.equal(parse(p, TOO_MANY, env('77', T0 + 11 * 60_000)), null);
  parse(p, 'Connection from 203.0.113.6 port 4001 on 192.0.2.2 port 22', env('78'));
  assert.equal(parse(p, TOO_MANY, env('78', T0 + 60_000))?.src, '203.0.113.6');
});

test('a pending address-less failure goes to the next line of its pid with an address', () => {
  const p = sshdParser.build();
  const kex = 'error: kex_exchange_identification: Connection closed by remote host';
  assert.equal(parse(p, kex, env('90')), null);
  // Another pid's close does not take it.
  assert.equal(
    parse(p, 'Connection closed by 192.0.2.50 port 1 [preauth]', env('91'))?.src,
    '192.0.2.50',
  );
  const d = parse(p, 'Connection closed by 203.0.113.9 port 35352', env('90'));
  assert.deepEqual(
    { kind: d?.kind, src: d?.src, srcPort: d?.srcPort, signature: d?.signature },
    {
      kind: 'protocol-error',
      src: '203.0.113.9',
      srcPort: 35352,
      signature: 'sshd: no identification string',
    },
  );
  // Emitted once: the next close of the connection is not a failure again.
  assert.equal(parse(p, 'Connection closed by 203.0.113.9 port 35352', env('90')), null);
});

test('a reused pid with a new address after a close is a new connection', () => {
  const p = sshdParser.build();
  parse(p, 'Failed password for root from 203.0.113.1 port 5 ssh2', env('95'));
  assert.equal(
    parse(
      p,
      'Connection closed by authenticating user root 203.0.113.1 port 5 [preauth]',
      env('95'),
    )?.kind,
    'connection',
  );
  const next = parse(p, 'Connection closed by 198.51.100.1 port 6 [preauth]', env('95', T0 + 5000));
  assert.equal(next?.kind, 'protocol-error');
  assert.equal(next?.src, '198.51.100.1');
});

test('user names full of fake tails are read in linear time', () => {
  const p = sshdParser.build();
  const name = 'x from 192.0.2.1 port 22 ssh2: '.repeat(2000);
  const start = process.hrtime.bigint();
  const d = parse(
    p,
    `Failed password for invalid user ${name}from 203.0.113.99 port 7 ssh2`,
    env('99'),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(d?.src, '203.0.113.99');
  assert.ok(ms < 200, `took ${ms} ms`);
});
