import type { Event } from './event.js';
import { isoUtc } from './time.js';

/** The JSON shape of an Event, as `parse --format ndjson` prints it (camelCase, ISO UTC times). */
export function eventToJson(ev: Event): Record<string, unknown> {
  const out: Record<string, unknown> = {
    at: ev.at === null ? null : isoUtc(ev.at),
    kind: ev.kind,
    src: ev.src,
    srcHost: ev.srcHost,
    srcPort: ev.srcPort,
    dst: ev.dst,
    dstPort: ev.dstPort,
    proto: ev.proto,
    service: ev.service,
    user: ev.user,
    program: ev.program,
    host: ev.host,
    signature: ev.signature,
    count: ev.count,
    family: ev.family,
  };
  if (ev.detail !== null) out['detail'] = ev.detail;
  out['ref'] = { source: ev.ref.source, line: ev.ref.line };
  return out;
}
