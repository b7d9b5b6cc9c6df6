import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WriteStream } from 'node:tty';
import { Progress } from './progress.js';

function fakeTerminal(): { stream: WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = { write: (s: string) => written.push(s) > 0 } as unknown as WriteStream;
  return { stream, written };
}

test('the progress line shows the share read and is erased at the end', () => {
  const { stream, written } = fakeTerminal();
  const p = new Progress(stream, 100 * 1048576);
  p.add(25 * 1048576);
  assert.equal(written.length, 1);
  assert.match(written[0]!, /^\r\[######\.{18}\] 25% 25\/100 MB \d+ MB\/s\u001b\[K$/);
  p.add(1);
  assert.equal(written.length, 1, 'redrawn at most five times a second');
  p.end();
  assert.equal(written.at(-1), '\r\u001b[K');
});

test('without a known total it shows the bytes read; nothing drawn means nothing erased', () => {
  const { stream, written } = fakeTerminal();
  const idle = new Progress(stream, null);
  idle.end();
  assert.deepEqual(written, []);
  const p = new Progress(stream, null);
  p.add(3 * 1048576);
  assert.match(written[0]!, /^\r3 MB read, \d+ MB\/s/);
});
