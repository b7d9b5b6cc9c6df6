import { stat } from 'node:fs/promises';
import type { Event, EventKind } from '../core/event.js';
import type { Zone } from '../core/time.js';
import { decodedChunks, fileChunksReused, stdinChunks } from '../ingest/byte-source.js';
import { readFileHead, type FileHead } from '../ingest/file-head.js';
import { LineSplitter, type LineBatch } from '../ingest/line-splitter.js';
import { describeFsError, type SourceSpec } from '../ingest/rotated-set.js';
import { LineParser, newSourceState, type SourceState } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';

/** Counters of one read, printed by `parse --format stats`. */
export interface ReadStats {
  sources: number;
  lines: number;
  /** Events, counting `message repeated N times` as N. */
  events: number;
  /** Lines that gave no event (blank, noise, or formats no parser knows). */
  unparsed: number;
  /** Lines longer than 64 KiB, truncated before parsing. */
  truncated: number;
  /** Sources that could not be read (missing, unreadable, corrupt gzip). */
  unreadable: number;
  families: Record<string, number>;
  kinds: Partial<Record<EventKind, number>>;
}

/** How to read: the time zone of local timestamps and the reference instant for years. */
export interface ReadOptions {
  readonly zone: Zone;
  /** `--now`: overrides each file's modification time as the year reference. */
  readonly now: number | null;
  /** Where `-` reads from (process.stdin in the CLI). */
  readonly stdin?: AsyncIterable<Buffer>;
  /**
   * Where to resume a file already read (from the store's checkpoints). When given, a last
   * line without newline in a plain file is held back until it is complete, so no line is
   * ever read twice.
   */
  readonly resume?: (head: FileHead) => Promise<ResumePoint | null>;
  /** Called when a file has been read to its end, with the position reached. */
  readonly onFileDone?: (
    spec: SourceSpec & { kind: 'file' },
    head: FileHead,
    at: ResumePoint,
  ) => void;
  /** Called with the bytes read so far (for a progress bar). */
  readonly onBytes?: (bytes: number) => void;
}

/** A position in a file's (decompressed) content. */
export interface ResumePoint {
  /** Bytes already consumed: the offset just after the last complete line. */
  readonly offset: number;
  /** Lines already consumed. */
  readonly lines: number;
}

/** Receives each batch of events, in order; may return a promise to apply backpressure. */
export type EventSink = (events: Event[], source: string) => void | Promise<void>;

/** A source that could not be read, with a one-line reason. */
export interface SourceError {
  readonly source: string;
  readonly message: string;
}

/** Empty counters. */
export function emptyStats(): ReadStats {
  return {
    sources: 0,
    lines: 0,
    events: 0,
    unparsed: 0,
    truncated: 0,
    unreadable: 0,
    families: {},
    kinds: {},
  };
}

/**
 * Reads every source in order, parses each line and hands the events on in batches. A source
 * that fails is reported through `onError` and the others are still read. With `sink` null
 * only the counters are kept (`parse --format stats`).
 */
export async function readEvents(
  specs: readonly SourceSpec[],
  opts: ReadOptions,
  sink: EventSink | null,
  onError: (err: SourceError) => void,
  parser: LineParser = new LineParser(parserDefinitions()),
): Promise<ReadStats> {
  const stats = emptyStats();
  for (const spec of specs) {
    for await (const batch of sourceEvents(spec, opts, parser, stats, onError, sink !== null)) {
      await sink?.(batch, spec.name);
    }
  }
  return stats;
}

/**
 * The events of one source, in line order, in batches (one per chunk read). Counters go to
 * `stats`; a failure goes to `onError` and ends the source. With `keep` false the events are
 * only counted and nothing is yielded.
 */
