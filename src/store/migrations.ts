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

// The investigation cache (issue 4): netblocks with their registry contacts, their covering
// prefixes (the containment index), failed lookups, and each address's full answer.
const m0002InvestigationCache: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('network_cache')
      .addColumn('start_key', 'text', (c) => c.notNull())
      .addColumn('end_key', 'text', (c) => c.notNull())
      .addColumn('family', 'integer', (c) => c.notNull())
      .addColumn('span_key', 'text', (c) => c.notNull())
      .addColumn('start', 'text', (c) => c.notNull())
      .addColumn('end', 'text', (c) => c.notNull())
      .addColumn('cidrs', 'text', (c) => c.notNull())
      .addColumn('name', 'text')
      .addColumn('handle', 'text')
      .addColumn('org', 'text')
      .addColumn('country', 'text')
      .addColumn('registry', 'text')
      .addColumn('asn', 'bigint')
      .addColumn('as_name', 'text')
      .addColumn('contacts', 'text', (c) => c.notNull())
      .addColumn('hints', 'text', (c) => c.notNull())
      .addColumn('chain', 'text', (c) => c.notNull())
      .addColumn('errors', 'text', (c) => c.notNull())
      .addColumn('fetched_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('network_cache_pk', ['start_key', 'end_key'])
      .execute();
    await db.schema
      .createIndex('network_cache_expires_at')
      .on('network_cache')
      .column('expires_at')
      .execute();
    await db.schema
      .createTable('network_cache_prefixes')
      .addColumn('prefix_key', 'text', (c) => c.notNull())
      .addColumn('start_key', 'text', (c) => c.notNull())
      .addColumn('end_key', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('network_cache_prefixes_pk', ['prefix_key', 'start_key', 'end_key'])
      .execute();
    await db.schema
      .createIndex('network_cache_prefixes_block')
      .on('network_cache_prefixes')
      .columns(['start_key', 'end_key'])
      .execute();
    await db.schema
      .createTable('lookup_failures')
      .addColumn('address', 'text', (c) => c.primaryKey().notNull())
      .addColumn('error', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('lookup_failures_expires_at')
      .on('lookup_failures')
      .column('expires_at')
      .execute();
    await db.schema
      .createTable('address_networks')
      .addColumn('address', 'text', (c) => c.primaryKey().notNull())
      .addColumn('ptr', 'text')
      .addColumn('ptr_confirmed', 'integer', (c) => c.notNull())
      .addColumn('domain', 'text')
      .addColumn('asn', 'bigint')
      .addColumn('as_name', 'text')
      .addColumn('network', 'text', (c) => c.notNull())
      .addColumn('contacts', 'text', (c) => c.notNull())
      .addColumn('hints', 'text', (c) => c.notNull())
      .addColumn('chain', 'text', (c) => c.notNull())
      .addColumn('errors', 'text', (c) => c.notNull())
      .addColumn('looked_up_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('address_networks').execute();
    await db.schema.dropTable('lookup_failures').execute();
    await db.schema.dropTable('network_cache_prefixes').execute();
    await db.schema.dropTable('network_cache').execute();
  },
};

// Reports and the ledger (issue 5): composed reports with their delivery state, the incidents
// each covers (a join table, so "is this incident reported?" uses an index), the ledger of what
// was sent to whom, and the counter that numbers reports.
const m0003Reports: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('reports')
      .addColumn('id', 'text', (c) => c.primaryKey().notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('recipients', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('xarf', 'text', (c) => c.notNull())
      .addColumn('incident_ids', 'text', (c) => c.notNull())
      .addColumn('sources', 'text', (c) => c.notNull())
      .addColumn('kinds', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('message_id', 'text')
      .addColumn('eml', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('approved_at', 'bigint')
      .addColumn('sent_at', 'bigint')
      .addColumn('attempts', 'bigint', (c) => c.notNull())
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('last_error', 'text')
      .execute();
    await db.schema.createIndex('reports_seq').on('reports').column('seq').unique().execute();
    await db.schema
      .createIndex('reports_created_at_seq')
      .on('reports')
      .columns(['created_at', 'seq'])
      .execute();
    await db.schema.createIndex('reports_status').on('reports').column('status').execute();
    await db.schema.createIndex('reports_sent_at').on('reports').column('sent_at').execute();
    await db.schema
      .createTable('report_incidents')
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('incident_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('report_incidents_pk', ['report_id', 'incident_id'])
      .execute();
    await db.schema
      .createIndex('report_incidents_incident_id')
      .on('report_incidents')
      .columns(['incident_id', 'report_id'])
      .execute();
    await db.schema
      .createTable('ledger')
      .addColumn('report_id', 'text', (c) => c.notNull())
      .addColumn('src', 'text', (c) => c.notNull())
      .addColumn('contact', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('network', 'text')
      .addColumn('message_id', 'text')
      .addColumn('sent_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('ledger_pk', ['report_id', 'src', 'kind', 'contact'])
      .execute();
    await db.schema
      .createIndex('ledger_src_sent_at')
      .on('ledger')
      .columns(['src', 'sent_at'])
      .execute();
    await db.schema
      .createTable('id_counters')
      .addColumn('name', 'text', (c) => c.primaryKey().notNull())
      .addColumn('value', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('id_counters').execute();
    await db.schema.dropTable('ledger').execute();
    await db.schema.dropTable('report_incidents').execute();
    await db.schema.dropTable('reports').execute();
  },
};

/** Every migration, by name; names sort in the order they apply. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': m0001Initial,
  '0002_investigation_cache': m0002InvestigationCache,
  '0003_reports': m0003Reports,
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
