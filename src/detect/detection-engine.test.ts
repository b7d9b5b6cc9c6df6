import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Event, EventDetail, EventKind } from '../core/event.js';
import { makeEvent } from '../../test/support/fixtures.js';
import { detectConfigSchema, type DetectConfig } from './detect-config.js';
import { DetectionEngine, ipv4Key, type IncidentDraft } from './detection-engine.js';

const T0 = Date.parse('2026-11-26T10:00:00Z');
let lineNo = 0;

/** A synthetic event: what a firewall drop (or any other kind) of the parsers looks like. */
function ev(
  kind: EventKind,
  src: string | null,
  at: number | null,
  more: Partial<Omit<Event, 'detail'>> & { detail?: EventDetail } = {},
): Event {
  lineNo++;
  return makeEvent({
    at,
    kind,
    src,
    srcPort: 40000,
    host: 'gw',
    ...more,
    ref: {
      source: 'test.log',
      line: lineNo,
      text: `line ${lineNo} of a synthetic log, long enough to be a slice`,
    },
  });
}

/** A UFW-style drop of a SYN to dst:port. */
function drop(src: string, at: number, dst: string, port: number, count = 1): Event {
  return ev('packet-blocked', src, at, { dst, dstPort: port, proto: 'tcp', count });
}

function config(partial: unknown = {}): DetectConfig {
  return detectConfigSchema.parse(partial);
}

function run(engine: DetectionEngine, events: readonly Event[]): IncidentDraft[] {
  const out: IncidentDraft[] = [];
  for (const e of events) {
    engine.observe(e);
    out.push(...engine.drain());
  }
  return [...out, ...engine.finish()];
}

describe('event time, never the wall clock', () => {
  test('a source quiet longer than incidentGap (event time) is closed when later events arrive', () => {
    const engine = new DetectionEngine(config({ incidentGap: '1h' }));
    engine.observe(drop('198.51.100.1', T0, '192.0.2.10', 22));
    assert.deepEqual(engine.drain(), [], 'nothing closes without later events');
    engine.observe(drop('198.51.100.2', T0 + 30 * 60_000, '192.0.2.10', 22));
    assert.deepEqual(engine.drain(), [], 'half an hour later the first source is still open');
    engine.observe(drop('198.51.100.2', T0 + 61 * 60_000, '192.0.2.10', 22));
    const closed = engine.drain();
    assert.deepEqual(
      closed.map((d) => [d.kind, d.src]),
      [['probe', '198.51.100.1']],
    );
    assert.equal(engine.trackCount, 1);
  });

  test('replaying the same events gives the same incidents, however they are drained', () => {
    const events: Event[] = [];
    for (let i = 0; i < 400; i++) {
      const src = `198.51.100.${i % 7}`;
      // bursts of 50 events, an hour apart: every source is quiet for longer than the gap
      const at = T0 + i * 7_000 + Math.floor(i / 50) * 3_600_000;
      events.push(drop(src, at, `192.0.2.${i % 13}`, 20 + (i % 29)));
    }
    const a = run(new DetectionEngine(config({ incidentGap: '30m' })), events);
    const whole = new DetectionEngine(config({ incidentGap: '30m' }));
    for (const e of events) whole.observe(e);
    const b = whole.finish();
    assert.deepEqual(a, b);
    assert.ok(a.length > 7, 'the gap split the sources into several stories');
    // end() and drain(max) a few at a time give the same as finish().
    const batched = new DetectionEngine(config({ incidentGap: '30m' }));
    for (const e of events) batched.observe(e);
    batched.end();
    const c: IncidentDraft[] = [];
    for (let batch = batched.drain(3); batch.length > 0; batch = batched.drain(3)) c.push(...batch);
    assert.deepEqual(c, b);
    assert.equal(batched.draining, false);
  });

  test('a line without a time is counted, dated by the engine clock, and moves no window', () => {
    const engine = new DetectionEngine(config());
    engine.observe(drop('198.51.100.9', T0, '192.0.2.10', 80));
    // Ten failed logins without time: counted, but no window, so no brute force.
    for (let i = 0; i < 10; i++) {
      engine.observe(ev('auth-failure', '203.0.113.5', null, { service: 'ssh', user: 'root' }));
    }
    const drafts = engine.finish();
    const probe = drafts.find((d) => d.src === '203.0.113.5')!;
    assert.equal(probe.kind, 'probe');
    assert.equal(probe.events, 10);
    assert.equal(probe.firstSeen, T0);
    assert.equal(probe.lastSeen, T0);
  });

  test('lines slightly out of order are placed at the source latest time in the windows', () => {
    const engine = new DetectionEngine(config());
    const events = [22, 23, 25, 80, 110, 143, 443, 445, 993, 995, 3306, 3389, 5900, 8080, 8443];
    events.forEach((port, i) => {
      // every other line is a second early
      engine.observe(drop('198.51.100.20', T0 + i * 1000 - (i % 2) * 2000, '192.0.2.10', port));
    });
    const [scan] = engine.finish();
    assert.equal(scan!.kind, 'port-scan');
    assert.equal(scan!.firstSeen, T0 - 1000);
  });
});

