import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/**
 * Where the database lives when `--db` is not given, after the XDG Base Directory spec:
 * `$XDG_DATA_HOME/reportable/reportable.db`, else `~/.local/share/reportable/reportable.db`.
 * A relative or empty XDG_DATA_HOME is ignored, as the spec requires.
 */
export function defaultDatabasePath(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  return join(dataDirectory(env, home), 'reportable.db');
}

/**
 * The user's data directory for reportable (`$XDG_DATA_HOME/reportable`, else
 * `~/.local/share/reportable`): the database and the refreshed RDAP bootstrap live there.
 */
export function dataDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
  home: string = homedir(),
): string {
  const xdg = env['XDG_DATA_HOME'];
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.local', 'share');
  return join(base, 'reportable');
}
