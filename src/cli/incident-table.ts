import type { Incident } from '../core/incident.js';
import { printable } from '../core/printable.js';
import { isoUtc } from '../core/time.js';

/** Renders incidents as a table for people: one row each, reportable first, main reason last. */
export function incidentTable(
  incidents: readonly Incident[],
  width: number | null,
  withHeader = true,
): string {
  if (incidents.length === 0) return '';
  const rows = incidents.map((i) => [
    i.reportable ? 'REPORT' : 'ignore',
    i.kind,
    printable(i.src ?? i.srcHost ?? '?'),
    String(i.severity),
    String(i.events),
    shortTime(i.firstSeen),
    shortTime(i.lastSeen),
    // The reason that decided: what it is when reportable, why not when not (the verdict).
    printable((i.reportable ? i.reasons[0] : i.reasons[i.reasons.length - 1]) ?? ''),
  ]);
  const head = [
    'VERDICT',
    'KIND',
    'SOURCE',
    'SEV',
    'EVENTS',
    'FIRST SEEN (UTC)',
    'LAST SEEN (UTC)',
    'REASON',
  ];
  const all = withHeader ? [head, ...rows] : rows;
  // Widths fit the header and this page; the fixed-width columns line up across pages anyway.
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const lines = all.map((r) => {
    const cells = r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)));
    const line = cells.join('  ');
    return width !== null && line.length > width
      ? line.slice(0, Math.max(10, width - 1)) + '…'
      : line;
  });
  return lines.join('\n') + '\n';
}

function shortTime(ms: number): string {
  return isoUtc(ms).slice(0, 19).replace('T', ' ');
}
