import { open, stat, type FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { ConfigError, ExternalError } from '../core/errors.js';
import { configProblems } from './config-problems.js';
import { configSchema, defaultConfig, isPostgresUrl, type Config } from './config-schema.js';

/** Largest configuration file read (1 MiB); a real one is a few kilobytes. */
export const MAX_CONFIG_BYTES = 1 << 20;

/** Most YAML alias expansions allowed in one file (the "billion laughs" guard). */
export const MAX_YAML_ALIASES = 100;

/** Problems listed before the rest are summed up (a log file passed as --config has thousands). */
const MAX_PROBLEMS = 50;

/** Deepest nesting walked when reading `key:` with no value as "use the default". */
const MAX_DEPTH = 32;

/**
 * Phase 1, no I/O: parses YAML text and validates it, overlaying the shipped defaults. Throws a
 * ConfigError listing every problem: `FILE:LINE:COL: message` for YAML syntax, `path: message`
 * (`detect.portScan.window: …`, `policy.ownNetworks[2]: …`) for settings.
 */
export function parseConfigText(text: string, sourceName: string): Config {
  if (Buffer.byteLength(text, 'utf8') > MAX_CONFIG_BYTES) {
    throw new ConfigError(`${sourceName}: larger than 1 MiB; a configuration file is not that big`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  const yamlProblems = [...doc.errors, ...doc.warnings].map((e) => yamlProblem(e, sourceName));
  if (yamlProblems.length === 0)
    yamlProblems.push(...unresolvedAliases(doc, lineCounter, sourceName));
  if (yamlProblems.length > 0)
    throw new ConfigError(capped([...new Set(yamlProblems)], sourceName));
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    throw new ConfigError(`${sourceName}: ${aliasProblem(err)}`);
  }
  const result = configSchema.safeParse(nullAsAbsent(data ?? {}, 0), { reportInput: true });
  if (!result.success) {
    throw new ConfigError(capped(configProblems(result.error.issues, configSchema), sourceName));
  }
  return result.data;
}

function capped(problems: string[], sourceName: string): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  const more = problems.length - MAX_PROBLEMS;
  return [...problems.slice(0, MAX_PROBLEMS), `${sourceName}: ${more} more problems not shown`];
}

function yamlProblem(e: YAMLError, sourceName: string): string {
  // prettyErrors appends " at line L, column C:" and a source excerpt; the location goes in front.
  const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
  const at = e.linePos?.[0];
  return at === undefined
    ? `${sourceName}: ${message}`
    : `${sourceName}:${at.line}:${at.col}: ${message}`;
}

/** Aliases without an earlier anchor, located (toJS would only name the first, without a place). */
function unresolvedAliases(doc: Document, lines: LineCounter, sourceName: string): string[] {
  const anchors = new Set<string>();
  const out: string[] = [];
  // The same document-order walk yaml uses to resolve aliases.
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        if (!anchors.has(node.source)) {
          const at = lines.linePos(node.range?.[0] ?? 0);
          out.push(
            `${sourceName}:${at.line}:${at.col}: alias *${node.source} has no anchor &${node.source} before it`,
          );
        }
      } else if (node.anchor !== undefined) {
        anchors.add(node.anchor);
      }
    },
  });
  return out;
}

function aliasProblem(err: unknown): string {
  if (!(err instanceof Error)) throw err;
  if (/excessive alias count/i.test(err.message)) {
    return `more than ${MAX_YAML_ALIASES} YAML alias expansions (refused as an alias bomb)`;
  }
  if (err instanceof ReferenceError) return err.message;
  if (err instanceof RangeError) return 'nested too deeply';
  throw err;
}

/**
 * A key written with no value (`window:`, or a section whose keys are all commented out) means
 * "use the default", so null mapping values become undefined. The keys stay, so an unknown key
 * is still reported.
 */
