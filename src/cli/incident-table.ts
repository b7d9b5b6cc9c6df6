import type { Incident } from '../core/incident.js';
import { printable } from '../core/printable.js';
import { tableTime, textTable } from './text-table.js';

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
    tableTime(i.firstSeen),
    tableTime(i.lastSeen),
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
  // Widths fit the header and this page; the fixed-width columns line up across pages anyway.
  return textTable(withHeader ? [head, ...rows] : rows, width, [head, ...rows]);
}
