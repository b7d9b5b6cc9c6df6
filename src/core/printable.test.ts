import assert from 'node:assert/strict';
import { test } from 'node:test';
import { printable } from './printable.js';

test('terminal escapes, CR/LF and bidi overrides in log text become visible escapes', () => {
  assert.equal(printable('user \u001b[31mred\u001b[0m'), 'user \\x1b[31mred\\x1b[0m');
  assert.equal(printable('a\r\nb'), 'a\\x0d\\x0ab');
  assert.equal(printable('x\u009by'), 'x\\x9by');
  assert.equal(printable('abc\u202Efdp.exe'), 'abc\\u{202e}fdp.exe');
  assert.equal(printable('plain text ü'), 'plain text ü');
});
