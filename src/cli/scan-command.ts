import type { Writable } from 'node:stream';
import type { WriteStream } from 'node:tty';
import type { Command } from 'commander';
import type { ScanStats } from '../app/scan.js';
import { ConfigError } from '../core/errors.js';
import type { Incident } from '../core/incident.js';
import { incidentToJson } from '../core/incident-json.js';
import { printable } from '../core/printable.js';
import { zone as zoneOf } from '../core/time.js';
import { expandSources, type SourceSpec } from '../ingest/rotated-set.js';
import type { ListedKey, Store } from '../store/store.js';
import { configFromFlags } from './config-command.js';
import { incidentTable } from './incident-table.js';
import { Output } from './output.js';
import { Progress } from './progress.js';
import { resolveTimeFlags, withTimeOptions } from './time-options.js';

interface ScanFlags {
  format: string;
  all?: boolean;
  minSeverity?: string;
  tz?: string;
  now?: string;
  /** A path, or false for `--no-db`. */
  db?: string | false;
  ownNetwork: string[];
  progress: boolean;
}

const FORMATS = ['table', 'json', 'ndjson'];
/** Inputs at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_BYTES = 32 * 1024 * 1024;

/** `reportable scan FILE...`: detect incidents, judge them, remember them. */
export function registerScanCommand(program: Command, setExit: (code: number) => void): void {
  withTimeOptions(program.command('scan'))
    .description('detect incidents in logs and judge which are worth reporting')
    .argument('[files...]', 'log files, directories of rotated logs, or - for stdin', ['-'])
    .option('--format <format>', 'table, json or ndjson', 'table')
    .option('--all', 'also list incidents that are not worth reporting')
    .option('--min-severity <n>', 'only incidents of at least this severity (1-5)')
    .option('--db <path>', 'database file (default: in the user data directory)')
    .option('--no-db', 'keep everything in memory: read every line, remember nothing')
    .option(
      '--own-network <cidr>',
      'a network of yours, never reported (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--no-progress', 'no progress bar on stderr')
    .action(async (files: string[], flags: ScanFlags, cmd: Command) => {
      if (!FORMATS.includes(flags.format)) {
        throw new ConfigError(`--format: "${flags.format}" is not one of ${FORMATS.join(', ')}`);
      }
      const minSeverity = flags.minSeverity === undefined ? 1 : Number(flags.minSeverity);
      if (!Number.isInteger(minSeverity) || minSeverity < 1 || minSeverity > 5) {
        throw new ConfigError(
          `--min-severity: "${flags.minSeverity}" is not a whole number from 1 to 5`,
        );
      }
      // The scan machinery (detectors, store, SQLite) loads only when a scan runs.
      const [{ parseCidr }, { scan }, { openStore }] = await Promise.all([
        import('../core/cidr.js'),
        import('../app/scan.js'),
        import('../store/open-store.js'),
      ]);
      const bad = flags.ownNetwork.filter((c) => parseCidr(c) === null);
      if (bad.length > 0) {
        throw new ConfigError(
          bad.map((c) => `--own-network: "${c}" is not an address or CIDR block`),
        );
      }
      const { config } = await configFromFlags(cmd.optsWithGlobals());
      const time = resolveTimeFlags({ tz: flags.tz ?? config.time.zone, now: flags.now });
      const noDb = flags.db === false;
      const dbPath = typeof flags.db === 'string' ? flags.db : config.store.db;
      const store = await openStore({
        noDb,
        ...(noDb || dbPath === undefined ? {} : { db: dbPath }),
      });
      const specs = await expandSources(files.length > 0 ? files : ['-']);
      const progress = progressFor(specs, flags.progress);
      let errors = 0;
      try {
        const result = await scan({
          specs,
          zone: time.zone ?? zoneOf('UTC'),
          now: time.now,
          detect: config.detect,
          policy: config.policy,
          ownNetworks: flags.ownNetwork,
          store,
          checkpoints: !noDb,
          onError: (err) => {
            errors++;
            process.stderr.write(
              `reportable: ${printable(err.source)}: ${printable(err.message)}\n`,
            );
          },
          ...(progress ? { onBytes: (n: number) => progress.add(n) } : {}),
        });
        progress?.end();
        const wanted = (inc: ListedKey): boolean =>
          (flags.all === true || inc.reportable) && inc.severity >= minSeverity;
        const pages =
          result.incidents !== null
            ? pagesOf(result.incidents.filter(wanted))
            : storePages(store, result.listed.filter(wanted));
        await printIncidents(process.stdout, flags.format, result.stats, pages);
      } finally {
        await store.close();
      }
      if (errors > 0) setExit(1);
    });
}

