import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** Incidents without what differs between two runs (ids). */
function withoutIds(incidents: readonly { id: string }[]): unknown[] {
  return incidents.map(({ id: _id, ...rest }) => rest);
}

test('one rotated set alone and merged by time with another log gives the same incidents', async () => {
  const secure = await expandSources(['examples/logs/secure', 'examples/logs/secure.1.gz']);
  const dir = mkdtempSync(join(tmpdir(), 'reportable-scan-'));
  try {
    // A second, empty log makes two sets, merged event by event (one set's batches pass as read).
    const empty = join(dir, 'other.log');
    writeFileSync(empty, '');
    const alone = await scanExamples({ specs: secure });
    const merged = await scanExamples({ specs: [...secure, ...(await expandSources([empty]))] });
    assert.ok(alone.listed.length >= 2);
    assert.deepEqual(withoutIds(alone.listed), withoutIds(merged.listed));
    assert.deepEqual({ ...alone.result.stats, sources: 0 }, { ...merged.result.stats, sources: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt file of a rotated set is reported and the rest of the set is still read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reportable-scan-'));
  try {
    const gz = readFileSync('examples/logs/secure.1.gz');
    writeFileSync(join(dir, 'secure.1.gz'), gz.subarray(0, gz.length - 40));
    writeFileSync(join(dir, 'secure'), readFileSync('examples/logs/secure'));
    const errors: string[] = [];
    const { result } = await scanExamples({
      specs: await expandSources([dir]),
      onError: (err) => errors.push(`${err.source}: ${err.message}`),
    });
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /secure\.1\.gz: corrupt or truncated gzip data/);
    assert.equal(result.stats.unreadable, 1);
    // The live file's 17 lines, and those of the rotated one decoded before its damage.
    assert.ok(result.stats.lines > 17 && result.stats.lines < 17 + 11, `${result.stats.lines}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
