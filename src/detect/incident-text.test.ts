import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listedUsers } from './incident-text.js';

test('user names an attacker wrote to read like a sentence are quoted in reasons', () => {
  assert.equal(listedUsers(['root', 'admin']), 'root, admin');
  assert.equal(listedUsers(['from 192.0.2.1 port 22']), '"from 192.0.2.1 port 22"');
  assert.equal(listedUsers(['a\nb']), '"a\\nb"');
  assert.equal(listedUsers(['user@example.org', 'o.brien']), 'user@example.org, o.brien');
});
