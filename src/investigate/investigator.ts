import { canonicalAddress } from '../core/ip.js';
import { rangeSize } from '../core/ip-range.js';
import type { ChainStep, Contact, Netblock, Network } from '../core/network.js';
import { plainLine } from '../core/printable.js';
import { specialPurpose } from '../core/special-blocks.js';
import type { WhoisAsk } from './answer-finding.js';
import { hasAbuseContact, rankContacts } from './contact-ranking.js';
import { lookupPtr, type DnsPort, type PtrResult } from './dns-lookup.js';
import { lookupDomainWhois, rfc2142Contacts } from './domain-whois.js';
import type { CachedNetwork, NetworkCache } from './network-cache.js';
import type { RdapBootstrap } from './rdap-bootstrap.js';
import { lookupRdapAutnum, lookupRdapNetwork, type RdapGet } from './rdap-lookup.js';
import { Coalescer } from './server-gate.js';
import { lookupWhois } from './whois-chain.js';

/** The network peers and the cache an investigation uses; a null port is simply not asked. */
export interface InvestigatorPorts {
  readonly whois: WhoisAsk | null;
  readonly rdap: { readonly bootstrap: RdapBootstrap; readonly get: RdapGet } | null;
  readonly dns: DnsPort | null;
  readonly cache: NetworkCache;
  readonly now: () => number;
}

/** How an investigation behaves. */
export interface InvestigatorOptions {
  /** How long a netblock's answer is trusted (default 7 days). */
  readonly ttlMs: number;
  /** How long a failed lookup is remembered before asking again (default 1 hour). */
  readonly failureTtlMs: number;
  /** Answer from the cache only; ask nobody. */
  readonly offline: boolean;
  /** Ask the registry and registrar of a confirmed PTR's domain. */
  readonly domainWhois: boolean;
  /** The first whois server for every address (e.g. `whois.iana.org`); default: IANA's tables. */
  readonly firstWhoisServer?: string;
}

/** What the registries say about the block holding an address (opaque outside this module). */
export type RegistryAnswer = RegistryPart;

interface RegistryPart {
  readonly record: CachedNetwork | null;
  readonly errors: readonly string[];
}

/**
 * Finds who is responsible for addresses: the registries (RDAP first where the bootstrap names
 * a server, whois when RDAP fails or names no abuse contact), the origin AS, and the PTR's
 * domain when the PTR is forward-confirmed. Answers are cached per netblock, so a second address
 * in a known block asks nobody; identical questions in flight are asked once.
 */
export class Investigator {
  private readonly registryFlights = new Coalescer<RegistryPart>();
  private readonly autnums = new Coalescer<AutnumPart>();
  private readonly autnumDone = new Map<number, AutnumPart>();
  private readonly domains = new Coalescer<DomainPart>();
  private readonly domainDone = new Map<string, DomainPart>();

  constructor(
    private readonly ports: InvestigatorPorts,
    private readonly options: InvestigatorOptions,
  ) {}

  /**
   * Investigates one address (any textual form); never throws for what the world answers.
   * `ptr` is the reverse-DNS part when the caller already started it (bulk lookups run DNS in
   * a lane of its own), `registry` the registries' part when the caller already has it
   * (`prefetch`).
   */
  async investigate(
    raw: string,
    ptr?: Promise<PtrResult>,
    registry?: RegistryAnswer,
  ): Promise<Network> {
    const address = canonicalAddress(raw.trim());
    if (address === null) return emptyNetwork(raw, [`"${raw}" is not an IP address`]);
    const special = specialPurpose(address);
    if (special !== null) {
      return emptyNetwork(address, [
        `${address} is in a special-purpose block (${special.name}, ${special.rfc}): no registry holds it`,
      ]);
    }
    const [registryPart, ptrPart] = await Promise.all([
      registry ?? this.registry(address),
      ptr ?? this.reverse(address),
    ]);
    return this.assemble(address, registryPart, ptrPart);
  }

