import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineSplitter } from './line-splitter.js';

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
