/**
 * RPSL answers (RIPE, APNIC, AFRINIC, LACNIC, IANA): objects separated by blank or `%` lines,
 * contacts reached through handles (`admin-c`, `tech-c`, `abuse-c`, `owner-c`, `mnt-irt`, `org`),
 * the `% Abuse contact for '…' is '…'` line, route objects for the origin AS, and the stubs and
 * NIR hints that send the chain elsewhere. Addresses are taken only from `abuse-mailbox:` and
 * `e-mail:` of referenced objects, the Abuse contact line, and (as remarks) `remarks:`/`descr:`;
 * never from `notify:`, `changed:`, `upd-to:`, `mnt-nfy:` or the `%` header.
 */
import type { ContactLevel, ContactRole } from '../core/network.js';
import type { AddressRange } from '../core/ip-range.js';
import { rangeContains, rangeSize } from '../core/ip-range.js';
import type { Referral } from './answer-finding.js';
import type { Attribute, ContactCollector, NetCandidate } from './whois-text.js';
import {
  RIR_SERVERS,
  allValues,
  containingNets,
  describeNets,
  excerpt,
  fieldEmail,
  firstValue,
  hasC0,
  countryCode,
  isBlank,
  parseAsn,
  parseNetRange,
  parseReferral,
  serverRegistry,
  sourceRegistry,
  splitAttribute,
} from './whois-text.js';
import type { WhoisReading } from './whois-text.js';

/** One RPSL object: its class (first attribute, lower case), key, and attributes in order. */
export interface RpslObject {
  readonly cls: string;
  readonly key: string;
  readonly attrs: readonly Attribute[];
  /** Position among the answer's objects. */
  readonly index: number;
}

/** A `% Abuse contact for 'RANGE' is 'ADDR'` line and the object that follows it. */
interface AbuseLine {
  readonly range: AddressRange | null;
  readonly email: string;
  readonly nextObject: number;
}

/** The objects and Abuse contact lines of an RPSL answer. */
export interface RpslAnswer {
  readonly objects: readonly RpslObject[];
  readonly abuseLines: readonly AbuseLine[];
}

const MAX_OBJECTS = 20_000;
const MAX_ATTRS = 2_000;
const ABUSE_PREFIX = '% abuse contact for ';

/** Splits an RPSL answer into objects; continuation lines (leading blank or `+`) are joined. */
export function parseRpsl(lines: readonly string[]): RpslAnswer {
  const objects: RpslObject[] = [];
  const abuseLines: AbuseLine[] = [];
  let attrs: Attribute[] = [];
  const flush = (): void => {
    const first = attrs[0];
    if (first !== undefined && objects.length < MAX_OBJECTS) {
      objects.push({
        cls: first.key.toLowerCase(),
        key: first.value,
        attrs,
        index: objects.length,
      });
    }
    attrs = [];
  };
  for (const line of lines) {
    if (isBlank(line)) {
      flush();
      continue;
    }
    const c = line.charCodeAt(0);
    if (c === 37 /* % */ || c === 35 /* # */) {
      flush();
      const abuse = readAbuseLine(line);
      if (abuse !== null) abuseLines.push({ ...abuse, nextObject: objects.length });
      continue;
    }
    if (c === 32 || c === 9 || c === 43 /* + */) {
      const last = attrs[attrs.length - 1];
      if (last !== undefined && !hasC0(line)) {
        const more = line.slice(1).trim();
        attrs[attrs.length - 1] = { key: last.key, value: `${last.value} ${more}`.trim() };
      }
      continue;
    }
    const attr = splitAttribute(line);
    if (attr !== null && attrs.length < MAX_ATTRS) attrs.push(attr);
  }
  flush();
  return { objects, abuseLines };
}

/** Reads RIPE's `% Abuse contact for '62.239.237.0 - 62.239.237.255' is 'protect@bt.com'`. */
function readAbuseLine(line: string): { range: AddressRange | null; email: string } | null {
  if (!line.toLowerCase().startsWith(ABUSE_PREFIX)) return null;
  const body = line.slice(ABUSE_PREFIX.length).trim();
  const mid = body.indexOf("' is '");
  if (!body.startsWith("'") || mid < 0 || !body.endsWith("'")) return null;
  const email = fieldEmail(body.slice(mid + 6, -1));
  if (email === null) return null;
  return { range: parseNetRange(body.slice(1, mid)), email };
}

