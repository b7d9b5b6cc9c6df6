/**
 * What an RDAP answer (RFC 9083) says about a network, an AS or a domain: pure functions from a
 * parsed JSON body to findings. The body is written by a server we do not control, so every
 * walk is bounded (depth, entity count, vCard size, remark size) and every string that leaves
 * here is cut to one short line.
 */
import { emptyFinding, type AnswerFinding } from './answer-finding.js';
import type { Contact, ContactLevel, ContactRole, Netblock } from '../core/network.js';
import {
  addressValue,
  parseLooseAddress,
  parseLoosePrefix,
  rangeContains,
  rangeSize,
  rangeToCidrs,
  type AddressRange,
} from '../core/ip-range.js';
import { canonicalAddress } from '../core/ip.js';
import { findEmails, findUrls, normalizeEmail } from '../core/email.js';
import { plainLine } from '../core/printable.js';

/** Deepest entity nesting read (ARIN nests two levels, RIPE two; 16 leaves room for honest servers). */
const MAX_DEPTH = 16;
/** Most entities read from one answer. */
const MAX_ENTITIES = 256;
/** Most vCard properties, roles, remarks and remark lines read per object. */
const MAX_ITEMS = 128;
/** Most hints kept from one answer. */
const MAX_HINTS = 16;

type Json = Record<string, unknown>;

/** RDAP roles (RFC 9083 §10.2.4) that name a contact we can use, mapped to ours. */
const ROLE_MAP: ReadonlyMap<string, ContactRole> = new Map<string, ContactRole>([
  ['abuse', 'abuse'],
  ['technical', 'technical'],
  ['administrative', 'administrative'],
  ['noc', 'noc'],
  ['registrant', 'registrant'],
  ['billing', 'billing'],
]);

/** The registry an RDAP host belongs to, for `Netblock.registry`. */
const REGISTRY_HOSTS: ReadonlyMap<string, string> = new Map([
  ['rdap.arin.net', 'arin'],
  ['rdap.db.ripe.net', 'ripe'],
  ['rdap.apnic.net', 'apnic'],
  ['rdap.lacnic.net', 'lacnic'],
  ['rdap.afrinic.net', 'afrinic'],
  ['rdap.registro.br', 'nicbr'],
]);

/** `arin`, `ripe`, … for an RIR's RDAP URL, else the URL's host (with port when it has one). */
export function rdapRegistry(url: string): string {
  const host = urlHost(url);
  return REGISTRY_HOSTS.get(host.toLowerCase()) ?? host;
}

/**
 * The network of an RDAP `ip network` answer for `address`, its contacts (entities at any depth,
 * with their roles; network level at the top, org level under the registrant), e-mails and URLs
 * from remarks, and whether the server limited its answer. A network that does not contain the
 * address yields no netblock and no contacts, with `limited` saying why.
 */
export function extractRdapNetwork(url: string, address: string, body: unknown): AnswerFinding {
  const server = urlHost(url);
  const empty = emptyFinding(server);
  if (!isObject(body)) return { ...empty, limited: 'answer is not an RDAP object' };
  const limited = limitedText(body);
  const range = networkRange(body);
  const addr = canonicalAddress(address);
  if (range === null) {
    return { ...empty, limited: limited ?? 'answer holds no network range' };
  }
  if (addr === null || !rangeContains(range, addr)) {
    return {
      ...empty,
      limited: `answer describes ${range.start} - ${range.end}, which does not contain ${plainLine(address, 64)}`,
    };
  }
  const walk = walkEntities(body, server, levelForNetwork);
  const netblock: Netblock = {
    start: range.start,
    end: range.end,
    cidrs: networkCidrs(body, range),
    name: text(body.name, 128),
    handle: text(body.handle, 128),
    org: walk.org,
    country: country(body.country),
    registry: rdapRegistry(url),
  };
  const remarks = remarkContacts(body, server, 'remark', walk.contacts);
  return {
    ...empty,
    netblock,
    contacts: [...walk.contacts, ...remarks.contacts],
    hints: remarks.hints,
    limited,
    asn: originAsn(body),
  };
}

/**
 * The number, name and contacts of an RDAP `autnum` answer. The number comes from startAutnum,
 * else from the handle (`AS1234` at RIPE, a bare `27648` at LACNIC). Contacts are level `asn`;
 * e-mails from remarks are kept as unstructured.
 */
