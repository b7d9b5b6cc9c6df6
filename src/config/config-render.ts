import { Document, isScalar, visit } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './config-schema.js';
import { isDurationSchema, schemaAt, type PathSegment } from './schema-walk.js';

const UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/**
 * Writes milliseconds back as a duration setting (`5m`, `1h30m`, `24h`, `7d`) that parses to the
 * same value. Days are used from two days up, so a day reads as `24h`, as people say it.
 */
export function formatDurationSetting(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    if (unit === 'd' && rest < 2 * size) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** A URL with its password replaced by `***`, so `config show` does not print secrets. */
export function redactUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || !URL.canParse(text)) return text;
  const url = new URL(text);
  if (url.password === '') return text;
  url.password = '***';
  return url.toString();
}

/**
 * The configuration as a file would say it, for `config show`: durations as `5m`-style
 * strings, passwords in URLs hidden. Written back to a file, it loads as the same configuration
 * (apart from hidden passwords).
 */
export function renderConfig(config: Config): Record<string, unknown> {
  return render(config, [], configSchema) as Record<string, unknown>;
}

function render(value: unknown, path: PathSegment[], root: z.ZodType): unknown {
  if (typeof value === 'number' && isDurationSchema(schemaAt(root, path))) {
    return formatDurationSetting(value);
  }
  if (typeof value === 'string') return redactUrl(value);
  if (Array.isArray(value)) return value.map((v: unknown, i) => render(v, [...path, i], root));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (v !== undefined) out[key] = render(v, [...path, key], root);
    }
    return out;
  }
  return value;
}

/** YAML with short lists of plain values on one line (`innocuousPorts: [ 25, 80, 443 ]`). */
export function toYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Seq: (_key, seq) => {
      if (seq.items.length <= 8 && seq.items.every((item) => isScalar(item))) seq.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
