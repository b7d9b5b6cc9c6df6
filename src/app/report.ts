import type { Config } from '../config/config-schema.js';
import type { Incident } from '../core/incident.js';
import type { Network } from '../core/network.js';
import type { Report } from '../core/report.js';
import { composeReports, type FollowUp } from '../report/compose-reports.js';
import { readEvidence } from './evidence-reader.js';
import { chooseRecipients, contactKey, type RecipientRules } from '../report/recipients.js';
import type { RedactionRules } from '../report/redaction.js';
import { loadTemplates } from '../report/report-templates.js';
import type { LedgerEntry, Store } from '../store/store.js';

const DAY = 86_400_000;
const PAGE = 1000;

/** What `reportable report` drafts from. */
export interface DraftRequest {
  readonly config: Config;
  readonly store: Store;
  readonly now: number;
  /** Only incidents whose last event is within this many ms before `now`. */
  readonly sinceMs?: number;
  /** Only these incidents. */
  readonly incidentIds?: readonly string[];
}

/** An incident left out of this batch, and why (for people). */
export interface Skipped {
  readonly incidentId: string;
  readonly src: string | null;
  readonly reason: string;
}

/** The drafts made, and what was left out. */
export interface DraftResult {
  readonly reports: readonly Report[];
  readonly skipped: readonly Skipped[];
}

/** The recipient rules of the configuration. */
export function recipientRules(config: Config): RecipientRules {
  return { alwaysCc: config.report.alwaysCc, neverMail: config.report.neverMail };
}

/** The redaction rules of the configuration: the report's own plus the user's own networks. */
export function redactionRules(config: Config): RedactionRules {
  const r = config.report.redact;
  return {
    addresses: [...r.addresses, ...config.policy.ownNetworks],
    hostnames: r.hostnames,
    users: r.users,
    targets: r.targets,
  };
}

async function allIncidents(store: Store, req: DraftRequest): Promise<Incident[]> {
  const out: Incident[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listIncidents({
      reportable: true,
      ...(req.sinceMs === undefined ? {} : { since: req.now - req.sinceMs }),
      ...(req.incidentIds === undefined ? {} : { ids: req.incidentIds }),
      limit: PAGE,
      offset,
    });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Drafts reports for reportable incidents not reported yet. Left out, with the reason: incidents
 * already in a pending report, incidents a sent report covered with nothing new since, sources
 * not looked up yet, and sources reported to the same contact for the same kind within
 * `report.dedupePeriod`. Activity that went on after an earlier report is written on the
 * incident ("still active 3 days after report 4") and the new report says so. Drafts are stored
 * as drafts, or approved when `report.autoApprove` is set.
 */
export async function draftReports(req: DraftRequest): Promise<DraftResult> {
  const { store, config, now } = req;
  const skipped: Skipped[] = [];
  const candidates = (await allIncidents(store, req)).filter((inc) => {
    if (inc.src !== null) return true;
    skipped.push({
      incidentId: inc.id,
      src: null,
      reason: 'the logs named a host, not an address',
    });
    return false;
  });
  const ids = candidates.map((i) => i.id);
  const covering = ids.length === 0 ? [] : await store.listReports({ incidentIds: ids });
  const pendingOf = new Map<string, Report>();
  const sentOf = new Map<string, Report[]>();
  for (const r of covering) {
    for (const id of r.incidentIds) {
      if (r.status === 'draft' || r.status === 'approved' || r.status === 'sending') {
        pendingOf.set(id, r);
      } else if (r.status === 'sent') {
        sentOf.set(id, [...(sentOf.get(id) ?? []), r]);
      }
    }
  }
  const sources = [...new Set(candidates.map((i) => i.src as string))];
  const stored = await store.findAddressNetworks(sources);
  const ledgerOf = new Map<string, LedgerEntry[]>();
  for (const e of await store.findLedger(sources)) {
    ledgerOf.set(e.src, [...(ledgerOf.get(e.src) ?? []), e]);
  }
  const rules = recipientRules(config);
  const networks = new Map<string, Network>();
  const followUps = new Map<string, FollowUp[]>();
  const chosen: Incident[] = [];
  /** Incidents with a new "still active" reason, written with the drafts. */
  const noted: Incident[] = [];
  // Loaded first: a broken template stops the run before anything is written.
  const templates = loadTemplates(config.report.templateDir);

  for (const inc of candidates) {
    const src = inc.src as string;
    const pending = pendingOf.get(inc.id);
    if (pending !== undefined) {
      skipped.push({
        incidentId: inc.id,
        src,
        reason: `already in report ${pending.id} (${pending.status})`,
      });
      continue;
    }
    const sentBefore = (sentOf.get(inc.id) ?? []).find((r) => (r.sentAt ?? 0) >= inc.lastSeen);
    if (sentBefore !== undefined) {
      skipped.push({
        incidentId: inc.id,
        src,
        reason: `reported in report ${sentBefore.id} on ${day(sentBefore.sentAt ?? 0)}; nothing new since`,
      });
      continue;
    }
    const network = stored.get(src)?.network;
    if (network === undefined) {
      skipped.push({
        incidentId: inc.id,
        src,
        reason: 'not looked up yet: run `reportable lookup --incidents` first',
      });
      continue;
    }
    const contact = contactKey(chooseRecipients(network, rules), src);
    const earlier = (ledgerOf.get(src) ?? []).filter((e) => e.contact === contact);
    const recent = earlier.find(
      (e) => e.kind === inc.kind && e.sentAt >= now - config.report.dedupePeriod,
    );
    if (recent !== undefined) {
      skipped.push({
        incidentId: inc.id,
        src,
        reason: `reported to ${contact} for ${inc.kind} on ${day(recent.sentAt)} (report ${recent.reportId}), within report.dedupePeriod`,
      });
      noted.push(...stillActive(inc, earlier).updated);
      continue;
    }
    const { followUps: active, updated } = stillActive(inc, earlier);
    noted.push(...updated);
    if (active.length > 0) followUps.set(contact, [...(followUps.get(contact) ?? []), ...active]);
    networks.set(src, network);
    chosen.push(inc);
  }

  const drafts = composeReports({
    incidents: chosen,
    networks,
    reporter: reporterIdentity(config),
    recipients: rules,
    redaction: redactionRules(config),
    templates,
    followUps,
    now,
    read: readEvidence,
  });
  const status = config.report.autoApprove ? 'approved' : 'draft';
  // Plan, then apply: the incidents' notes and the drafts land together, or not at all.
  const reports = await store.transaction(async (tx) => {
    for (const inc of noted) await tx.updateIncident(inc);
    const out: Report[] = [];
    for (const d of drafts) {
      // A draft with no recipient stays a draft whatever the configuration says.
      out.push(await tx.insertReport(d, d.recipients.length > 0 ? status : 'draft', now));
    }
    return out;
  });
  return { reports, skipped };
}

/**
 * Follow-ups for an incident whose source was reported before and went on afterwards, and the
 * incident with each of them written as a reason ("still active 3 days after report 4 of
 * 2026-11-20"), once; `updated` is empty when nothing new is to be written.
 */
function stillActive(
  inc: Incident,
  earlier: readonly LedgerEntry[],
): { followUps: FollowUp[]; updated: Incident[] } {
  const followUps: FollowUp[] = [];
  const reasons = [...inc.reasons];
  for (const e of earlier) {
    if (inc.lastSeen <= e.sentAt) continue;
    const days = Math.floor((inc.lastSeen - e.sentAt) / DAY);
    followUps.push({
      src: e.src,
      kind: e.kind,
      sentAt: e.sentAt,
      messageId: e.messageId,
      stillActiveDays: days,
    });
    const line = `still active ${days === 1 ? '1 day' : `${days} days`} after report ${e.reportId} of ${day(e.sentAt)}`;
    if (!reasons.includes(line)) reasons.push(line);
  }
  const updated = reasons.length !== inc.reasons.length ? [{ ...inc, reasons }] : [];
  return { followUps, updated };
}

/** The reporter's identity from the configuration (unset fields left out). */
export function reporterIdentity(config: Config): {
  name?: string;
  organization?: string;
  email?: string;
  phone?: string;
  timezone?: string;
} {
  const r = config.reporter;
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined));
}

