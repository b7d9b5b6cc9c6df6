/**
 * Makes attacker-written text safe for a terminal: C0 and C1 control characters, DEL and
 * bidirectional overrides become visible `\xNN` / `\u{NNNN}` escapes, so a log line can never
 * move the cursor, recolour the screen or reorder what the reader sees.
 */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      const code = c.charCodeAt(0);
      return code <= 0xff
        ? `\\x${code.toString(16).padStart(2, '0')}`
        : `\\u{${code.toString(16)}}`;
    },
  );
}

/**
 * A value from a registry, a DNS answer or a log reduced to one plain line for data (stored
 * fields, JSON output): every character printable() would escape becomes a space, and the
 * result is trimmed and cut at `max` characters. Unlike printable(), nothing
 * of the original control survives, so the value can be stored and compared.
 */
export function plainLine(text: string, max: number): string {
  const cut = text.length > max * 2 ? text.slice(0, max * 2) : text;
  return cut
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, ' ')
    .trim()
    .slice(0, max)
    .trim();
}
