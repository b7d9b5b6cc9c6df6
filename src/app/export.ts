import type { Config } from '../config/config-schema.js';
import type { Incident } from '../core/incident.js';
import { abuseIpdbCsv } from '../report/abuseipdb-export.js';
import { incidentRedactor } from '../report/compose-reports.js';
import { dshieldLines } from '../report/dshield-export.js';
import { readEvidence } from './evidence-reader.js';
import { redactionRules } from './report.js';

/**
 * `report export`: incidents as AbuseIPDB's bulk CSV or as DShield lines, with the same
 * redaction as the memos (these lines are published: AbuseIPDB shows comments to everyone).
 */
export function exportIncidents(
  format: 'abuseipdb' | 'dshield',
  incidents: readonly Incident[],
  config: Config,
  dshieldUser: string,
): string {
  const redact = incidentRedactor(redactionRules(config), incidents, readEvidence);
  return format === 'abuseipdb'
    ? abuseIpdbCsv(incidents, redact, readEvidence)
    : dshieldLines(incidents, dshieldUser, 'UTC', readEvidence, redact);
}
