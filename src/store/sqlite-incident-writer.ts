import type SqliteDatabase from 'better-sqlite3';
import type { IncidentRow, IncidentRowWriter } from './kysely-store.js';

// The columns of the prepared statements, bound by name from the row object.
const COLUMNS = [
  'id',
  'kind',
  'src',
  'src_host',
  'first_seen',
  'last_seen',
  'events',
  'severity',
  'reportable',
  'ports',
  'targets',
  'services',
  'users',
  'reasons',
  'evidence',
  'truncated',
  'created_at',
  'updated_at',
] as const;

/**
 * Incident writes on better-sqlite3 statements prepared once. A scan writes tens of thousands of
 * incidents: through the query builder each batch was compiled to SQL and prepared again, which
 * cost more than SQLite's own work. Runs on the store's one connection, so inside its transactions.
 */
export class SqliteIncidentWriter implements IncidentRowWriter {
  readonly #insert: SqliteDatabase.Statement<[IncidentRow]>;
  readonly #update: SqliteDatabase.Statement<[Omit<IncidentRow, 'created_at'>]>;
  /** All rows or none: a SAVEPOINT inside the store's transaction, BEGIN/COMMIT outside one. */
  readonly #insertAll: (rows: readonly IncidentRow[]) => void;

  /** Prepares the statements on a migrated database. */
  constructor(sqlite: SqliteDatabase.Database) {
    this.#insert = sqlite.prepare(
      `insert into "incidents" (${COLUMNS.map((c) => `"${c}"`).join(', ')}) values (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    );
    // Every column but id and created_at.
    const set = COLUMNS.filter((c) => c !== 'id' && c !== 'created_at');
    this.#update = sqlite.prepare(
      `update "incidents" set ${set.map((c) => `"${c}" = @${c}`).join(', ')} where "id" = @id`,
    );
    this.#insertAll = sqlite.transaction((rows: readonly IncidentRow[]) => {
      for (const r of rows) this.#insert.run(r);
    });
  }

  /** Inserts the rows atomically: a failure at row k leaves none of them (no half batch). */
  insert(rows: readonly IncidentRow[]): void {
    this.#insertAll(rows);
  }

  update(r: Omit<IncidentRow, 'created_at'>): number {
    return this.#update.run(r).changes;
  }
}
