import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely, Selectable } from 'kysely';
import { ExternalError } from '../core/errors.js';
import { EVENT_KINDS } from '../core/event.js';
import { withId, type Evidence, type Incident, type IncidentKind } from '../core/incident.js';
import type { Network } from '../core/network.js';
import type { Report, ReportDraft, ReportStatus } from '../core/report.js';
import { databaseError } from './database-error.js';
import { int64, isIncidentKind, isString, parseList } from './column-values.js';
import type {
  CheckpointsTable,
  Database,
  FlagColumn,
  IncidentsTable,
  ReportsTable,
} from './schema.js';
import {
  addressKey,
  addressNetworkFromRow,
  addressNetworkToRow,
  blockKeys,
  cachedNetworkFromRow,
  cachedNetworkToRow,
  containingPrefixKeys,
} from './network-rows.js';
import {
  compareLedger,
  draftToRow,
  isReportStatus,
  ledgerFromRow,
  ledgerToRow,
  patchToRow,
  reportFromRow,
} from './report-rows.js';
import {
  compareListed,
  newIncidentId,
  type CachedNetwork,
  type Checkpoint,
  type IncidentFilter,
  type LedgerEntry,
  type NewIncident,
  type ReportFilter,
  type ReportPatch,
  type SourceKey,
  type Store,
  type StoredAddressNetwork,
} from './store.js';

/** Options of a KyselyStore. */
export interface KyselyStoreOptions {
  /** Names the database in error messages: a path, or a URL without its password. */
  readonly label: string;
  /** Wall clock for the created_at/updated_at bookkeeping columns (tests fix it). */
  readonly now?: () => number;
  /** A faster way to write incident rows on this connection, when the dialect has one. */
  readonly incidentWriter?: IncidentRowWriter;
}

/** An incident as the `incidents` table stores it. */
export interface IncidentRow extends ReturnType<typeof incidentToRow> {
  readonly id: string;
  readonly created_at: number;
  readonly updated_at: number;
}

/**
 * Writes incident rows outside the query builder, on the store's own connection (so within its
 * transactions); writes are synchronous, as better-sqlite3's are.
 */
export interface IncidentRowWriter {
  /** Inserts the rows. */
  insert(rows: readonly IncidentRow[]): void;
  /** Replaces the row with the same id (all but created_at); returns the rows changed (0 or 1). */
  update(row: Omit<IncidentRow, 'created_at'>): number;
}

// The store whose transaction the current async call chain runs in. Using that (outer) store
// inside `fn` would deadlock on SQLite's single connection (the process then exits silently with
// the promise unsettled) and would escape the transaction on PostgreSQL: it is refused instead.
const transactionOwner = new AsyncLocalStorage<KyselyStore>();

// Bound parameters per statement stay far below SQLite's 32766 and PostgreSQL's 65535.
const IDS_PER_QUERY = 500;
const CHECKPOINTS_PER_INSERT = 500;
// An incident row binds about 20 parameters: 1000 rows (20,000) stay within the limits above,
// and fewer, larger statements cost fewer compilations and prepares per stored incident.
const INCIDENTS_PER_INSERT = 1000;
// Two parameters per report-incident link, seven per ledger entry.
const LINKS_PER_INSERT = 1000;
const LEDGER_PER_INSERT = 500;

/**
 * The Store over any migrated Kysely<Database>: SQLite today, PostgreSQL next. Only portable
 * query-builder features are used (ON CONFLICT upserts, integer flags, JSON as text).
 */
