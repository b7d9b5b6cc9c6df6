import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { ConfigError, ExternalError } from '../../src/core/errors.js';
import { findNetworkQuery, KyselyStore } from '../../src/store/kysely-store.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from '../../src/store/schema.js';
import type { Database } from '../../src/store/schema.js';
import type { Network } from '../../src/core/network.js';
import type { ReportDraft } from '../../src/core/report.js';
import type { CachedNetwork, NewIncident } from '../../src/store/store.js';
import { openStore } from '../../src/store/open-store.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';
import { storeConformance } from './store-conformance.js';

const root = mkdtempSync(join(tmpdir(), 'reportable-store-'));
let serial = 0;
function freshPath(): string {
  serial += 1;
  return join(root, `db-${serial}`, 'reportable.db');
}

storeConformance('SQLite file', () => openSqliteStore(freshPath()), {
  persistent: () => {
    const path = freshPath();
    return () => openSqliteStore(path);
  },
});

storeConformance('SQLite :memory:', () => openSqliteStore(':memory:'));

const sample: NewIncident = {
  kind: 'port-scan',
  src: '203.0.113.9',
  srcHost: null,
  firstSeen: Date.UTC(2026, 10, 26),
  lastSeen: Date.UTC(2026, 10, 26, 0, 5),
  events: 30,
  ports: [21, 22, 23, 25],
  targets: ['198.51.100.1'],
  services: [],
  users: [],
  truncated: false,
  severity: 3,
  reportable: true,
  reasons: ['30 ports in 5 minutes'],
  evidence: [],
};

/** A report draft covering these incidents. */
function draft(incidentIds: string[]): ReportDraft {
  return {
    contact: 'abuse@example.net',
    recipients: [
      { email: 'abuse@example.net', kind: 'to', source: 'whois.ripe.net abuse-mailbox' },
    ],
    subject: 'Port scan from 203.0.113.9',
    body: '30 ports in 5 minutes',
    xarf: [{ Version: '4', ReportType: 'PortScan', SourceIp: '203.0.113.9' }],
    incidentIds,
    sources: ['203.0.113.9'],
    kinds: ['port-scan'],
    note: null,
  };
}

const block: CachedNetwork = {
  netblock: {
    start: '198.51.100.0',
    end: '198.51.100.255',
    cidrs: ['198.51.100.0/24'],
    name: 'EXAMPLE-NET',
    handle: 'EXAMPLE-NET-HANDLE',
    org: 'Example Networks Ltd',
    country: 'NL',
    registry: 'ripe',
  },
  asn: 64500,
  asName: 'EXAMPLE-AS',
  contacts: [
    {
      email: 'abuse@example.net',
      roles: ['abuse'],
      source: 'whois.ripe.net abuse-mailbox',
      structured: true,
      level: 'network',
    },
  ],
  hints: [],
  chain: [{ server: 'whois.ripe.net', query: '-B 198.51.100.7' }],
  errors: [],
  fetchedAt: Date.UTC(2026, 10, 26),
  expiresAt: Date.UTC(2026, 11, 3),
};

const answer: Network = {
  address: '198.51.100.7',
  ptr: null,
  ptrConfirmed: false,
  domain: null,
  asn: 64500,
  asName: 'EXAMPLE-AS',
  network: block.netblock,
  contacts: block.contacts,
  hints: [],
  chain: [],
  errors: [],
};

