import type { Incident } from './incident.js';
import { isoUtc } from './time.js';

/** The JSON shape of an Incident (camelCase, ISO UTC times), as `scan --format json` prints it. */
export function incidentToJson(inc: Incident): Record<string, unknown> {
  return {
    id: inc.id,
    kind: inc.kind,
    src: inc.src,
    srcHost: inc.srcHost,
    firstSeen: isoUtc(inc.firstSeen),
    lastSeen: isoUtc(inc.lastSeen),
    events: inc.events,
    ports: inc.ports,
    targets: inc.targets,
    services: inc.services,
    users: inc.users,
    truncated: inc.truncated,
    severity: inc.severity,
    reportable: inc.reportable,
    reasons: inc.reasons,
    evidence: inc.evidence.map((e) => ({
      at: e.at === null ? null : isoUtc(e.at),
      kind: e.kind,
      source: e.source,
      line: e.line,
      text: e.text,
    })),
  };
}