export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #options: KyselyStoreOptions;
  readonly #now: () => number;
  #closed = false;

  /** Wraps a Kysely instance whose schema is already migrated (see migrateToLatest). */
  constructor(db: Kysely<Database>, options: KyselyStoreOptions) {
    this.#db = db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async getCheckpoint(identity: string): Promise<Checkpoint | null> {
    const row = await this.#run('reading a checkpoint', () =>
      this.#db
        .selectFrom('checkpoints')
        .selectAll()
        .where('identity', '=', identity)
        .executeTakeFirst(),
    );
    return row === undefined ? null : checkpointFromRow(row);
  }

  async saveCheckpoints(checkpoints: readonly Checkpoint[]): Promise<void> {
    // One statement must not name an identity twice (PostgreSQL rejects it): the last one wins.
    const latest = new Map<string, Checkpoint>();
    for (const c of checkpoints) latest.set(c.identity, c);
    const rows = [...latest.values()].map(checkpointToRow);
    if (rows.length === 0) return;
    const write = async (store: KyselyStore): Promise<void> => {
      for (let i = 0; i < rows.length; i += CHECKPOINTS_PER_INSERT) {
        const chunk = rows.slice(i, i + CHECKPOINTS_PER_INSERT);
        await store.#run('saving checkpoints', () =>
          store.#db
            .insertInto('checkpoints')
            .values(chunk)
            .onConflict((oc) =>
              oc.column('identity').doUpdateSet((eb) => ({
                path: eb.ref('excluded.path'),
                offset: eb.ref('excluded.offset'),
                lines: eb.ref('excluded.lines'),
                read_at: eb.ref('excluded.read_at'),
              })),
            )
            .execute(),
        );
      }
    };
    if (rows.length <= CHECKPOINTS_PER_INSERT) await write(this);
    else await this.transaction((store) => write(store as KyselyStore));
  }

  async findContinuable(
    src: string | null,
    srcHost: string | null,
    kind: IncidentKind,
    since: number,
  ): Promise<Incident | null> {
    if (src === null && srcHost === null) return null;
    let query = this.#db
      .selectFrom('incidents')
      .selectAll()
      .where('kind', '=', kind)
      .where('last_seen', '>=', since);
    query =
      src !== null
        ? query.where('src', '=', src)
        : query.where('src', 'is', null).where('src_host', '=', srcHost);
    const row = await this.#run('finding an incident to continue', () =>
      query.orderBy('last_seen', 'desc').orderBy('id', 'asc').limit(1).executeTakeFirst(),
    );
    return row === undefined ? null : this.#incidentFromRow(row);
  }

  async findContinuableMany(sources: readonly SourceKey[], since: number): Promise<Incident[]> {
    const addrs = [...new Set(sources.flatMap((s) => (s.src !== null ? [s.src] : [])))];
    const hosts = [
      ...new Set(sources.flatMap((s) => (s.src === null && s.srcHost !== null ? [s.srcHost] : []))),
    ];
    const rows: Selectable<IncidentsTable>[] = [];
    for (let i = 0; i < addrs.length; i += IDS_PER_QUERY) {
      const chunk = addrs.slice(i, i + IDS_PER_QUERY);
      rows.push(
        ...(await this.#run('finding incidents to continue', () =>
          this.#db
            .selectFrom('incidents')
            .selectAll()
            .where('src', 'in', chunk)
            .where('last_seen', '>=', since)
            .execute(),
        )),
      );
    }
    for (let i = 0; i < hosts.length; i += IDS_PER_QUERY) {
      const chunk = hosts.slice(i, i + IDS_PER_QUERY);
      rows.push(
        ...(await this.#run('finding incidents to continue', () =>
          this.#db
            .selectFrom('incidents')
            .selectAll()
            .where('src', 'is', null)
            .where('src_host', 'in', chunk)
            .where('last_seen', '>=', since)
            .execute(),
        )),
      );
    }
    return rows.map((r) => this.#incidentFromRow(r));
  }

  async insertIncidents(incidents: readonly NewIncident[]): Promise<Incident[]> {
    const now = this.#now();
    // One hidden class with the incidents scan updates (withId), not a spread copy's own.
    const stored = incidents.map((incident) => withId(incident, newIncidentId()));
    const rows = stored.map((incident) => ({
      id: incident.id,
      ...incidentToRow(incident),
      created_at: now,
      updated_at: now,
    }));
    const writer = this.#options.incidentWriter;
    if (writer !== undefined) {
      await this.#run('inserting incidents', () => this.#exclusive(() => writer.insert(rows)));
      return stored;
    }
    // Several statements: one transaction, so a failure leaves no half batch.
    const insertAll = async (store: KyselyStore): Promise<void> => {
      for (let i = 0; i < rows.length; i += INCIDENTS_PER_INSERT) {
        const chunk = rows.slice(i, i + INCIDENTS_PER_INSERT);
        await store.#run('inserting incidents', () =>
          store.#db.insertInto('incidents').values(chunk).execute(),
        );
      }
    };
    if (rows.length <= INCIDENTS_PER_INSERT) await insertAll(this);
    else await this.transaction((tx) => insertAll(tx as KyselyStore));
    return stored;
  }

  async insertIncident(incident: NewIncident): Promise<Incident> {
    const [stored] = await this.insertIncidents([incident]);
    return stored as Incident;
  }

  async updateIncident(incident: Incident): Promise<void> {
    const row = incidentToRow(incident);
    const writer = this.#options.incidentWriter;
    const changed = await this.#run('updating an incident', async () =>
      writer !== undefined
        ? this.#exclusive(() => writer.update({ id: incident.id, ...row, updated_at: this.#now() }))
        : (
            await this.#db
              .updateTable('incidents')
              .set({ ...row, updated_at: this.#now() })
              .where('id', '=', incident.id)
              .executeTakeFirst()
          ).numUpdatedRows,
    );
    if (Number(changed) === 0) {
      // The caller holds an id the store never gave out (or one from another database): a bug.
      throw new Error(`updateIncident: no incident with id ${incident.id}`);
    }
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    const { limit, offset } = filter;
    checkPaging('listIncidents', limit, offset);
    if (limit === 0) return [];
    let rows: Selectable<IncidentsTable>[];
    if (filter.ids === undefined) {
      rows = await this.#listRows(filter, undefined);
    } else {
      const ids = [...new Set(filter.ids)];
      rows = [];
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        rows.push(...(await this.#listRows(filter, ids.slice(i, i + IDS_PER_QUERY))));
      }
      // Several chunks: merge them in the order the query gives within one (the ORDER BY is
      // compareListed's order).
      if (ids.length > IDS_PER_QUERY) {
        const from = offset ?? 0;
        return rows
          .map((r) => this.#incidentFromRow(r))
          .sort(compareListed)
          .slice(from, limit !== undefined ? from + limit : undefined);
      }
    }
    return rows.map((r) => this.#incidentFromRow(r));
  }

  async saveNetwork(record: CachedNetwork): Promise<void> {
    const keys = blockKeys(record.netblock);
    const row = cachedNetworkToRow(record, keys);
    const prefixes = keys.prefixKeys.map((prefix_key) => ({
      prefix_key,
      start_key: keys.startKey,
      end_key: keys.endKey,
    }));
    // The same bounds always give the same prefixes: an upsert leaves them as they are.
    await this.transaction(async (tx) => {
      const store = tx as KyselyStore;
      await store.#run('saving a cached network', () =>
        store.#db
          .insertInto('network_cache')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['start_key', 'end_key']).doUpdateSet((eb) => ({
              family: eb.ref('excluded.family'),
              span_key: eb.ref('excluded.span_key'),
              start: eb.ref('excluded.start'),
              end: eb.ref('excluded.end'),
              cidrs: eb.ref('excluded.cidrs'),
              name: eb.ref('excluded.name'),
              handle: eb.ref('excluded.handle'),
              org: eb.ref('excluded.org'),
              country: eb.ref('excluded.country'),
              registry: eb.ref('excluded.registry'),
              asn: eb.ref('excluded.asn'),
              as_name: eb.ref('excluded.as_name'),
              contacts: eb.ref('excluded.contacts'),
              hints: eb.ref('excluded.hints'),
              chain: eb.ref('excluded.chain'),
              errors: eb.ref('excluded.errors'),
              fetched_at: eb.ref('excluded.fetched_at'),
              expires_at: eb.ref('excluded.expires_at'),
            })),
          )
          .execute(),
      );
      // At most 254 prefixes (an IPv6 range), 3 parameters each: one statement holds them.
      await store.#run('saving a cached network', () =>
        store.#db
          .insertInto('network_cache_prefixes')
          .values(prefixes)
          .onConflict((oc) => oc.doNothing())
          .execute(),
      );
    });
  }

  async findNetwork(address: string, now: number): Promise<CachedNetwork | null> {
    const query = findNetworkQuery(this.#db, address, now);
    if (query === null) return null;
    const row = await this.#run('finding a cached network', () => query.executeTakeFirst());
    return row === undefined ? null : cachedNetworkFromRow(row);
  }

  async saveLookupFailure(address: string, error: string, expiresAt: number): Promise<void> {
    const row = { address, error, expires_at: int64(expiresAt, 'expiresAt') };
    await this.#run('saving a failed lookup', () =>
      this.#db
        .insertInto('lookup_failures')
        .values(row)
        .onConflict((oc) =>
          oc.column('address').doUpdateSet((eb) => ({
            error: eb.ref('excluded.error'),
            expires_at: eb.ref('excluded.expires_at'),
          })),
        )
        .execute(),
    );
  }

  async findLookupFailure(address: string, now: number): Promise<string | null> {
    const row = await this.#run('finding a failed lookup', () =>
      this.#db
        .selectFrom('lookup_failures')
        .select('error')
        .where('address', '=', address)
        .where('expires_at', '>', now)
        .executeTakeFirst(),
    );
    return row === undefined ? null : row.error;
  }

  async saveAddressNetwork(result: Network, at: number): Promise<void> {
    const row = addressNetworkToRow(result, at);
    await this.#run('saving an address network', () =>
      this.#db
        .insertInto('address_networks')
        .values(row)
        .onConflict((oc) =>
          oc.column('address').doUpdateSet((eb) => ({
            ptr: eb.ref('excluded.ptr'),
            ptr_confirmed: eb.ref('excluded.ptr_confirmed'),
            domain: eb.ref('excluded.domain'),
            asn: eb.ref('excluded.asn'),
            as_name: eb.ref('excluded.as_name'),
            network: eb.ref('excluded.network'),
            contacts: eb.ref('excluded.contacts'),
            hints: eb.ref('excluded.hints'),
            chain: eb.ref('excluded.chain'),
            errors: eb.ref('excluded.errors'),
            looked_up_at: eb.ref('excluded.looked_up_at'),
          })),
        )
        .execute(),
    );
  }

  async findAddressNetworks(
    addresses: readonly string[],
  ): Promise<Map<string, StoredAddressNetwork>> {
    const unique = [...new Set(addresses)];
    const found = new Map<string, StoredAddressNetwork>();
    for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
      const chunk = unique.slice(i, i + IDS_PER_QUERY);
      const rows = await this.#run('finding address networks', () =>
        this.#db.selectFrom('address_networks').selectAll().where('address', 'in', chunk).execute(),
      );
      for (const row of rows) {
        found.set(row.address, {
          network: addressNetworkFromRow(row),
          at: Number(row.looked_up_at),
        });
      }
    }
    return found;
  }

  async purgeExpired(now: number): Promise<number> {
    return this.transaction(async (tx) => {
      const store = tx as KyselyStore;
      // The prefixes first: they are found through their block's expiry.
      await store.#run('purging the network cache', () =>
        store.#db
          .deleteFrom('network_cache_prefixes')
          .where(({ exists, selectFrom }) =>
            exists(
              selectFrom('network_cache')
                .select('network_cache.start_key')
                .whereRef('network_cache.start_key', '=', 'network_cache_prefixes.start_key')
                .whereRef('network_cache.end_key', '=', 'network_cache_prefixes.end_key')
                .where('network_cache.expires_at', '<=', now),
            ),
          )
          .execute(),
      );
      const networks = await store.#run('purging the network cache', () =>
        store.#db.deleteFrom('network_cache').where('expires_at', '<=', now).executeTakeFirst(),
      );
      const failures = await store.#run('purging failed lookups', () =>
        store.#db.deleteFrom('lookup_failures').where('expires_at', '<=', now).executeTakeFirst(),
      );
      return Number(networks.numDeletedRows) + Number(failures.numDeletedRows);
    });
  }

  async insertReport(
    draft: ReportDraft,
    status: 'draft' | 'approved',
    now: number,
  ): Promise<Report> {
    const at = int64(now, 'now');
    const row = draftToRow(draft);
    const links = [...new Set(draft.incidentIds)];
    // The number, the report and its links land together or not at all; inside a caller's
    // transaction they join it (a rolled-back report gives its number back).
    return this.transaction(async (tx) => {
      const store = tx as KyselyStore;
      const seq = await store.#nextValue('reports', 'numbering a report');
      const id = String(seq);
      await store.#run('inserting a report', () =>
        store.#db
          .insertInto('reports')
          .values({
            id,
            seq,
            status,
            ...row,
            message_id: null,
            eml: null,
            created_at: at,
            updated_at: at,
            approved_at: status === 'approved' ? at : null,
            sent_at: null,
            attempts: 0,
            next_attempt_at: null,
            last_error: null,
          })
          .execute(),
      );
      for (let i = 0; i < links.length; i += LINKS_PER_INSERT) {
        const chunk = links
          .slice(i, i + LINKS_PER_INSERT)
          .map((incident_id) => ({ report_id: id, incident_id }));
        await store.#run('inserting a report', () =>
          store.#db.insertInto('report_incidents').values(chunk).execute(),
        );
      }
      // Read back, so the caller holds exactly what getReport will return.
      const stored = await store.getReport(id);
      if (stored === null) throw new Error(`insertReport: report ${id} vanished`);
      return stored;
    });
  }

  async getReport(id: string): Promise<Report | null> {
    const row = await this.#run('reading a report', () =>
      this.#db.selectFrom('reports').selectAll().where('id', '=', id).executeTakeFirst(),
    );
    return row === undefined ? null : this.#reportFromRow(row);
  }

  async listReports(filter: ReportFilter = {}): Promise<Report[]> {
    const { limit, offset } = filter;
    checkPaging('listReports', limit, offset);
    const none = (list: readonly unknown[] | undefined): boolean => list?.length === 0;
    if (limit === 0 || none(filter.ids) || none(filter.incidentIds) || none(filter.statuses)) {
      return [];
    }
    const idChunks = chunksOf(filter.ids);
    const incidentChunks = chunksOf(filter.incidentIds);
    // One query pages in SQL; long id lists take one query per pair of chunks, whose rows
    // (each cut to the end of the page) are merged, ordered and paged here.
    const single = idChunks.length === 1 && incidentChunks.length === 1;
    const rows = new Map<string, Selectable<ReportsTable>>();
    for (const ids of idChunks) {
      for (const incidentIds of incidentChunks) {
        let query = this.#db.selectFrom('reports').selectAll();
        if (filter.statuses !== undefined) query = query.where('status', 'in', filter.statuses);
        if (filter.sentSince !== undefined) query = query.where('sent_at', '>=', filter.sentSince);
        if (ids !== undefined) query = query.where('id', 'in', ids);
        if (incidentIds !== undefined) {
          query = query.where((eb) =>
            eb(
              'id',
              'in',
              eb
                .selectFrom('report_incidents')
                .select('report_incidents.report_id')
                .where('report_incidents.incident_id', 'in', incidentIds),
            ),
          );
        }
        query = query.orderBy('created_at', 'desc').orderBy('seq', 'desc');
        if (single) {
          if (limit !== undefined) query = query.limit(limit);
          if (offset !== undefined) {
            query = query.offset(offset);
            // SQLite needs a LIMIT before an OFFSET.
            if (limit === undefined) query = query.limit(Number.MAX_SAFE_INTEGER);
          }
        } else if (limit !== undefined) {
          query = query.limit((offset ?? 0) + limit);
        }
        for (const row of await this.#run('listing reports', () => query.execute())) {
          rows.set(row.id, row);
        }
      }
    }
    let ordered = [...rows.values()];
    if (!single) {
      ordered.sort(
        (a, b) => Number(b.created_at) - Number(a.created_at) || Number(b.seq) - Number(a.seq),
      );
      const from = offset ?? 0;
      ordered = ordered.slice(from, limit !== undefined ? from + limit : undefined);
    }
    return ordered.map((r) => this.#reportFromRow(r));
  }

  async transitionReport(
    id: string,
    from: readonly ReportStatus[],
    patch: ReportPatch,
    now: number,
  ): Promise<Report | null> {
    if (from.length === 0) return null;
    const set = { ...patchToRow(patch), updated_at: int64(now, 'now') };
    // Compare and set in one statement: of two processes moving the same report, the second
    // finds the status changed and matches nothing. RETURNING reads the row it wrote.
    const row = await this.#run('changing a report', () =>
      this.#db
        .updateTable('reports')
        .set(set)
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .returningAll()
        .executeTakeFirst(),
    );
    return row === undefined ? null : this.#reportFromRow(row);
  }

  async addLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    // An entry already recorded (same report, source, kind and contact) stays as it was.
    const unique = new Map<string, LedgerEntry>();
    for (const e of entries) {
      const key = JSON.stringify([e.reportId, e.src, e.kind, e.contact]);
      if (!unique.has(key)) unique.set(key, e);
    }
    const rows = [...unique.values()].map(ledgerToRow);
    if (rows.length === 0) return;
    const write = async (store: KyselyStore): Promise<void> => {
      for (let i = 0; i < rows.length; i += LEDGER_PER_INSERT) {
        const chunk = rows.slice(i, i + LEDGER_PER_INSERT);
        await store.#run('recording reports in the ledger', () =>
          store.#db
            .insertInto('ledger')
            .values(chunk)
            .onConflict((oc) => oc.doNothing())
            .execute(),
        );
      }
    };
    if (rows.length <= LEDGER_PER_INSERT) await write(this);
    else await this.transaction((store) => write(store as KyselyStore));
  }

  async findLedger(sources: readonly string[]): Promise<LedgerEntry[]> {
    const unique = [...new Set(sources)];
    const found: LedgerEntry[] = [];
    for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
      const chunk = unique.slice(i, i + IDS_PER_QUERY);
      const rows = await this.#run('reading the ledger', () =>
        this.#db.selectFrom('ledger').selectAll().where('src', 'in', chunk).execute(),
      );
      for (const row of rows) {
        const entry = ledgerFromRow(row);
        if (entry !== null) found.push(entry);
      }
    }
    return found.sort(compareLedger);
  }

  /**
   * Runs `fn` in one transaction with a store bound to it; the outer store refuses calls from
   * within `fn`. A nested `transaction` call joins the outer transaction (no savepoint): if
   * anything in it throws and the error leaves the outermost `fn`, every write is rolled back.
   */
  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    if (this.#db.isTransaction) return fn(this);
    this.#refuseInsideOwnTransaction();
    let failure: { error: unknown } | undefined;
    try {
      return await this.#db.transaction().execute(async (trx) => {
        try {
          const bound = new KyselyStore(trx, this.#options);
          return await transactionOwner.run(this, () => fn(bound));
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
    } catch (error) {
      // The error of `fn` goes back unchanged; only begin/commit/rollback failures are ours.
      if (failure !== undefined) throw failure.error;
      throw this.#external('running a transaction', error);
    }
  }

  /** Closes the connection; on a store bound to a transaction it does nothing (the owner closes). */
  async close(): Promise<void> {
    if (this.#db.isTransaction || this.#closed) return;
    this.#closed = true;
    await this.#db.destroy();
  }

  async #listRows(
    filter: IncidentFilter,
    ids: readonly string[] | undefined,
  ): Promise<Selectable<IncidentsTable>[]> {
    // Two steps: order and page the narrow (id, sort keys) rows, then fetch the wide rows of
    // that page. Sorting whole rows (evidence and lists as JSON) made every page sort megabytes.
    let query = this.#db.selectFrom('incidents').select('id');
    if (filter.reportable !== undefined) {
      query = query.where('reportable', '=', filter.reportable ? 1 : 0);
    }
    if (filter.minSeverity !== undefined) query = query.where('severity', '>=', filter.minSeverity);
    if (filter.since !== undefined) query = query.where('last_seen', '>=', filter.since);
    if (filter.updatedSince !== undefined) {
      query = query.where('updated_at', '>=', filter.updatedSince);
    }
    if (ids !== undefined) query = query.where('id', 'in', ids);
    const src = filter.src;
    if (src !== undefined) {
      // The same notion of "source" as findContinuable: the address, else the logged host name.
      query = query.where((eb) =>
        eb.or([eb('src', '=', src), eb.and([eb('src', 'is', null), eb('src_host', '=', src)])]),
      );
    }
    query = query
      .orderBy('reportable', 'desc')
      .orderBy('severity', 'desc')
      .orderBy('last_seen', 'desc')
      .orderBy('id', 'asc');
    // With several id chunks the pages are cut after merging (listIncidents).
    if (ids === undefined || ids.length === filter.ids?.length) {
      if (filter.limit !== undefined) query = query.limit(filter.limit);
      if (filter.offset !== undefined) {
        query = query.offset(filter.offset);
        // SQLite needs a LIMIT before an OFFSET.
        if (filter.limit === undefined) query = query.limit(Number.MAX_SAFE_INTEGER);
      }
    } else if (filter.limit !== undefined) {
      query = query.limit((filter.offset ?? 0) + filter.limit);
    }
    const order = (await this.#run('listing incidents', () => query.execute())).map((r) => r.id);
    const byId = new Map<string, Selectable<IncidentsTable>>();
    for (let i = 0; i < order.length; i += IDS_PER_QUERY) {
      const chunk = order.slice(i, i + IDS_PER_QUERY);
      const rows = await this.#run('listing incidents', () =>
        this.#db.selectFrom('incidents').selectAll().where('id', 'in', chunk).execute(),
      );
      for (const row of rows) byId.set(row.id, row);
    }
    return order.flatMap((id) => {
      const row = byId.get(id);
      return row === undefined ? [] : [row];
    });
  }

  // Runs a write of the incident writer while this store holds the connection: in a transaction
  // it does already; outside, Kysely's connection lock keeps the write out of another call's
  // transaction on the same connection.
  async #exclusive<T>(write: () => T): Promise<T> {
    if (this.#db.isTransaction) return write();
    return this.#db.connection().execute(async () => write());
  }

  #refuseInsideOwnTransaction(): void {
    if (!this.#db.isTransaction && transactionOwner.getStore() === this) {
      throw new Error(
        'store: inside transaction(fn), use the store passed to fn, not the outer one',
      );
    }
  }

  async #run<T>(what: string, op: () => Promise<T>): Promise<T> {
    this.#refuseInsideOwnTransaction();
    try {
      return await op();
    } catch (error) {
      throw this.#external(what, error);
    }
  }

  #external(what: string, error: unknown): ExternalError {
    return databaseError(this.#options.label, `${what} failed`, error);
  }

  // The next value of a named counter, 1 first. One upsert: the row lock (PostgreSQL) or the
  // write lock (SQLite) it takes makes concurrent writers draw distinct values.
  async #nextValue(name: string, what: string): Promise<number> {
    const row = await this.#run(what, () =>
      this.#db
        .insertInto('id_counters')
        .values({ name, value: 1 })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet((eb) => ({ value: eb('id_counters.value', '+', 1) })),
        )
        .returning('value')
        .executeTakeFirstOrThrow(),
    );
    return Number(row.value);
  }

  #reportFromRow(row: Selectable<ReportsTable>): Report {
    if (!isReportStatus(row.status)) {
      throw new ExternalError(
        `database ${this.#options.label}: report ${row.id} has the unknown status "${row.status}"`,
      );
    }
    return reportFromRow(row, row.status);
  }

  #incidentFromRow(row: Selectable<IncidentsTable>): Incident {
    if (!isIncidentKind(row.kind)) {
      throw new ExternalError(
        `database ${this.#options.label}: incident ${row.id} has the unknown kind "${row.kind}"`,
      );
    }
    return {
      id: row.id,
      kind: row.kind,
      src: row.src,
      srcHost: row.src_host,
      firstSeen: Number(row.first_seen),
      lastSeen: Number(row.last_seen),
      events: Number(row.events),
      ports: parseList(row.ports, isPort),
      targets: parseList(row.targets, isString),
      services: parseList(row.services, isString),
      users: parseList(row.users, isString),
      truncated: Number(row.truncated) !== 0,
      severity: Number(row.severity),
      reportable: Number(row.reportable) !== 0,
      reasons: parseList(row.reasons, isString),
      evidence: parseList(row.evidence, isEvidence).map(evidenceFields),
    };
  }
}