/** Reads a file database directly, bypassing the store. */
function inspect<T>(path: string, fn: (db: SqliteDatabase.Database) => T): T {
  const db = new SqliteDatabase(path, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

describe('SQLite store specifics', () => {
  test('a file database is created with its parent directories (0700) in WAL mode', async () => {
    const dir = join(root, 'nested', 'a', 'b');
    const path = join(dir, 'reportable.db');
    const store = await openSqliteStore(path);
    await store.close();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(
      inspect(path, (db) => db.pragma('journal_mode', { simple: true })),
      'wal',
    );
  });

  test('the schema has the tables and indexes of migrations 0001 to 0003', async () => {
    const path = freshPath();
    await (await openSqliteStore(path)).close();
    const objects = inspect(path, (db) =>
      db
        .prepare(
          "select type, name from sqlite_master where name not like 'sqlite_%' order by type, name",
        )
        .all(),
    );
    assert.deepEqual(objects, [
      { type: 'index', name: 'incidents_reportable_severity' },
      { type: 'index', name: 'incidents_src_host_kind_last_seen' },
      { type: 'index', name: 'incidents_src_kind_last_seen' },
      { type: 'index', name: 'ledger_src_sent_at' },
      { type: 'index', name: 'lookup_failures_expires_at' },
      { type: 'index', name: 'network_cache_expires_at' },
      { type: 'index', name: 'network_cache_prefixes_block' },
      { type: 'index', name: 'report_incidents_incident_id' },
      { type: 'index', name: 'reports_created_at_seq' },
      { type: 'index', name: 'reports_sent_at' },
      { type: 'index', name: 'reports_seq' },
      { type: 'index', name: 'reports_status' },
      { type: 'table', name: 'address_networks' },
      { type: 'table', name: 'checkpoints' },
      { type: 'table', name: 'id_counters' },
      { type: 'table', name: 'incidents' },
      { type: 'table', name: 'ledger' },
      { type: 'table', name: 'lookup_failures' },
      { type: 'table', name: 'network_cache' },
      { type: 'table', name: 'network_cache_prefixes' },
      { type: 'table', name: 'report_incidents' },
      { type: 'table', name: 'reports' },
      { type: 'table', name: 'schema_migrations' },
      { type: 'table', name: 'schema_migrations_lock' },
    ]);
  });

  test('a second open does not run migrations again', async () => {
    const path = freshPath();
    await (await openSqliteStore(path)).close();
    const applied = () =>
      inspect(path, (db) =>
        db.prepare('select name, timestamp from schema_migrations order by name').all(),
      );
    const first = applied();
    assert.deepEqual(
      first.map((m) => (m as { name: string }).name),
      ['0001_initial', '0002_investigation_cache', '0003_reports'],
    );
    await (await openSqliteStore(path)).close();
    assert.deepEqual(applied(), first);
  });

  test('a database at migration 0001 gains the cache tables and keeps its incidents', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    const { error } = await migrator.migrateTo('0001_initial');
    assert.equal(error, undefined);
    const old = await new KyselyStore(db, { label: path }).insertIncident(sample);
    await db.destroy();
    const store = await openSqliteStore(path);
    try {
      assert.deepEqual(await store.listIncidents(), [old]);
      await store.saveLookupFailure('203.0.113.9', 'timed out', Date.UTC(2026, 10, 27));
      assert.equal(
        await store.findLookupFailure('203.0.113.9', Date.UTC(2026, 10, 26)),
        'timed out',
      );
    } finally {
      await store.close();
    }
    assert.deepEqual(
      inspect(path, (d) => d.prepare('select name from schema_migrations order by name').all()),
      [{ name: '0001_initial' }, { name: '0002_investigation_cache' }, { name: '0003_reports' }],
    );
  });

  test('a cached network lookup probes indexes only, for IPv4 and IPv6', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    try {
      // Enough blocks, and ANALYZE statistics, for the planner to weigh a scan of them.
      await store.transaction(async (tx) => {
        for (let i = 0; i < 2000; i++) {
          await tx.saveNetwork({
            netblock: {
              start: `2001:db8:${i.toString(16)}::`,
              end: `2001:db8:${i.toString(16)}:ffff:ffff:ffff:ffff:ffff`,
              cidrs: [],
              name: null,
              handle: null,
              org: null,
              country: null,
              registry: null,
            },
            asn: null,
            asName: null,
            contacts: [],
            hints: [],
            chain: [],
            errors: [],
            fetchedAt: 0,
            expiresAt: 1000 + i,
          });
        }
      });
    } finally {
      await store.close();
    }
    const sqlite = new SqliteDatabase(path);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    try {
      sqlite.exec('analyze');
      for (const address of ['192.0.2.1', '2001:db8:7d0::1']) {
        const query = findNetworkQuery(db, address, 1500)?.compile();
        assert.ok(query !== undefined);
        const plan = sqlite
          .prepare(`explain query plan ${query.sql}`)
          .all(...(query.parameters as unknown[]))
          .map((row) => (row as { detail: string }).detail);
        assert.deepEqual(
          plan.filter((step) => !step.startsWith('USE TEMP B-TREE FOR ORDER BY')),
          [
            'SEARCH p USING COVERING INDEX sqlite_autoindex_network_cache_prefixes_1 (prefix_key=?)',
            'SEARCH n USING INDEX sqlite_autoindex_network_cache_1 (start_key=? AND end_key=?)',
          ],
          address,
        );
      }
    } finally {
      await db.destroy();
    }
  });

  test('a database at migration 0002 gains the report tables and keeps incidents and cache', async () => {
    const path = freshPath();
    mkdirSync(dirname(path), { recursive: true });
    const sqlite = new SqliteDatabase(path);
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
    });
    assert.equal((await migrator.migrateTo('0002_investigation_cache')).error, undefined);
    const old = new KyselyStore(db, { label: path });
    const incident = await old.insertIncident(sample);
    await old.saveNetwork(block);
    await old.saveLookupFailure('203.0.113.9', 'timed out', Date.UTC(2026, 10, 27));
    await old.saveAddressNetwork(answer, Date.UTC(2026, 10, 26));
    await db.destroy();
    const store = await openSqliteStore(path);
    try {
      assert.deepEqual(await store.listIncidents(), [incident]);
      assert.deepEqual(await store.findNetwork('198.51.100.7', Date.UTC(2026, 10, 26)), block);
      assert.equal(
        await store.findLookupFailure('203.0.113.9', Date.UTC(2026, 10, 26)),
        'timed out',
      );
      assert.deepEqual(
        await store.findAddressNetworks([answer.address]),
        new Map([[answer.address, { network: answer, at: Date.UTC(2026, 10, 26) }]]),
      );
      const report = await store.insertReport(
        draft([incident.id]),
        'draft',
        Date.UTC(2026, 10, 27),
      );
      assert.equal(report.id, '1');
      assert.deepEqual(await store.listReports({ incidentIds: [incident.id] }), [report]);
    } finally {
      await store.close();
    }
    assert.deepEqual(
      inspect(path, (d) => d.prepare('select name from schema_migrations order by name').all()),
      [{ name: '0001_initial' }, { name: '0002_investigation_cache' }, { name: '0003_reports' }],
    );
  });

  test('two stores on one file: one claim of a report wins, numbers never repeat', async () => {
    const path = freshPath();
    const first = await openSqliteStore(path);
    const second = await openSqliteStore(path);
    try {
      const now = Date.UTC(2026, 10, 27);
      // One after the other: better-sqlite3 is synchronous, so two connections of one process
      // that both hold a write transaction wait on each other with the event loop blocked.
      // Processes do not (see the next test).
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const store = i % 2 === 0 ? first : second;
        ids.push((await store.insertReport(draft([`inc-${i}`]), 'approved', now)).id);
      }
      assert.deepEqual(ids, ['1', '2', '3', '4', '5', '6']);
      const claim = (store: typeof first, n: number) =>
        store.transitionReport(
          '1',
          ['approved'],
          { status: 'sending', messageId: `<${n}@reportable.example>` },
          now + n,
        );
      const results = await Promise.all([claim(first, 1), claim(second, 2)]);
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      assert.deepEqual(await second.getReport('1'), winners[0]);
      assert.deepEqual(await first.getReport('1'), winners[0]);
    } finally {
      await first.close();
      await second.close();
    }
  });

  test('two processes claiming the same approved reports never both win one', async () => {
    const path = freshPath();
    const go = `${path}.go`;
    const count = 300;
    const store = await openSqliteStore(path);
    try {
      await store.transaction(async (tx) => {
        for (let i = 0; i < count; i++) await tx.insertReport(draft([]), 'approved', i);
      });
    } finally {
      await store.close();
    }
    // Each process opens the store, says it is ready, waits for the go file (so both run at
    // once, not one after the other's startup), then walks every report and claims what it can,
    // one upwards and one downwards: both win some, and they collide where they meet.
    const script = `
      import { existsSync } from 'node:fs';
      const { openSqliteStore } = await import(process.env.STORE_MODULE);
      const [path, go] = process.argv.slice(1);
      const store = await openSqliteStore(path);
      process.stdout.write('ready\\n');
      while (!existsSync(go)) await new Promise((resolve) => setTimeout(resolve, 2));
      const won = [];
      for (let k = 1; k <= ${count}; k++) {
        const i = process.argv[3] === 'down' ? ${count} + 1 - k : k;
        const patch = { status: 'sending', messageId: '<' + process.pid + '.' + i + '@x>' };
        if ((await store.transitionReport(String(i), ['approved'], patch, i)) !== null) won.push(i);
      }
      await store.close();
      process.stdout.write(JSON.stringify(won) + '\\n');`;
    const env = {
      ...process.env,
      STORE_MODULE: new URL('../../src/store/sqlite-store.ts', import.meta.url).href,
    };
    const children = ['up', 'down'].map((direction) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script, path, go, direction],
        { env, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const lines: string[] = [];
      let buffer = '';
      let onLine = (): void => {};
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        let nl;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          lines.push(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 1);
          onLine();
        }
      });
      const line = (n: number): Promise<string> =>
        new Promise((resolve, reject) => {
          onLine = () => {
            if (lines.length > n) resolve(lines[n] as string);
          };
          child.once('exit', (code) => reject(new Error(`claimer exited with ${code}`)));
          onLine();
        });
      return { line };
    });
    await Promise.all(children.map((c) => c.line(0)));
    writeFileSync(go, '');
    const [a, b] = (await Promise.all(children.map((c) => c.line(1)))).map(
      (text) => JSON.parse(text) as number[],
    ) as [number[], number[]];
    assert.deepEqual(
      [...a, ...b].sort((x, y) => x - y),
      Array.from({ length: count }, (_, i) => i + 1),
    );
    // Both really ran at once (otherwise the test shows nothing): each won some.
    assert.ok(a.length > 0 && b.length > 0, `claims split ${a.length} / ${b.length}`);
  });

  test('unreadable JSON in a report or an unknown ledger kind reads back empty, not as an error', async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    const now = Date.UTC(2026, 10, 27);
    try {
      await store.insertReport(draft(['inc-1']), 'draft', now);
      await store.addLedgerEntries([
        {
          reportId: '1',
          src: '192.0.2.10',
          contact: 'abuse@example.net',
          kind: 'brute-force',
          network: null,
          messageId: null,
          sentAt: now,
        },
      ]);
    } finally {
      await store.close();
    }
    const sqlite = new SqliteDatabase(path);
    sqlite
      .prepare(
        `update reports set recipients = ?, xarf = ?, incident_ids = ?, sources = ?, kinds = ?`,
      )
      .run(
        JSON.stringify([
          { email: 'abuse@example.net', kind: 'to', source: 'whois', extra: 'dropped' },
          { email: 'x@example.net', kind: 'bcc', source: 'whois' },
          'not a recipient',
        ]),
        '{truncated',
        JSON.stringify(['inc-1', 7, null]),
        'null',
        JSON.stringify(['brute-force', 'teleportation']),
      );
    sqlite
      .prepare(
        "insert into ledger (report_id, src, contact, kind, network, message_id, sent_at) values ('1', '192.0.2.10', 'abuse@example.net', 'teleportation', null, null, 1)",
      )
      .run();
    sqlite.close();
    const again = await openSqliteStore(path);
    try {
      const report = await again.getReport('1');
      assert.deepEqual(report?.recipients, [
        { email: 'abuse@example.net', kind: 'to', source: 'whois' },
      ]);
      assert.deepEqual(report.xarf, []);
      assert.deepEqual(report.incidentIds, ['inc-1']);
      assert.deepEqual(report.sources, []);
      assert.deepEqual(report.kinds, ['brute-force']);
      assert.deepEqual(
        (await again.findLedger(['192.0.2.10'])).map((e) => e.kind),
        ['brute-force'],
      );
    } finally {
      await again.close();
    }
  });

  test('two stores on one file see each other’s writes', async () => {
    const path = freshPath();
    const writer = await openSqliteStore(path);
    const reader = await openSqliteStore(path);
    try {
      const stored = await writer.insertIncident(sample);
      assert.deepEqual(await reader.listIncidents(), [stored]);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  test('a file that is not a database is an ExternalError naming the path', async () => {
    const path = join(root, 'garbage.db');
    writeFileSync(path, 'this is a log file, not a database\n'.repeat(200));
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(error instanceof ExternalError);
      assert.equal(error.message, `database ${path}: cannot open: file is not a database`);
      return true;
    });
  });

  test('a path under a regular file is an ExternalError naming the path', async () => {
    const file = join(root, 'plain-file');
    writeFileSync(file, 'x');
    const path = join(file, 'reportable.db');
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(error instanceof ExternalError);
      assert.equal(
        error.message,
        `database ${path}: cannot create directory ${file}: a part of it is a file, not a directory`,
      );
      return true;
    });
  });

  test(
    'a directory without write permission is an ExternalError naming the path',
    { skip: process.getuid?.() === 0 ? 'root ignores file permissions' : false },
    async () => {
      const dir = join(root, 'locked');
      await (await openSqliteStore(join(dir, 'ok.db'))).close();
      chmodSync(dir, 0o500);
      try {
        const path = join(dir, 'new.db');
        await assert.rejects(openSqliteStore(path), (error) => {
          assert.ok(error instanceof ExternalError);
          assert.ok(error.message.startsWith(`database ${path}: cannot open: `), error.message);
          return true;
        });
      } finally {
        chmodSync(dir, 0o700);
      }
    },
  );

  test('a database written by a newer version is refused, not modified', async () => {
    const path = freshPath();
    await (await openSqliteStore(path)).close();
    const db = new SqliteDatabase(path);
    db.prepare("insert into schema_migrations (name, timestamp) values ('9999_future', 'x')").run();
    db.close();
    await assert.rejects(openSqliteStore(path), (error) => {
      assert.ok(error instanceof ExternalError);
      assert.ok(
        error.message.startsWith(`database ${path} was written by another version of reportable (`),
        error.message,
      );
      assert.match(error.message, /9999_future/);
      return true;
    });
    assert.deepEqual(
      inspect(path, (d) => d.prepare('select name from schema_migrations order by name').all()),
      [
        { name: '0001_initial' },
        { name: '0002_investigation_cache' },
        { name: '0003_reports' },
        { name: '9999_future' },
      ],
    );
  });
});

