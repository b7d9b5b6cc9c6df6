import type { z } from 'zod';
import { suggestKey } from './did-you-mean.js';
import { isDurationSchema, knownKeys, schemaAt, type PathSegment } from './schema-walk.js';

/** How a problem with the whole document (not one key) is located. */
export const TOP_LEVEL = '(top level)';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Writes a key path as users read it: `detect.portScan.window`, `policy.ownNetworks[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && IDENTIFIER.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === '' ? TOP_LEVEL : out;
}

/** A short description of a value from the file, for "got …" in messages. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? value.slice(0, 60) + '…' : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  string: 'text',
  object: 'a mapping (key: value lines)',
  record: 'a mapping (key: value lines)',
  array: 'a list (e.g. [a, b], or one "- item" per line)',
};

const DURATION_HINT = 'e.g. 30s, 5m, 6h, 7d';

/** Turns zod's issues into `path: message` lines, one per problem (one per unknown key). */
export function configProblems(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schemaAt(schema, issue.path as PathSegment[]));
      for (const key of issue.keys) {
        const suggestion = suggestKey(key, known);
        const hint =
          suggestion !== undefined
            ? `did you mean "${suggestion}"?`
            : `expected one of: ${known.join(', ')}`;
        out.push(`${formatPath([...issue.path, key])}: unknown key (${hint})`);
      }
      continue;
    }
    out.push(`${formatPath(issue.path)}: ${issueMessage(issue, schema)}`);
  }
  return [...new Set(out)];
}

function issueMessage(issue: z.core.$ZodIssue, schema: z.ZodType): string {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${got}`;
    case 'invalid_union':
      if (isDurationSchema(schemaAt(schema, issue.path as PathSegment[]))) {
        return `expected a duration (${DURATION_HINT}), got ${got}`;
      }
      return issue.message;
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}, got ${got}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}, got ${got}`;
    case 'invalid_format':
      if (issue.format === 'email') return `${got} is not an email address`;
      return `${got} is not a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got}`;
    case 'invalid_key': {
      const first = issue.issues[0];
      return first === undefined ? issue.message : issueMessage(first, schema);
    }
    default:
      return issue.message;
  }
}
