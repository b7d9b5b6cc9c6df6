// Conversions of column values shared by the row mappers.

// SQLite would store 1.5 in a bigint column and PostgreSQL would refuse it: check here, so both
// behave alike, and a caller's bug reads as a bug rather than as a database failure.
/** The value for a bigint column; throws (a caller's bug) when it is not a safe integer. */
export function int64(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw new Error(`store: ${field} must be an integer: ${value}`);
  return value;
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
