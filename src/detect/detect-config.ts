import { z } from 'zod';
import { parseCidr } from '../core/cidr.js';
import { parseDuration } from '../core/duration.js';

/** A duration setting: `30s`, `5m`, `6h`, `7d`, or seconds as a number; parsed to milliseconds. */
export const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === null) {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a duration (use e.g. 30s, 5m, 6h, 7d)`,
    });
    return z.NEVER;
  }
  return ms;
});

/** A CIDR block or a single address. */
export const cidr = z.string().refine((v) => parseCidr(v) !== null, {
  message: 'not an address or CIDR block (e.g. 192.0.2.0/24, 2001:db8::/32)',
});

const count = z.number().int().min(1);

/**
 * Detector thresholds. Defaults come from the established tools (docs/detection.md says which):
 * Zeek's scan policy (15 ports / 5 min), psad (10 hosts for a sweep; danger levels), fail2ban's
 * sshd jail (5 failures / 10 min), CrowdSec's scenarios.
 */
export const detectConfigSchema = z
  .object({
    /** A source quiet this long ends its incident; activity after that starts a new one. */
    incidentGap: duration.prefault('24h'),
    /** Sources tracked at once; the least recently seen is evicted beyond this (memory bound). */
    maxSources: count.default(50_000),
    /** Evidence lines kept per incident (the first ones and the last ones). */
    evidenceLines: count.default(10),
    probe: z
      .object({
        enabled: z.boolean().default(true),
        /** Refused or dropped attempts before a probe is worth reporting (elsewhere it is noted). */
        reportAfter: count.default(10),
        window: duration.prefault('1h'),
      })
      .strict()
      .prefault({}),
    portScan: z
      .object({
        enabled: z.boolean().default(true),
        ports: count.default(15),
        window: duration.prefault('5m'),
        slowPorts: count.default(25),
        slowWindow: duration.prefault('6h'),
      })
      .strict()
      .prefault({}),
    sweep: z
      .object({
        enabled: z.boolean().default(true),
        targets: count.default(10),
        window: duration.prefault('15m'),
        slowTargets: count.default(20),
        slowWindow: duration.prefault('6h'),
      })
      .strict()
      .prefault({}),
    bruteForce: z
      .object({
        enabled: z.boolean().default(true),
        failures: count.default(5),
        window: duration.prefault('10m'),
        slowFailures: count.default(20),
        slowWindow: duration.prefault('12h'),
        /** Distinct user names that make it user enumeration. */
        users: count.default(5),
      })
      .strict()
      .prefault({}),
    dos: z
      .object({
        enabled: z.boolean().default(true),
        /** Packets, connections or requests from one source within the window. */
        events: count.default(600),
        window: duration.prefault('1m'),
        /** Rate-limit rejections (nginx limit_req, ufw LIMIT) within the window. */
        rateLimited: count.default(30),
      })
      .strict()
      .prefault({}),
    exploit: z
      .object({
        enabled: z.boolean().default(true),
        /** IDS alerts of this priority or more urgent (1 is most urgent) count as exploits. */
        idsMaxPriority: z.number().int().min(1).max(255).default(2),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** Detector settings after defaults and parsing (durations in milliseconds). */
export type DetectConfig = z.output<typeof detectConfigSchema>;

/**
 * The reportability policy: who is never reported and what is too innocent to report alone.
 */
export const policyConfigSchema = z
  .object({
    /** The user's own networks: never reported (also `--own-network CIDR`). */
    ownNetworks: z.array(cidr).default([]),
    /** Partners, monitoring, scanners you invited: never reported. */
    allowList: z.array(cidr).default([]),
    /** Ports where a lone connection attempt is usually innocent (SMTP, HTTP, HTTPS). */
    innocuousPorts: z.array(z.number().int().min(0).max(65535)).default([25, 80, 443]),
    /**
     * Services (as the parsers name them; `icmp-echo` is a ping) where attempts are usually
     * innocent: a probe that touched only these and `innocuousPorts` is never reported.
     */
    innocuousServices: z.array(z.string().min(1)).default(['smtp', 'http', 'https', 'icmp-echo']),
    /** Incidents below this severity are not reported. */
    minSeverity: z.number().int().min(1).max(5).default(2),
  })
  .strict();

/** Policy settings after defaults. */
export type PolicyConfig = z.output<typeof policyConfigSchema>;

/** The detector settings with every default applied. */
export function defaultDetectConfig(): DetectConfig {
  return detectConfigSchema.parse({});
}

/** The policy settings with every default applied. */
export function defaultPolicyConfig(): PolicyConfig {
  return policyConfigSchema.parse({});
}
