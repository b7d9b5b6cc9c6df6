import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { databaseError } from './database-error.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import { SqliteIncidentWriter } from './sqlite-incident-writer.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** How long a writer waits for another process's write lock before failing (ms). */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) a SQLite database and brings its schema up to date. `:memory:`
 * keeps everything in memory and is gone on close. A file gets WAL mode (readers never block the
 * writer, so `scan` can run while `watch` writes) and its missing parent directories (mode 0700:
 * the database holds log lines). Failures become an ExternalError naming the path.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  const memory = path === ':memory:';
  if (!memory) createParent(path);
  let sqlite: SqliteDatabase.Database;
  try {
    sqlite = new SqliteDatabase(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw databaseError(path, 'cannot open', error);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    if (!memory) {
      // Reading the journal mode is the first read of the file: a corrupt or foreign file
      // fails here ("file is not a database").
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('synchronous = NORMAL');
    }
    await migrateLocked(sqlite, db, path);
  } catch (error) {
    await db.destroy();
    if (sqlite.open) sqlite.close();
    throw databaseError(path, 'cannot open', error);
  }
  return new KyselyStore(db, { label: path, incidentWriter: new SqliteIncidentWriter(sqlite) });
}

function createParent(path: string): void {
  const dir = dirname(path);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Node reports a file in the way as EEXIST ("file already exists"), which misleads.
    const reason =
      code === 'EEXIST' || code === 'ENOTDIR' ? 'a part of it is a file, not a directory' : error;
    throw databaseError(path, `cannot create directory ${dir}`, reason);
  }
}

// Kysely does not run SQLite migrations in a transaction (its adapter says SQLite lacks
// transactional DDL, which it has). BEGIN IMMEDIATE takes the write lock first, so a migration
// applies completely or not at all, and two processes opening a new file at once take turns
// instead of both creating the tables. Kysely uses the same single connection inside.
async function migrateLocked(
  sqlite: SqliteDatabase.Database,
  db: Kysely<Database>,
  path: string,
): Promise<void> {
  sqlite.exec('BEGIN IMMEDIATE');
  try {
    await migrateToLatest(db, path);
    sqlite.exec('COMMIT');
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
}