const HANDLE_ROLES: Readonly<Record<string, ContactRole>> = {
  'abuse-c': 'abuse',
  'admin-c': 'administrative',
  'tech-c': 'technical',
  'owner-c': 'registrant',
  'mnt-irt': 'abuse',
};

/** Where handles lead: person/role/LACNIC `nic-hdl`, `irt`, `organisation`, `aut-num` keys. */
function indexObjects(objects: readonly RpslObject[]): Map<string, RpslObject> {
  const byHandle = new Map<string, RpslObject>();
  const put = (handle: string | null, obj: RpslObject): void => {
    if (handle === null) return;
    const k = handle.toUpperCase();
    if (!byHandle.has(k)) byHandle.set(k, obj);
  };
  for (const obj of objects) {
    if (obj.cls === 'irt' || obj.cls === 'organisation') put(obj.key, obj);
    else if (obj.cls === 'inetnum' || obj.cls === 'inet6num' || obj.cls.startsWith('route'))
      continue;
    else put(firstValue(obj.attrs, 'nic-hdl'), obj);
  }
  return byHandle;
}

/** True when two ranges are the same. */
function sameRange(a: AddressRange, b: AddressRange): boolean {
  return a.start === b.start && a.end === b.end;
}

/** Reads one RPSL answer about `address` (canonical) from `server` (lower case). */
export function readRpsl(server: string, address: string, lines: readonly string[]): WhoisReading {
  const { objects, abuseLines } = parseRpsl(lines);
  const byHandle = indexObjects(objects);
  const defaultRegistry = serverRegistry(server);
  const nets: (NetCandidate & { obj: RpslObject })[] = [];
  for (const obj of objects) {
    if (obj.cls !== 'inetnum' && obj.cls !== 'inet6num') continue;
    const range = parseNetRange(obj.key);
    if (range === null) continue;
    nets.push({
      obj,
      range,
      name: firstValue(obj.attrs, 'netname'),
      handle: null,
      org: orgName(obj, byHandle),
      country: countryCode(firstValue(obj.attrs, 'country')),
      registry: sourceRegistry(firstValue(obj.attrs, 'source')) ?? defaultRegistry,
      collect: (into, note) => collectNet(server, obj, range, abuseLines, byHandle, into, note),
    });
  }
  const containing = containingNets(nets, address);
  const best = containing[0] ?? null;
  const described = describeNets(containing);
  const stub = best !== null && isStub(best.obj, best.range);
  const referral = pickReferral(server, objects, best?.obj ?? null, containing);
  const { asn, asName } = originAs(objects, address, best?.obj ?? null);
  return { ...described, stub, referral, asn, asName };
}

/** The holder's name: the referenced organisation's `org-name`, LACNIC `owner:`, IANA's text. */
function orgName(net: RpslObject, byHandle: ReadonlyMap<string, RpslObject>): string | null {
  const handle = firstValue(net.attrs, 'org');
  if (handle !== null) {
    const org = byHandle.get(handle.toUpperCase());
    return (org !== undefined ? firstValue(org.attrs, 'org-name') : null) ?? handle;
  }
  return firstValue(net.attrs, 'owner') ?? firstValue(net.attrs, 'organisation');
}

/** What collecting one network's contacts needs. */
interface Collect {
  readonly server: string;
  readonly byHandle: ReadonlyMap<string, RpslObject>;
  readonly into: ContactCollector;
  readonly note: string;
  /** Objects whose remarks were read already. */
  readonly remarked: Set<RpslObject>;
}

