import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { isValidZone, systemZone, zone, type Zone } from '../core/time.js';

/** `--tz` and `--now` as given on the command line. */
export interface TimeFlags {
  tz?: string;
  now?: string;
}

/** Validates `--tz` (IANA zone) and `--now` (ISO 8601 instant); throws ConfigError with fixes. */
export function resolveTimeFlags(flags: TimeFlags): { zone: Zone; now: number | null } {
  const problems: string[] = [];
  const tz = flags.tz ?? systemZone();
  if (!isValidZone(tz))
    problems.push(
      `--tz: unknown time zone "${tz}" (use an IANA name such as Europe/Berlin or UTC)`,
    );
  let now: number | null = null;
  if (flags.now !== undefined) {
    now = Date.parse(flags.now);
    if (!/^\d{4}-\d{2}-\d{2}/.test(flags.now) || Number.isNaN(now)) {
      problems.push(`--now: "${flags.now}" is not an ISO 8601 instant (e.g. 2026-11-27T12:00:00Z)`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { zone: zone(tz), now };
}

/** Adds `--tz` and `--now` to a command that reads logs (parse, scan, explain). */
export function withTimeOptions(cmd: Command): Command {
  return cmd
    .option(
      '--tz <zone>',
      'IANA time zone of timestamps that carry none (default: the system zone)',
    )
    .option(
      '--now <iso>',
      "reference instant for year-less timestamps (default: each file's mtime)",
    );
}
