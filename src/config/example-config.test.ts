import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { configSchema, defaultConfig } from './config-schema.js';
import { parseConfigText } from './load-config.js';
import { leafPaths } from './schema-walk.js';

// examples/reportable.yaml lists every setting with its default; these tests keep it that way
// when the schema or a default changes.

const EXAMPLE = join(import.meta.dirname, '../../examples/reportable.yaml');
const text = readFileSync(EXAMPLE, 'utf8');
const leaves = leafPaths(configSchema);
const leafNames = new Set(leaves.map((p) => p.at(-1)!));
/** Every key name of the schema, sections included (`dkim:` opens a commented-out block). */
const keyNames = new Set(leaves.flatMap((p) => p.map(String)));

/**
 * The example with its commented-out settings switched on: a `# key: value` line whose key is a
 * setting, and the lines indented under it (`#   whois.arin.net: …`).
 */
function uncommented(): string {
  let blockIndent = -1;
  return text
    .split('\n')
    .map((line) => {
      const m = /^( *)# ( *)(\S.*)$/.exec(line);
      if (m !== null) {
        const [, indent = '', inner = '', rest = ''] = m;
        const key = /^([A-Za-z]\w*):(?: |$)/.exec(rest)?.[1];
        if (inner === '' && key !== undefined && keyNames.has(key)) {
          blockIndent = indent.length;
          return indent + rest;
        }
        if (inner !== '' && indent.length === blockIndent) return indent + inner + rest;
      }
      blockIndent = -1;
      return line;
    })
    .join('\n');
}

function has(value: unknown, path: readonly string[]): boolean {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return false;
    v = (v as Record<string, unknown>)[key];
  }
  return true;
}

test('examples/reportable.yaml parses to exactly the defaults', () => {
  assert.deepEqual(parseConfigText(text, EXAMPLE), defaultConfig());
});

test('every setting of the schema appears in the example: set to its default, or commented out', () => {
  const raw: unknown = parse(text);
  const all: unknown = parse(uncommented());
  const defaults = defaultConfig();
  for (const path of leaves) {
    const name = path.join('.');
    if (has(defaults, path)) assert.ok(has(raw, path), `${name} is missing from the example`);
    else assert.ok(has(all, path), `${name} is neither set nor commented out in the example`);
  }
});

test("the example's commented-out values are valid settings", () => {
  const config = parseConfigText(uncommented(), EXAMPLE);
  for (const path of leaves) {
    assert.ok(has(config, path), `${path.join('.')} has no value once uncommented`);
  }
});

test('every setting in the example has a comment line above it', () => {
  const lines = uncommented().split('\n');
  lines.forEach((line, i) => {
    const key = /^ *([A-Za-z]\w*):/.exec(line)?.[1];
    if (key === undefined || !leafNames.has(key)) return;
    assert.match(lines[i - 1] ?? '', /^ *# \S/, `line ${i + 1} (${key}) has no comment above it`);
  });
});