/** Adds one network's contacts: Abuse contact line, then its attributes in order. */
function collectNet(
  server: string,
  net: RpslObject,
  range: AddressRange,
  abuseLines: readonly AbuseLine[],
  byHandle: ReadonlyMap<string, RpslObject>,
  into: ContactCollector,
  note: string,
): void {
  const ctx: Collect = { server, byHandle, into, note, remarked: new Set([net]) };
  const orgHandle = firstValue(net.attrs, 'org');
  const org = orgHandle === null ? undefined : byHandle.get(orgHandle.toUpperCase());
  // RIPE names the inetnum's abuse-c, or failing that its organisation's.
  const lineLevel: ContactLevel =
    firstValue(net.attrs, 'abuse-c') === null &&
    org !== undefined &&
    firstValue(org.attrs, 'abuse-c') !== null
      ? 'org'
      : 'network';
  for (const line of abuseLines) {
    const mine = line.range !== null ? sameRange(line.range, range) : line.nextObject === net.index;
    if (mine) into.add(line.email, 'abuse', lineLevel, `${server} % Abuse contact${note}`);
  }
  // The network's own lines first (they come first in the text), then what its handles name.
  for (const attr of net.attrs) {
    const key = attr.key.toLowerCase();
    if (key === 'abuse-mailbox') {
      into.add(attr.value, 'abuse', 'network', `${server} abuse-mailbox${note}`);
    } else if (key === 'remarks' || key === 'descr') {
      into.addRemark(attr.value, `${server} ${key}${note}`);
    }
  }
  for (const attr of net.attrs) {
    const key = attr.key.toLowerCase();
    const role = HANDLE_ROLES[key];
    if (role !== undefined) {
      collectHandle(ctx, attr.value, role, 'network', `${key} ${attr.value}`);
    } else if (key === 'org' && org !== undefined) {
      collectOrg(ctx, org);
    }
  }
}

/** Adds an organisation's abuse mailbox, e-mail and handles (level org) and its remarks. */
function collectOrg(ctx: Collect, org: RpslObject): void {
  const where = `org ${org.key}`;
  const first = !ctx.remarked.has(org);
  ctx.remarked.add(org);
  for (const attr of org.attrs) {
    const key = attr.key.toLowerCase();
    const role = HANDLE_ROLES[key];
    if (role !== undefined) {
      collectHandle(ctx, attr.value, role, 'org', `${where} ${key} ${attr.value}`);
    } else if (key === 'abuse-mailbox') {
      ctx.into.add(attr.value, 'abuse', 'org', `${ctx.server} ${where} abuse-mailbox${ctx.note}`);
    } else if (key === 'e-mail') {
      ctx.into.add(attr.value, 'registrant', 'org', `${ctx.server} ${where} e-mail${ctx.note}`);
    } else if (first && (key === 'remarks' || key === 'descr')) {
      ctx.into.addRemark(attr.value, `${ctx.server} ${where} ${key}${ctx.note}`);
    }
  }
}

/**
 * Adds the addresses of the person, role or irt a handle names: its `abuse-mailbox:` as abuse,
 * its `e-mail:` in the role of the reference, its remarks as remarks (once per object).
 */
function collectHandle(
  ctx: Collect,
  handle: string,
  role: ContactRole,
  level: ContactLevel,
  via: string,
): void {
  const obj = ctx.byHandle.get(handle.toUpperCase());
  if (obj === undefined || obj.cls === 'organisation') return;
  const first = !ctx.remarked.has(obj);
  ctx.remarked.add(obj);
  // The abuse mailbox first, so that an irt's address is credited to it rather than to e-mail.
  for (const email of allValues(obj.attrs, 'abuse-mailbox'))
    ctx.into.add(email, 'abuse', level, `${ctx.server} ${via} abuse-mailbox${ctx.note}`);
  for (const attr of obj.attrs) {
    const key = attr.key.toLowerCase();
    if (key === 'e-mail') {
      ctx.into.add(attr.value, role, level, `${ctx.server} ${via} e-mail${ctx.note}`);
    } else if (first && key === 'remarks') {
      ctx.into.addRemark(attr.value, `${ctx.server} ${via} remarks${ctx.note}`);
    }
  }
}

/** Placeholder names RIRs give to space they do not manage. */
const PLACEHOLDER_NAMES: ReadonlySet<string> = new Set([
  'NON-RIPE-NCC-MANAGED-ADDRESS-BLOCK',
  'IANA-BLK',
  'IANA-BLOCK',
  'IANA-NETBLOCK',
]);

/** True for APNIC's transferred-space stubs and the RIRs' placeholders for others' space. */
function isStub(net: RpslObject, range: AddressRange): boolean {
  if (transferTarget(net) !== null) return true;
  for (const m of allValues(net.attrs, 'mnt-by')) if (m.toUpperCase() === 'APNIC-STUB') return true;
  const name = firstValue(net.attrs, 'netname');
  if (name !== null && PLACEHOLDER_NAMES.has(name.toUpperCase())) return true;
  // The whole address space (0.0.0.0 - 255.255.255.255, ::/0) is nobody's network.
  return rangeSize(range) === (range.start.includes(':') ? 1n << 128n : 1n << 32n);
}

