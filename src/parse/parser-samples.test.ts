import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FAILURE_KINDS, type EventKind } from '../core/event.js';
import { eventToJson } from '../core/event-json.js';
import { zone } from '../core/time.js';
import { LineParser, newSourceState } from './line-parser.js';
import { parserDefinitions } from './parser-registry.js';

const dir = join(import.meta.dirname, 'samples');
const files = readdirSync(dir).filter((f) => f.endsWith('.log'));

interface Case {
  name: string;
  lineNo: number;
  text: string;
  expect: Record<string, unknown> | 'none' | 'no-failure';
}

describe('annotated parser samples', () => {
  it('exist for the families', () => {
    assert.ok(files.length > 0, 'no sample files found');
  });
  for (const file of files) {
    describe(file, () => {
      const lines = readFileSync(join(dir, file), 'utf8').split('\n');
      let options = { tz: 'UTC', now: '2026-11-27T12:00:00Z' };
      const m = /^# options: (.*)$/.exec(lines[0] ?? '');
      if (m) options = { ...options, ...(JSON.parse(m[1]!) as typeof options) };
      const parser = new LineParser(parserDefinitions());
      const state = newSourceState({
        source: file,
        zone: zone(options.tz),
        now: Date.parse(options.now),
      });
      const results = new Map<number, ReturnType<LineParser['parse']>>();
      const cases: Case[] = [];
      let name = '';
      let pending: Case['expect'] | null = null;
      lines.forEach((text, i) => {
        if (text.startsWith('# expect: ')) {
          const body = text.slice('# expect: '.length).trim();
          pending =
            body === 'none' || body === 'no-failure'
              ? body
              : (JSON.parse(body) as Record<string, unknown>);
          return;
        }
        if (text.startsWith('#')) {
          name = text.replace(/^#+\s*/, '');
          return;
        }
        if (text.trim() === '') return;
        // Every line goes through the parser in order, annotated or not (session state).
        results.set(i + 1, parser.parse(text, i + 1, state));
        if (pending !== null) {
          cases.push({ name: name || `line ${i + 1}`, lineNo: i + 1, text, expect: pending });
          pending = null;
        }
      });
      for (const c of cases) {
        it(`${c.name} (line ${c.lineNo})`, () => {
          const ev = results.get(c.lineNo) ?? null;
          if (c.expect === 'none') {
            assert.equal(
              ev,
              null,
              `expected no event, got ${JSON.stringify(ev && eventToJson(ev))}`,
            );
            return;
          }
          if (c.expect === 'no-failure') {
            assert.ok(
              ev === null || !FAILURE_KINDS.has(ev.kind as EventKind),
              `expected no failure event, got ${ev?.kind}`,
            );
            return;
          }
          assert.ok(ev !== null, `no event for: ${c.text}`);
          const json = eventToJson(ev);
          const actual: Record<string, unknown> = {};
          for (const key of Object.keys(c.expect)) actual[key] = json[key];
          assert.deepEqual(actual, c.expect);
        });
      }
    });
  }
});
