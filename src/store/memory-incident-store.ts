import { AsyncLocalStorage } from 'node:async_hooks';
import type { Incident, IncidentKind } from '../core/incident.js';
import type { Report, ReportDraft, ReportStatus } from '../core/report.js';
import { checkPaging, evidenceFields } from './kysely-store.js';
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
import type { Network } from '../core/network.js';

/** A stored incident and its wall-clock bookkeeping. */
interface Entry {
  readonly incident: Incident;
  readonly updatedAt: number;
}

/** The incidents of one memory store, shared by the stores bound to its transactions. */
interface Incidents {
  readonly byId: Map<string, Entry>;
  /** Ids by source (`sourceOf`), for the continuation lookups. */
  readonly bySource: Map<string, Set<string>>;
  /**
   * Settles when the running transaction ends (null: none runs). Callers outside it wait, as
   * they wait for the SQL store's connection: they never see uncommitted incidents, and a
   * rollback never undoes their writes.
   */
  busy: Promise<void> | null;
}

// The same notion of "source" as the SQL store: the address, else the logged host name.
function sourceOf(src: string | null, srcHost: string | null): string | null {
  if (src !== null) return `a:${src}`;
  return srcHost === null ? null : `h:${srcHost}`;
}

// The store whose transaction the current async call chain runs in (see KyselyStore).
const transactionOwner = new AsyncLocalStorage<MemoryIncidentStore>();

/**
 * The store of `--no-db`: incidents in plain maps, everything else in an in-memory SQLite store.
 * Nothing outlives the process, so writing a scan's 20,000 incidents as rows (JSON columns,
 * index maintenance) only to keep them until exit was a tenth of the scan: here an incident is
 * kept as the object it is. Transactions span both parts: the SQLite part rolls back, and the
 * incidents a failed transaction changed are put back from its journal.
 */
export class MemoryIncidentStore implements Store {
  readonly #base: Store;
  readonly #incidents: Incidents;
  /** Each incident changed in the current transaction, as it was before (undefined: absent). */
  readonly #journal: Map<string, Entry | undefined> | null;
  readonly #now: () => number;

  /**
   * Wraps a fresh in-memory store (SQLite `:memory:`) whose incidents table stays unused. The
   * last two arguments are for the stores bound to a transaction: the shared incidents, and the
   * transaction's journal.
   */
  constructor(
    base: Store,
    now: () => number = Date.now,
    incidents: Incidents = { byId: new Map(), bySource: new Map(), busy: null },
    journal: Map<string, Entry | undefined> | null = null,
  ) {
    this.#base = base;
    this.#now = now;
    this.#incidents = incidents;
    this.#journal = journal;
  }

  getCheckpoint(identity: string): Promise<Checkpoint | null> {
    return this.#base.getCheckpoint(identity);
  }

  saveCheckpoints(checkpoints: readonly Checkpoint[]): Promise<void> {
    return this.#base.saveCheckpoints(checkpoints);
  }

