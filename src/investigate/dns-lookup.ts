/**
 * Reverse DNS of an address, checked forward, and the registered domain of the name.
 *
 * A PTR record is written by whoever holds the reverse zone — for an attacker's own address, the
 * attacker. So a name is only believed when its own A/AAAA records lead back to the address
 * (forward confirmation), and only a confirmed name yields a `domain` to ask whois about and to
 * guess RFC 2142 mailboxes for. Every name is checked character by character before it is used
 * or shown: a PTR can carry CR/LF, HTML or terminal escapes.
 */
import { Resolver } from 'node:dns/promises';
import { parse as parseDomain } from 'tldts';
import type { HostPort } from '../config/host-port.js';
import { isHostName } from '../config/host-port.js';
import { canonicalAddress } from '../core/ip.js';
import { printable } from '../core/printable.js';

/** The three DNS questions investigation asks; a port so tests and caches can stand in. */
export interface DnsPort {
  /** PTR names of the address, as the resolver returns them (possibly escaped or hostile). */
  reverse(address: string): Promise<string[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
}

/** How many PTR names are looked at, and how many forward answers compared, at most. */
const MAX_NAMES = 8;

/**
 * A DnsPort on Node's c-ares resolver: the system's servers, or the one given (`--dns-server`),
 * with a timeout per try and two tries, so one lookup is bounded by about 2 × `timeoutMs`.
 * Reverse lookups are PTR queries on the arpa name (not `dns.reverse`, which falls back to
 * /etc/hosts and reports a timeout as "not found").
 */
export function createDns(options: {
  readonly server?: HostPort;
  readonly timeoutMs: number;
}): DnsPort {
  const resolver = new Resolver({ timeout: Math.max(1, Math.round(options.timeoutMs)), tries: 2 });
  if (options.server !== undefined) {
    const { host, port } = options.server;
    resolver.setServers([host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`]);
  }
  return {
    reverse: (address) => {
      const name = reverseName(address);
      if (name === null) return Promise.reject(new Error(`not an address: ${printable(address)}`));
      return resolver.resolvePtr(name);
    },
    resolve4: (name) => resolver.resolve4(name),
    resolve6: (name) => resolver.resolve6(name),
  };
}

/** The `in-addr.arpa` / `ip6.arpa` name of an address, or null when it is not one. */
export function reverseName(address: string): string | null {
  const canonical = canonicalAddress(address);
  if (canonical === null) return null;
  if (!canonical.includes(':')) return `${canonical.split('.').reverse().join('.')}.in-addr.arpa`;
  const groups = expandIPv6(canonical);
  const nibbles = groups.join('').split('').reverse();
  return `${nibbles.join('.')}.ip6.arpa`;
}

/** The eight four-digit groups of a canonical IPv6 address. */
function expandIPv6(canonical: string): string[] {
  const [head = '', tail] = canonical.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0'));
}

/** What reverse DNS says about an address, and how far it can be trusted. */
export interface PtrResult {
  /** The first PTR name that is a valid host name, lower case, without the final dot. */
  readonly ptr: string | null;
  /** True when the name's A (IPv4) or AAAA (IPv6) records include the address. */
  readonly confirmed: boolean;
  /** The registered domain (ICANN section of the public suffix list) of a confirmed name. */
  readonly domain: string | null;
  /** Refused names and failed lookups, printable; a missing PTR is not an error. */
  readonly errors: readonly string[];
}

/** Resolver codes that mean "there is no such record": normal, not failures. */
const NO_RECORD = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'ENONAME']);

/**
 * Looks up the PTR of an address and confirms it forward. `domain` is the registered domain per
 * the ICANN section of the public suffix list, because that is what a registrar's whois knows and
 * who owns the mail: for `ec2-192-0-2-1.compute-1.amazonaws.com` it is `amazonaws.com` (the
 * private section would give a customer's label under amazonaws.com, unknown to any registrar).
 * Names under a suffix that is not an ICANN one (`.lan`, `.internal`) give no domain.
 */
export async function lookupPtr(address: string, dns: DnsPort): Promise<PtrResult> {
  const errors: string[] = [];
  const canonical = canonicalAddress(address);
  if (canonical === null) {
    return {
      ptr: null,
      confirmed: false,
      domain: null,
      errors: [`not an address: ${clip(address)}`],
    };
  }
  let names: string[];
  try {
    names = await dns.reverse(canonical);
  } catch (error) {
    const failure = lookupFailure(error);
    if (failure !== null) errors.push(`PTR lookup for ${canonical}: ${failure}`);
    return { ptr: null, confirmed: false, domain: null, errors };
  }
  let ptr: string | null = null;
  for (const raw of names.slice(0, MAX_NAMES)) {
    const name = hostNameOf(raw);
    if (name === null) {
      errors.push(`PTR of ${canonical} refused, not a host name: "${clip(raw)}"`);
      continue;
    }
    ptr = name;
    break;
  }
  if (names.length > MAX_NAMES && ptr === null) {
    errors.push(`PTR of ${canonical}: ${names.length} names, only the first ${MAX_NAMES} read`);
  }
  if (ptr === null) return { ptr: null, confirmed: false, domain: null, errors };

  const v6 = canonical.includes(':');
  let forward: string[] = [];
  try {
    forward = v6 ? await dns.resolve6(ptr) : await dns.resolve4(ptr);
  } catch (error) {
    const failure = lookupFailure(error);
    if (failure !== null) errors.push(`${v6 ? 'AAAA' : 'A'} lookup for ${ptr}: ${failure}`);
  }
  const confirmed = forward.slice(0, 64).some((a) => canonicalAddress(a) === canonical);
  return { ptr, confirmed, domain: confirmed ? registeredDomain(ptr) : null, errors };
}

/**
 * The PTR name in lower case without the final dot when it is a plain host name (letters,
 * digits, hyphens; no underscore, no all-digit last label, at most 253 characters), else null.
 * c-ares escapes odd bytes (`\013`, `\.`), which the backslash makes fail here too.
 */
export function hostNameOf(raw: string): string | null {
  if (raw.length === 0 || raw.length > 254) return null;
  const name = (raw.endsWith('.') ? raw.slice(0, -1) : raw).toLowerCase();
  if (!isHostName(name) || !name.includes('.')) return null;
  const last = name.slice(name.lastIndexOf('.') + 1);
  if (/^[0-9]+$/.test(last)) return null;
  return name;
}

/** The registered domain of a host name under an ICANN public suffix, lower case, or null. */
export function registeredDomain(name: string): string | null {
  const parsed = parseDomain(name, { allowPrivateDomains: false, extractHostname: false });
  if (parsed.isIp === true || parsed.isIcann !== true || parsed.domain === null) return null;
  return parsed.domain.toLowerCase();
}

/** A readable reason for a failed lookup, or null when the answer just says "no record". */
function lookupFailure(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NO_RECORD.has(code)) return null;
  if (code === 'ETIMEOUT') return 'timed out';
  if (code === 'EBADRESP') return 'malformed answer refused';
  return clip(error instanceof Error ? error.message : String(error));
}

/** Attacker-written text made printable and short enough for an error line. */
function clip(text: string): string {
  return printable(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
