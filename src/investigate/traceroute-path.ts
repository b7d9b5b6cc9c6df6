/**
 * Reads saved traceroute output (`traceroute`, `traceroute -n`, `traceroute6`, `mtr --json`)
 * into the path of hops, so the networks before a target can be named as its upstreams. The
 * file may come from anywhere: input is capped, and only addresses are taken from it.
 */
import { canonicalAddress } from '../core/ip.js';
import { specialPurpose } from '../core/special-blocks.js';

/** One answering hop: its number on the path and the (first) address that answered. */
export interface PathHop {
  readonly hop: number;
  readonly address: string;
}

/** Hops read at most (traceroute's default maximum is 30, traceroute6's 64). */
const MAX_HOPS = 64;
/** Input read at most. */
const MAX_BYTES = 1024 * 1024;

/**
 * The hops of a saved traceroute: text output (hop number, then per probe `ADDR` or
 * `name (ADDR)` and times; `*` for no answer), an `mtr --report` table or an `mtr --json` report. Hops without an answer
 * are skipped; a hop answered by several routers gives its first address; a hop number seen
 * twice keeps the first. Returns at most 64 hops, in hop order; text beyond 1 MiB is not read
 * and a JSON report over 1 MiB is not parsed.
 */
export function parseTraceroute(text: string): PathHop[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return text.length > MAX_BYTES ? [] : parseMtrJson(trimmed);
  const body = text.length > MAX_BYTES ? text.slice(0, MAX_BYTES) : text;
  const hops: PathHop[] = [];
  const seen = new Set<number>();
  for (const raw of body.split('\n')) {
    if (hops.length >= MAX_HOPS) break;
    const tokens = raw.trim().split(/\s+/);
    // `traceroute`: ` 3  ADDR …`; `mtr --report`: `  3.|-- ADDR …`.
    const first = tokens[0] ?? '';
    const digits = first.endsWith('.|--') ? first.slice(0, -4) : first;
    if (!/^[0-9]{1,3}$/.test(digits)) continue;
    const hop = Number(digits);
    if (hop < 1 || seen.has(hop)) continue;
    const address = firstAddress(tokens.slice(1));
    if (address === null) continue;
    seen.add(hop);
    hops.push({ hop, address });
  }
  return hops.sort((a, b) => a.hop - b.hop);
}

/**
 * The address a saved trace went to: `traceroute to NAME (ADDR)` / `traceroute6 to …` in the
 * header line, or `report.mtr.dst` of an `mtr --json` report; else the last hop's address
 * when the header is missing (the last hop of a completed trace is the target). Null when the
 * text names no address.
 */
export function tracerouteTarget(text: string): string | null {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    if (text.length > MAX_BYTES) return null;
    try {
      const data = JSON.parse(trimmed) as { report?: { mtr?: { dst?: unknown } } } | null;
      const dst = data?.report?.mtr?.dst;
      return typeof dst === 'string' ? canonicalAddress(dst) : null;
    } catch {
      return null;
    }
  }
  const head = trimmed.slice(0, Math.min(trimmed.length, 1024)).split('\n', 1)[0] ?? '';
  const tokens = head.trim().split(/\s+/);
  if ((tokens[0] === 'traceroute' || tokens[0] === 'traceroute6') && tokens[1] === 'to') {
    // `traceroute to host.example.net (192.0.2.1), 30 hops max`: the comma is the header's.
    return firstAddress(tokens.slice(2, 4).map((t) => (t.endsWith(',') ? t.slice(0, -1) : t)));
  }
  const hops = parseTraceroute(text);
  return hops[hops.length - 1]?.address ?? null;
}

/**
 * The first address among a hop line's tokens: `(ADDR)` after a name, or a bare `ADDR`. A name
 * is the router's PTR and may itself look like an address (`198.51.100.99 (192.0.2.1)`): the
 * address in parentheses is the one that answered.
 */
function firstAddress(tokens: readonly string[]): string | null {
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const next = tokens[i + 1] ?? '';
    const named = parenthesized(next);
    if (named !== null && !token.startsWith('(')) return named;
    const address = token.startsWith('(') ? parenthesized(token) : canonicalAddress(token);
    if (address !== null) return address;
  }
  return null;
}

/** The address in a `(ADDR)` token, else null. */
function parenthesized(token: string): string | null {
  if (token.length < 3 || !token.startsWith('(') || !token.endsWith(')')) return null;
  return canonicalAddress(token.slice(1, -1));
}

/** The hubs of an `mtr --json` report: `{"report": {"mtr": …, "hubs": [{"count", "host"}]}}`. */
function parseMtrJson(text: string): PathHop[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return [];
  }
  const hubs = (data as { report?: { hubs?: unknown } } | null)?.report?.hubs;
  if (!Array.isArray(hubs)) return [];
  const hops: PathHop[] = [];
  const seen = new Set<number>();
  for (const hub of hubs.slice(0, 256)) {
    if (hops.length >= MAX_HOPS) break;
    if (typeof hub !== 'object' || hub === null) continue;
    const { count, host } = hub as { count?: unknown; host?: unknown };
    // mtr writes `count` as a number (0.9x: a string); `host` is `???` for no answer, an address
    // with -n, a name without it, `name (addr)` with -b.
    const hop = typeof count === 'number' ? count : typeof count === 'string' ? Number(count) : NaN;
    if (!Number.isInteger(hop) || hop < 1 || hop > 255 || seen.has(hop)) continue;
    if (typeof host !== 'string' || host.length > 300) continue;
    const address = firstAddress(host.trim().split(/\s+/));
    if (address === null) continue;
    seen.add(hop);
    hops.push({ hop, address });
  }
  return hops.sort((a, b) => a.hop - b.hop);
}

/**
 * The public hops before the target: the path cut at the target's first appearance, without
 * the target, without private and special-purpose addresses (RFC 1918, CGNAT, loopback,
 * link-local, ULA, documentation…: no registry holds them), and without repeats.
 */
export function upstreamHops(path: readonly PathHop[], target?: string): PathHop[] {
  const goal = target === undefined ? null : canonicalAddress(target);
  const out: PathHop[] = [];
  const seen = new Set<string>();
  for (const hop of path) {
    if (goal !== null && hop.address === goal) break;
    if (seen.has(hop.address)) continue;
    seen.add(hop.address);
    if (specialPurpose(hop.address) !== null) continue;
    out.push(hop);
  }
  return out;
}
