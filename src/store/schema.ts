import type { ColumnType } from 'kysely';

/**
 * A 64-bit integer column (epoch ms, counts, byte offsets). Written as a number; read back as a
 * number by SQLite, as a string by PostgreSQL's `pg` (int8), so readers convert with `Number()`.
 */
export type Int64Column = ColumnType<number | string | bigint, number, number>;

/**
 * A flag stored as the integer 0 or 1: SQLite has no boolean type and better-sqlite3 cannot bind
 * one, so one representation serves both databases.
 */
export type FlagColumn = 0 | 1;

/** One row per incident; list-valued fields are JSON arrays in text columns. */
export interface IncidentsTable {
  /** A random UUID (crypto.randomUUID). */
  id: string;
  kind: string;
  src: string | null;
  src_host: string | null;
  first_seen: Int64Column;
  last_seen: Int64Column;
  events: Int64Column;
  severity: number;
  reportable: FlagColumn;
  /** JSON array of numbers. */
  ports: string;
  /** JSON arrays of strings. */
  targets: string;
  services: string;
  users: string;
  reasons: string;
  /** JSON array of Evidence objects. */
  evidence: string;
  truncated: FlagColumn;
  /** Wall-clock epoch ms of the insert and of the last update (bookkeeping, not event time). */
  created_at: Int64Column;
  updated_at: Int64Column;
}

/** One row per file identity read: how far it was read. */
export interface CheckpointsTable {
  identity: string;
  path: string;
  /** Bytes consumed. A reserved word in SQL: Kysely quotes it; hand-written SQL must too. */
  offset: Int64Column;
  lines: Int64Column;
  read_at: Int64Column;
}

/** The database as Kysely sees it (the migration bookkeeping tables are the Migrator's). */
export interface Database {
  incidents: IncidentsTable;
  checkpoints: CheckpointsTable;
}

/** Name of the table where the Migrator records applied migrations. */
export const MIGRATION_TABLE = 'schema_migrations';

/** Name of the Migrator's lock table. */
export const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';