/** The RIR named by APNIC's `descr: Transferred to the ARIN region` (or remarks), or null. */
function transferTarget(net: RpslObject): { server: string; line: string } | null {
  for (const attr of net.attrs) {
    const key = attr.key.toLowerCase();
    if (key !== 'descr' && key !== 'remarks') continue;
    const low = attr.value.toLowerCase();
    if (!low.startsWith('transferred to the ')) continue;
    const rest = low.slice('transferred to the '.length);
    for (const rir of ['afrinic', 'lacnic', 'apnic', 'arin', 'ripe']) {
      if (rest.startsWith(rir)) {
        const server = RIR_SERVERS[rir];
        if (server !== undefined) return { server, line: `${attr.key}: ${attr.value}` };
      }
    }
  }
  return null;
}

/** National registries under APNIC: the `source:` of their mirrored objects and their servers. */
const NIRS: readonly { registry: string; server: string; names: readonly string[] }[] = [
  { registry: 'jpnic', server: 'whois.nic.ad.jp', names: ['whois.nic.ad.jp'] },
  {
    registry: 'krnic',
    server: 'whois.nic.or.kr',
    names: ['whois.nic.or.kr', 'whois.krnic.net', 'whois.kisa.or.kr'],
  },
  { registry: 'twnic', server: 'whois.twnic.net', names: ['whois.twnic.net'] },
];

/**
 * Where to ask next: IANA's `refer:`, APNIC's "Transferred to the …" stub, or, in an APNIC
 * answer, the national registry whose mirrored object or remarks cover the address.
 */
function pickReferral(
  server: string,
  objects: readonly RpslObject[],
  best: RpslObject | null,
  containing: readonly { obj: RpslObject; registry: string | null }[],
): Referral | null {
  const found = ((): Referral | null => {
    for (const obj of objects) {
      const refer = obj.cls === 'refer' ? obj.key : null;
      if (refer !== null) return parseReferral(refer, `refer: ${refer}`);
    }
    if (best !== null) {
      const target = transferTarget(best);
      if (target !== null) return parseReferral(target.server, target.line);
    }
    const apnic =
      server === 'whois.apnic.net' ||
      objects.some((o) => sourceRegistry(firstValue(o.attrs, 'source')) === 'apnic');
    if (!apnic) return null;
    for (const net of containing) {
      for (const nir of NIRS) {
        if (net.registry === nir.registry)
          return parseReferral(nir.server, `source: ${firstValue(net.obj.attrs, 'source') ?? ''}`);
        for (const remark of allValues(net.obj.attrs, 'remarks')) {
          const low = remark.toLowerCase();
          if (nir.names.some((n) => low.includes(n)))
            return parseReferral(nir.server, `remarks: ${excerpt(remark)}`);
        }
      }
    }
    return null;
  })();
  // A server never refers to itself; the chain would only loop.
  return found !== null && found.host === server ? null : found;
}

/** The origin AS of the most specific route/route6 object covering the address, and its name. */
function originAs(
  objects: readonly RpslObject[],
  address: string,
  best: RpslObject | null,
): { asn: number | null; asName: string | null } {
  let asn: number | null = null;
  let size: bigint | null = null;
  for (const obj of objects) {
    if (obj.cls !== 'route' && obj.cls !== 'route6') continue;
    const range = parseNetRange(obj.key);
    if (range === null || (address !== '' && !rangeContains(range, address))) continue;
    const origin = parseAsn(firstValue(obj.attrs, 'origin'));
    const s = rangeSize(range);
    if (origin !== null && (size === null || s < size)) {
      asn = origin;
      size = s;
    }
  }
  // LACNIC puts the holder's AS on the inetnum (`aut-num: AS1234`, or `N/A`).
  if (asn === null && best !== null) asn = parseAsn(firstValue(best.attrs, 'aut-num'));
  if (asn === null) return { asn: null, asName: null };
  for (const obj of objects) {
    if (obj.cls === 'aut-num' && parseAsn(obj.key) === asn)
      return { asn, asName: firstValue(obj.attrs, 'as-name') };
  }
  return { asn, asName: null };
}
