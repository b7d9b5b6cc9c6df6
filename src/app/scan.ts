import type { Event } from '../core/event.js';
import { withId, type Incident } from '../core/incident.js';
import type { Zone } from '../core/time.js';
import {
  DetectionEngine,
  type DetectionStats,
  type SourceView,
} from '../detect/detection-engine.js';
import type { DetectConfig, PolicyConfig } from '../detect/detect-config.js';
import { mergeIncidents, storyContinued } from '../detect/merge-incidents.js';
import { buildPolicy, type JudgedIncident, type Policy } from '../detect/reportability-policy.js';
import type { IncidentDraft } from '../detect/incident-draft.js';
import { rotation, type SourceSpec } from '../ingest/rotated-set.js';
import { LineParser } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';

import { concatStreams, mergeByTime } from './merge-by-time.js';
import { emptyStats, sourceEvents, type ReadStats, type SourceError } from './read-events.js';
import { compareListed, type Checkpoint, type ListedKey, type Store } from '../store/store.js';

/** What a scan needs. */
export interface ScanOptions {
  readonly specs: readonly SourceSpec[];
  readonly zone: Zone;
  readonly now: number | null;
  readonly stdin?: AsyncIterable<Buffer>;
  readonly detect: DetectConfig;
  readonly policy: PolicyConfig;
  /** `--own-network CIDR` blocks added to the configured own networks. */
  readonly ownNetworks: readonly string[];
  readonly store: Store;
  /** Resume files from the store's checkpoints (false with `--no-db`: every line is read). */
  readonly checkpoints: boolean;
  readonly onError: (err: SourceError) => void;
  readonly onBytes?: (bytes: number) => void;
  /** The wall clock, for checkpoint times only (detection runs on event time). */
  readonly clock?: () => number;
  /** A source whose detector state to capture before the end (for `explain --src`). */
  readonly inspect?: string;
  /** Most incidents handed back in memory (default KEEP_INCIDENTS; tests lower it). */
  readonly keepIncidents?: number;
}

/** Counters of a scan: the read's, plus what became of the incidents. */
export interface ScanStats extends ReadStats {
  /** Incidents created or extended by this scan. */
  incidents: number;
  reportable: number;
  /** Incidents that continued one already stored (extended, not duplicated). */
  extended: number;
  /** Lines skipped because an earlier scan read them (checkpoints). */
  alreadyRead: number;
  /** Events that carried no time and so could not be placed in any window. */
  untimed: number;
  /** What the detection engine did (tracks opened, evicted, dropped...). */
  detection: DetectionStats;
}

/** The result of a scan: counters, and how to find the incidents it created or extended. */
export interface ScanResult {
  readonly stats: ScanStats;
  /**
   * Wall-clock instant before the scan's first write: the incidents it created or extended
   * are those the store lists with `updatedSince: startedAt`.
   */
  readonly startedAt: number;
  /** The detectors' state of the inspected source at the end of input, if it was still open. */
  readonly view: SourceView | null;
  /**
   * The incidents the scan created or extended, as stored, in `listIncidents` order; null when
   * there were more than `KEEP_INCIDENTS` (then page them from the store by `listed`).
   * Printing these saves reading back and decoding every row just written.
   */
  readonly incidents: readonly Incident[] | null;
  /**
   * The ids of every incident created or extended, in `listIncidents` order, with what a
   * listing filters on: exact paging from the store when `incidents` is null (no wall clock).
   */
  readonly listed: readonly ListedIncident[];
}

/** An incident the scan created or extended, as listings order and filter it. */
export type ListedIncident = ListedKey;

/**
 * Most incidents a scan hands back in memory (1-2 KiB each, so under 100 MiB): enough for the
 * usual scan and for a full engine closing at the end (`maxSources`, 50,000 by default). Beyond,
 * output pages them from the store, so memory stays bounded however long the input.
 */
const KEEP_INCIDENTS = 64_000;

/**
 * Reads the sources (rotated sets in sequence, sets merged by event time), runs the detectors,
 * judges each incident, and stores it — extending a stored incident of the same source and kind
 * that it continues. Files are checkpointed in the same transaction, so a rescan neither reads
 * a line twice nor loses one, even after a crash.
 */
