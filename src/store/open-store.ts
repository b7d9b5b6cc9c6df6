import { ConfigError } from '../core/errors.js';
import { defaultDatabasePath } from './data-dir.js';
import { MemoryIncidentStore } from './memory-incident-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The database the command line asked for: `--db PATH|postgres://…` and `--no-db`. */
export interface StoreSpec {
  /** A SQLite file path (or `:memory:`), or a database URL; default: defaultDatabasePath(). */
  readonly db?: string;
  /** Keep everything in memory: nothing is read from or written to disk. */
  readonly noDb?: boolean;
}

const URL_SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * Opens the store the spec names. `--no-db` keeps incidents in memory and the rest in SQLite
 * `:memory:` (nothing on disk). Mistakes in the spec are ConfigErrors (exit 2); failures to
 * open are ExternalErrors.
 */
export async function openStore(
  spec: StoreSpec,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Store> {
  if (spec.noDb === true) {
    if (spec.db !== undefined)
      throw new ConfigError('--db and --no-db exclude each other: use one');
    return new MemoryIncidentStore(await openSqliteStore(':memory:'));
  }
  if (spec.db === undefined) return openSqliteStore(defaultDatabasePath(env));
  if (spec.db.trim() === '') {
    throw new ConfigError('--db: empty path (give a SQLite file path, or use --no-db)');
  }
  const scheme = URL_SCHEME.exec(spec.db)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') {
    throw new ConfigError(
      '--db: PostgreSQL is not supported yet; use a SQLite file path (--db PATH) or --no-db',
    );
  }
  if (scheme !== undefined) {
    throw new ConfigError(
      `--db: unsupported database URL scheme "${scheme}://"; use a SQLite file path (--db PATH) or --no-db`,
    );
  }
  return openSqliteStore(spec.db);
}
