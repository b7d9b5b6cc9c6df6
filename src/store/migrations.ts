import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { ExternalError } from '../core/errors.js';
import { oneLine } from './database-error.js';
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE } from './schema.js';

// Migrations take Kysely<unknown>, not Kysely<Database>: a migration is frozen at the schema of
// its day, while Database follows the latest one. Only the portable schema builder is used, so
// the same migration runs on SQLite and PostgreSQL. Never edit a shipped migration; add one.
// Primary keys say NOT NULL because SQLite, unlike PostgreSQL, would otherwise allow NULL.

const m0001Initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('incidents')
      .addColumn('id', 'text', (c) => c.primaryKey().notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('src', 'text')
      .addColumn('src_host', 'text')
      .addColumn('first_seen', 'bigint', (c) => c.notNull())
      .addColumn('last_seen', 'bigint', (c) => c.notNull())
      .addColumn('events', 'bigint', (c) => c.notNull())
      .addColumn('severity', 'integer', (c) => c.notNull())
      .addColumn('reportable', 'integer', (c) => c.notNull())
      .addColumn('ports', 'text', (c) => c.notNull())
      .addColumn('targets', 'text', (c) => c.notNull())
      .addColumn('services', 'text', (c) => c.notNull())
      .addColumn('users', 'text', (c) => c.notNull())
      .addColumn('reasons', 'text', (c) => c.notNull())
      .addColumn('evidence', 'text', (c) => c.notNull())
      .addColumn('truncated', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('incidents_src_kind_last_seen')
      .on('incidents')
      .columns(['src', 'kind', 'last_seen'])
      .execute();
    await db.schema
      .createIndex('incidents_src_host_kind_last_seen')
      .on('incidents')
      .columns(['src_host', 'kind', 'last_seen'])
      .execute();
    await db.schema
      .createIndex('incidents_reportable_severity')
      .on('incidents')
      .columns(['reportable', 'severity'])
      .execute();
    await db.schema
      .createTable('checkpoints')
      .addColumn('identity', 'text', (c) => c.primaryKey().notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('offset', 'bigint', (c) => c.notNull())
      .addColumn('lines', 'bigint', (c) => c.notNull())
      .addColumn('read_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('checkpoints').execute();
    await db.schema.dropTable('incidents').execute();
  },
};

/** Every migration, by name; names sort in the order they apply. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001Initial,
};

/** Serves the in-code migrations, so the built package needs no migration files on disk. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...MIGRATIONS }),
};

/**
 * Brings the schema up to date, applying each pending migration once. `label` names the database
 * in error messages (a path, or a URL without its password).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, label: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === 'Error')?.migrationName;
  const reason = oneLine(error);
  // Kysely refuses a database holding migrations this version does not know: a newer
  // reportable wrote it, and reading it with this one could lose data.
  if (reason.startsWith('corrupted migrations')) {
    throw new ExternalError(
      `database ${label} was written by another version of reportable (${reason}); ` +
        'use that version or another --db',
      { cause: error },
    );
  }
  throw new ExternalError(`database ${label}: migration ${failed ?? '(setup)'} failed: ${reason}`, {
    cause: error,
  });
}