export function extractRdapAutnum(
  url: string,
  body: unknown,
): { asn: number | null; asName: string | null; contacts: Contact[] } {
  if (!isObject(body)) return { asn: null, asName: null, contacts: [] };
  const server = urlHost(url);
  let asn = asNumber(body.startAutnum);
  if (asn === null && typeof body.handle === 'string') {
    const h = body.handle.trim();
    asn = asNumber(h.slice(0, 2).toUpperCase() === 'AS' ? h.slice(2) : h);
  }
  const walk = walkEntities(body, server, () => 'asn');
  const remarks = remarkContacts(body, server, 'asn', walk.contacts);
  return { asn, asName: text(body.name, 128), contacts: [...walk.contacts, ...remarks.contacts] };
}

/**
 * The contacts of an RDAP `domain` answer: the registrar's abuse contact (an `abuse` entity
 * under the `registrar` entity, as the ICANN profile places it) as `registrar-abuse`, and the
 * registrant, administrative, technical and billing contacts that are not redacted, level `domain`.
 */
export function extractRdapDomain(url: string, body: unknown): { contacts: Contact[] } {
  if (!isObject(body)) return { contacts: [] };
  const walk = walkEntities(body, urlHost(url), levelForDomain, true);
  return { contacts: walk.contacts };
}

/** Where an entity sits: its ancestors' roles, outermost first. */
interface Placement {
  readonly depth: number;
  readonly ancestorRoles: readonly (readonly string[])[];
}

/** The level of a network entity: `org` under the registrant, else `network`. */
function levelForNetwork(p: Placement): ContactLevel | null {
  return p.ancestorRoles.some((r) => r.includes('registrant')) ? 'org' : 'network';
}

/** The level of a domain entity: `registrar` under the registrar, else `domain`. */
function levelForDomain(p: Placement): ContactLevel | null {
  return p.ancestorRoles.some((r) => r.includes('registrar')) ? 'registrar' : 'domain';
}

interface Walk {
  readonly contacts: Contact[];
  /** The top-level registrant's name (vCard `fn`), for `Netblock.org`. */
  readonly org: string | null;
}

/**
 * Visits entities depth first in document order, at most MAX_ENTITIES and MAX_DEPTH deep, and
 * collects their e-mails as contacts, merging repeats of an address (roles joined, the more
 * authoritative level kept). Entities without `roles` are listed with no role (unknown);
 * entities whose roles are all ones we do not use (`notifications`, `routing`, `reseller`…)
 * are skipped. With `domain`, only abuse entities under the registrar give `registrar-abuse`.
 */
function walkEntities(
  root: Json,
  server: string,
  levelOf: (p: Placement) => ContactLevel | null,
  domain = false,
): Walk {
  const contacts: Contact[] = [];
  const index = new Map<string, number>();
  let org: string | null = null;
  let visited = 0;
  const visit = (holder: Json, depth: number, ancestorRoles: readonly (readonly string[])[]) => {
    if (depth >= MAX_DEPTH || !Array.isArray(holder.entities)) return;
    for (const child of holder.entities.slice(0, MAX_ITEMS)) {
      if (visited >= MAX_ENTITIES) return;
      if (!isObject(child)) continue;
      visited++;
      const rawRoles = stringList(child.roles, 16).map((r) => r.toLowerCase());
      const vcard = readVcard(child.vcardArray);
      if (org === null && depth === 0 && rawRoles.includes('registrant')) org = vcard.fn;
      const level = levelOf({ depth, ancestorRoles });
      const roles = domain
        ? domainRoles(rawRoles, ancestorRoles)
        : rawRoles.flatMap((r) => {
            const mapped = ROLE_MAP.get(r);
            return mapped === undefined ? [] : [mapped];
          });
      const usable = !Array.isArray(child.roles) || rawRoles.length === 0 || roles.length > 0;
      if (level !== null && usable && vcard.emails.length > 0) {
        const handle = text(child.handle, 64);
        const source = `${server} entity ${handle ?? '(no handle)'}`;
        const typedAbuse = vcard.emails.filter((e) => e.abuse);
        for (const e of [...typedAbuse, ...vcard.emails.filter((x) => !x.abuse)]) {
          // An abuse role's plain e-mail is not its abuse mailbox when a typed one exists (RIPE).
          const own =
            typedAbuse.length > 0 && !e.abuse ? roles.filter((r) => r !== 'abuse') : roles;
          addContact(contacts, index, {
            email: e.email,
            roles: own,
            source,
            structured: true,
            level,
          });
        }
      }
      visit(child, depth + 1, [...ancestorRoles, rawRoles]);
    }
  };
  visit(root, 0, []);
  return { contacts, org };
}

