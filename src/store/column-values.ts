// Conversions of column values shared by the row mappers.

import { INCIDENT_KINDS } from '../core/incident.js';
import type { IncidentKind } from '../core/incident.js';

// SQLite would store 1.5 in a bigint column and PostgreSQL would refuse it: check here, so both
// behave alike, and a caller's bug reads as a bug rather than as a database failure.
/** The value for a bigint column; throws (a caller's bug) when it is not a safe integer. */
export function int64(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`store: ${field} must be an integer: ${value}`);
  return value;
}

/** The value for a nullable bigint column: null stays null, else as `int64`. */
export function int64OrNull(value: number | null, field: string): number | null {
  return value === null ? null : int64(value, field);
}

/** A nullable bigint column read back as a number (PostgreSQL's `pg` gives int8 as text). */
export function numberOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value);
}

// JSON columns are parsed defensively: a value this version cannot read becomes an empty list
// (or null), or loses the entries it cannot read, rather than failing every read of the table.

/** The JSON text as a value, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The entries of a JSON array column that `keep` accepts; anything unreadable gives []. */
export function parseList<T>(text: string, keep: (v: unknown) => v is T): T[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter(keep) : [];
}

/** A type guard for strings, for `parseList`. */
export function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** A type guard for plain JSON objects (not null, not arrays), for `parseList`. */
export function isJsonObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const INCIDENT_KIND_SET: ReadonlySet<string> = new Set(INCIDENT_KINDS);

/** A type guard for the incident kinds this version knows, for `parseList` and kind columns. */
export function isIncidentKind(v: unknown): v is IncidentKind {
  return typeof v === 'string' && INCIDENT_KIND_SET.has(v);
}
