import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listed, listedUsers } from './incident-text.js';

test('user names an attacker wrote to read like a sentence are quoted in reasons', () => {
  assert.equal(listedUsers(['root', 'admin']), 'root, admin');
  assert.equal(listedUsers(['from 192.0.2.1 port 22']), '"from 192.0.2.1 port 22"');
  assert.equal(listedUsers(['a\nb']), '"a\\nb"');
  assert.equal(listedUsers(['user@example.org', 'o.brien']), 'user@example.org, o.brien');
});

test('a long quoted name keeps both quotes, and lists say how many more there are', () => {
  const long = `x; ${'y'.repeat(60)}`;
  const shown = listedUsers([long]);
  assert.equal(shown, JSON.stringify(`x; ${'y'.repeat(36)}…`));
  assert.ok(shown.startsWith('"') && shown.endsWith('"'));
  assert.equal(listedUsers(['a', 'b', 'c', 'd'], 2), 'a, b and 2 more');
  assert.equal(listed([22, 'ssh', 'x'.repeat(50)], 6), `22, ssh, ${'x'.repeat(39)}…`);
  assert.equal(
    listed(
      Array.from({ length: 1500 }, (_, i) => i),
      1,
    ),
    '0 and 1,499 more',
  );
});
