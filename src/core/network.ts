/**
 * What investigation finds out about an address: who holds it and whom to tell.
 * Shared by investigate/ (which builds it), store/ (which caches it) and report/ (which mails it).
 */

/** The part a contact plays for a network, as the registry or the domain's records state it. */
export type ContactRole =
  | 'abuse'
  | 'technical'
  | 'administrative'
  | 'noc'
  | 'registrant'
  | 'billing'
  | 'registrar-abuse'
  | 'rfc2142';

/**
 * Where a contact was found, from most to least authoritative for abuse reports:
 * the netblock's own records (`network`), its holder organisation (`org`), the ISP's rwhois
 * (`rwhois`), free text in remarks (`remark`), the origin AS (`asn`), the PTR's domain
 * (`domain`), its registrar (`registrar`), and an RFC 2142 mailbox guess (`guess`).
 */
export type ContactLevel =
  'network' | 'org' | 'rwhois' | 'remark' | 'asn' | 'domain' | 'registrar' | 'guess';

/** One e-mail address to which a report could go, with why it is believed to be right. */
export interface Contact {
  /** The address, local part as given, domain in lower case. */
  readonly email: string;
  readonly roles: readonly ContactRole[];
  /** The server and field it came from, e.g. `whois.arin.net OrgAbuseEmail`. */
  readonly source: string;
  /** True when a registry field names it as a contact; false for remarks and guesses. */
  readonly structured: boolean;
  readonly level: ContactLevel;
}

/** A netblock as a registry describes it. Addresses are canonical (RFC 5952 for IPv6). */
export interface Netblock {
  readonly start: string;
  readonly end: string;
  /** The range as prefixes, ascending (one unless the range is not a single prefix). */
  readonly cidrs: readonly string[];
  readonly name: string | null;
  readonly handle: string | null;
  readonly org: string | null;
  /** ISO 3166 code as the registry gives it (upper case), or null. */
  readonly country: string | null;
  /** `arin`, `ripe`, `apnic`, `lacnic`, `afrinic`, or the host of a national or rwhois server. */
  readonly registry: string | null;
}

/** One question asked on the way: a whois server and its query, or an RDAP URL. */
export interface ChainStep {
  readonly server: string;
  readonly query: string;
}

/** Everything investigation found for one address. */
export interface Network {
  readonly address: string;
  readonly ptr: string | null;
  /** True when the PTR name's A/AAAA records include the address. */
  readonly ptrConfirmed: boolean;
  /** The registered domain of a confirmed PTR (public suffix list), else null. */
  readonly domain: string | null;
  readonly asn: number | null;
  readonly asName: string | null;
  readonly network: Netblock | null;
  /** Ranked: structured abuse contacts first, guesses last. */
  readonly contacts: readonly Contact[];
  /** URLs from remarks: abuse forms, acceptable use policies. */
  readonly hints: readonly string[];
  readonly chain: readonly ChainStep[];
  /** What went wrong on the way (timeouts, refused referrals, oversized answers), for people. */
  readonly errors: readonly string[];
}

/** Netblock-level investigation result, shared by every address inside the block. */
export interface CachedNetwork {
  /** The block; its canonical `start` and `end` are the cache key. */
  readonly netblock: Netblock;
  readonly asn: number | null;
  readonly asName: string | null;
  /** Registry-derived contacts only (no PTR or domain contacts: those belong to an address). */
  readonly contacts: readonly Contact[];
  readonly hints: readonly string[];
  readonly chain: readonly ChainStep[];
  readonly errors: readonly string[];
  /** Epoch ms of the investigation. */
  readonly fetchedAt: number;
  /** Epoch ms from which the record is expired (no longer returned, and purged). */
  readonly expiresAt: number;
}
