import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { MAX_LINE_BYTES } from '../ingest/line-splitter.js';
import { LineParser, newSourceState } from './line-parser.js';
import { parserDefinitions } from './parser-registry.js';

// Long lines built to make a backtracking regex explode, sent through every parser by every
// program name it registers and through the header-less formats. The proof of linear time is
// regex-safety.test.ts; this run shows the whole per-line path survives such lines. The
// timeout only turns a hang into a failure.
const BLOCKS = [
  ' ',
  'a',
  '0',
  '1.',
  '1:',
  '::',
  'from 192.0.2.1 port 22 ',
  'for invalid user ',
  ' from ',
  '[client 192.0.2.1] ',
  'client: 192.0.2.1, ',
  'SRC=192.0.2.1 ',
  'IN= ',
  'rhost=',
  'user=<',
  'relay=',
  '[',
  ']',
  '(',
  '"',
  '\\"',
  "'@'",
  '%x',
  '\\x90',
  '#',
  '[**] ',
  '=',
  ', ',
  '/..',
  '() {',
];

function fill(prefix: string, block: string): string {
  const room = MAX_LINE_BYTES - prefix.length;
  return prefix + block.repeat(Math.max(1, Math.floor(room / block.length)));
}

test(
  'adversarial 64 KiB lines through every parser end without error',
  { timeout: 120_000 },
  () => {
    const parser = new LineParser(parserDefinitions());
    const state = newSourceState({
      source: 'adversarial',
      zone: zone('UTC'),
      now: Date.UTC(2026, 10, 27),
    });
    const programs = new Set<string>(['kernel', 'sshd', 'tcpd']);
    for (const p of parser.parsers) for (const name of p.programs) programs.add(name);
    const prefixes = [
      '',
      '192.0.2.1 - - [26/Nov/2026:10:00:01 +0100] "GET ',
      '[Sat Jun 01 02:17:42 2013] [error] [client 192.0.2.1] ',
      '2012/04/09 11:53:29 [error] 2865#0: *1 ',
      '11/26-04:40:17.120334  [**] ',
      '{"event_type":"alert","a":',
      '2013-01-04 17:03:46 ',
      'Fri Jan 19 12:20:33 2007 [pid 1] ',
    ];
    for (const name of programs) prefixes.push(`Nov 26 04:12:09 gw ${name}[1]: `);
    let lines = 0;
    for (const prefix of prefixes) {
      for (const block of BLOCKS) {
        const line = fill(prefix, block);
        parser.parse(line, ++lines, state);
        // The same with a plausible ending, which some patterns need before they backtrack.
        parser.parse(line.slice(0, -40) + ' from 192.0.2.1 port 22 ssh2', ++lines, state);
      }
    }
    assert.ok(lines > BLOCKS.length * 4);
  },
);
