import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { ConfigError, ExternalError } from '../core/errors.js';
import { configFromFlags } from './config-command.js';
import { eventToJson } from '../core/event-json.js';
import { printable } from '../core/printable.js';
import { fileChunks } from '../ingest/byte-source.js';
import { LineSplitter } from '../ingest/line-splitter.js';
import { LineParser, newSourceState } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';
import { resolveTimeFlags, withTimeOptions, type TimeFlags } from './time-options.js';

interface ExplainFlags extends TimeFlags {
  format: string;
  src?: string;
}

/** `reportable explain 'LINE'` or `explain FILE:LINE`: how one line is read, step by step. */
export function registerExplainCommand(program: Command, setExit: (code: number) => void): void {
  withTimeOptions(program.command('explain'))
    .description('show which parser takes a log line and what it extracts, or why none does')
    .argument(
      '<line...>',
      'a log line in quotes, or FILE:LINE to explain that line of a file; with --src, log files',
    )
    .option('--src <address>', "show the detectors' view of this source in the files given")
    .option('--format <format>', 'text or json', 'text')
    .action(async (args: string[], flags: ExplainFlags, cmd: Command) => {
      if (flags.src !== undefined) {
        const { config } = await configFromFlags(cmd.optsWithGlobals());
        const time = resolveTimeFlags({ tz: flags.tz ?? config.time.zone, now: flags.now });
        const { explainSource } = await import('./explain-source.js');
        setExit(await explainSource(flags.src, args, config, time, flags.format));
        return;
      }
      if (args.length !== 1) {
        throw new ConfigError(
          'explain: give one line (quoted) or FILE:LINE, or --src ADDR FILE...',
        );
      }
      const arg = args[0]!;
      const time = resolveTimeFlags(flags);
      const located = await locate(arg);
      const parser = new LineParser(parserDefinitions());
      let now = time.now;
      if (now === null && located.path !== null) now = (await stat(located.path)).mtimeMs;
      const state = newSourceState({
        source: located.source,
        zone: time.zone,
        now: now ?? Date.now(),
      });
      // Earlier lines of the file are read first: some families keep per-session state.
      for (const prior of located.before) parser.parse(prior.text, prior.line, state);
      const { event, trace } = parser.explain(located.text, located.line, state);
      if (flags.format === 'json') {
        process.stdout.write(
          JSON.stringify({ line: located.text, trace, event: event && eventToJson(event) }) + '\n',
        );
        return;
      }
      const lines = [`line:   ${printable(located.text)}`];
      for (const step of trace) lines.push(`  ${step.stage.padEnd(12)} ${printable(step.result)}`);
      if (event === null) {
        lines.push('result: no event');
      } else {
        lines.push(`result: ${event.kind} event from the ${event.family} parser`);
        for (const [k, v] of Object.entries(eventToJson(event))) {
          if (v === null || k === 'kind' || k === 'family') continue;
          lines.push(
            `  ${k.padEnd(10)} ${printable(typeof v === 'string' ? v : JSON.stringify(v))}`,
          );
        }
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}

interface Located {
  source: string;
  path: string | null;
  line: number;
  text: string;
  before: { line: number; text: string }[];
}

/** Resolves `FILE:LINE` to that line (and the lines before it); anything else is the line itself. */
async function locate(arg: string): Promise<Located> {
  const m = /^(.+):(\d{1,9})$/.exec(arg);
  if (m !== null) {
    const path = m[1]!;
    const want = Number(m[2]);
    let isFile = false;
    try {
      isFile = (await stat(path)).isFile();
    } catch {
      isFile = false;
    }
    if (isFile) {
      const before: { line: number; text: string }[] = [];
      const splitter = new LineSplitter();
      const keep = 2000; // enough session context for stateful families, bounded
      for await (const chunk of fileChunks(path)) {
        const batch = splitter.push(chunk);
        for (let i = 0; i < batch.lines.length; i++) {
          const n = batch.firstLine + i;
          if (n === want) return { source: path, path, line: n, text: batch.lines[i]!, before };
          before.push({ line: n, text: batch.lines[i]! });
          if (before.length > keep) before.shift();
        }
      }
      const last = splitter.end();
      if (last.lines.length > 0 && last.firstLine === want) {
        return { source: path, path, line: want, text: last.lines[0]!, before };
      }
      throw new ExternalError(`${path}: has no line ${want}`);
    }
  }
  return { source: 'argument', path: null, line: 1, text: arg, before: [] };
}
