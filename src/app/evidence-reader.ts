import type { Incident } from '../core/incident.js';
import { zone } from '../core/time.js';
import type { EvidenceEvent } from '../report/evidence-events.js';
import { LineParser, newSourceState } from '../parse/line-parser.js';
import { parserDefinitions } from '../parse/parser-registry.js';
import { newTimeMemo, parseEnvelope } from '../parse/syslog-envelope.js';

let parser: LineParser | null = null;
const cache = new WeakMap<Incident, readonly EvidenceEvent[]>();

/**
 * The EvidenceReader of report/: an incident's evidence lines read again by the same parsers
 * that produced them (once per incident object), so reports can state ports, protocol,
 * destination and TCP flags. The fields are taken from the positions the daemon writes them
 * (never from free text), and a line whose parsed source is not the incident's source
 * contributes no event.
 */
export function readEvidence(incident: Incident): readonly EvidenceEvent[] {
  const hit = cache.get(incident);
  if (hit !== undefined) return hit;
  parser ??= new LineParser(parserDefinitions());
  const utc = zone('UTC');
  const out: EvidenceEvent[] = [];
  for (const evidence of incident.evidence) {
    // The line's own time is already in `evidence.at`; the context only lets the envelope parse.
    const ctx = { source: evidence.source, zone: utc, now: evidence.at ?? incident.lastSeen };
    const ev = parser.parse(evidence.text, evidence.line, newSourceState(ctx));
    const ours =
      ev !== null &&
      (incident.src !== null ? ev.src === incident.src : ev.srcHost === incident.srcHost);
    const loggedBy = parseEnvelope(evidence.text, ctx, newTimeMemo())?.host ?? null;
    out.push({ evidence, event: ours ? ev : null, loggedBy });
  }
  cache.set(incident, out);
  return out;
}