export async function* sourceEvents(
  spec: SourceSpec,
  opts: ReadOptions,
  parser: LineParser,
  stats: ReadStats,
  onError: (err: SourceError) => void,
  keep = true,
): AsyncGenerator<Event[]> {
  if (spec.kind === 'missing') {
    stats.unreadable++;
    onError({ source: spec.name, message: spec.message });
    return;
  }
  stats.sources++;
  let now = opts.now;
  let chunks: AsyncIterable<Buffer>;
  let head: FileHead | null = null;
  let from: ResumePoint = { offset: 0, lines: 0 };
  try {
    if (spec.kind === 'stdin') {
      chunks = decodedChunks(opts.stdin ?? stdinChunks());
    } else {
      if (opts.resume) {
        head = await readFileHead(spec.path);
        from = (await opts.resume(head)) ?? from;
        // A plain file shorter than what was read before is another file with the same head.
        if (!head.gzip && head.size < from.offset) from = { offset: 0, lines: 0 };
        now ??= head.mtimeMs;
      } else if (now === null) {
        now = (await stat(spec.path)).mtimeMs;
      }
      chunks =
        head !== null && !head.gzip && from.offset > 0
          ? fileChunksReused(spec.path, from.offset)
          : skipBytes(decodedChunks(fileChunksReused(spec.path)), from.offset);
    }
  } catch (err) {
    stats.unreadable++;
    onError({ source: spec.name, message: describeReadError(err) });
    return;
  }
  const state = newSourceState({ source: spec.name, zone: opts.zone, now: now ?? Date.now() });
  const splitter = new LineSplitter(undefined, from.lines + 1);
  // A plain file may still be written to: with checkpoints, its unfinished last line waits.
  const keepPartial = head === null || head.gzip;
  try {
    for await (const chunk of chunks) {
      opts.onBytes?.(chunk.length);
      const events = parseBatch(splitter.push(chunk), parser, state, stats, keep);
      if (events.length > 0) yield events;
    }
    const events = parseBatch(splitter.end(keepPartial), parser, state, stats, keep);
    if (events.length > 0) yield events;
    if (head !== null && spec.kind === 'file') {
      opts.onFileDone?.(spec, head, {
        offset: from.offset + splitter.consumed,
        lines: splitter.lineNumber - 1,
      });
    }
  } catch (err) {
    stats.unreadable++;
    onError({ source: spec.name, message: describeReadError(err) });
  } finally {
    stats.truncated += splitter.truncated;
  }
}

/** Drops the first `count` bytes of a stream (resuming inside decompressed content). */
async function* skipBytes(chunks: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let left = count;
  for await (const chunk of chunks) {
    if (left >= chunk.length) {
      left -= chunk.length;
      continue;
    }
    yield left > 0 ? chunk.subarray(left) : chunk;
    left = 0;
  }
}

/**
 * Parses a batch and counts its events; returns them when `keep` is set (else none). Counting
 * alone matters for speed: events dropped at once are free to the young-generation collector,
 * while a batch's worth of kept ones is copied by every collection that runs during it.
 */
function parseBatch(
  batch: LineBatch,
  parser: LineParser,
  state: SourceState,
  stats: ReadStats,
  keep: boolean,
): Event[] {
  const { lines, firstLine } = batch;
  const events: Event[] = [];
  const families = new Tally();
  const kinds = new Tally();
  let count = 0;
  let parsed = 0;
  for (let i = 0; i < lines.length; i++) {
    const ev = parser.parse(lines[i]!, firstLine + i, state);
    if (ev === null) continue;
    parsed++;
    if (keep) events.push(ev);
    count += ev.count;
    families.add(ev.family, ev.count);
    kinds.add(ev.kind, ev.count);
  }
  stats.lines += lines.length;
  stats.unparsed += lines.length - parsed;
  stats.events += count;
  families.addTo(stats.families);
  kinds.addTo(stats.kinds);
  return events;
}

/**
 * Counts per name for one batch, added to a stats object at its end. An object indexed by a
 * computed key costs V8 a slow generic lookup, and a Map a hash lookup, on every event; the
 * names (families, kinds) are a handful of constant strings, compared here by identity first.
 * Names keep the order they were first seen in, so they reach the stats object in the same
 * order as when counted one by one.
 */
class Tally {
  private readonly names: string[] = [];
  private readonly counts: number[] = [];

  add(name: string, n: number): void {
    const names = this.names;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) {
        this.counts[i]! += n;
        return;
      }
    }
    names.push(name);
    this.counts.push(n);
  }

  addTo(target: Record<string, number>): void {
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i]!;
      target[name] = (target[name] ?? 0) + this.counts[i]!;
    }
  }
}

function describeReadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR' || e?.errno === -5) {
    return `corrupt or truncated gzip data (${e.message})`;
  }
  if (e?.code === 'EISDIR') return 'is a directory';
  return e?.code ? describeFsError(err) : String(e?.message ?? err);
}
