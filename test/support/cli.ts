import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** The built command (`npm test` builds before running the tests). */
export const CLI = join(import.meta.dirname, '../../dist/cli/main.js');

/** What a run of the command printed, and its exit status. */
export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const run = promisify(execFile);

/**
 * Runs the built command without blocking the event loop (the tests' loopback servers live in
 * this process), with `--config FILE` first, no user configuration, and `dataHome` as the data
 * directory. Never throws on a non-zero exit: the status is returned.
 */
export async function runCli(
  config: string,
  dataHome: string,
  args: readonly string[],
): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [CLI, '--config', config, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', XDG_DATA_HOME: dataHome },
      maxBuffer: 16 << 20,
    });
    return { status: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
