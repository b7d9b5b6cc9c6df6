import type { Command } from 'commander';
import { readEvents } from '../app/read-events.js';
import { ConfigError } from '../core/errors.js';
import { eventToJson } from '../core/event-json.js';
import { printable } from '../core/printable.js';
import { expandSources } from '../ingest/rotated-set.js';
import { Output } from './output.js';
import { resolveTimeFlags, withTimeOptions, type TimeFlags } from './time-options.js';

interface ParseFlags extends TimeFlags {
  format: string;
}

/** `reportable parse FILE...`: one normalized event per line, or counters. */
export function registerParseCommand(program: Command, setExit: (code: number) => void): void {
  withTimeOptions(program.command('parse'))
    .description('read logs and print one normalized event per line')
    .argument('[files...]', 'log files, directories of rotated logs, or - for stdin', ['-'])
    .option('--format <format>', 'ndjson (one event per line) or stats (counters only)', 'ndjson')
    .action(async (files: string[], flags: ParseFlags) => {
      if (flags.format !== 'ndjson' && flags.format !== 'stats') {
        throw new ConfigError(`--format: "${flags.format}" is not one of ndjson, stats`);
      }
      const time = resolveTimeFlags(flags);
      const specs = await expandSources(files.length > 0 ? files : ['-']);
      const out = new Output(process.stdout);
      const ndjson = flags.format === 'ndjson';
      const stats = await readEvents(
        specs,
        time,
        // Stats need no events, only counters: without a sink none are kept (see readEvents).
        ndjson
          ? async (events) => {
              for (const ev of events) await out.write(JSON.stringify(eventToJson(ev)) + '\n');
            }
          : null,
        (err) => {
          process.stderr.write(`reportable: ${printable(err.source)}: ${printable(err.message)}\n`);
        },
      );
      if (!ndjson) await out.write(JSON.stringify(stats) + '\n');
      await out.flush();
      if (stats.unreadable > 0) setExit(1);
    });
}