  /**
   * The registries' answer for a canonical, not special-purpose address, asked for if not
   * cached: it is then cached for the next address of the same block. Pass it on to
   * `investigate` (asking the cache again would report a fresh failure as a remembered one).
   */
  prefetch(address: string): Promise<RegistryAnswer> {
    return this.registry(address);
  }

  /** The reverse-DNS part of an investigation: PTR, forward confirmation, registered domain. */
  reverse(address: string): Promise<PtrResult> {
    if (this.ports.dns === null || this.options.offline) {
      return Promise.resolve({ ptr: null, confirmed: false, domain: null, errors: [] });
    }
    return lookupPtr(address, this.ports.dns);
  }

  private async assemble(
    address: string,
    registry: RegistryPart,
    ptr: PtrResult,
  ): Promise<Network> {
    const rec = registry.record;
    const errors = [...(rec?.errors ?? registry.errors), ...ptr.errors];
    const contacts: Contact[] = [...(rec?.contacts ?? [])];
    const chain: ChainStep[] = [...(rec?.chain ?? [])];
    let asName = rec?.asName ?? null;
    const asn = rec?.asn ?? null;
    if (asn !== null && !this.options.offline) {
      const as = await this.autnum(asn);
      asName ??= as.asName;
      contacts.push(...as.contacts);
      chain.push(...as.chain);
      errors.push(...as.errors);
    }
    if (ptr.domain !== null) {
      if (this.options.domainWhois && !this.options.offline && this.ports.whois !== null) {
        const d = await this.domain(ptr.domain);
        contacts.push(...d.contacts);
        chain.push(...d.chain);
        errors.push(...d.errors);
      }
      contacts.push(...rfc2142Contacts(ptr.domain));
    }
    return {
      address,
      ptr: ptr.ptr,
      ptrConfirmed: ptr.confirmed,
      domain: ptr.domain,
      asn,
      asName: plainOrNull(asName),
      network: rec?.netblock ?? null,
      contacts: rankContacts(contacts.map(plainContact)),
      hints: rec?.hints ?? [],
      chain,
      errors: [...new Set(errors.map((e) => plainLine(e, 1000)))],
    };
  }

  /** The cached block holding the address, else one registry lookup shared by concurrent askers. */
  private async registry(address: string): Promise<RegistryPart> {
    const now = this.ports.now();
    const cached = await this.ports.cache.findNetwork(address, now);
    if (cached !== null) return { record: cached, errors: [] };
    const failed = await this.ports.cache.findLookupFailure(address, now);
    if (failed !== null)
      return { record: null, errors: [`${failed} (remembered; asked again later)`] };
    if (this.options.offline) {
      return { record: null, errors: [`${address}: not in the cache, and --offline asks nobody`] };
    }
    return this.registryFlights.run(address, () => this.askRegistries(address));
  }

  private async askRegistries(address: string): Promise<RegistryPart> {
    const errors: string[] = [];
    const chain: ChainStep[] = [];
    let netblock: Netblock | null = null;
    const contacts: Contact[] = [];
    const hints: string[] = [];
    let asn: number | null = null;
    let asName: string | null = null;
    let limited: string | null = null;

    const take = (nb: Netblock | null): void => {
      if (nb === null) return;
      if (netblock === null || rangeSize(nb) < rangeSize(netblock)) netblock = nb;
    };

    let rdapHasAbuse = false;
    if (this.ports.rdap !== null) {
      const r = await lookupRdapNetwork(address, this.ports.rdap.bootstrap, this.ports.rdap.get);
      chain.push(...r.chain);
      errors.push(...r.errors);
      if (r.finding !== null) {
        take(r.finding.netblock);
        contacts.push(...r.finding.contacts);
        hints.push(...r.finding.hints);
        asn ??= r.finding.asn;
        asName ??= r.finding.asName;
        limited ??= r.finding.limited;
        rdapHasAbuse = r.finding.limited === null && hasAbuseContact(r.finding.contacts);
      }
    }
    if (!rdapHasAbuse && this.ports.whois !== null) {
      const w = await lookupWhois(address, {
        ask: this.ports.whois,
        ...(this.options.firstWhoisServer === undefined
          ? {}
          : { firstServer: this.options.firstWhoisServer }),
      });
      chain.push(...w.chain);
      errors.push(...w.errors);
      take(w.netblock);
      contacts.push(...w.contacts);
      hints.push(...w.hints);
      asn ??= w.asn;
      asName ??= w.asName;
      limited ??= w.limited;
    }
    if (limited !== null && !errors.includes(limited)) {
      errors.push(`answer limited by the server: ${limited}`);
    }

    const now = this.ports.now();
    if (netblock === null) {
      const why =
        errors.length > 0 ? errors.join('; ') : `${address}: no registry knows the address`;
      await this.ports.cache.saveLookupFailure(address, why, now + this.options.failureTtlMs);
      return { record: null, errors: errors.length > 0 ? errors : [why] };
    }
    const record: CachedNetwork = {
      netblock: plainNetblock(netblock),
      asn,
      asName: plainOrNull(asName),
      contacts: rankContacts(contacts.map(plainContact)),
      hints: [...new Set(hints.map((h) => plainLine(h, 512)))].filter((h) => !h.includes(' ')),
      chain,
      errors: errors.map((e) => plainLine(e, 1000)),
      fetchedAt: now,
      // A limited answer is kept only as long as a failure: its silence means nothing.
      expiresAt: now + (limited === null ? this.options.ttlMs : this.options.failureTtlMs),
    };
    await this.ports.cache.saveNetwork(record);
    return { record, errors };
  }

