import type { Insertable, Selectable } from 'kysely';
import { canonicalAddress } from '../core/ip.js';
import { addressValue, rangeToCidrs } from '../core/ip-range.js';
import type {
  ChainStep,
  Contact,
  ContactLevel,
  ContactRole,
  Netblock,
  Network,
} from '../core/network.js';
import { int64, isString, parseJson, parseList } from './column-values.js';
import type { AddressNetworksTable, NetworkCacheTable } from './schema.js';
import type { CachedNetwork } from './store.js';

// Addresses become fixed-width lower-case hex of their value (8 digits for IPv4, 32 for IPv6):
// text comparison then agrees with numeric order on SQLite and PostgreSQL alike, where neither
// has a portable 128-bit integer type.

/** An address as the cache indexes it: its family and its value as a fixed-width hex key. */
export interface AddressKey {
  readonly family: 4 | 6;
  readonly value: bigint;
  readonly key: string;
}

/** The key of an address in any form canonicalAddress reads, or null for a non-address. */
export function addressKey(address: string): AddressKey | null {
  const canonical = canonicalAddress(address);
  if (canonical === null) return null;
  const family = canonical.includes(':') ? 6 : 4;
  const value = addressValue(canonical);
  return { family, value, key: hex(value, family) };
}

function hex(value: bigint, family: 4 | 6): string {
  return value.toString(16).padStart(family === 4 ? 8 : 32, '0');
}

function prefixKey(family: 4 | 6, length: number, network: bigint): string {
  return `${family}/${length}/${hex(network, family)}`;
}

/**
 * The prefix keys an address falls under, one per prefix length (33 for IPv4, 129 for IPv6):
 * a block contains the address exactly when one of its covering prefixes has one of these keys.
 */
export function containingPrefixKeys(address: AddressKey): string[] {
  const width = address.family === 4 ? 32 : 128;
  const keys: string[] = [];
  for (let length = 0; length <= width; length++) {
    const host = BigInt(width - length);
    keys.push(prefixKey(address.family, length, (address.value >> host) << host));
  }
  return keys;
}

/** The validated keys of a netblock, and the keys of the prefixes that cover it exactly. */
export interface BlockKeys {
  readonly family: 4 | 6;
  readonly startKey: string;
  readonly endKey: string;
  /** end − start, 32 hex digits whatever the family: orders blocks of a family by size. */
  readonly spanKey: string;
  readonly prefixKeys: readonly string[];
}

/** The keys of a block; throws (a caller's bug) when its bounds are not a range of one family. */
export function blockKeys(netblock: Netblock): BlockKeys {
  const start = addressKey(netblock.start);
  const end = addressKey(netblock.end);
  if (start === null || end === null || start.family !== end.family || start.value > end.value) {
    throw new Error(`store: not an address range: ${netblock.start} - ${netblock.end}`);
  }
  const canonical = {
    start: canonicalAddress(netblock.start) ?? netblock.start,
    end: canonicalAddress(netblock.end) ?? netblock.end,
  };
  const prefixKeys = rangeToCidrs(canonical).map((cidr) => {
    const slash = cidr.indexOf('/');
    return prefixKey(
      start.family,
      Number(cidr.slice(slash + 1)),
      addressValue(cidr.slice(0, slash)),
    );
  });
  return {
    family: start.family,
    startKey: start.key,
    endKey: end.key,
    spanKey: (end.value - start.value).toString(16).padStart(32, '0'),
    prefixKeys,
  };
}

/** The network_cache row of a record. */
export function cachedNetworkToRow(
  record: CachedNetwork,
  keys: BlockKeys,
): Insertable<NetworkCacheTable> {
  const b = record.netblock;
  return {
    start_key: keys.startKey,
    end_key: keys.endKey,
    family: keys.family,
    span_key: keys.spanKey,
    start: b.start,
    end: b.end,
    cidrs: JSON.stringify(b.cidrs),
    name: b.name,
    handle: b.handle,
    org: b.org,
    country: b.country,
    registry: b.registry,
    asn: optionalInt64(record.asn, 'asn'),
    as_name: record.asName,
    contacts: JSON.stringify(record.contacts.map(contactFields)),
    hints: JSON.stringify(record.hints),
    chain: JSON.stringify(record.chain.map(chainFields)),
    errors: JSON.stringify(record.errors),
    fetched_at: int64(record.fetchedAt, 'fetchedAt'),
    expires_at: int64(record.expiresAt, 'expiresAt'),
  };
}

