import { z } from 'zod';
import { isValidZone } from '../core/time.js';
import { detectConfigSchema, duration, policyConfigSchema } from '../detect/detect-config.js';
import { isHostName, parseHostPort } from './host-port.js';

// Every section is strict (unknown keys are errors) and prefaulted, so a file that leaves a
// section or a key out gets the shipped default: the user's file overlays the defaults.

const text = z.string().min(1);

const ianaZone = z.string().refine(isValidZone, {
  error: (issue) =>
    `unknown time zone ${JSON.stringify(issue.input)} (use an IANA name such as Europe/Berlin or UTC)`,
});

const hostPort = z.string().refine((v) => parseHostPort(v) !== null, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not HOST:PORT (e.g. 127.0.0.1:4343, [2001:db8::1]:43, whois.example.net:43)`,
});

/** A file or directory path; `~` is not expanded, so it is refused rather than misread. */
const filePath = text.refine((v) => !v.startsWith('~'), {
  error: (issue) =>
    `${JSON.stringify(issue.input)} starts with ~, which is not expanded; write the full path`,
});

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** True for a `postgres://` or `postgresql://` URL (`store.db`); anything else is a file path. */
export function isPostgresUrl(v: string): boolean {
  return /^postgres(ql)?:\/\//i.test(v) && URL.canParse(v);
}

const dbLocation = filePath.refine((v) => !URL_SCHEME.test(v) || isPostgresUrl(v), {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is neither a file path nor a postgres:// URL (e.g. postgres://reportable@db.example.net/reportable)`,
});

function isSmtpUrl(v: string): boolean {
  if (!URL.canParse(v)) return false;
  const url = new URL(v);
  return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
}

const smtpUrl = z.string().refine(isSmtpUrl, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not an smtp:// or smtps:// URL (e.g. smtp://mail.example.net:587, smtps://user:password@mail.example.net)`,
});

const serverName = z.string().refine(isHostName, {
  error: (issue) =>
    `${JSON.stringify(issue.input)} is not a server name (e.g. whois.arin.net, whois.ripe.net)`,
});

/** How timestamps without a zone are read (the `--tz` flag overrides it). */
export const timeConfigSchema = z
  .object({
    /** IANA zone of syslog timestamps that carry none; unset means the system zone. */
    zone: ianaZone.optional(),
  })
  .strict();

/** Where incidents and reports are kept (the `--db` flag overrides it). */
export const storeConfigSchema = z
  .object({
    /** A SQLite file path or a postgres:// URL; unset means a SQLite file in the data directory. */
    db: dbLocation.optional(),
  })
  .strict();

/** Who signs the abuse reports (used by the report stage). */
export const reporterConfigSchema = z
  .object({
    name: text.optional(),
    organization: text.optional(),
    email: z.email().optional(),
    phone: text.optional(),
    /** IANA zone in which reports state times besides UTC. */
    timezone: ianaZone.optional(),
  })
  .strict();

/** How hard one server may be asked. */
const serverLimitsSchema = z
  .object({
    /** Requests in flight at once. */
    concurrency: z.number().int().min(1).max(64),
    /** Requests started per minute. */
    perMinute: z.number().min(0.1).max(60_000),
  })
  .strict();

/**
 * Built-in manners towards registries that publish a limit, below the user's `lookup.servers`
 * and above `lookup.defaultLimits`. LACNIC publishes 10 queries a minute; the others publish no
 * number, so the default (one a second, two at once) applies. RIPE's daily limit counts
 * personal-data objects, which the `-r` flag we send avoids.
 */
export const BUILTIN_SERVER_LIMITS: Readonly<
  Record<string, { concurrency: number; perMinute: number }>
> = {
  'whois.lacnic.net': { concurrency: 1, perMinute: 10 },
  'rdap.lacnic.net': { concurrency: 1, perMinute: 10 },
};