/**
 * The query behind `findNetwork`, or null when the text is not an address; exported so the SQLite
 * tests can show its plan searches indexes. One index probe per prefix length of the address's
 * family (see network_cache_prefixes in schema.ts), then the smallest unexpired block found.
 */
export function findNetworkQuery(db: Kysely<Database>, address: string, now: number) {
  const key = addressKey(address);
  if (key === null) return null;
  return db
    .selectFrom('network_cache_prefixes as p')
    .innerJoin('network_cache as n', (join) =>
      join.onRef('n.start_key', '=', 'p.start_key').onRef('n.end_key', '=', 'p.end_key'),
    )
    .selectAll('n')
    .where('p.prefix_key', 'in', containingPrefixKeys(key))
    .where('n.expires_at', '>', now)
    .orderBy('n.span_key', 'asc')
    .orderBy('n.start_key', 'desc')
    .limit(1);
}

/** Rejects a bad limit or offset: a caller's bug, said before any query runs. */
export function checkPaging(method: string, limit?: number, offset?: number): void {
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new Error(`${method}: limit must be a non-negative integer, got ${limit}`);
  }
  if (offset !== undefined && !(Number.isInteger(offset) && offset >= 0)) {
    throw new Error(`${method}: offset must be a non-negative integer, got ${offset}`);
  }
}

