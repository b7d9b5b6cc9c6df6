import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDatabasePath } from './data-dir.js';

test('XDG_DATA_HOME, when absolute, holds the database', () => {
  assert.equal(
    defaultDatabasePath({ XDG_DATA_HOME: '/srv/data' }, '/home/ada'),
    '/srv/data/reportable/reportable.db',
  );
});

test('without XDG_DATA_HOME the database is under ~/.local/share', () => {
  assert.equal(
    defaultDatabasePath({}, '/home/ada'),
    '/home/ada/.local/share/reportable/reportable.db',
  );
});

test('an empty or relative XDG_DATA_HOME is ignored, as the XDG spec requires', () => {
  for (const XDG_DATA_HOME of ['', 'data', './data']) {
    assert.equal(
      defaultDatabasePath({ XDG_DATA_HOME }, '/home/ada'),
      '/home/ada/.local/share/reportable/reportable.db',
    );
  }
});
