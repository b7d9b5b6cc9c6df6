import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { expandSources, orderRotated } from './rotated-set.js';

test('a rotated set is read oldest first: dated, then numbered high to low, then the live file', () => {
  assert.deepEqual(
    orderRotated(['secure', 'secure.1', 'secure-20261101.gz', 'secure-20261025', 'secure.2.gz']),
    ['secure-20261025', 'secure-20261101.gz', 'secure.2.gz', 'secure.1', 'secure'],
  );
});

test('different sets keep the order they were named in', () => {
  assert.deepEqual(orderRotated(['messages', 'auth.log', 'auth.log.1', 'messages.1']), [
    'messages.1',
    'messages',
    'auth.log.1',
    'auth.log',
  ]);
});

test('a directory stands for its regular files, each set oldest first; missing paths are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rotated-'));
  for (const f of ['auth.log', 'auth.log.1', 'auth.log.2.gz', 'syslog'])
    writeFileSync(join(dir, f), '');
  mkdirSync(join(dir, 'sub'));
  const specs = await expandSources([dir, join(dir, 'nope'), '-']);
  assert.deepEqual(
    specs.map((s) => (s.kind === 'file' ? s.name.slice(dir.length + 1) : s.kind)),
    ['auth.log.2.gz', 'auth.log.1', 'auth.log', 'syslog', 'missing', 'stdin'],
  );
  const missing = specs.find((s) => s.kind === 'missing');
  assert.equal(missing?.kind === 'missing' && missing.message, 'no such file or directory');
});
