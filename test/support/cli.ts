import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The built command (`npm test` builds before running the tests). */
export const CLI = join(import.meta.dirname, '../../dist/cli/main.js');

/** What a run of the command printed, and its exit status. */
export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built command without blocking the event loop (the tests' loopback servers live in
 * this process), with `--config FILE` first, no user configuration, and `dataHome` as the data
 * directory; `input` is written to its stdin. Never throws on a non-zero exit: the status is
 * returned.
 */
export function runCli(
  config: string,
  dataHome: string,
  args: readonly string[],
  input = '',
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, '--config', config, ...args], {
      env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', XDG_DATA_HOME: dataHome },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}
