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