  async findContinuable(
    src: string | null,
    srcHost: string | null,
    kind: IncidentKind,
    since: number,
  ): Promise<Incident | null> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    let best: Incident | null = null;
    for (const inc of this.#ofSource(src, srcHost)) {
      if (inc.kind !== kind || inc.lastSeen < since) continue;
      if (
        best === null ||
        inc.lastSeen > best.lastSeen ||
        (inc.lastSeen === best.lastSeen && inc.id < best.id)
      ) {
        best = inc;
      }
    }
    return best;
  }

  async findContinuableMany(sources: readonly SourceKey[], since: number): Promise<Incident[]> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    const keys = new Set<string>();
    for (const s of sources) {
      const key = sourceOf(s.src, s.srcHost);
      if (key !== null) keys.add(key);
    }
    const out: Incident[] = [];
    for (const key of keys) {
      for (const id of this.#incidents.bySource.get(key) ?? []) {
        const inc = this.#incidents.byId.get(id)!.incident;
        if (inc.lastSeen >= since) out.push(inc);
      }
    }
    return out;
  }

  async insertIncident(incident: NewIncident): Promise<Incident> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    return this.#put(newIncidentId(), incident, this.#now());
  }

  async insertIncidents(incidents: readonly NewIncident[]): Promise<Incident[]> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    const now = this.#now();
    return incidents.map((incident) => this.#put(newIncidentId(), incident, now));
  }

  async updateIncident(incident: Incident): Promise<void> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    if (!this.#incidents.byId.has(incident.id)) {
      // The caller holds an id the store never gave out: a bug, as in the SQL store.
      throw new Error(`updateIncident: no incident with id ${incident.id}`);
    }
    this.#put(incident.id, incident, this.#now());
  }

  async listIncidents(filter: IncidentFilter = {}): Promise<Incident[]> {
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    const { limit, offset } = filter;
    checkPaging('listIncidents', limit, offset);
    if (limit === 0) return [];
    const ids = filter.ids === undefined ? null : new Set(filter.ids);
    const out: Incident[] = [];
    const from =
      filter.src !== undefined
        ? [...this.#ofSource(filter.src, null), ...this.#ofSource(null, filter.src)]
        : null;
    // By id when ids are given (a page of a scan's output), else by source, else all.
    const byId = (id: string): Incident[] => {
      const e = this.#incidents.byId.get(id);
      return e === undefined ? [] : [e.incident];
    };
    const candidates =
      from ??
      (ids !== null
        ? [...ids].flatMap(byId)
        : Array.from(this.#incidents.byId.values(), (e) => e.incident));
    for (const inc of candidates) {
      if (ids !== null && !ids.has(inc.id)) continue;
      if (filter.reportable !== undefined && inc.reportable !== filter.reportable) continue;
      if (filter.minSeverity !== undefined && inc.severity < filter.minSeverity) continue;
      if (filter.since !== undefined && inc.lastSeen < filter.since) continue;
      if (
        filter.updatedSince !== undefined &&
        this.#incidents.byId.get(inc.id)!.updatedAt < filter.updatedSince
      ) {
        continue;
      }
      out.push(inc);
    }
    out.sort(compareListed);
    const start = offset ?? 0;
    return out.slice(start, limit === undefined ? undefined : start + limit);
  }

  saveNetwork(record: CachedNetwork): Promise<void> {
    return this.#base.saveNetwork(record);
  }

  findNetwork(address: string, now: number): Promise<CachedNetwork | null> {
    return this.#base.findNetwork(address, now);
  }

  saveLookupFailure(address: string, error: string, expiresAt: number): Promise<void> {
    return this.#base.saveLookupFailure(address, error, expiresAt);
  }

  findLookupFailure(address: string, now: number): Promise<string | null> {
    return this.#base.findLookupFailure(address, now);
  }

  saveAddressNetwork(result: Network, at: number): Promise<void> {
    return this.#base.saveAddressNetwork(result, at);
  }

  findAddressNetworks(addresses: readonly string[]): Promise<Map<string, StoredAddressNetwork>> {
    return this.#base.findAddressNetworks(addresses);
  }

  purgeExpired(now: number): Promise<number> {
    return this.#base.purgeExpired(now);
  }

  insertReport(draft: ReportDraft, status: 'draft' | 'approved', now: number): Promise<Report> {
    return this.#base.insertReport(draft, status, now);
  }

  getReport(id: string): Promise<Report | null> {
    return this.#base.getReport(id);
  }

  listReports(filter?: ReportFilter): Promise<Report[]> {
    return this.#base.listReports(filter);
  }

  transitionReport(
    id: string,
    from: readonly ReportStatus[],
    patch: ReportPatch,
    now: number,
  ): Promise<Report | null> {
    return this.#base.transitionReport(id, from, patch, now);
  }

  addLedgerEntries(entries: readonly LedgerEntry[]): Promise<void> {
    return this.#base.addLedgerEntries(entries);
  }

  findLedger(sources: readonly string[]): Promise<LedgerEntry[]> {
    return this.#base.findLedger(sources);
  }

  async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
    this.#refuseInsideOwnTransaction();
    if (this.#journal !== null) {
      // Nested: joins the outer transaction (and its journal), as the SQL store does.
      return this.#base.transaction((base) =>
        fn(new MemoryIncidentStore(base, this.#now, this.#incidents, this.#journal)),
      );
    }
    for (let w = this.#wait(); w !== null; w = this.#wait()) await w;
    let done!: () => void;
    this.#incidents.busy = new Promise<void>((resolve) => (done = resolve));
    const journal = new Map<string, Entry | undefined>();
    try {
      return await this.#base.transaction((base) =>
        transactionOwner.run(this, () =>
          fn(new MemoryIncidentStore(base, this.#now, this.#incidents, journal)),
        ),
      );
    } catch (error) {
      for (const [id, before] of journal) this.#restore(id, before);
      throw error;
    } finally {
      this.#incidents.busy = null;
      done();
    }
  }

  async close(): Promise<void> {
    if (this.#journal !== null) return;
    this.#incidents.byId.clear();
    this.#incidents.bySource.clear();
    await this.#base.close();
  }

  // Stores an incident under an id; the copy keeps only the documented fields, as a row would.
  #put(id: string, incident: NewIncident, now: number): Incident {
    const { byId } = this.#incidents;
    const had = byId.get(id);
    if (this.#journal !== null && !this.#journal.has(id)) this.#journal.set(id, had);
    const stored: Incident = {
      id,
      kind: incident.kind,
      src: incident.src,
      srcHost: incident.srcHost,
      firstSeen: incident.firstSeen,
      lastSeen: incident.lastSeen,
      events: incident.events,
      ports: [...incident.ports],
      targets: [...incident.targets],
      services: [...incident.services],
      users: [...incident.users],
      truncated: incident.truncated,
      severity: incident.severity,
      reportable: incident.reportable,
      reasons: [...incident.reasons],
      evidence: incident.evidence.map(evidenceFields),
    };
    this.#restore(id, { incident: stored, updatedAt: now });
    return stored;
  }

  // Puts an entry (or its absence) in place, keeping the source index in step.
  #restore(id: string, entry: Entry | undefined): void {
    const { byId, bySource } = this.#incidents;
    const had = byId.get(id);
    if (had !== undefined) {
      const key = sourceOf(had.incident.src, had.incident.srcHost);
      if (key !== null) bySource.get(key)?.delete(id);
    }
    if (entry === undefined) {
      byId.delete(id);
      return;
    }
    byId.set(id, entry);
    const key = sourceOf(entry.incident.src, entry.incident.srcHost);
    if (key === null) return;
    const ids = bySource.get(key);
    if (ids === undefined) bySource.set(key, new Set([id]));
    else ids.add(id);
  }

  #ofSource(src: string | null, srcHost: string | null): Incident[] {
    const key = sourceOf(src, srcHost);
    const ids = key === null ? undefined : this.#incidents.bySource.get(key);
    if (ids === undefined) return [];
    return Array.from(ids, (id) => this.#incidents.byId.get(id)!.incident);
  }

  /**
   * Refuses a call made on the outer store from inside its own transaction's fn; otherwise what
   * to wait for before touching incidents: the running transaction, or null (go on now). Callers
   * loop `for (let w = this.#wait(); w !== null; w = this.#wait()) await w;` so that the last,
   * null check and their work (or a transaction's claim) run in one synchronous step. Stores
   * bound to the transaction (with a journal) never wait.
   */
  #wait(): Promise<void> | null {
    this.#refuseInsideOwnTransaction();
    return this.#journal !== null ? null : this.#incidents.busy;
  }

  #refuseInsideOwnTransaction(): void {
    if (this.#journal === null && transactionOwner.getStore() === this) {
      throw new Error(
        'store: inside transaction(fn), use the store passed to fn, not the outer one',
      );
    }
  }
}