describe('bounded memory', () => {
  test('200,000 one-event sources with maxSources 1000 never hold more than 1000 tracks', () => {
    const engine = new DetectionEngine(config({ maxSources: 1000 }));
    let most = 0;
    for (let i = 0; i < 200_000; i++) {
      const src = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      engine.observe(drop(src, T0 + i, '192.0.2.10', 80));
      if (engine.trackCount > most) most = engine.trackCount;
    }
    assert.equal(most, 1000);
    assert.equal(engine.stats.evicted, 199_000);
    assert.equal(engine.stats.dropped, 199_000, 'evicted one-packet sources are dropped');
    assert.equal(engine.finish().length, 1000);
  });

  test('an evicted source that crossed a threshold is emitted, not dropped', () => {
    const engine = new DetectionEngine(config({ maxSources: 2 }));
    for (let p = 1; p <= 15; p++) engine.observe(drop('198.51.100.1', T0 + p, '192.0.2.10', p));
    engine.observe(drop('198.51.100.2', T0 + 100, '192.0.2.10', 22));
    engine.observe(drop('198.51.100.3', T0 + 200, '192.0.2.10', 22));
    const drafts = engine.drain();
    assert.deepEqual(
      drafts.map((d) => [d.kind, d.src]),
      [['port-scan', '198.51.100.1']],
    );
    assert.equal(engine.stats.dropped, 0);
  });
});

describe('one attacker, one story', () => {
  test('nmap of 1,000 ports in 10 s with retransmissions is a port scan, not a flood', () => {
    const engine = new DetectionEngine(config());
    const events: Event[] = [];
    for (let i = 0; i < 1000; i++) {
      events.push(drop('198.51.100.5', T0 + i * 10, '192.0.2.10', 1 + i));
      // nmap retransmits a probe the firewall dropped, once, after a timeout
      events.push(drop('198.51.100.5', T0 + i * 10 + 5000, '192.0.2.10', 1 + i));
    }
    events.sort((a, b) => a.at! - b.at!);
    const drafts = run(engine, events);
    assert.deepEqual(
      drafts.map((d) => d.kind),
      ['port-scan'],
    );
    assert.equal(drafts[0]!.events, 2000);
    assert.equal(drafts[0]!.severity, 4, '1,000 ports');
    assert.equal(drafts[0]!.reasons[0], '1,000 distinct ports on 192.0.2.10 within 10 s');
  });

  test('a SYN flood of one port at the default thresholds is a flood (and not a probe)', () => {
    const engine = new DetectionEngine(config());
    for (let i = 0; i < 700; i++)
      engine.observe(drop('198.51.100.6', T0 + i * 50, '192.0.2.10', 80));
    const [flood, ...rest] = engine.finish();
    assert.deepEqual(rest, []);
    assert.equal(flood!.kind, 'dos');
    assert.equal(flood!.events, 700);
    assert.equal(flood!.reasons[0], '700 packets within 60 s');
  });

  test('many ports on many hosts is one sweep, the port scan a reason of it', () => {
    const engine = new DetectionEngine(config());
    let t = T0;
    for (let port = 1; port <= 20; port++) {
      for (let host = 1; host <= 12; host++) {
        engine.observe(drop('198.51.100.7', (t += 100), `192.0.2.${host}`, port));
      }
    }
    const drafts = engine.finish();
    assert.deepEqual(
      drafts.map((d) => d.kind),
      ['sweep'],
    );
    assert.ok(drafts[0]!.reasons.includes('also 20 distinct ports on 192.0.2.1 within 23 s'));
  });

  test('failed logins below the thresholds become a note on the source other incident', () => {
    const engine = new DetectionEngine(config());
    for (let p = 1; p <= 15; p++) engine.observe(drop('198.51.100.8', T0 + p, '192.0.2.10', p));
    engine.observe(ev('auth-failure', '198.51.100.8', T0 + 100, { service: 'ssh', user: 'root' }));
    const drafts = engine.finish();
    assert.deepEqual(
      drafts.map((d) => d.kind),
      ['port-scan'],
    );
    assert.ok(drafts[0]!.reasons.some((r) => r.startsWith('also 1 failed login for root on ssh')));
  });

  test('message repeated 5 times is five failures at one instant: brute force', () => {
    const engine = new DetectionEngine(config());
    engine.observe(
      ev('auth-failure', '198.51.100.9', T0, { service: 'ssh', user: 'root', count: 5 }),
    );
    const [bf] = engine.finish();
    assert.equal(bf!.kind, 'brute-force');
    assert.equal(bf!.events, 5);
  });

  test('a probe reaches severity 2 with probe.reportAfter attempts within probe.window', () => {
    const engine = new DetectionEngine(config());
    // 12 attempts 20 minutes apart: never 10 within an hour.
    for (let i = 0; i < 12; i++)
      engine.observe(drop('198.51.100.21', T0 + i * 1_200_000, '192.0.2.10', 22));
    // 12 attempts a minute apart.
    for (let i = 0; i < 12; i++)
      engine.observe(drop('198.51.100.22', T0 + i * 60_000, '192.0.2.10', 22));
    const drafts = engine.finish().sort((a, b) => (a.src! < b.src! ? -1 : 1));
    assert.deepEqual(
      drafts.map((d) => [d.src, d.kind, d.events, d.severity]),
      [
        ['198.51.100.21', 'probe', 12, 1],
        ['198.51.100.22', 'probe', 12, 2],
      ],
    );
  });

  test('a disabled detector leaves its events to the probe', () => {
    const engine = new DetectionEngine(config({ portScan: { enabled: false } }));
    for (let p = 1; p <= 20; p++) engine.observe(drop('198.51.100.10', T0 + p, '192.0.2.10', p));
    const [probe] = engine.finish();
    assert.equal(probe!.kind, 'probe');
    assert.equal(probe!.severity, 2);
  });

  test('IDS alerts: exploit up to idsMaxPriority, probe evidence below', () => {
    const engine = new DetectionEngine(config({ exploit: { idsMaxPriority: 1 } }));
    const alert = (src: string, priority: number): Event =>
      ev('ids-alert', src, T0, {
        dst: '192.0.2.10',
        dstPort: 22,
        signature: 'ET SCAN Potential SSH Scan',
        detail: { priority },
      });
    engine.observe(alert('198.51.100.11', 1));
    engine.observe(alert('198.51.100.12', 2));
    const drafts = engine.finish();
    assert.deepEqual(
      drafts.map((d) => [d.src, d.kind, d.severity]),
      [
        ['198.51.100.11', 'exploit', 5],
        ['198.51.100.12', 'probe', 1],
      ],
    );
  });

  test("the host's own outgoing packets are not evidence about anyone", () => {
    const engine = new DetectionEngine(config());
    for (let i = 0; i < 20; i++) {
      engine.observe(
        ev('packet-blocked', '192.0.2.10', T0 + i, {
          dst: `198.51.100.${i}`,
          dstPort: 25,
          detail: { outInterface: 'eth0' },
        }),
      );
    }
    assert.deepEqual(engine.finish(), []);
    assert.equal(engine.stats.outbound, 20);
  });
});