describe('openStore', () => {
  test('without --db the database is in $XDG_DATA_HOME/reportable/', async () => {
    const xdg = mkdtempSync(join(root, 'xdg-'));
    const store = await openStore({}, { XDG_DATA_HOME: xdg, HOME: '/nonexistent' });
    const stored = await store.insertIncident(sample);
    await store.close();
    const path = join(xdg, 'reportable', 'reportable.db');
    assert.ok(existsSync(path));
    const again = await openSqliteStore(path);
    assert.deepEqual(await again.listIncidents(), [stored]);
    await again.close();
  });

  test('--db PATH opens that SQLite file', async () => {
    const path = freshPath();
    const store = await openStore({ db: path });
    await store.insertIncident(sample);
    await store.close();
    assert.equal(
      inspect(path, (db) => db.prepare('select count(*) from incidents').pluck().get()),
      1,
    );
  });

  test('--no-db keeps everything in memory and writes nothing', async () => {
    const xdg = mkdtempSync(join(root, 'xdg-'));
    const store = await openStore({ noDb: true }, { XDG_DATA_HOME: xdg });
    const stored = await store.insertIncident(sample);
    assert.deepEqual(await store.listIncidents(), [stored]);
    await store.close();
    assert.deepEqual(readdirSync(xdg), []);
    const fresh = await openStore({ noDb: true }, { XDG_DATA_HOME: xdg });
    assert.deepEqual(await fresh.listIncidents(), []);
    await fresh.close();
  });

  test('a PostgreSQL URL is a ConfigError saying what to use instead', async () => {
    for (const db of [
      'postgres://user:secret@db.example/reportable',
      'postgresql://db.example/r',
    ]) {
      await assert.rejects(openStore({ db }), (error) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(
          error.message,
          '--db: PostgreSQL is not supported yet; use a SQLite file path (--db PATH) or --no-db',
        );
        return true;
      });
    }
  });

  test('other URLs, an empty path, and --db with --no-db are ConfigErrors', async () => {
    const cases: [Parameters<typeof openStore>[0], string][] = [
      [
        { db: 'mysql://db.example/r' },
        '--db: unsupported database URL scheme "mysql://"; use a SQLite file path (--db PATH) or --no-db',
      ],
      [{ db: '' }, '--db: empty path (give a SQLite file path, or use --no-db)'],
      [{ db: 'x.db', noDb: true }, '--db and --no-db exclude each other: use one'],
    ];
    for (const [spec, message] of cases) {
      await assert.rejects(openStore(spec), (error) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, message);
        return true;
      });
    }
  });
});

after(() => rmSync(root, { recursive: true, force: true }));