// A filter list in chunks a statement can bind (duplicates removed), or [undefined] for none.
function chunksOf(list: readonly string[] | undefined): (readonly string[] | undefined)[] {
  if (list === undefined) return [undefined];
  const unique = [...new Set(list)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += IDS_PER_QUERY) {
    chunks.push(unique.slice(i, i + IDS_PER_QUERY));
  }
  return chunks;
}

function incidentToRow(incident: NewIncident) {
  return {
    kind: incident.kind,
    src: incident.src,
    src_host: incident.srcHost,
    first_seen: int64(incident.firstSeen, 'firstSeen'),
    last_seen: int64(incident.lastSeen, 'lastSeen'),
    events: int64(incident.events, 'events'),
    severity: int64(incident.severity, 'severity'),
    reportable: flag(incident.reportable),
    ports: JSON.stringify(incident.ports),
    targets: JSON.stringify(incident.targets),
    services: JSON.stringify(incident.services),
    users: JSON.stringify(incident.users),
    reasons: JSON.stringify(incident.reasons),
    evidence: JSON.stringify(incident.evidence.map(evidenceFields)),
    truncated: flag(incident.truncated),
  };
}

function checkpointToRow(c: Checkpoint) {
  return {
    identity: c.identity,
    path: c.path,
    offset: int64(c.offset, 'offset'),
    lines: int64(c.lines, 'lines'),
    read_at: int64(c.readAt, 'readAt'),
  };
}

function checkpointFromRow(row: Selectable<CheckpointsTable>): Checkpoint {
  return {
    identity: row.identity,
    path: row.path,
    offset: Number(row.offset),
    lines: Number(row.lines),
    readAt: Number(row.read_at),
  };
}

function flag(value: boolean): FlagColumn {
  return value ? 1 : 0;
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 65535;
}

const EVENT_KIND_SET: ReadonlySet<string> = new Set(EVENT_KINDS);
function isEvidence(v: unknown): v is Evidence {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    (e['at'] === null || (typeof e['at'] === 'number' && Number.isFinite(e['at']))) &&
    typeof e['kind'] === 'string' &&
    EVENT_KIND_SET.has(e['kind']) &&
    typeof e['source'] === 'string' &&
    typeof e['line'] === 'number' &&
    typeof e['text'] === 'string'
  );
}

/** An evidence line with only its documented fields, whatever else the object carries. */
export function evidenceFields(e: Evidence): Evidence {
  return { at: e.at, kind: e.kind, source: e.source, line: e.line, text: e.text };
}
