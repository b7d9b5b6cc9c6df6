import { canonicalAddress } from '../core/ip.js';
import type { Network } from '../core/network.js';
import type { Investigator } from './investigator.js';
import { ServerGate } from './server-gate.js';
import { specialPurpose } from '../core/special-blocks.js';

/**
 * The neighbourhood an address is scheduled in: its /16 (IPv4) or /32 (IPv6). Registries rarely
 * hand out blocks larger than that to one holder, so addresses of one neighbourhood are looked up
 * one after another (the second usually finds the first one's block in the cache), while
 * different neighbourhoods go in parallel.
 */
export function neighbourhood(address: string): string {
  if (!address.includes(':')) return address.split('.').slice(0, 2).join('.');
  const groups = address.split('::')[0]?.split(':') ?? [];
  return `${groups[0] ?? '0'}:${groups[1] ?? '0'}`;
}

/** Progress of a bulk investigation. */
export type BulkProgress = (done: number, total: number) => void;

/** Reverse-DNS questions in flight at once in a bulk run (a lane apart from the registries). */
const DNS_CONCURRENCY = 32;

/**
 * Investigates many addresses with at most `concurrency` registry lookups at once, one
 * neighbourhood at a time per worker, so that addresses in one netblock cost one registry
 * lookup. Reverse DNS runs in its own lane, so a slow resolver does not hold the registry
 * workers. Results come back in the order of the input (duplicates investigated once).
 */
export async function investigateAll(
  investigator: Investigator,
  addresses: readonly string[],
  concurrency: number,
  onProgress?: BulkProgress,
): Promise<Network[]> {
  const dnsLane = new ServerGate(() => ({ concurrency: DNS_CONCURRENCY, perMinute: 0 }));
  const unique = [...new Set(addresses.map((a) => canonicalAddress(a.trim()) ?? a))];
  const buckets = new Map<string, string[]>();
  for (const a of unique) {
    const key = a.includes('.') || a.includes(':') ? neighbourhood(a) : a;
    const list = buckets.get(key);
    if (list === undefined) buckets.set(key, [a]);
    else list.push(a);
  }
  const queue = [...buckets.values()];
  const pending = new Map<string, Promise<Network>>();
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let bucket = queue.shift(); bucket !== undefined; bucket = queue.shift()) {
      for (const a of bucket) {
        let network: Promise<Network>;
        if (canonicalAddress(a) === null || specialPurpose(a) !== null) {
          // Refused at once by investigate: nobody is asked, not even DNS.
          network = investigator.investigate(a);
        } else {
          const ptr = dnsLane.run('dns', () => investigator.reverse(a));
          // The registry part first: the block is then cached for the bucket's next address.
          const registry = await investigator.prefetch(a);
          network = investigator.investigate(a, ptr, registry);
        }
        network = network.then((n) => {
          done++;
          onProgress?.(done, unique.length);
          return n;
        });
        network.catch(() => undefined);
        pending.set(a, network);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker),
  );
  const results = new Map<string, Network>();
  for (const [a, p] of pending) results.set(a, await p);
  return addresses.map((a) => {
    const key = canonicalAddress(a.trim()) ?? a;
    return results.get(key) as Network;
  });
}