/** One network's record with the reports sent about it: the basis for blocking those that never act. */
export interface NetworkHistory {
  readonly network: string;
  readonly reports: number;
  readonly sources: readonly string[];
  readonly firstSent: number;
  readonly lastSent: number;
  /** True when some source of the network was seen again after a report about it was sent. */
  readonly continuedAfterReport: boolean;
}

/** Per network: reports sent, and whether the activity went on after them. */
export async function networkHistory(store: Store): Promise<NetworkHistory[]> {
  const sent: Report[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listReports({ statuses: ['sent'], limit: PAGE, offset });
    sent.push(...page);
    if (page.length < PAGE) break;
  }
  const sources = [...new Set(sent.flatMap((r) => r.sources))];
  const ledger = await store.findLedger(sources);
  const byNetwork = new Map<string, LedgerEntry[]>();
  for (const e of ledger) {
    const key = e.network ?? e.src;
    byNetwork.set(key, [...(byNetwork.get(key) ?? []), e]);
  }
  const out: NetworkHistory[] = [];
  for (const [network, entries] of byNetwork) {
    // One question per source, from its first report on; the first "yes" settles it.
    const firstSent = new Map<string, number>();
    for (const e of entries)
      firstSent.set(e.src, Math.min(firstSent.get(e.src) ?? e.sentAt, e.sentAt));
    let continued = false;
    for (const [src, sentAt] of firstSent) {
      const later = await store.listIncidents({ src, since: sentAt + 1, limit: 1 });
      if (later.length > 0) {
        continued = true;
        break;
      }
    }
    const times = entries.map((e) => e.sentAt);
    out.push({
      network,
      reports: new Set(entries.map((e) => e.reportId)).size,
      sources: [...new Set(entries.map((e) => e.src))].sort(),
      firstSent: Math.min(...times),
      lastSent: Math.max(...times),
      continuedAfterReport: continued,
    });
  }
  return out.sort(
    (a, b) =>
      Number(b.continuedAfterReport) - Number(a.continuedAfterReport) || b.reports - a.reports,
  );
}
