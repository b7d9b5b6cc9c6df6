import { addressBytes, CidrSet, parseCidr } from '../core/cidr.js';
import { formatDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import type { Incident, IncidentKind } from '../core/incident.js';
import { specialBlockSet } from '../core/special-blocks.js';
import { defaultDetectConfig, type DetectConfig, type PolicyConfig } from './detect-config.js';
import type { IncidentDraft } from './incident-draft.js';
import { counted, formatCount, serviceLabel } from './incident-text.js';

/** An incident with its verdict, before the store gives it an id. */
export type JudgedIncident = Omit<Incident, 'id'>;

/** The reportability policy, built once from the configuration. */
export interface Policy {
  /** Decides whether an incident is worth reporting and appends the reason as the last one. */
  judge(draft: IncidentDraft): JudgedIncident;
}

const KIND_LABELS: Record<IncidentKind, string> = {
  exploit: 'an exploit attempt',
  dos: 'a flood',
  'brute-force': 'brute force',
  sweep: 'a sweep',
  'port-scan': 'a port scan',
  probe: 'a probe',
};

function blockSet(cidrs: readonly string[], where: string, problems: string[]): CidrSet<string> {
  const set = new CidrSet<string>();
  cidrs.forEach((c, i) => {
    if (parseCidr(c) === null)
      problems.push(`${where}[${i}]: "${c}" is not an address or CIDR block`);
    else set.add(c, c);
  });
  return set;
}

/**
 * Builds the policy. Rules, in order (the first that applies decides):
 * 1. a source in an IANA special-purpose block (the most specific block decides; blocks
 *    marked globally reachable are not special) is never reported;
 * 2. a source in your own networks (`ownNetworks`, `--own-network`) or the allow-list is never
 *    reported;
 * 3. a source known only by name is not reported (names are not resolved during detection);
 * 4. a probe is reported only with at least `probe.reportAfter` attempts, and not when every
 *    port and service it touched is usually innocent (SMTP, HTTP, HTTPS, ICMP echo);
 * 5. an incident below `minSeverity` is not reported;
 * 6. port scans, sweeps, brute force, floods and exploits are reported.
 * Throws a ConfigError when a CIDR block is malformed.
 */
export function buildPolicy(
  config: PolicyConfig,
  extraOwn: readonly string[] = [],
  detect: DetectConfig = defaultDetectConfig(),
): Policy {
  const problems: string[] = [];
  const own = blockSet([...config.ownNetworks, ...extraOwn], 'ownNetworks', problems);
  const allow = blockSet(config.allowList, 'allowList', problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const special = specialBlockSet();
  const innocuousPorts = new Set(config.innocuousPorts);
  const innocuousServices = new Set(config.innocuousServices);
  const reportAfter = detect.probe.reportAfter;
  const probeRule = `${reportAfter} within ${formatDuration(detect.probe.window)} (probe.reportAfter)`;

  /** The usually innocent things a probe touched (`SMTP`), or null if it touched others. */
  const innocent = (d: IncidentDraft): readonly string[] | null => {
    if (d.ports.length === 0 && d.services.length === 0) return null;
    if (!d.ports.every((p) => innocuousPorts.has(p))) return null;
    if (!d.services.every((s) => innocuousServices.has(s))) return null;
    return d.services.length > 0 ? d.services : d.ports.map((p) => `port ${p}`);
  };

  const probeVerdict = (d: IncidentDraft): string | null => {
    const what = innocent(d);
    if (what !== null) {
      const many = d.events !== 1;
      const count = many ? formatCount(d.events) : 'a single';
      if (what.every((s) => s === 'icmp-echo')) {
        return `${count} ${many ? 'pings' : 'ping'} (ICMP echo): usually innocent`;
      }
      const labels = what.map(serviceLabel);
      const joined =
        labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}` : labels[0];
      return `${count} ${joined} ${many ? 'attempts' : 'attempt'}: usually innocent`;
    }
    // Severity 2 says the probe reached reportAfter attempts within probe.window.
    if (d.severity < 2) {
      return `${counted(d.events, 'attempt', 'attempts')}, never ${probeRule}: noted, not reported`;
    }
    return null;
  };

  return {
    judge(d: IncidentDraft): JudgedIncident {
      // The fields written out rather than `{ ...d, reportable, reasons }`: V8 gave every object
      // made by that spread a map of its own (a spread copy that then gains a property), so
      // every later read of a judged incident (merging, storing, printing) was a megamorphic
      // miss: ~400,000 misses on 300,000 lines of the benchmark's log. In the order the spread
      // made (the draft's, then reportable).
      const verdict = (reportable: boolean, reason: string): JudgedIncident => ({
        kind: d.kind,
        src: d.src,
        srcHost: d.srcHost,
        events: d.events,
        ports: d.ports,
        targets: d.targets,
        services: d.services,
        users: d.users,
        firstSeen: d.firstSeen,
        lastSeen: d.lastSeen,
        truncated: d.truncated,
        severity: d.severity,
        reasons: [...d.reasons, reason],
        evidence: d.evidence,
        reportable,
      });
      const src = d.src;
      if (src === null) {
        return verdict(
          false,
          `no address, only the name ${d.srcHost ?? '(none)'}: names are not resolved during detection`,
        );
      }
      // Parsed once for the three lookups below.
      const bytes = addressBytes(src);
      if (bytes === null) return verdict(false, `${src} is not an address: not reported`);
      const sp = special.matchBytes(bytes);
      if (sp !== undefined && !sp.value.globallyReachable) {
        return verdict(
          false,
          `${src} is in ${sp.block.text} (${sp.value.name}, ${sp.value.rfc}): never reported`,
        );
      }
      const mine = own.matchBytes(bytes);
      if (mine !== undefined) {
        return verdict(false, `${src} is in your own network ${mine.block.text}: never reported`);
      }
      const allowed = allow.matchBytes(bytes);
      if (allowed !== undefined) {
        return verdict(
          false,
          `${src} is on the allow-list (${allowed.block.text}): never reported`,
        );
      }
      if (d.kind === 'probe') {
        const reason = probeVerdict(d);
        if (reason !== null) return verdict(false, reason);
      }
      if (d.severity < config.minSeverity) {
        return verdict(
          false,
          `severity ${d.severity} is below the reporting minimum of ${config.minSeverity} (policy.minSeverity): not reported`,
        );
      }
      if (d.kind === 'probe') {
        return verdict(
          true,
          `${formatCount(d.events)} attempts, at least ${probeRule}, not only on usually innocent ports: reported`,
        );
      }
      return verdict(true, `${KIND_LABELS[d.kind]} from a public address: reported`);
    },
  };
}