/** The record of a network_cache row. */
export function cachedNetworkFromRow(row: Selectable<NetworkCacheTable>): CachedNetwork {
  return {
    netblock: {
      start: row.start,
      end: row.end,
      cidrs: parseList(row.cidrs, isString),
      name: row.name,
      handle: row.handle,
      org: row.org,
      country: row.country,
      registry: row.registry,
    },
    asn: row.asn === null ? null : Number(row.asn),
    asName: row.as_name,
    contacts: parseList(row.contacts, isContact).map(contactFields),
    hints: parseList(row.hints, isString),
    chain: parseList(row.chain, isChainStep).map(chainFields),
    errors: parseList(row.errors, isString),
    fetchedAt: Number(row.fetched_at),
    expiresAt: Number(row.expires_at),
  };
}

/** The address_networks row of a per-address answer investigated at `at`. */
export function addressNetworkToRow(result: Network, at: number): Insertable<AddressNetworksTable> {
  return {
    address: result.address,
    ptr: result.ptr,
    ptr_confirmed: result.ptrConfirmed ? 1 : 0,
    domain: result.domain,
    asn: optionalInt64(result.asn, 'asn'),
    as_name: result.asName,
    network: JSON.stringify(result.network === null ? null : netblockFields(result.network)),
    contacts: JSON.stringify(result.contacts.map(contactFields)),
    hints: JSON.stringify(result.hints),
    chain: JSON.stringify(result.chain.map(chainFields)),
    errors: JSON.stringify(result.errors),
    looked_up_at: int64(at, 'at'),
  };
}

/** The per-address answer of an address_networks row. */
export function addressNetworkFromRow(row: Selectable<AddressNetworksTable>): Network {
  const network = parseJson(row.network);
  return {
    address: row.address,
    ptr: row.ptr,
    ptrConfirmed: Number(row.ptr_confirmed) !== 0,
    domain: row.domain,
    asn: row.asn === null ? null : Number(row.asn),
    asName: row.as_name,
    network: isNetblock(network) ? netblockFields(network) : null,
    contacts: parseList(row.contacts, isContact).map(contactFields),
    hints: parseList(row.hints, isString),
    chain: parseList(row.chain, isChainStep).map(chainFields),
    errors: parseList(row.errors, isString),
  };
}

function optionalInt64(value: number | null, field: string): number | null {
  return value === null ? null : int64(value, field);
}

// Records keep every member, so adding a role or level to core/network.ts without adding it
// here fails to compile rather than silently dropping contacts on read.
const CONTACT_ROLES: Readonly<Record<ContactRole, true>> = {
  abuse: true,
  technical: true,
  administrative: true,
  noc: true,
  registrant: true,
  billing: true,
  'registrar-abuse': true,
  rfc2142: true,
};
const CONTACT_LEVELS: Readonly<Record<ContactLevel, true>> = {
  network: true,
  org: true,
  rwhois: true,
  remark: true,
  asn: true,
  domain: true,
  registrar: true,
  guess: true,
};

function isContactRole(v: unknown): v is ContactRole {
  return typeof v === 'string' && Object.hasOwn(CONTACT_ROLES, v);
}

function isContact(v: unknown): v is Contact {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c['email'] === 'string' &&
    Array.isArray(c['roles']) &&
    typeof c['source'] === 'string' &&
    typeof c['structured'] === 'boolean' &&
    typeof c['level'] === 'string' &&
    Object.hasOwn(CONTACT_LEVELS, c['level'])
  );
}

// Only the documented fields go in and come out, whatever else an object carries; a role this
// version does not know is dropped from the contact, not the contact itself.
function contactFields(c: Contact): Contact {
  return {
    email: c.email,
    roles: c.roles.filter(isContactRole),
    source: c.source,
    structured: c.structured,
    level: c.level,
  };
}

function isChainStep(v: unknown): v is ChainStep {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return typeof s['server'] === 'string' && typeof s['query'] === 'string';
}

function chainFields(s: ChainStep): ChainStep {
  return { server: s.server, query: s.query };
}

function isStringOrNull(v: unknown): v is string | null {
  return v === null || typeof v === 'string';
}

function isNetblock(v: unknown): v is Netblock {
  if (typeof v !== 'object' || v === null) return false;
  const b = v as Record<string, unknown>;
  return (
    typeof b['start'] === 'string' &&
    typeof b['end'] === 'string' &&
    Array.isArray(b['cidrs']) &&
    ['name', 'handle', 'org', 'country', 'registry'].every((k) => isStringOrNull(b[k]))
  );
}

function netblockFields(b: Netblock): Netblock {
  return {
    start: b.start,
    end: b.end,
    cidrs: b.cidrs.filter(isString),
    name: b.name,
    handle: b.handle,
    org: b.org,
    country: b.country,
    registry: b.registry,
  };
}
