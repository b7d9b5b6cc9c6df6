import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event } from '../core/event.js';
import { ActivityTally, LIST_CAPS, NONE } from './activity-tally.js';
import { NameTable } from './name-table.js';

/** A blocked packet from 203.0.113.9 to a port (the fields a tally reads). */
function packet(at: number, dstPort: number): Event {
  return {
    at,
    kind: 'packet-blocked',
    src: '203.0.113.9',
    srcHost: null,
    srcPort: 40000,
    dst: '192.0.2.1',
    dstPort,
    proto: 'tcp',
    service: null,
    user: null,
    program: 'kernel',
    host: 'gw',
    signature: null,
    count: 1,
    detail: null,
    family: 'netfilter',
    ref: { source: 'kern.log', line: 1, text: '' },
  };
}

const vocabulary = {
  targets: new NameTable(8),
  services: new NameTable(8),
  users: new NameTable(8),
};

function tally(): ActivityTally {
  return new ActivityTally(1, vocabulary, [Infinity, -Infinity], 0);
}

test('ports repeated, also right after they were added, are listed once in first-seen order', () => {
  const t = tally();
  for (const port of [22, 80, 80, 22, 443, 80, 443, 8080, 22])
    t.add(packet(1000, port), 0, NONE, NONE, NONE);
  assert.deepEqual(t.ports(), [22, 80, 443, 8080]);
  assert.deepEqual(t.sortedPorts(), [22, 80, 443, 8080]);
  assert.equal(t.portCount, 4);
  assert.equal(t.events, 9);
  assert.equal(t.truncated, false);
});

test('a port scan past the cap keeps the first 1024 ports and is truncated', () => {
  const t = tally();
  for (let port = 1; port <= LIST_CAPS.ports + 1; port++)
    t.add(packet(port, port), 0, NONE, NONE, NONE);
  // The refused port again, then ports already listed: the list stays as it was.
  for (const port of [LIST_CAPS.ports + 1, LIST_CAPS.ports + 1, 7, 7]) {
    t.add(packet(2000, port), 0, NONE, NONE, NONE);
  }
  assert.equal(t.portCount, LIST_CAPS.ports);
  assert.deepEqual(t.ports().slice(-2), [LIST_CAPS.ports - 1, LIST_CAPS.ports]);
  assert.equal(t.truncated, true);
  assert.equal(t.firstAt, 1);
  assert.equal(t.lastAt, 2000);
});

test('services and users: repeats of the last one and of earlier ones are listed once', () => {
  const t = tally();
  const services = ['ssh', 'ftp', 'ftp', 'smtp', 'ssh', 'smtp'];
  const users = ['root', 'admin', 'admin', 'root', 'test', 'test'];
  for (let i = 0; i < services.length; i++) {
    t.add(
      packet(1000, 22),
      0,
      NONE,
      vocabulary.services.id(services[i]!),
      vocabulary.users.id(users[i]!),
    );
  }
  assert.deepEqual(t.services(), ['ssh', 'ftp', 'smtp']);
  assert.deepEqual(t.users(), ['root', 'admin', 'test']);
});