/** Roles of a domain answer's entity: abuse under the registrar is the registrar's abuse desk. */
function domainRoles(
  rawRoles: readonly string[],
  ancestorRoles: readonly (readonly string[])[],
): ContactRole[] {
  const underRegistrar = ancestorRoles.some((r) => r.includes('registrar'));
  const out: ContactRole[] = [];
  for (const r of rawRoles) {
    if (r === 'abuse') out.push(underRegistrar ? 'registrar-abuse' : 'abuse');
    else if (!underRegistrar && r !== 'noc') {
      const mapped = ROLE_MAP.get(r);
      if (mapped !== undefined) out.push(mapped);
    }
  }
  return out;
}

/** Level order, most authoritative first (as ContactLevel documents it). */
const LEVEL_ORDER: readonly ContactLevel[] = [
  'network',
  'org',
  'rwhois',
  'remark',
  'asn',
  'domain',
  'registrar',
  'guess',
];

/** Adds a contact, or merges it into an earlier one with the same address. */
function addContact(list: Contact[], index: Map<string, number>, c: Contact): void {
  const key = c.email.toLowerCase();
  const at = index.get(key);
  if (at === undefined) {
    index.set(key, list.length);
    list.push(c);
    return;
  }
  const old = list[at] as Contact;
  const roles = [...old.roles];
  for (const r of c.roles) if (!roles.includes(r)) roles.push(r);
  const better = LEVEL_ORDER.indexOf(c.level) < LEVEL_ORDER.indexOf(old.level);
  list[at] = {
    email: old.email,
    roles,
    source: better ? c.source : old.source,
    structured: old.structured || c.structured,
    level: better ? c.level : old.level,
  };
}

interface Vcard {
  readonly fn: string | null;
  readonly emails: readonly { readonly email: string; readonly abuse: boolean }[];
}

/** The `fn` and `email` properties of a jCard (`["vcard", [[name, params, type, value], …]]`). */
function readVcard(value: unknown): Vcard {
  const emails: { email: string; abuse: boolean }[] = [];
  let fn: string | null = null;
  if (!Array.isArray(value) || !Array.isArray(value[1])) return { fn, emails };
  for (const prop of (value[1] as unknown[]).slice(0, MAX_ITEMS)) {
    if (!Array.isArray(prop) || typeof prop[0] !== 'string') continue;
    const name = prop[0].toLowerCase();
    const v: unknown = prop[3];
    if (name === 'fn' && fn === null) fn = text(v, 200);
    if (name !== 'email' || typeof v !== 'string') continue;
    const email = normalizeEmail(v);
    if (email === null || emails.some((e) => e.email === email)) continue;
    const params: unknown = prop[1];
    const type = isObject(params) ? params.type : undefined;
    const types = typeof type === 'string' ? [type] : stringList(type, 8);
    emails.push({ email, abuse: types.some((t) => t.toLowerCase() === 'abuse') });
  }
  return { fn, emails };
}

/**
 * E-mails and URLs from the remarks of the object and of its entities (free text, so
 * unstructured, roles `abuse` only when the line speaks of abuse). Addresses already found in
 * structured fields are not repeated. Notices are about the server, not the network: their
 * e-mails are the registry's own and are never taken.
 */
function remarkContacts(
  root: Json,
  server: string,
  level: ContactLevel,
  structured: readonly Contact[],
): { contacts: Contact[]; hints: string[] } {
  const contacts: Contact[] = [];
  const index = new Map<string, number>();
  const known = new Set(structured.map((c) => c.email.toLowerCase()));
  const hints: string[] = [];
  let visited = 0;
  const read = (holder: Json, where: string): void => {
    for (const line of remarkLines(holder.remarks)) {
      const abuse = line.toLowerCase().includes('abuse');
      for (const email of findEmails(line)) {
        if (known.has(email.toLowerCase())) continue;
        addContact(contacts, index, {
          email,
          roles: abuse ? ['abuse'] : [],
          source: `${server} ${where}`,
          structured: false,
          level,
        });
      }
      for (const u of findUrls(line)) {
        if (hints.length < MAX_HINTS && !hints.includes(u)) hints.push(u);
      }
    }
  };
  const visit = (holder: Json, depth: number): void => {
    if (depth >= MAX_DEPTH || !Array.isArray(holder.entities)) return;
    for (const child of holder.entities.slice(0, MAX_ITEMS)) {
      if (visited >= MAX_ENTITIES) return;
      if (!isObject(child)) continue;
      visited++;
      read(child, `entity ${text(child.handle, 64) ?? '(no handle)'} remarks`);
      visit(child, depth + 1);
    }
  };
  read(root, 'remarks');
  visit(root, 0);
  return { contacts, hints };
}

