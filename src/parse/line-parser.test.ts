import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { newDraft, type ParserDefinition } from './family-parser.js';
import { LineParser, newSourceState, SHIPPED_TRIGGERS } from './line-parser.js';
import { parserDefinitions } from './parser-registry.js';

const state = () => newSourceState({ source: 't', zone: zone('UTC'), now: Date.UTC(2026, 10, 27) });

const seen = (parser: LineParser, line: string) => {
  const ev = parser.parse(line, 1, state());
  return ev && { family: ev.family, kind: ev.kind, src: ev.src, program: ev.program };
};

test('shipped triggers reach their parsers from a program that has none (cron)', () => {
  const parser = new LineParser(parserDefinitions());
  assert.deepEqual(seen(parser, 'Nov 26 04:12:09 gw cron[1]: refused connect from 192.0.2.7'), {
    family: 'tcpd',
    kind: 'connection-refused',
    src: '192.0.2.7',
    program: 'cron',
  });
  assert.deepEqual(
    seen(
      parser,
      'Nov 26 04:12:09 gw cron[1]: pam_unix(cron:auth): authentication failure; logname= uid=0 euid=0 tty= ruser= rhost=192.0.2.10  user=root',
    ),
    { family: 'pam', kind: 'auth-failure', src: '192.0.2.10', program: 'cron' },
  );
  assert.deepEqual(
    seen(
      parser,
      "Nov 26 04:12:09 gw cron[1]: client 192.0.2.8#53: query (cache) 'example.com/A/IN' denied",
    ),
    { family: 'named', kind: 'connection-refused', src: '192.0.2.8', program: 'cron' },
  );
  assert.equal(
    seen(parser, 'Nov 26 04:12:09 gw cron[1]: (root) CMD (run-parts /etc/cron.hourly)'),
    null,
  );
});

test('a registered trigger the shipped ones do not cover is still searched for', () => {
  const marker: ParserDefinition = {
    family: 'marker',
    description: 'test parser reached only by its trigger',
    build: () => ({
      family: 'marker',
      programs: [],
      triggers: ['zq-probe from '],
      parseMessage: (msg) =>
        msg.startsWith('zq-probe from ') ? newDraft('connection', msg.slice(14)) : null,
    }),
  };
  const parser = new LineParser([...parserDefinitions(), marker]);
  assert.deepEqual(seen(parser, 'Nov 26 04:12:09 gw cron[1]: zq-probe from 192.0.2.5'), {
    family: 'marker',
    kind: 'connection',
    src: '192.0.2.5',
    program: 'cron',
  });
  // The shipped triggers are still found next to it.
  assert.equal(
    seen(parser, 'Nov 26 04:12:09 gw cron[1]: refused connect from 192.0.2.7')?.family,
    'tcpd',
  );
});

test('every shipped trigger is covered by the one-search hint (else the trigger stage is slow)', () => {
  for (const def of parserDefinitions()) {
    for (const trigger of def.build().triggers ?? []) {
      assert.match(trigger.trimStart(), SHIPPED_TRIGGERS, `${def.family} trigger ${trigger}`);
    }
  }
});
