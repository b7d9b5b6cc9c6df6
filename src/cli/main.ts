#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError, ExternalError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { tuneCompiler } from './compiler-tuning.js';
import { registerConfigCommand } from './config-command.js';
import { registerExplainCommand } from './explain-command.js';
import { registerLookupCommand } from './lookup-command.js';
import { registerParseCommand } from './parse-command.js';
import { registerReportCommand } from './report-command.js';
import { registerScanCommand } from './scan-command.js';
import { registerSendCommand } from './send-command.js';

/** Runs the command line; resolves to the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('reportable')
    .description('turn server log noise into abuse reports worth sending')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);
  registerParseCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerScanCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerExplainCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerLookupCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerReportCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerSendCommand(program, (code) => {
    exitCode = Math.max(exitCode, code);
  });
  registerConfigCommand(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    return reportError(err);
  }
  return exitCode;
}

function reportError(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message; help and version are successes.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof ConfigError) {
    for (const p of err.problems) process.stderr.write(`reportable: ${printable(p)}\n`);
    return 2;
  }
  if (err instanceof ExternalError) {
    process.stderr.write(`reportable: ${printable(err.message)}\n`);
    return 1;
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT' || e?.code === 'EACCES') {
    process.stderr.write(`reportable: ${printable(e.message)}\n`);
    return 1;
  }
  process.stderr.write(`reportable: internal error: ${printable(String(e?.stack ?? err))}\n`);
  return 1;
}

tuneCompiler();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reportable: internal error: ${printable(String(err))}\n`);
    process.exitCode = 1;
  },
);