  private async autnum(asn: number): Promise<AutnumPart> {
    const done = this.autnumDone.get(asn);
    if (done !== undefined) return { ...done, chain: [], errors: [] };
    if (this.ports.rdap === null) return { asName: null, contacts: [], chain: [], errors: [] };
    const rdap = this.ports.rdap;
    const part = await this.autnums.run(String(asn), async () => {
      const r = await lookupRdapAutnum(asn, rdap.bootstrap, rdap.get);
      return {
        asName: r.asName,
        contacts: r.contacts.map((c): Contact => ({ ...c, level: 'asn' })),
        chain: r.chain,
        errors: r.errors,
      };
    });
    this.autnumDone.set(asn, part);
    return part;
  }

  private async domain(domain: string): Promise<DomainPart> {
    const done = this.domainDone.get(domain);
    if (done !== undefined) return { ...done, chain: [], errors: [] };
    const ask = this.ports.whois;
    if (ask === null) return { contacts: [], chain: [], errors: [] };
    const part = await this.domains.run(domain, async () => {
      const r = await lookupDomainWhois(domain, ask);
      return { contacts: [...r.contacts], chain: [...r.chain], errors: [...r.errors] };
    });
    this.domainDone.set(domain, part);
    return part;
  }
}

interface AutnumPart {
  readonly asName: string | null;
  readonly contacts: readonly Contact[];
  readonly chain: readonly ChainStep[];
  readonly errors: readonly string[];
}

interface DomainPart {
  readonly contacts: readonly Contact[];
  readonly chain: readonly ChainStep[];
  readonly errors: readonly string[];
}

/** A Network that says only why nothing was found. */
export function emptyNetwork(address: string, errors: readonly string[]): Network {
  return {
    address,
    ptr: null,
    ptrConfirmed: false,
    domain: null,
    asn: null,
    asName: null,
    network: null,
    contacts: [],
    hints: [],
    chain: [],
    errors,
  };
}

// Registry, DNS and registrar text is attacker-writable: stored and printed as JSON only as
// plain lines (plainLine), so no control or bidi character reaches the store or a terminal
// reading the JSON. Names are cut at 200 characters.

function plainOrNull(text: string | null): string | null {
  if (text === null) return null;
  const t = plainLine(text, 200);
  return t === '' ? null : t;
}

function plainNetblock(nb: Netblock): Netblock {
  return {
    ...nb,
    name: plainOrNull(nb.name),
    handle: plainOrNull(nb.handle),
    org: plainOrNull(nb.org),
    country: plainOrNull(nb.country),
    registry: plainOrNull(nb.registry),
  };
}

function plainContact(c: Contact): Contact {
  return { ...c, source: plainLine(c.source, 300) };
}
