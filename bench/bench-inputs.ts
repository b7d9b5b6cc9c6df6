/**
 * Benchmark inputs, generated once and reused: each file has a `.meta` beside it naming the
 * generator version, seed and size it was made with; any difference regenerates it.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { FLOOD_GENERATOR_VERSION, FLOOD_SEED, generateFloodLog } from './generate-flood-log.js';
import { DEFAULT_SEED, GENERATOR_VERSION, generateSecureLog } from './generate-secure-log.js';

/** What the `.meta` file records about a generated input. */
export interface InputMeta {
  readonly generatorVersion: number;
  readonly seed: number;
  readonly lines: number;
  readonly bytes: number;
  readonly distinctSources: number;
  readonly mix: Record<string, number>;
}

/** A ready input file and whether this run had to generate it. */
export interface BenchInput extends InputMeta {
  readonly path: string;
  /** Seconds spent generating, or null when the cached file was reused. */
  readonly generatedSeconds: number | null;
}

/** Short label of a line count: 1000000 -> `1m`, 50000 -> `50k`. */
export function countLabel(n: number): string {
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}k`;
  return String(n);
}

/** Returns the secure-log input of `lines` lines in `dir`, generating it when missing or stale. */
export function ensureSecureLog(
  dir: string,
  lines: number,
  seed = DEFAULT_SEED,
): Promise<BenchInput> {
  const path = `${dir}/secure-${countLabel(lines)}.log`;
  return ensureInput(path, GENERATOR_VERSION, lines, seed, () =>
    generateSecureLog(path, lines, seed),
  );
}

/**
 * Returns the spoofed-flood input of `lines` lines in `dir` (`generate-flood-log.ts`: one
 * SYN per line, each from a different address), generating it when missing or stale.
 */
export function ensureFloodLog(dir: string, lines: number, seed = FLOOD_SEED): Promise<BenchInput> {
  const path = `${dir}/flood-${countLabel(lines)}.log`;
  return ensureInput(path, FLOOD_GENERATOR_VERSION, lines, seed, () =>
    generateFloodLog(path, lines, seed),
  );
}

/** What a generator reports about the file it wrote. */
type Generated = Omit<InputMeta, 'generatorVersion' | 'seed'>;

/** Reuses `path` when its `.meta` matches version, seed, line count and size; else generates. */
async function ensureInput(
  path: string,
  generatorVersion: number,
  lines: number,
  seed: number,
  generate: () => Promise<Generated>,
): Promise<BenchInput> {
  const metaPath = `${path}.meta`;
  const cached = await readMeta(metaPath);
  if (
    cached !== null &&
    cached.generatorVersion === generatorVersion &&
    cached.seed === seed &&
    cached.lines === lines &&
    (await sizeOf(path)) === cached.bytes
  ) {
    return { ...cached, path, generatedSeconds: null };
  }
  const started = performance.now();
  const result = await generate();
  const meta: InputMeta = { generatorVersion, seed, ...result };
  await writeFile(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return { ...meta, path, generatedSeconds: (performance.now() - started) / 1000 };
}

async function readMeta(path: string): Promise<InputMeta | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as InputMeta;
  } catch {
    return null;
  }
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch {
    return null;
  }
}
