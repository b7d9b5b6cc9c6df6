import type { Incident } from '../core/incident.js';

/** An incident before the policy has judged it and the store has given it an id. */
export type IncidentDraft = Omit<Incident, 'id' | 'reportable'>;