/** Incidents are printed a page at a time, so output memory stays flat. */
const PAGE = 500;

/** The scan's own incidents (already in list order), a page at a time. */
export async function* pagesOf(
  incidents: readonly Incident[],
): AsyncGenerator<readonly Incident[]> {
  for (let i = 0; i < incidents.length; i += PAGE) yield incidents.slice(i, i + PAGE);
}

/**
 * The scan's incidents read back from the store a page of ids at a time (when there were too
 * many to keep): exactly those it created or extended, in list order, whatever else changed
 * the store meanwhile. A page of ids is one query, and comes back in list order.
 */
async function* storePages(
  store: Store,
  listed: readonly ListedKey[],
): AsyncGenerator<readonly Incident[]> {
  for (let i = 0; i < listed.length; i += PAGE) {
    const page = await store.listIncidents({ ids: listed.slice(i, i + PAGE).map((k) => k.id) });
    if (page.length > 0) yield page;
  }
}

/**
 * Prints a scan's incidents to `stream`: `json` (one document), `ndjson`, or `table` (fitted to
 * the width of a terminal, else unbounded), a page at a time; stops when the reader goes away.
 */
export async function printIncidents(
  stream: Writable,
  format: string,
  stats: ScanStats,
  pages: AsyncIterable<readonly Incident[]>,
): Promise<void> {
  const out = new Output(stream);
  const tty = stream as Partial<WriteStream>;
  const width = tty.isTTY === true ? (tty.columns ?? null) : null;
  let shown = 0;
  if (format === 'json') await out.write(`{"stats":${JSON.stringify(stats)},"incidents":[`);
  for await (const page of pages) {
    for (const inc of page) {
      if (format === 'json') {
        await out.write((shown > 0 ? ',\n' : '\n') + JSON.stringify(incidentToJson(inc)));
      } else if (format === 'ndjson') {
        await out.write(JSON.stringify(incidentToJson(inc)) + '\n');
      }
      shown++;
    }
    if (format === 'table') await out.write(incidentTable(page, width, shown === page.length));
    if (out.isClosed) break;
  }
  if (format === 'json') await out.write('\n]}\n');
  if (format === 'table') await out.write(summary(stats, shown) + '\n');
  await out.flush();
}

function summary(stats: ScanStats, shown: number): string {
  const parts = [
    `${stats.lines.toLocaleString('en-US')} lines`,
    `${stats.events.toLocaleString('en-US')} events`,
    `${stats.incidents} incidents (${stats.reportable} reportable, ${shown} shown)`,
  ];
  if (stats.extended > 0) parts.push(`${stats.extended} continued an incident already stored`);
  if (stats.alreadyRead > 0)
    parts.push(`${stats.alreadyRead.toLocaleString('en-US')} lines already read before`);
  return parts.join('; ');
}

function progressFor(specs: readonly SourceSpec[], wanted: boolean): Progress | null {
  const err = process.stderr as WriteStream;
  if (!wanted || !err.isTTY) return null;
  let total = 0;
  let exact = true;
  for (const s of specs) {
    if (s.kind !== 'file') continue;
    // Progress counts decompressed bytes: a compressed file's size on disk would mislead.
    if (/\.(gz|z)$/i.test(s.name)) exact = false;
    total += s.size;
  }
  return total >= PROGRESS_BYTES ? new Progress(err, exact ? total : null) : null;
}
