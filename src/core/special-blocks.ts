import { CidrSet } from './cidr.js';

/**
 * IANA special-purpose address blocks (RFC 6890 registries, IPv4 and IPv6, with multicast),
 * as `[block, name, rfc, globallyReachable]`. A more specific block overrides the one containing
 * it. Transcribed from the registries; test/ compares it with ../shared/corpus/iana-special.
 */
export const SPECIAL_BLOCKS: readonly (readonly [string, string, string, boolean])[] = [
  ['0.0.0.0/8', 'This network', 'RFC791', false],
  ['10.0.0.0/8', 'Private-Use', 'RFC1918', false],
  ['100.64.0.0/10', 'Shared Address Space (CGNAT)', 'RFC6598', false],
  ['127.0.0.0/8', 'Loopback', 'RFC1122', false],
  ['169.254.0.0/16', 'Link Local', 'RFC3927', false],
  ['172.16.0.0/12', 'Private-Use', 'RFC1918', false],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC6890', false],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC7723', true],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC8155', true],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC5737', false],
  ['192.31.196.0/24', 'AS112-v4', 'RFC7535', true],
  ['192.52.193.0/24', 'AMT', 'RFC7450', true],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC7526', false],
  ['192.168.0.0/16', 'Private-Use', 'RFC1918', false],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC7534', true],
  ['198.18.0.0/15', 'Benchmarking', 'RFC2544', false],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC5737', false],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC5737', false],
  ['224.0.0.0/4', 'Multicast', 'RFC5771', false],
  ['240.0.0.0/4', 'Reserved', 'RFC1112', false],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC8190', false],
  ['::/128', 'Unspecified Address', 'RFC4291', false],
  ['::1/128', 'Loopback Address', 'RFC4291', false],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC4291', false],
  ['64:ff9b::/96', 'IPv4-IPv6 Translation', 'RFC6052', true],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translation (local use)', 'RFC8215', false],
  ['100::/64', 'Discard-Only Address Block', 'RFC6666', false],
  ['2001::/23', 'IETF Protocol Assignments', 'RFC2928', false],
  ['2001::/32', 'TEREDO', 'RFC4380', false],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC7723', true],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC8155', true],
  ['2001:2::/48', 'Benchmarking', 'RFC5180', false],
  ['2001:3::/32', 'AMT', 'RFC7450', true],
  ['2001:4:112::/48', 'AS112-v6', 'RFC7535', true],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC4843', false],
  ['2001:20::/28', 'ORCHIDv2', 'RFC7343', true],
  ['2001:db8::/32', 'Documentation', 'RFC3849', false],
  ['2002::/16', '6to4', 'RFC3056', false],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC7534', true],
  ['3fff::/20', 'Documentation', 'RFC9637', false],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC9602', false],
  ['fc00::/7', 'Unique-Local', 'RFC4193', false],
  ['fe80::/10', 'Link-Local Unicast', 'RFC4291', false],
  ['ff00::/8', 'Multicast', 'RFC4291', false],
];

/** A special-purpose block as the registry names it. */
export interface SpecialBlock {
  readonly name: string;
  readonly rfc: string;
  readonly globallyReachable: boolean;
}

let specialSet: CidrSet<SpecialBlock> | null = null;

/** The special-purpose blocks as a set, most specific match first (built once per process). */
export function specialBlockSet(): CidrSet<SpecialBlock> {
  if (specialSet === null) {
    specialSet = new CidrSet();
    for (const [block, name, rfc, globallyReachable] of SPECIAL_BLOCKS) {
      specialSet.add(block, { name, rfc, globallyReachable });
    }
  }
  return specialSet;
}

/**
 * The special-purpose block that makes an address not worth reporting or investigating
 * (`Private-Use (RFC1918)`), or null for an ordinary, globally reachable address.
 */
export function specialPurpose(address: string): SpecialBlock | null {
  const hit = specialBlockSet().match(address);
  return hit === undefined || hit.value.globallyReachable ? null : hit.value;
}
