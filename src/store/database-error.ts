import { ExternalError } from '../core/errors.js';

/** The message of an error on one line (SQLite and PostgreSQL messages may span several). */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim();
}

/**
 * A database failure as the one-line ExternalError the command line prints: which database
 * (`label`: a path, or a URL without its password), what was being done, and why it failed.
 */
export function databaseError(label: string, what: string, error: unknown): ExternalError {
  if (error instanceof ExternalError) return error;
  return new ExternalError(`database ${label}: ${what}: ${oneLine(error)}`, { cause: error });
}
