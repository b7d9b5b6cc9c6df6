import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Event } from '../core/event.js';
import { isoUtc, zone } from '../core/time.js';
import { LineParser, newSourceState } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';
import { detectConfigSchema, policyConfigSchema, type DetectConfig } from './detect-config.js';
import { DetectionEngine, type DetectionStats } from './detection-engine.js';
import { buildPolicy, type JudgedIncident } from './reportability-policy.js';

// One folder per detector case under cases/: input.log (real log lines, in time order; lines
// starting with "# " are comments), case.json and expected.json. See cases/README.md.

interface CaseFile {
  description: string;
  tz?: string;
  now?: string;
  config?: { detect?: unknown; policy?: unknown };
  /** `--own-network` blocks. */
  ownNetworks?: string[];
  /** Engine counters that must have these values. */
  stats?: Partial<DetectionStats>;
}

/** An expected incident: these keys are required, the optional ones are checked when given. */
interface Expected {
  kind: string;
  src: string | null;
  firstSeen: string;
  lastSeen: string;
  events: number;
  ports: number[];
  targets: string[];
  severity: number;
  reportable: boolean;
  /** Exact strings, or `/regex/` strings. */
  reasons: string[];
  srcHost?: string | null;
  services?: string[];
  users?: string[];
  truncated?: boolean;
  /** Line numbers of input.log kept as evidence, in order. */
  evidence?: number[];
}

const REQUIRED = [
  'kind',
  'src',
  'firstSeen',
  'lastSeen',
  'events',
  'ports',
  'targets',
  'severity',
  'reportable',
  'reasons',
];
const OPTIONAL = ['srcHost', 'services', 'users', 'truncated', 'evidence'];

const root = join(import.meta.dirname, 'cases');
const folders = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

function readEvents(dir: string, c: CaseFile): Event[] {
  const parser = new LineParser(parserDefinitions());
  const state = newSourceState({
    source: 'input.log',
    zone: zone(c.tz ?? 'UTC'),
    now: Date.parse(c.now ?? '2026-11-27T12:00:00Z'),
  });
  const events: Event[] = [];
  readFileSync(join(dir, 'input.log'), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text === '' || text.startsWith('# ')) return;
      const ev = parser.parse(text, i + 1, state);
      if (ev !== null) events.push(ev);
    });
  return events;
}

interface Run {
  incidents: JudgedIncident[];
  stats: DetectionStats;
}

function run(events: readonly Event[], detect: DetectConfig, c: CaseFile, drainEach: boolean): Run {
  const engine = new DetectionEngine(detect);
  const policy = buildPolicy(
    policyConfigSchema.parse(c.config?.policy ?? {}),
    c.ownNetworks ?? [],
    detect,
  );
  const drafts = [];
  for (const ev of events) {
    engine.observe(ev);
    if (drainEach) drafts.push(...engine.drain());
  }
  drafts.push(...engine.finish());
  return { incidents: drafts.map((d) => policy.judge(d)), stats: { ...engine.stats } };
}

function matches(actual: string, expected: string): boolean {
  if (expected.length > 1 && expected.startsWith('/') && expected.endsWith('/')) {
    return new RegExp(expected.slice(1, -1)).test(actual);
  }
  return actual === expected;
}

function shape(i: JudgedIncident): string {
  return `${i.kind} ${i.src ?? i.srcHost} ${isoUtc(i.firstSeen)}..${isoUtc(i.lastSeen)} events=${i.events} severity=${i.severity} reportable=${i.reportable}\n    ${i.reasons.join('\n    ')}`;
}

function check(actual: JudgedIncident, want: Expected, n: number): void {
  const where = `incident ${n} (${want.kind} ${want.src})`;
  for (const key of Object.keys(want)) {
    assert.ok(REQUIRED.includes(key) || OPTIONAL.includes(key), `${where}: unknown key "${key}"`);
  }
  for (const key of REQUIRED) assert.ok(key in want, `${where}: expected.json lacks "${key}"`);
  assert.equal(actual.kind, want.kind, `${where}: kind`);
  assert.equal(actual.src, want.src, `${where}: src`);
  assert.equal(isoUtc(actual.firstSeen), want.firstSeen, `${where}: firstSeen`);
  assert.equal(isoUtc(actual.lastSeen), want.lastSeen, `${where}: lastSeen`);
  assert.equal(actual.events, want.events, `${where}: events`);
  assert.deepEqual(actual.ports, want.ports, `${where}: ports`);
  assert.deepEqual(actual.targets, want.targets, `${where}: targets`);
  assert.equal(actual.severity, want.severity, `${where}: severity`);
  assert.equal(actual.reportable, want.reportable, `${where}: reportable`);
  assert.equal(
    actual.reasons.length,
    want.reasons.length,
    `${where}: reasons\n    ${actual.reasons.join('\n    ')}`,
  );
  want.reasons.forEach((r, i) => {
    assert.ok(
      matches(actual.reasons[i]!, r),
      `${where}: reason ${i}\n  got  ${actual.reasons[i]}\n  want ${r}`,
    );
  });
  if (want.srcHost !== undefined) assert.equal(actual.srcHost, want.srcHost, `${where}: srcHost`);
  if (want.services) assert.deepEqual(actual.services, want.services, `${where}: services`);
  if (want.users) assert.deepEqual(actual.users, want.users, `${where}: users`);
  if (want.truncated !== undefined) {
    assert.equal(actual.truncated, want.truncated, `${where}: truncated`);
  }
  if (want.evidence) {
    assert.deepEqual(
      actual.evidence.map((e) => e.line),
      want.evidence,
      `${where}: evidence lines`,
    );
  }
}

describe('detector cases', () => {
  it('exist', () => assert.ok(folders.length > 0));
  for (const name of folders) {
    const dir = join(root, name);
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseFile;
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected[];
    it(`${name}: ${c.description}`, () => {
      const detect = detectConfigSchema.parse(c.config?.detect ?? {});
      const events = readEvents(dir, c);
      const whole = run(events, detect, c, false);
      const got = whole.incidents;
      assert.equal(
        got.length,
        expected.length,
        `expected ${expected.length} incidents, got ${got.length}:\n  ${got.map(shape).join('\n  ')}`,
      );
      expected.forEach((want, i) => check(got[i]!, want, i + 1));
      for (const [key, value] of Object.entries(c.stats ?? {})) {
        assert.equal(whole.stats[key as keyof DetectionStats], value, `stats.${key}`);
      }
      // Replay: draining after every event gives the same incidents, in the same order.
      assert.deepEqual(run(events, detect, c, true).incidents, got, 'drained run differs');
    });
  }
});
