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

/**
 * One row per cached netblock investigation (migration 0002), keyed by its bounds. The keys are
 * fixed-width lower-case hex of the address values (8 digits for IPv4, 32 for IPv6), so text
 * order is numeric order on every database.
 */
export interface NetworkCacheTable {
  start_key: string;
  end_key: string;
  /** 4 or 6. */
  family: number;
  /** end − start as 32 hex digits: orders blocks by size (smallest is most specific). */
  span_key: string;
  /** Canonical bounds, as given. */
  start: string;
  end: string;
  /** JSON array of prefix strings, as the registry gave them. */
  cidrs: string;
  name: string | null;
  handle: string | null;
  org: string | null;
  country: string | null;
  registry: string | null;
  asn: Int64Column | null;
  as_name: string | null;
  /** JSON arrays of Contact, strings, ChainStep and strings. */
  contacts: string;
  hints: string;
  chain: string;
  errors: string;
  fetched_at: Int64Column;
  expires_at: Int64Column;
}

/**
 * The prefixes that exactly cover each cached block (one row per prefix, usually one per block):
 * an address lies in a block exactly when one of the block's prefixes is the address masked to
 * that prefix's length, so a containment lookup is at most 33 (IPv4) or 129 (IPv6) index probes.
 */
export interface NetworkCachePrefixesTable {
  /** `FAMILY/LENGTH/HEX`, e.g. `4/24/c0000200`: the prefix's network address, fixed width. */
  prefix_key: string;
  /** The block's key in network_cache. */
  start_key: string;
  end_key: string;
}

/** Negative cache: an address whose lookup failed, and until when not to ask again. */
export interface LookupFailuresTable {
  address: string;
  error: string;
  expires_at: Int64Column;
}

/** The full per-address investigation result (not a cache: it is kept with the incidents). */
export interface AddressNetworksTable {
  address: string;
  ptr: string | null;
  ptr_confirmed: FlagColumn;
  domain: string | null;
  asn: Int64Column | null;
  as_name: string | null;
  /** JSON: the Netblock object, or `null`. */
  network: string;
  /** JSON arrays of Contact, strings, ChainStep and strings. */
  contacts: string;
  hints: string;
  chain: string;
  errors: string;
  /** Epoch ms of the investigation. */
  looked_up_at: Int64Column;
}

/**
 * One row per report (migration 0003). `id` is the decimal text of `seq`, a number drawn from
 * `id_counters`: short to type (`report show 12`), and `seq` orders equal creation times.
 */
export interface ReportsTable {
  id: string;
  seq: Int64Column;
  /** A ReportStatus. */
  status: string;
  /** The grouping contact: the primary recipient, lower case, or `none:<network>`. */
  contact: string;
  /** JSON array of Recipient objects. */
  recipients: string;
  subject: string;
  body: string;
  /** JSON array of X-ARF objects, one per incident. */
  xarf: string;
  /** JSON arrays of strings (incident ids, in order; source addresses) and of incident kinds. */
  incident_ids: string;
  sources: string;
  kinds: string;
  note: string | null;
  message_id: string | null;
  eml: string | null;
  created_at: Int64Column;
  updated_at: Int64Column;
  approved_at: Int64Column | null;
  sent_at: Int64Column | null;
  attempts: Int64Column;
  next_attempt_at: Int64Column | null;
  last_error: string | null;
}

/** Which incidents each report covers: indexed both ways, so "reports of incident X" is a probe. */
export interface ReportIncidentsTable {
  report_id: string;
  incident_id: string;
}

/** The ledger of what was reported to whom (one row per report, source, kind and contact). */
export interface LedgerTable {
  report_id: string;
  src: string;
  contact: string;
  kind: string;
  /** The source's netblock as `start - end`, when known. */
  network: string | null;
  message_id: string | null;
  sent_at: Int64Column;
}

/** Named counters, incremented in the writer's transaction: the portable form of a sequence. */
export interface IdCountersTable {
  name: string;
  value: Int64Column;
}

/** The database as Kysely sees it (the migration bookkeeping tables are the Migrator's). */
export interface Database {
  incidents: IncidentsTable;
  checkpoints: CheckpointsTable;
  network_cache: NetworkCacheTable;
  network_cache_prefixes: NetworkCachePrefixesTable;
  lookup_failures: LookupFailuresTable;
  address_networks: AddressNetworksTable;
  reports: ReportsTable;
  report_incidents: ReportIncidentsTable;
  ledger: LedgerTable;
  id_counters: IdCountersTable;
}

/** Name of the table where the Migrator records applied migrations. */
export const MIGRATION_TABLE = 'schema_migrations';

/** Name of the Migrator's lock table. */
export const MIGRATION_LOCK_TABLE = 'schema_migrations_lock';
