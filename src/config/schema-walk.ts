import { z } from 'zod';
import { duration } from '../detect/detect-config.js';

// The walker uses zod's public wrapper classes (`unwrap()`, `.shape`, `.in`), so the schema
// stays the single description of the file: error messages, the example test and `config show`
// all read their key lists and duration settings from it.

/** One step into a configuration value: a key, or an index into a list. */
export type PathSegment = string | number;

/** Removes defaults, optionality and non-duration pipes around a schema. */
export function unwrapSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (
      s instanceof z.ZodDefault ||
      s instanceof z.ZodPrefault ||
      s instanceof z.ZodOptional ||
      s instanceof z.ZodNullable ||
      s instanceof z.ZodReadonly
    ) {
      s = s.unwrap() as z.ZodType;
    } else if (s instanceof z.ZodPipe && s !== duration) {
      s = s.in as z.ZodType;
    } else {
      return s;
    }
  }
}

/** The schema that validates the value at `path`, or undefined when the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PathSegment[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = unwrapSchema(root);
  for (const seg of path) {
    if (s instanceof z.ZodObject && typeof seg === 'string' && Object.hasOwn(s.shape, seg)) {
      s = s.shape[seg] as z.ZodType;
    } else if (s instanceof z.ZodArray && typeof seg === 'number') {
      s = s.element as z.ZodType;
    } else if (s instanceof z.ZodRecord && typeof seg === 'string') {
      s = s.valueType as z.ZodType;
    } else {
      return undefined;
    }
    s = unwrapSchema(s);
  }
  return s;
}

/** The keys an object schema accepts, in declaration order (empty for anything else). */
export function knownKeys(schema: z.ZodType | undefined): string[] {
  const s = schema === undefined ? undefined : unwrapSchema(schema);
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** True when the schema is the duration setting (`5m`, `6h`), stored in milliseconds. */
export function isDurationSchema(schema: z.ZodType | undefined): boolean {
  return schema !== undefined && unwrapSchema(schema) === duration;
}

/**
 * Every setting of an object schema as a key path (`['detect', 'portScan', 'window']`): objects
 * are descended into; lists, maps (records) and scalars are settings.
 */
export function leafPaths(root: z.ZodType, prefix: readonly string[] = []): string[][] {
  const s = unwrapSchema(root);
  if (!(s instanceof z.ZodObject)) return [[...prefix]];
  const out: string[][] = [];
  for (const [key, child] of Object.entries(s.shape)) {
    out.push(...leafPaths(child as z.ZodType, [...prefix, key]));
  }
  return out;
}