function nullAsAbsent(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => nullAsAbsent(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    // defineProperty: a `__proto__` key from the file stays a plain (unknown) key.
    Object.defineProperty(out, key, {
      value: v === null ? undefined : nullAsAbsent(v, depth + 1),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Environment variables that choose the configuration file. */
export interface ConfigEnv {
  readonly REPORTABLE_CONFIG?: string | undefined;
  readonly XDG_CONFIG_HOME?: string | undefined;
  readonly HOME?: string | undefined;
}

/** Where to look for the configuration file, and in which environment. */
export interface LoadConfigOptions {
  /** `--config FILE`: this file and no other; it must exist. */
  readonly configPath?: string | undefined;
  readonly env: ConfigEnv;
}

/** The effective configuration and where it came from. */
export interface LoadedConfig {
  readonly config: Config;
  /** The absolute path of the file read, or null when none exists and defaults apply. */
  readonly source: string | null;
  /** The files considered, in order (for "no config file found; looked in …"). */
  readonly searched: readonly string[];
}

/**
 * The default locations, first match wins: `$XDG_CONFIG_HOME/reportable/config.yaml` (or
 * `~/.config/reportable/config.yaml`), then `/etc/reportable/config.yaml`.
 */
export function defaultConfigLocations(env: ConfigEnv): string[] {
  const out: string[] = [];
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says to ignore a relative (or empty) XDG_CONFIG_HOME.
  if (xdg !== undefined && isAbsolute(xdg)) out.push(join(xdg, 'reportable', 'config.yaml'));
  else if (env.HOME !== undefined && isAbsolute(env.HOME)) {
    out.push(join(env.HOME, '.config', 'reportable', 'config.yaml'));
  }
  out.push('/etc/reportable/config.yaml');
  return out;
}

/**
 * Phase 2: finds and reads the configuration file, then parses it. `--config FILE`, else
 * `$REPORTABLE_CONFIG` (both must exist), else the first default location that exists, else
 * the shipped defaults. Relative paths in the file are taken relative to the file's directory.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const named =
    options.configPath !== undefined
      ? { label: '--config', path: options.configPath }
      : options.env.REPORTABLE_CONFIG !== undefined && options.env.REPORTABLE_CONFIG !== ''
        ? { label: 'REPORTABLE_CONFIG', path: options.env.REPORTABLE_CONFIG }
        : null;
  if (named !== null) {
    if (named.path === '') throw new ConfigError(`${named.label}: the file name is empty`);
    const path = resolve(named.path);
    const text = await readConfigFile(path, `${named.label} ${named.path}`);
    return { config: parseConfigFile(text, path), source: path, searched: [path] };
  }
  const searched = defaultConfigLocations(options.env);
  for (const path of searched) {
    if (!(await exists(path))) continue;
    const text = await readConfigFile(path, path);
    return { config: parseConfigFile(text, path), source: path, searched };
  }
  return { config: defaultConfig(), source: null, searched };
}

function parseConfigFile(text: string, path: string): Config {
  const config = parseConfigText(text, path);
  const dir = dirname(path);
  const { db } = config.store;
  const { rdapBootstrap } = config.lookup;
  return {
    ...config,
    store:
      db === undefined || isPostgresUrl(db)
        ? config.store
        : { ...config.store, db: resolve(dir, db) },
    lookup:
      rdapBootstrap === undefined
        ? config.lookup
        : { ...config.lookup, rdapBootstrap: resolve(dir, rdapBootstrap) },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw fileError(err, path);
  }
}

/** Reads at most MAX_CONFIG_BYTES (+1 to notice more) as UTF-8; `label` names the file in errors. */
async function readConfigFile(path: string, label: string): Promise<string> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fileError(err, label);
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new ConfigError(`${label}: is a directory, not a file`);
    if (st.size > MAX_CONFIG_BYTES) throw tooBig(label);
    // Read in a loop: FIFOs and /dev/stdin report size 0.
    const buf = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, length, buf.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_CONFIG_BYTES) throw tooBig(label);
    }
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, length));
    } catch {
      throw new ConfigError(`${label}: not UTF-8 text`);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw fileError(err, label);
  } finally {
    await fh.close();
  }
}

function tooBig(label: string): ConfigError {
  return new ConfigError(`${label}: larger than 1 MiB; a configuration file is not that big`);
}

function fileError(err: unknown, label: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new ConfigError(`${label}: no such file`);
    case 'EACCES':
    case 'EPERM':
      return new ConfigError(`${label}: permission denied`);
    case 'EISDIR':
      return new ConfigError(`${label}: is a directory, not a file`);
    case 'ELOOP':
      return new ConfigError(`${label}: too many levels of symbolic links`);
    default:
      return new ExternalError(`${label}: cannot read: ${(err as Error).message}`, { cause: err });
  }
}