describe('keys and views', () => {
  test('a source known by name only is tracked as host:NAME and reported with srcHost', () => {
    const engine = new DetectionEngine(config());
    engine.observe(ev('connection-refused', null, T0, { srcHost: 'scanner.example.org' }));
    assert.equal(engine.view('scanner.example.org')?.key, 'host:scanner.example.org');
    const [probe] = engine.finish();
    assert.equal(probe!.src, null);
    assert.equal(probe!.srcHost, 'scanner.example.org');
  });

  test('view() of a source seen once, then twice: its clock and attempt window', () => {
    const engine = new DetectionEngine(config());
    engine.observe(drop('198.51.100.20', T0 + 5_000, '192.0.2.10', 23));
    const once = engine.view('198.51.100.20')!;
    assert.equal(once.events, 1);
    assert.equal(once.lastTouched, T0 + 5_000);
    assert.equal(once.attemptWindows[0]!.attempts, 1);
    engine.observe(drop('198.51.100.20', T0 + 9_000, '192.0.2.10', 25));
    const twice = engine.view('198.51.100.20')!;
    assert.equal(twice.events, 2);
    assert.equal(twice.lastTouched, T0 + 9_000);
    assert.equal(twice.attemptWindows[0]!.attempts, 2);
    assert.equal(engine.trackCount, 1, 'viewing the sighting made no second track');
  });

  test('view() shows counts, windows and what crossed', () => {
    const engine = new DetectionEngine(config());
    for (let p = 1; p <= 15; p++) engine.observe(drop('198.51.100.13', T0 + p, '192.0.2.10', p));
    const view = engine.view('198.51.100.13')!;
    assert.equal(view.events, 15);
    assert.equal(view.groups.refused, 15);
    assert.deepEqual(view.crossed, ['port-scan']);
    assert.equal(view.attemptWindows[0]!.attempts, 15);
    assert.equal(engine.view('198.51.100.14'), null);
  });

  test('ipv4Key numbers dotted quads and nothing else', () => {
    assert.equal(ipv4Key('0.0.0.0'), 0);
    assert.equal(ipv4Key('255.255.255.255'), -1);
    assert.equal(ipv4Key('192.0.2.1'), (192 << 24) | (2 << 8) | 1);
    assert.equal(ipv4Key('2001:db8::1'), null);
    assert.equal(ipv4Key('host.example'), null);
    assert.equal(ipv4Key('1.2.3'), null);
    assert.equal(ipv4Key('1.2.3.256'), null);
  });
});
