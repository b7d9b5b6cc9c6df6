import { stat } from 'node:fs/promises';
import type { Event, EventKind } from '../core/event.js';
import type { Zone } from '../core/time.js';
import { decodedChunks, fileChunks } from '../ingest/byte-source.js';
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
}

/** Receives each batch of events, in line order; may return a promise to apply backpressure. */
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
 * that fails is reported through `onError` and the others are still read.
 */
export async function readEvents(
  specs: readonly SourceSpec[],
  opts: ReadOptions,
  sink: EventSink,
  onError: (err: SourceError) => void,
  parser: LineParser = new LineParser(parserDefinitions()),
): Promise<ReadStats> {
  const stats = emptyStats();
  for (const spec of specs) {
    if (spec.kind === 'missing') {
      stats.unreadable++;
      onError({ source: spec.name, message: spec.message });
      continue;
    }
    stats.sources++;
    let now = opts.now;
    let chunks: AsyncIterable<Buffer>;
    if (spec.kind === 'stdin') {
      chunks = decodedChunks(opts.stdin ?? (process.stdin as AsyncIterable<Buffer>));
    } else {
      if (now === null) {
        try {
          now = (await stat(spec.path)).mtimeMs;
        } catch {
          now = null;
        }
      }
      chunks = fileChunks(spec.path);
    }
    const state = newSourceState({ source: spec.name, zone: opts.zone, now: now ?? Date.now() });
    const splitter = new LineSplitter();
    try {
      for await (const chunk of chunks) {
        await handleBatch(splitter.push(chunk), parser, state, stats, sink);
      }
      await handleBatch(splitter.end(), parser, state, stats, sink);
    } catch (err) {
      stats.unreadable++;
      onError({ source: spec.name, message: describeReadError(err) });
    }
    stats.truncated += splitter.truncated;
  }
  return stats;
}

async function handleBatch(
  batch: LineBatch,
  parser: LineParser,
  state: SourceState,
  stats: ReadStats,
  sink: EventSink,
): Promise<void> {
  const { lines, firstLine } = batch;
  if (lines.length === 0) return;
  const events: Event[] = [];
  for (let i = 0; i < lines.length; i++) {
    const ev = parser.parse(lines[i]!, firstLine + i, state);
    if (ev === null) {
      stats.unparsed++;
      continue;
    }
    events.push(ev);
    stats.events += ev.count;
    stats.families[ev.family] = (stats.families[ev.family] ?? 0) + ev.count;
    stats.kinds[ev.kind] = (stats.kinds[ev.kind] ?? 0) + ev.count;
  }
  stats.lines += lines.length;
  if (events.length > 0) await sink(events, state.ctx.source);
}

function describeReadError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR' || e?.errno === -5) {
    return `corrupt or truncated gzip data (${e.message})`;
  }
  if (e?.code === 'EISDIR') return 'is a directory';
  return e?.code ? describeFsError(err) : String(e?.message ?? err);
}