export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const parser = new LineParser(parserDefinitions());
  const read = emptyStats();
  const engine = new DetectionEngine(opts.detect);
  const policy = buildPolicy(opts.policy, opts.ownNetworks, opts.detect);
  const clock = opts.clock ?? Date.now;
  // The final version of each incident created or extended, while there are few enough.
  let touched: Map<string, Incident> | null = new Map();
  const keep = opts.keepIncidents ?? KEEP_INCIDENTS;
  const judged = new Map<string, ListedIncident>();
  const checkpoints: Checkpoint[] = [];
  let alreadyRead = 0;
  let extended = 0;
  let untimed = 0;
  let view: SourceView | null = null;
  const startedAt = clock();

  await opts.store.transaction(async (store) => {
    const readOpts = {
      zone: opts.zone,
      now: opts.now,
      ...(opts.stdin ? { stdin: opts.stdin } : {}),
      ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
      ...(opts.checkpoints
        ? {
            resume: async (head: { fingerprint: string | null }) => {
              if (head.fingerprint === null) return null;
              const cp = await store.getCheckpoint(head.fingerprint);
              if (cp === null) return null;
              alreadyRead += cp.lines;
              return { offset: cp.offset, lines: cp.lines };
            },
            onFileDone: (
              spec: { name: string },
              head: { fingerprint: string | null },
              at: { offset: number; lines: number },
            ) => {
              if (head.fingerprint === null) return;
              checkpoints.push({
                identity: head.fingerprint,
                path: spec.name,
                offset: at.offset,
                lines: at.lines,
                readAt: clock(),
              });
            },
          }
        : {}),
    };
    const streams = groupBySet(opts.specs).map((set) =>
      concatStreams(
        set.map((spec) => () => sourceEvents(spec, readOpts, parser, read, opts.onError)),
      ),
    );
    let pending: IncidentDraft[] = [];
    const persist = async (): Promise<void> => {
      const result = await saveBatch(store, pending, policy, opts.detect);
      pending = [];
      extended += result.extended;
      for (const inc of result.touched) {
        judged.set(inc.id, {
          id: inc.id,
          reportable: inc.reportable,
          severity: inc.severity,
          lastSeen: inc.lastSeen,
        });
        touched?.set(inc.id, inc);
      }
      if (touched !== null && touched.size > keep) touched = null;
    };
    for await (const batch of mergeByTime(streams)) {
      untimed += observeAll(engine, batch);
      const closed = engine.drain(PERSIST_BATCH);
      for (const d of closed) pending.push(d);
      if (pending.length >= PERSIST_BATCH) await persist();
    }
    if (opts.inspect !== undefined) view = engine.view(opts.inspect);
    engine.end();
    for (
      let batch = engine.drain(PERSIST_BATCH);
      batch.length > 0;
      batch = engine.drain(PERSIST_BATCH)
    ) {
      for (const d of batch) pending.push(d);
      if (pending.length >= PERSIST_BATCH) await persist();
    }
    await persist();
    if (checkpoints.length > 0) await store.saveCheckpoints(checkpoints);
  });

  let reportable = 0;
  for (const r of judged.values()) if (r.reportable) reportable++;
  const stats: ScanStats = {
    ...read,
    incidents: judged.size,
    reportable,
    extended,
    alreadyRead,
    untimed,
    detection: { ...engine.stats },
  };
  const incidents = touched === null ? null : [...touched.values()].sort(compareListed);
  const listed = [...judged.values()].sort(compareListed);
  return { stats, startedAt, view, incidents, listed };
}

function observeAll(engine: DetectionEngine, batch: Event[]): number {
  let untimed = 0;
  for (let i = 0; i < batch.length; i++) {
    const ev = batch[i]!;
    if (ev.at === null) untimed++;
    engine.observe(ev);
  }
  return untimed;
}

/** Drafts are stored in batches of this many: a few queries per batch, not per incident. */
const PERSIST_BATCH = 1000;

const sourceKey = (i: { src: string | null; srcHost: string | null }): string =>
  i.src !== null ? `a:${i.src}` : `h:${i.srcHost ?? ''}`;

/**
 * Judges a batch of drafts and stores them. A draft that continues an incident of the same
 * source and kind (stored, or earlier in this batch) within `incidentGap` extends it; the rest
 * are inserted together. The candidates are fetched in one query for the whole batch.
 */
async function saveBatch(
  store: Store,
  drafts: readonly IncidentDraft[],
  policy: Policy,
  detect: DetectConfig,
): Promise<{ extended: number; touched: Incident[] }> {
  const touched: Incident[] = [];
  if (drafts.length === 0) return { extended: 0, touched };
  let earliest = Infinity;
  for (const d of drafts) earliest = Math.min(earliest, d.firstSeen);
  const candidates = await store.findContinuableMany(drafts, earliest - detect.incidentGap);
  // The current story per source and kind, and the id of each; ids starting with `new:` are
  // not stored yet. The ids are kept beside the incidents, not in them: copying each judged
  // incident to add its id (an object spread of 16 properties) cost ~100 ms for the 34k drafts
  // of the 1M-line benchmark, five times the judging itself (in-process).
  const current = new Map<string, JudgedIncident>();
  const ids = new Map<JudgedIncident, string>();
  const remember = (inc: JudgedIncident, id: string): void => {
    ids.set(inc, id);
    const key = `${sourceKey(inc)}|${inc.kind}`;
    const had = current.get(key);
    if (had === undefined || had.lastSeen <= inc.lastSeen) current.set(key, inc);
  };
  for (const c of candidates) remember(c, c.id);
  const inserts = new Map<string, JudgedIncident>();
  const updates = new Map<string, JudgedIncident>();
  const extendedIds = new Set<string>();
  let fresh = 0;
  for (const draft of drafts) {
    const src = sourceKey(draft);
    const previous = storyContinued(draft, (kind) => current.get(`${src}|${kind}`), detect);
    let next: JudgedIncident;
    let id: string;
    if (previous === undefined) {
      next = policy.judge(draft);
      id = `new:${fresh++}`;
    } else {
      next = policy.judge(mergeIncidents(previous, draft, detect));
      id = ids.get(previous)!;
      if (!id.startsWith('new:')) extendedIds.add(id);
    }
    if (id.startsWith('new:')) inserts.set(id, next);
    else updates.set(id, next);
    remember(next, id);
  }
  const stored = await store.insertIncidents([...inserts.values()]);
  for (const inc of stored) touched.push(inc);
  for (const [id, judged] of updates) {
    const inc = withId(judged, id);
    await store.updateIncident(inc);
    touched.push(inc);
  }
  return { extended: extendedIds.size, touched };
}

/** Splits sources into rotated sets (read one after the other), keeping their order. */
function groupBySet(specs: readonly SourceSpec[]): SourceSpec[][] {
  const sets = new Map<string, SourceSpec[]>();
  for (const spec of specs) {
    const key =
      spec.kind === 'file' ? `f:${rotation(spec.name).base}` : `${spec.kind}:${spec.name}`;
    const list = sets.get(key) ?? [];
    list.push(spec);
    sets.set(key, list);
  }
  return [...sets.values()];
}
