/**
 * What we know about whois servers before asking them: which one to ask first for an address
 * (IANA's tables, bundled), how each wants its query written, and which charset it answers in.
 */
import { CidrSet } from '../core/cidr.js';
import { canonicalAddress } from '../core/ip.js';
import { specialPurpose } from '../core/special-blocks.js';
import type { WhoisRequest } from './answer-finding.js';
import { IANA_WHOIS_SERVERS, IANA_WHOIS_V4, IANA_WHOIS_V6 } from './iana-whois-table.js';

/** The whois port (RFC 3912). */
export const WHOIS_PORT = 43;
/** The port rwhois servers usually listen on (RFC 2167). */
export const RWHOIS_PORT = 4321;

/** `whois.ripe.net`, or `rwhois.example.net:4321` when the port is not 43: how errors name a server. */
export function serverLabel(request: Pick<WhoisRequest, 'server' | 'port'>): string {
  return request.port === WHOIS_PORT ? request.server : `${request.server}:${request.port}`;
}

/** IANA's own whois server: the first hop when asked to start at the root, and for unassigned space. */
export const IANA_WHOIS = 'whois.iana.org';

/**
 * The query line each server wants for an address. ARIN: `n + ADDR` (network records only, with
 * full POC details). RIPE and AFRINIC: `-r` so that person and role objects are not returned and
 * the query does not count towards RIPE's daily personal-data limit (the `% Abuse contact` line
 * still comes back); RIPE also `--charset UTF-8`, else it may answer in ISO-8859-1. APNIC: bare,
 * because its abuse contact is an `irt` object that `-r` would suppress. JPNIC: `ADDR/e` for
 * English. LACNIC, IANA, national registries and rwhois servers: the bare address.
 */
export function whoisQueryFor(server: string, address: string): WhoisRequest {
  const name = server.toLowerCase();
  const base = { server: name, protocol: 'whois', port: WHOIS_PORT } as const;
  switch (name) {
    case 'whois.arin.net':
      return { ...base, query: `n + ${address}` };
    case 'whois.ripe.net':
      return { ...base, query: `-r --charset UTF-8 ${address}` };
    case 'whois.afrinic.net':
      return { ...base, query: `-r ${address}` };
    case 'whois.nic.ad.jp':
      return { ...base, query: `${address}/e` };
    default:
      return { ...base, query: address };
  }
}

/**
 * The charset a server answers in when its bytes are not UTF-8 (GNU whois's servers_charset_list:
 * APNIC ISO-8859-1, JPNIC ISO-2022-JP); null when unknown, and the caller falls back to Latin-1.
 */
export function whoisCharsetFor(server: string): 'iso-8859-1' | 'iso-2022-jp' | null {
  switch (server.toLowerCase()) {
    case 'whois.apnic.net':
    case 'whois.registro.br':
      return 'iso-8859-1';
    case 'whois.nic.ad.jp':
      return 'iso-2022-jp';
    default:
      return null;
  }
}

let v6Servers: CidrSet<string> | null = null;

/** The IPv6 table as a set of blocks (most specific first), built once. */
function v6Table(): CidrSet<string> {
  if (v6Servers === null) {
    const set = new CidrSet<string>();
    for (const [prefix, index] of IANA_WHOIS_V6) {
      set.add(prefix, IANA_WHOIS_SERVERS[index] ?? IANA_WHOIS);
    }
    v6Servers = set;
  }
  return v6Servers;
}

/**
 * The whois server IANA's tables name for an address (per IPv4 /8, per IPv6 unicast block):
 * 93.184.216.34 → whois.ripe.net, 157.173.209.216 → whois.arin.net (legacy space that ARIN then
 * refers onwards), 2001:4860::1 → whois.arin.net. Space IANA has not handed to a registry (private,
 * reserved, multicast, unassigned IPv6) and text that is not an address give whois.iana.org.
 */
export function firstWhoisServer(address: string): string {
  const addr = canonicalAddress(address);
  if (addr === null) return IANA_WHOIS;
  if (!addr.includes(':')) {
    const octet = Number(addr.slice(0, addr.indexOf('.')));
    return IANA_WHOIS_SERVERS[IANA_WHOIS_V4[octet] ?? 0] ?? IANA_WHOIS;
  }
  return v6Table().match(addr)?.value ?? IANA_WHOIS;
}

/**
 * What a canonical address is when it lies in an IANA special-purpose block that is not globally
 * reachable (`Private-Use (RFC1918)`, `Loopback (RFC1122)`), else null. No registry answers for
 * such space, and no referral or DNS answer may send us there.
 */
export function specialAddressName(address: string): string | null {
  const block = specialPurpose(address);
  return block === null ? null : `${block.name} (${block.rfc})`;
}