/** The description lines of a remarks (or notices) array, CR removed, bounded. */
function remarkLines(value: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(value)) return out;
  for (const remark of value.slice(0, MAX_ITEMS)) {
    if (!isObject(remark)) continue;
    if (typeof remark.title === 'string') out.push(remark.title.slice(0, 4096));
    for (const line of stringList(remark.description, MAX_ITEMS)) {
      out.push(line.slice(0, 4096).split('\r').join(' '));
    }
  }
  return out;
}

/**
 * Why the answer is known to be incomplete: NIC.br's "does not contain all data due to server
 * policy" remark, or a rate-limit notice (LACNIC sends one with a 200); else null.
 */
function limitedText(body: Json): string | null {
  for (const field of [body.remarks, body.notices]) {
    if (!Array.isArray(field)) continue;
    for (const item of field.slice(0, MAX_ITEMS)) {
      if (!isObject(item)) continue;
      const title = typeof item.title === 'string' ? item.title : '';
      const lines = stringList(item.description, MAX_ITEMS);
      const all = [title, ...lines].join(' ').slice(0, 8192).toLowerCase();
      if (all.includes('does not contain all data') || all.includes('rate limit')) {
        const said = lines.find((l) => l.trim() !== '') ?? title;
        return plainLine(title !== '' && said !== title ? `${title}: ${said}` : said, 200);
      }
    }
  }
  return null;
}

/**
 * The network's range from startAddress/endAddress, read as registries print them (zero-padded
 * octets, `/32` suffixes). LACNIC in 2015 echoed the queried address as both bounds; the range
 * is then that one address, which is all the answer honestly says.
 */
function networkRange(body: Json): AddressRange | null {
  if (typeof body.startAddress !== 'string' || typeof body.endAddress !== 'string') return null;
  const start = parseLooseAddress(body.startAddress.slice(0, 64));
  const end = parseLooseAddress(body.endAddress.slice(0, 64));
  if (start === null || end === null || start.includes(':') !== end.includes(':')) return null;
  if (addressValue(start) > addressValue(end)) return null;
  return { start, end };
}

/**
 * The range as prefixes: the cidr0 extension's list when it covers the range exactly (it is the
 * registry's own statement), else computed from the bounds.
 */
function networkCidrs(body: Json, range: AddressRange): string[] {
  const computed = rangeToCidrs(range);
  const list = body.cidr0_cidrs;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ITEMS) return computed;
  const v6 = range.start.includes(':');
  const found: { text: string; range: AddressRange }[] = [];
  let total = 0n;
  for (const item of list) {
    if (!isObject(item)) return computed;
    const prefix = v6 ? item.v6prefix : item.v4prefix;
    const length = item.length;
    if (typeof prefix !== 'string' || typeof length !== 'number' || !Number.isInteger(length)) {
      return computed;
    }
    const r = parseLoosePrefix(`${prefix.slice(0, 64)}/${length}`);
    if (r === null || !rangeContains(range, r.start) || !rangeContains(range, r.end)) {
      return computed;
    }
    found.push({ text: `${r.start}/${length}`, range: r });
    total += rangeSize(r);
  }
  if (total !== rangeSize(range)) return computed;
  found.sort((a, b) => (addressValue(a.range.start) < addressValue(b.range.start) ? -1 : 1));
  return found.map((f) => f.text);
}

/** The origin AS an extension states: ARIN's `arin_originas0_originautnums`, NIC.br's `nicbr_autnum`. */
function originAsn(body: Json): number | null {
  const arin = body.arin_originas0_originautnums;
  if (Array.isArray(arin) && arin.length > 0) return asNumber(arin[0]);
  return asNumber(body.nicbr_autnum);
}

/** An AS number from a JSON number or a string of digits, or null. */
function asNumber(value: unknown): number | null {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && /^\d{1,10}$/.test(value)) n = Number(value);
  else return null;
  return Number.isInteger(n) && n >= 0 && n <= 4294967295 ? n : null;
}

/** An ISO 3166 alpha-2 code in upper case, or null. */
function country(value: unknown): string | null {
  if (typeof value !== 'string' || !/^[A-Za-z]{2}$/.test(value)) return null;
  return value.toUpperCase();
}

/** A short single-line string field, or null when absent or empty. */
function text(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return null;
  const t = plainLine(value, max);
  return t === '' ? null : t;
}

/** The strings of an array, at most `max`. */
function stringList(value: unknown, max: number): string[] {
  if (!Array.isArray(value)) return [];
  return value.slice(0, max).filter((v): v is string => typeof v === 'string');
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function urlHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return plainLine(url, 80);
  }
}
