/**
 * Lays out rows as aligned columns for a terminal: each column as wide as its widest cell, two
 * spaces between, the last column unpadded; a line longer than `width` (the terminal's) is cut
 * with `…`. Cells must already be printable. `widthRows` are the rows the widths are taken from
 * (by default all): a paged listing passes the header and its page so columns stay stable.
 */
export function textTable(
  rows: readonly (readonly string[])[],
  width: number | null = null,
  widthRows: readonly (readonly string[])[] = rows,
): string {
  if (rows.length === 0) return '';
  const columns = Math.max(...widthRows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...widthRows.map((r) => (r[c] ?? '').length)),
  );
  const lines = rows.map((r) => {
    const line = r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
    return width !== null && line.length > width
      ? line.slice(0, Math.max(10, width - 1)) + '…'
      : line;
  });
  return lines.join('\n') + '\n';
}

/** An epoch-ms instant as `2026-11-26 04:12:09` (UTC), for table cells. */
export function tableTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
