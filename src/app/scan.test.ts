import assert from 'node:assert/strict';
import { test } from 'node:test';
import { zone } from '../core/time.js';
import { defaultDetectConfig, defaultPolicyConfig } from '../detect/detect-config.js';
import { expandSources } from '../ingest/rotated-set.js';
import { openStore } from '../store/open-store.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';
import { scan, type ScanOptions } from './scan.js';

async function scanExamples(
  extra: Partial<ScanOptions> = {},
  open: () => Promise<Store> = () => openStore({ noDb: true }),
) {
  const store = await open();
  const result = await scan({
    specs: await expandSources(['examples/logs']),
    zone: zone('UTC'),
    now: Date.UTC(2026, 10, 27),
    detect: defaultDetectConfig(),
    policy: defaultPolicyConfig(),
    ownNetworks: [],
    store,
    checkpoints: false,
    onError: (err) => assert.fail(err.message),
    ...extra,
  });
  const listed = await store.listIncidents({ updatedSince: result.startedAt });
  await store.close();
  return { result, listed };
}

for (const [name, open] of [
  ['--no-db', () => openStore({ noDb: true })],
  ['SQLite', () => openSqliteStore(':memory:')],
] as const) {
  test(`scan hands back the incidents it stored, in the store's list order (${name})`, async () => {
    const { result, listed } = await scanExamples({}, open);
    assert.ok(listed.length > 5);
    assert.equal(result.stats.incidents, listed.length);
    assert.deepEqual(result.incidents, listed);
  });
}

test('past keepIncidents, scan hands back none: output pages them from the store', async () => {
  const { result, listed } = await scanExamples({ keepIncidents: 3 });
  assert.equal(result.incidents, null);
  assert.equal(result.stats.incidents, listed.length);
  // What output pages from the store by id: exactly these incidents, in list order.
  assert.deepEqual(
    result.listed.map((k) => k.id),
    listed.map((i) => i.id),
  );
});
