/**
 * Returns a copy of a string that shares no memory with the text it was sliced from. Lines are
 * slices of a decoded piece of about 64 KiB; anything kept past the line (caches, evidence
 * samples, session maps) must be detached, or one kept line pins the whole piece.
 */
export function detach(text: string): string {
  return text.length < 13 ? text : Buffer.from(text, 'utf8').toString('utf8');
}
