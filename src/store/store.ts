import type { Incident, IncidentKind } from '../core/incident.js';
import type { CachedNetwork, Network } from '../core/network.js';

/** How far a file has been read, keyed by the file's identity (not its name, which rotates). */
export interface Checkpoint {
  /** Identity of the file's content: see `fileIdentity` in ingest (device, inode, head hash). */
  readonly identity: string;
  /** The path it was last read under (for people; the identity is what matters). */
  readonly path: string;
  /** Bytes consumed: the offset just after the last complete line read. */
  readonly offset: number;
  /** Lines consumed, so line numbers continue where they stopped. */
  readonly lines: number;
  /** Epoch ms of the read. */
  readonly readAt: number;
}

/** Which incidents to list. */
export interface IncidentFilter {
  readonly reportable?: boolean;
  readonly minSeverity?: number;
  /** Only incidents whose lastSeen is at or after this instant (epoch ms). */
  readonly since?: number;
  /** Only these incidents (an empty list matches none). */
  readonly ids?: readonly string[];
  /** Only this source: its address (`src`), or its host name (`srcHost`) when `src` is null. */
  readonly src?: string;
  /** Only incidents created or changed at or after this wall-clock instant (epoch ms). */
  readonly updatedSince?: number;
  /** At most this many (a non-negative integer). */
  readonly limit?: number;
  /** Skips this many incidents of the ordered result (paging with `limit`). */
  readonly offset?: number;
}

/** A source as incidents name it: the address, or the logged host name when there is none. */
export interface SourceKey {
  readonly src: string | null;
  readonly srcHost: string | null;
}

/** An incident before the store has given it an id. */
export type NewIncident = Omit<Incident, 'id'>;

export type { CachedNetwork };

/** A stored per-address investigation result and when it was made (epoch ms). */
export interface StoredAddressNetwork {
  readonly network: Network;
  readonly at: number;
}

/**
 * The narrow interface the application uses to persist what it learned. One implementation
 * (Kysely) serves SQLite and PostgreSQL; every implementation must pass the store conformance
 * suite (test/integration/store-conformance.ts).
 */
export interface Store {
  /** The checkpoint of a file identity, or null when the file was never read. */
  getCheckpoint(identity: string): Promise<Checkpoint | null>;
  /** Creates or replaces checkpoints. */
  saveCheckpoints(checkpoints: readonly Checkpoint[]): Promise<void>;
  /**
   * The latest incident of this source and kind whose lastSeen is at or after `since`:
   * the one a continuing activity extends. Sources are matched on `src`, or on `srcHost` when
   * `src` is null.
   */
  findContinuable(
    src: string | null,
    srcHost: string | null,
    kind: IncidentKind,
    since: number,
  ): Promise<Incident | null>;
  /**
   * Every incident, of any kind, of these sources whose lastSeen is at or after `since`: the
   * candidates a batch of new incidents may continue, fetched in a few queries instead of one
   * per incident. Same source rule as `findContinuable`.
   */
  findContinuableMany(sources: readonly SourceKey[], since: number): Promise<Incident[]>;
  /** Stores a new incident; returns it with its id. */
  insertIncident(incident: NewIncident): Promise<Incident>;
  /** Stores new incidents in as few statements as the database allows; returns them with ids. */
  insertIncidents(incidents: readonly NewIncident[]): Promise<Incident[]>;
  /** Replaces an incident's content (same id); rejects when no incident has that id (a bug). */
  updateIncident(incident: Incident): Promise<void>;
  /** Incidents matching the filter: reportable first, then by severity, then by lastSeen, descending. */
  listIncidents(filter?: IncidentFilter): Promise<Incident[]>;
  /** Creates or replaces the cached block with the same `start` and `end`. */
  saveNetwork(record: CachedNetwork): Promise<void>;
  /**
   * The most specific (smallest) block containing the address whose `expiresAt` is after `now`,
   * IPv4 or IPv6, or null when none does (or the text is not an address).
   */
  findNetwork(address: string, now: number): Promise<CachedNetwork | null>;
  /** Negative cache: records that looking up the address failed, until `expiresAt`. */
  saveLookupFailure(address: string, error: string, expiresAt: number): Promise<void>;
  /** The error of the address's failed lookup while it has not expired at `now`, else null. */
  findLookupFailure(address: string, now: number): Promise<string | null>;
  /** Creates or replaces the full answer for `result.address`, investigated at `at` (epoch ms). */
  saveAddressNetwork(result: Network, at: number): Promise<void>;
  /** The stored answers of these addresses, by address; addresses never stored are absent. */
  findAddressNetworks(addresses: readonly string[]): Promise<Map<string, StoredAddressNetwork>>;
  /**
   * Deletes the cached blocks and lookup failures expired at `now` (expiresAt at or before it);
   * returns how many were deleted. Per-address answers are kept: they are not a cache.
   */
  purgeExpired(now: number): Promise<number>;
  /**
   * Runs `fn` in one transaction: all of its writes land, or none, and an error of `fn` is
   * rethrown unchanged. Inside `fn`, use only the store it is given: the outer store rejects
   * calls made from within `fn`. A nested `transaction` on the given store joins the outer one.
   */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Releases the connection. */
  close(): Promise<void>;
}
