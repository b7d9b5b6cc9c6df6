import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from './line-splitter.js';
import { seededInts } from '../../test/support/fixtures.js';

function split(
  chunks: (string | Buffer)[],
  max?: number,
): { lines: string[]; first: number[]; truncated: number } {
  const s = new LineSplitter(max);
  const lines: string[] = [];
  const first: number[] = [];
  for (const c of chunks) {
    const b = s.push(typeof c === 'string' ? Buffer.from(c) : c);
    if (b.lines.length) first.push(b.firstLine);
    lines.push(...b.lines);
  }
  const e = s.end();
  if (e.lines.length) first.push(e.firstLine);
  lines.push(...e.lines);
  return { lines, first, truncated: s.truncated };
}

test('LF and CRLF endings, last line without newline, blank lines kept for numbering', () => {
  const r = split(['a\r\nb\n\nc']);
  assert.deepEqual(r.lines, ['a', 'b', '', 'c']);
});

test('a line split across chunks is joined, and numbering continues', () => {
  const r = split(['one\ntw', 'o\nthr', 'ee\n']);
  assert.deepEqual(r.lines, ['one', 'two', 'three']);
  assert.deepEqual(r.first, [1, 2, 3]);
});

test('a UTF-8 character split across chunks survives', () => {
  const bytes = Buffer.from('grüße\n');
  const r = split([bytes.subarray(0, 3), bytes.subarray(3)]);
  assert.deepEqual(r.lines, ['grüße']);
});

test('invalid UTF-8 and NUL bytes do not break anything', () => {
  const r = split([Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x67, 0x0a])]);
  assert.equal(r.lines.length, 1);
  assert.equal(r.lines[0], 'f\ufffd\ufffd\u0000g');
});

test('lines over the limit are truncated and counted, within a chunk and across chunks', () => {
  const r = split(
    ['x'.repeat(20) + '\nshort\n', 'y'.repeat(8), 'y'.repeat(8), 'y'.repeat(8) + '\nz'],
    10,
  );
  assert.deepEqual(r.lines, ['x'.repeat(10), 'short', 'y'.repeat(10), 'z']);
  assert.equal(r.truncated, 2);
});

test('consumed counts bytes up to the last newline; a partial last line can be held back', () => {
  const s = new LineSplitter(10, 41);
  const a = s.push(Buffer.from('ab\ncd\nef'));
  assert.deepEqual(a, { firstLine: 41, lines: ['ab', 'cd'] });
  assert.equal(s.consumed, 6);
  s.push(Buffer.from('g'));
  assert.equal(s.consumed, 6);
  assert.deepEqual(s.end(false).lines, []);
  assert.equal(s.heldBack, true);
  assert.equal(s.lineNumber, 43);
});

test('an over-long line still advances consumed past its newline', () => {
  const s = new LineSplitter(4);
  s.push(Buffer.from('xxxxxxxx'));
  s.push(Buffer.from('xx\nok\n'));
  assert.equal(s.consumed, 14);
  assert.equal(s.truncated, 1);
});

test('a large chunk decoded in pieces gives the same lines as one decode', () => {
  // Lines of many lengths (some near the 64 KiB limit), ASCII and not, CRLF and invalid bytes,
  // so that piece boundaries fall everywhere.
  const parts: Buffer[] = [];
  const rand = seededInts(7);
  for (let i = 0; i < 400; i++) {
    const len = rand(10) === 0 ? 64_000 + rand(1_500) : rand(300);
    let text = 'x'.repeat(len);
    if (rand(7) === 0) text += 'grüße';
    parts.push(Buffer.from(text));
    if (rand(9) === 0) parts.push(Buffer.from([0xe2, 0x82]));
    parts.push(Buffer.from(rand(5) === 0 ? '\r\n' : '\n'));
  }
  const all = Buffer.concat(parts);
  const expected = all.toString('utf8').split('\n').slice(0, -1);
  const r = split([all]);
  assert.equal(r.truncated, 0);
  assert.equal(r.lines.length, expected.length);
  assert.deepEqual(
    r.lines,
    expected.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l)),
  );
});

test('a line longer than a decoding piece is kept whole when the limit allows it', () => {
  const long = 'y'.repeat(150_000);
  const r = split([Buffer.from(`a\n${long}\nb\n${long}\n`)], 200_000);
  assert.deepEqual(r.lines, ['a', long, 'b', long]);
  assert.equal(r.truncated, 0);
});
