import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_SERVER_LIMITS, type Config } from '../config/config-schema.js';
import { parseHostPort, type HostPort } from '../config/host-port.js';
import type { Network } from '../core/network.js';
import type { WhoisAsk } from '../investigate/answer-finding.js';
import { investigateAll, type BulkProgress } from '../investigate/bulk-investigation.js';
import { createDns } from '../investigate/dns-lookup.js';
import { Investigator } from '../investigate/investigator.js';
import { layeredCache, MemoryCache, type NetworkCache } from '../investigate/network-cache.js';
import { bundledBootstrapDir, loadRdapBootstrap } from '../investigate/rdap-bootstrap.js';
import { fetchRdap } from '../investigate/rdap-client.js';
import type { RdapGet } from '../investigate/rdap-lookup.js';
import { ServerGate } from '../investigate/server-gate.js';
import { queryWhois } from '../investigate/whois-client.js';

/** The largest whois answer read (RIPE's biggest real answers are a few tens of KiB). */
const WHOIS_MAX_BYTES = 1 << 20;
/** The largest RDAP body read (ARIN's largest network answers are about 100 KiB). */
const RDAP_MAX_BYTES = 4 << 20;
const RDAP_MAX_REDIRECTS = 5;

/** What a lookup run needs from the command line and the configuration. */
export interface LookupSetup {
  readonly lookup: Config['lookup'];
  /** The cache beyond this run (the store), or null with `--no-db`. */
  readonly cache: NetworkCache | null;
  readonly offline: boolean;
  /** The user's data directory, where `--refresh-bootstrap` keeps its copy. */
  readonly dataDir: string;
}

/** The investigation of a list of addresses, with what it cost. */
export interface LookupResult {
  readonly networks: readonly Network[];
  /** Requests sent, per server (RDAP hosts and whois servers). */
  readonly queries: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
}

/** The RDAP bootstrap in effect: the configured directory, else the refreshed copy, else the bundled one. */
export function bootstrapDirectory(setup: Pick<LookupSetup, 'lookup' | 'dataDir'>): string {
  if (setup.lookup.rdapBootstrap !== undefined) return setup.lookup.rdapBootstrap;
  const refreshed = join(setup.dataDir, 'rdap-bootstrap');
  return existsSync(join(refreshed, 'ipv4.json')) ? refreshed : bundledBootstrapDir();
}

/** Builds the investigator with its network ports, gated per server. */
export function buildInvestigator(setup: LookupSetup): {
  investigator: Investigator;
  gate: ServerGate;
} {
  const cfg = setup.lookup;
  const gate = new ServerGate(
    (server) => cfg.servers[server] ?? BUILTIN_SERVER_LIMITS[server] ?? cfg.defaultLimits,
  );
  const endpoints = new Map<string, HostPort>();
  for (const [name, hp] of Object.entries(cfg.whoisHosts ?? {})) {
    const parsed = parseHostPort(hp);
    if (parsed !== null) endpoints.set(name.toLowerCase(), parsed);
  }
  const whois: WhoisAsk = (request) => {
    if (cfg.onlyListedServers && !endpoints.has(request.server)) {
      return Promise.reject(
        new Error(`${request.server}: not listed in lookup.whoisHosts, so not asked`),
      );
    }
    return gate.run(request.server, () =>
      queryWhois(request, { timeoutMs: cfg.timeoutMs, maxBytes: WHOIS_MAX_BYTES, endpoints }),
    );
  };
  let rdap: { bootstrap: ReturnType<typeof loadRdapBootstrap>; get: RdapGet } | null = null;
  if (cfg.rdap) {
    const bootstrap = loadRdapBootstrap(bootstrapDirectory(setup));
    const get: RdapGet = (url) =>
      gate.run(new URL(url).host, () =>
        fetchRdap(url, {
          timeoutMs: cfg.timeoutMs,
          maxBytes: RDAP_MAX_BYTES,
          maxRedirects: RDAP_MAX_REDIRECTS,
          allowedHosts: bootstrap.hosts,
        }),
      );
    rdap = { bootstrap, get };
  }
  const dnsServer = cfg.dnsServer === undefined ? null : parseHostPort(cfg.dnsServer);
  const dns = createDns({
    ...(dnsServer === null ? {} : { server: dnsServer }),
    timeoutMs: cfg.timeoutMs,
  });
  const investigator = new Investigator(
    {
      whois,
      rdap,
      dns,
      cache: layeredCache(new MemoryCache(), setup.cache),
      now: () => Date.now(),
    },
    {
      ttlMs: cfg.ttl,
      failureTtlMs: cfg.failureTtl,
      offline: setup.offline,
      domainWhois: cfg.domainWhois,
      ...(cfg.firstWhoisServer === undefined ? {} : { firstWhoisServer: cfg.firstWhoisServer }),
    },
  );
  return { investigator, gate };
}

/** Investigates addresses (bounded concurrency, one lookup per netblock) and counts the cost. */
export async function lookupAddresses(
  setup: LookupSetup,
  addresses: readonly string[],
  onProgress?: BulkProgress,
): Promise<LookupResult> {
  const started = performance.now();
  const { investigator, gate } = buildInvestigator(setup);
  const networks = await investigateAll(
    investigator,
    addresses,
    setup.lookup.concurrency,
    onProgress,
  );
  return {
    networks,
    queries: Object.fromEntries([...gate.counts].sort(([a], [b]) => a.localeCompare(b))),
    elapsedMs: performance.now() - started,
  };
}
