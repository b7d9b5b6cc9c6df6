import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Event, EventKind } from '../core/event.js';
import type { Incident } from '../core/incident.js';
import { makeEvent } from '../../test/support/fixtures.js';
import { defaultDetectConfig, defaultPolicyConfig } from './detect-config.js';
import { DetectionEngine, type IncidentDraft } from './detection-engine.js';
import { mergeIncidents, storyContinued } from './merge-incidents.js';
import { buildPolicy } from './reportability-policy.js';

// A later scan run's incident of the same source and kind extends the stored one.
// 194.164.64.213 is a public test address from the whois corpus.

const SRC = '194.164.64.213';
const T0 = Date.parse('2026-11-26T10:00:00Z');
const cfg = defaultDetectConfig();
const policy = buildPolicy(defaultPolicyConfig(), [], cfg);

function event(kind: EventKind, at: number, line: number, more: Partial<Event> = {}): Event {
  return makeEvent({
    at,
    kind,
    src: SRC,
    srcPort: 40000,
    dst: '192.0.2.10',
    proto: 'tcp',
    program: 'kernel',
    host: 'gw',
    ref: { source: '/var/log/kern.log', line, text: `kernel line ${line}` },
    ...more,
  });
}

/** The incident one scan run (one engine) concludes from these events. */
function scanRun(events: readonly Event[]): IncidentDraft {
  const engine = new DetectionEngine(cfg);
  for (const e of events) engine.observe(e);
  const drafts = engine.finish();
  assert.equal(drafts.length, 1);
  return drafts[0]!;
}

function stored(d: IncidentDraft): Incident {
  return { id: 'inc-1', ...policy.judge(d) };
}

function portScan(fromPort: number, ports: number, t: number, line: number): IncidentDraft {
  const events = [];
  for (let i = 0; i < ports; i++) {
    events.push(event('packet-blocked', t + i * 100, line + i, { dstPort: fromPort + i }));
  }
  return scanRun(events);
}

test('a continuing port scan: times, counts, lists and the summary span both runs', () => {
  const older = stored(portScan(1, 100, T0, 1));
  const newer = portScan(101, 100, T0 + 3_600_000, 1001);
  assert.equal(older.severity, 2);
  const merged = mergeIncidents(older, newer, cfg);
  assert.equal(merged.kind, 'port-scan');
  assert.equal(merged.firstSeen, T0);
  assert.equal(merged.lastSeen, newer.lastSeen);
  assert.equal(merged.events, 200);
  assert.equal(merged.ports.length, 200);
  assert.deepEqual(merged.ports.slice(0, 3), [1, 2, 3]);
  assert.deepEqual(merged.targets, ['192.0.2.10']);
  assert.equal(merged.severity, 3, '200 ports: the totals raise the severity');
  assert.deepEqual(merged.reasons, [
    '100 distinct ports on 192.0.2.10 within 10 s',
    'In all: 200 events, 200 ports (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 188 more), 1 target (192.0.2.10), from 2026-11-26T10:00:00Z to 2026-11-26T11:00:09.900Z (60 min)',
    'Severity 3: 150 or more distinct ports',
  ]);
  const judged = policy.judge(merged);
  assert.equal(judged.reportable, true);
  assert.equal(judged.reasons.at(-1), 'a port scan from a public address: reported');
  assert.ok(merged.evidence.length <= cfg.evidenceLines);
  assert.deepEqual(
    merged.evidence.map((e) => e.line),
    [...merged.evidence.map((e) => e.line)].sort((a, b) => a - b),
    'evidence in time order',
  );
});

test('a severity that came from what was seen (a login after brute force) survives the merge', () => {
  const failures = (t: number, line: number, success: boolean): IncidentDraft => {
    const events = [];
    for (let i = 0; i < 6; i++) {
      events.push(
        event('auth-failure', t + i * 1000, line + i, { service: 'ssh', user: 'root', dst: null }),
      );
    }
    if (success) {
      events.push(
        event('auth-success', t + 10_000, line + 6, { service: 'ssh', user: 'root', dst: null }),
      );
    }
    return scanRun(events);
  };
  const older = stored(failures(T0, 1, true));
  assert.equal(older.severity, 5);
  const merged = mergeIncidents(older, failures(T0 + 7_200_000, 101, false), cfg);
  assert.equal(merged.severity, 5);
  assert.equal(merged.events, 12);
  assert.equal(merged.reasons.at(-1), 'Severity 5: a login succeeded after the failures');
  assert.ok(merged.reasons.some((r) => r.startsWith('then logged in successfully as root')));
  assert.ok(!merged.reasons.some((r) => r.endsWith(': reported')), 'the old verdict is dropped');
});

test('evidence lines present in both are kept once', () => {
  const d = portScan(1, 20, T0, 1);
  const merged = mergeIncidents(stored(d), d, cfg);
  const ids = merged.evidence.map((e) => `${e.source}:${e.line}`);
  assert.equal(new Set(ids).size, ids.length);
});

test('a probe continues the latest stronger story of its source within the gap; others start anew', () => {
  const stored = (kind: Incident['kind'], lastSeen: number): Incident =>
    ({ id: kind, kind, lastSeen }) as unknown as Incident;
  const latest = new Map<string, Incident>([
    ['brute-force', stored('brute-force', T0)],
    ['port-scan', stored('port-scan', T0 + 60_000)],
  ]);
  const draft = (kind: Incident['kind'], firstSeen: number) =>
    ({ kind, firstSeen }) as unknown as IncidentDraft;
  const of = (k: string) => latest.get(k);
  assert.equal(storyContinued(draft('probe', T0 + 3_600_000), of, cfg)?.id, 'port-scan');
  assert.equal(storyContinued(draft('brute-force', T0 + 60_000), of, cfg)?.id, 'brute-force');
  assert.equal(storyContinued(draft('sweep', T0), of, cfg), undefined);
  assert.equal(storyContinued(draft('probe', T0 + cfg.incidentGap + 120_000), of, cfg), undefined);
});
