import type { Network } from './network.js';

/** The JSON shape of a Network for `lookup --format json|ndjson` (camelCase, canonical addresses). */
export function networkToJson(n: Network): Record<string, unknown> {
  const nb = n.network;
  return {
    address: n.address,
    ptr: n.ptr,
    ptrConfirmed: n.ptrConfirmed,
    domain: n.domain,
    asn: n.asn,
    asName: n.asName,
    network:
      nb === null
        ? null
        : {
            range: `${nb.start} - ${nb.end}`,
            cidrs: nb.cidrs,
            name: nb.name,
            handle: nb.handle,
            org: nb.org,
            country: nb.country,
            registry: nb.registry,
          },
    contacts: n.contacts.map((c) => ({
      email: c.email,
      roles: c.roles,
      source: c.source,
      structured: c.structured,
      level: c.level,
    })),
    hints: n.hints,
    chain: n.chain.map((s) => ({ server: s.server, query: s.query })),
    errors: n.errors,
  };
}