/** Where the investigation stage finds its network peers (tests point them at loopback). */
export const lookupConfigSchema = z
  .object({
    /** Where to reach a named whois server: NAME → HOST:PORT. */
    whoisHosts: z.record(serverName, hostPort).optional(),
    /** The DNS server to ask, HOST:PORT; unset means the system resolver. */
    dnsServer: hostPort.optional(),
    /** A directory holding the IANA RDAP bootstrap files (dns.json, ipv4.json, ipv6.json, asn.json); unset means the refreshed copy in the data directory, else the bundled one. */
    rdapBootstrap: filePath.optional(),
    /** Timeout of one DNS, whois or RDAP request, in milliseconds. */
    timeoutMs: z.number().int().min(1).max(600_000).prefault(10_000),
    /** How long a netblock's answer is trusted before the registries are asked again. */
    ttl: duration.prefault('7d'),
    /** How long a failed lookup is remembered before it is tried again. */
    failureTtl: duration.prefault('1h'),
    /** Addresses investigated at once. */
    concurrency: z.number().int().min(1).max(256).prefault(8),
    /** Use RDAP where the bootstrap names a server (whois stays the fallback). */
    rdap: z.boolean().prefault(true),
    /** Ask the registry and registrar of a forward-confirmed PTR's domain for contacts. */
    domainWhois: z.boolean().prefault(true),
    /** Ask only the whois servers listed in `whoisHosts` (a referral elsewhere is recorded, not followed). */
    onlyListedServers: z.boolean().prefault(false),
    /** The first whois server for every address, e.g. whois.iana.org; unset means IANA's tables. */
    firstWhoisServer: serverName.optional(),
    /** Limits for a server not named in `servers`. */
    defaultLimits: serverLimitsSchema.prefault({ concurrency: 2, perMinute: 60 }),
    /** Limits per named server (whois or RDAP host), over the built-in ones (LACNIC: 1 at once, 10 a minute). */
    servers: z.record(serverName, serverLimitsSchema).prefault({}),
  })
  .strict();

/** How reports are sent. */
export const smtpConfigSchema = z
  .object({
    /** The submission server, `smtp://` (STARTTLS when offered) or `smtps://` (TLS). */
    url: smtpUrl.optional(),
    /** The From address of reports; unset means `reporter.email`. */
    from: z.email().optional(),
    /** Timeout of one SMTP conversation step, in milliseconds. */
    timeoutMs: z.number().int().min(1).max(600_000).prefault(30_000),
    /** At most this many reports sent per hour. */
    perHour: z.number().int().min(1).max(100_000).prefault(30),
    /** At most this many reports per hour to one recipient domain. */
    perDomainPerHour: z.number().int().min(1).max(100_000).prefault(5),
    /** Delivery attempts before a temporarily failing report is given up (failed). */
    maxAttempts: z.number().int().min(1).max(100).prefault(6),
    /** First wait after a temporary failure; it doubles with each attempt. */
    retryAfter: duration.prefault('5m'),
    /** Sign reports with DKIM. */
    dkim: z
      .object({
        domainName: text,
        keySelector: text,
        /** The PEM private key file. */
        privateKeyFile: filePath,
      })
      .strict()
      .optional(),
  })
  .strict();

/** How reports are drafted. */
export const reportConfigSchema = z
  .object({
    /** A source reported to a contact for a kind of incident is not reported to it again within this period. */
    dedupePeriod: duration.prefault('7d'),
    /** Addresses copied on every report. */
    alwaysCc: z.array(z.email()).prefault([]),
    /** Addresses or domains never mailed (a domain covers its subdomains). */
    neverMail: z.array(text).prefault([]),
    /** Approve drafts as they are made, so `send` mails them without review. */
    autoApprove: z.boolean().prefault(false),
    /** A directory with subject.hbs and/or body.hbs replacing the bundled templates. */
    templateDir: filePath.optional(),
    /** What of yours is removed from quoted evidence. */
    redact: z
      .object({
        /** Your addresses and networks (CIDR); policy.ownNetworks are added. */
        addresses: z.array(text).prefault([]),
        /** Your host names. */
        hostnames: z.array(text).prefault([]),
        /** User names on your systems. */
        users: z.array(text).prefault([]),
        /** Remove each incident's targets (your attacked addresses). */
        targets: z.boolean().prefault(true),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The whole configuration file; every section may be left out. */
export const configSchema = z
  .object({
    detect: detectConfigSchema.prefault({}),
    policy: policyConfigSchema.prefault({}),
    time: timeConfigSchema.prefault({}),
    store: storeConfigSchema.prefault({}),
    reporter: reporterConfigSchema.prefault({}),
    lookup: lookupConfigSchema.prefault({}),
    smtp: smtpConfigSchema.prefault({}),
    report: reportConfigSchema.prefault({}),
  })
  .strict();

/** The effective configuration: defaults applied, durations in milliseconds. */
export type Config = z.output<typeof configSchema>;

/** The shipped defaults, as used when no configuration file exists. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
