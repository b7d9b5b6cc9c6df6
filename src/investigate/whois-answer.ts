/**
 * Reads one whois answer into an AnswerFinding: ARIN (`NetRange:` groups, POC e-mails,
 * `ReferralServer:`), RPSL (RIPE, APNIC, AFRINIC, LACNIC, IANA; see rpsl-objects.ts), rwhois
 * (`network:Attr;I:value`) and the English port-43 forms of JPNIC and KRNIC. Pure: text in,
 * finding out; the chain decides what to ask next. Never throws.
 */
import type { ContactRole, ContactLevel } from '../core/network.js';
import { canonicalAddress } from '../core/ip.js';
import { parseLooseAddress } from '../core/ip-range.js';
import type { AnswerFinding, Referral } from './answer-finding.js';
import { readRpsl } from './rpsl-objects.js';
import type { Attribute, ContactCollector, NetCandidate, WhoisReading } from './whois-text.js';
import {
  allValues,
  answerLines,
  containingNets,
  countryCode,
  describeNets,
  firstValue,
  hasC0,
  isBlank,
  limitedText,
  parseAsn,
  parseNetRange,
  parseReferral,
  serverRegistry,
  splitAttribute,
} from './whois-text.js';

/**
 * Reads one whois or rwhois answer. `server` is the named server that answered (whois.arin.net,
 * whois.ripe.net, whois.apnic.net, whois.lacnic.net, whois.afrinic.net, whois.iana.org, an rwhois
 * host such as rwhois.websitewelcome.com, an NIR such as whois.nic.ad.jp), `address` the
 * canonical address that was asked about.
 */
export function extractWhois(server: string, address: string, text: string): AnswerFinding {
  const host = server.trim().toLowerCase();
  try {
    const lines = answerLines(typeof text === 'string' ? text : '');
    const addr = canonicalAddress(address.trim()) ?? parseLooseAddress(address) ?? '';
    const reading = readAnswer(host, addr, lines);
    return { server: host, ...reading, limited: limitedText(lines) };
  } catch {
    // A reader bug must not take the lookup down: the answer then says nothing.
    return { server: host, ...NOTHING, limited: null };
  }
}

const NOTHING: WhoisReading = {
  netblock: null,
  contacts: [],
  hints: [],
  referral: null,
  stub: false,
  asn: null,
  asName: null,
};

type Format = 'arin' | 'rpsl' | 'rwhois' | 'jpnic' | 'krnic';

/** Picks the reader by content (the first telling line), with the server name as a fallback. */
export function answerFormat(server: string, lines: readonly string[]): Format {
  for (const line of lines) {
    if (line.startsWith('%rwhois ')) return 'rwhois';
    if (line.startsWith('NetRange:')) return 'arin';
    if (line.startsWith('inetnum:') || line.startsWith('inet6num:')) return 'rpsl';
    if (rwhoisAttribute(line)?.cls === 'network') return 'rwhois';
    if (line.includes('[Network Number]')) return 'jpnic';
    if (krnicLabel(line)?.label.startsWith('IPv') === true) return 'krnic';
  }
  if (server.startsWith('rwhois.')) return 'rwhois';
  if (server === 'whois.arin.net') return 'arin';
  return 'rpsl';
}

function readAnswer(server: string, address: string, lines: readonly string[]): WhoisReading {
  switch (answerFormat(server, lines)) {
    case 'arin':
      return readArin(server, address, lines);
    case 'rwhois':
      return readRwhois(server, address, lines);
    case 'jpnic':
      return readJpnic(server, address, lines);
    case 'krnic':
      return readKrnic(server, address, lines);
    case 'rpsl':
      return readRpsl(server, address, lines);
  }
}

// ---------------------------------------------------------------------------------------------
// ARIN

const ARIN_ROLES: Readonly<Record<string, ContactRole>> = {
  Abuse: 'abuse',
  Tech: 'technical',
  NOC: 'noc',
  Admin: 'administrative',
  DNS: 'technical',
  Routing: 'noc',
};

const MAX_GROUP_ATTRS = 2_000;

/** `OrgAbuseEmail` → abuse at org level, `RTechEmail` → technical at network level. */
function arinPoc(key: string): { role: ContactRole; level: ContactLevel } | null {
  if (!key.endsWith('Email')) return null;
  let level: ContactLevel;
  let kind: string;
  if (key.startsWith('Org')) {
    level = 'org';
    kind = key.slice(3, -5);
  } else if (key.startsWith('R')) {
    level = 'network';
    kind = key.slice(1, -5);
  } else {
    return null;
  }
  const role = ARIN_ROLES[kind];
  return role === undefined ? null : { role, level };
}

/**
 * ARIN prints one group per network (framed by `# start`/`# end` when there are several, less
 * specific first): the net, its organisation or customer, the POCs, a `ReferralServer:`.
 */
function readArin(server: string, address: string, lines: readonly string[]): WhoisReading {
  const groups: Attribute[][] = [];
  for (const line of lines) {
    if (line.startsWith('#') || isBlank(line)) continue;
    const attr = splitAttribute(line);
    if (attr === null) continue;
    if (attr.key === 'NetRange') groups.push([]);
    const group = groups[groups.length - 1];
    if (group !== undefined && group.length < MAX_GROUP_ATTRS) group.push(attr);
  }
  const nets: (NetCandidate & { attrs: Attribute[] })[] = [];
  for (const attrs of groups) {
    const range =
      parseNetRange(firstValue(attrs, 'NetRange') ?? '') ??
      parseNetRange(firstValue(attrs, 'CIDR') ?? '');
    if (range === null) continue;
    nets.push({
      attrs,
      range,
      name: firstValue(attrs, 'NetName'),
      handle: firstValue(attrs, 'NetHandle'),
      org:
        firstValue(attrs, 'OrgName') ??
        firstValue(attrs, 'CustName') ??
        firstValue(attrs, 'Organization') ??
        firstValue(attrs, 'Customer'),
      country: countryCode(firstValue(attrs, 'Country')),
      registry: 'arin',
      collect: (into, note) => collectArin(server, attrs, into, note),
    });
  }
  const containing = containingNets(nets, address);
  const best = containing[0];
  if (best === undefined) return NOTHING;
  const netType = (firstValue(best.attrs, 'NetType') ?? '').toLowerCase();
  const stub =
    netType.includes('transferred to') ||
    (netType.startsWith('allocated to ') && !netType.includes('arin'));
  const referrals = allValues(best.attrs, 'ReferralServer');
  const last = referrals[referrals.length - 1];
  const referral: Referral | null =
    last === undefined ? null : parseReferral(last, `ReferralServer: ${last}`);
  return {
    ...describeNets(containing),
    referral: referral !== null && referral.host === server ? null : referral,
    stub,
    asn: parseAsn(firstValue(best.attrs, 'OriginAS')),
    asName: null,
  };
}

/** Adds one ARIN group's POC e-mails (in answer order) and its comments. */
function collectArin(
  server: string,
  attrs: readonly Attribute[],
  into: ContactCollector,
  note: string,
): void {
  for (const attr of attrs) {
    const poc = arinPoc(attr.key);
    if (poc !== null) into.add(attr.value, poc.role, poc.level, `${server} ${attr.key}${note}`);
    else if (attr.key === 'Comment') into.addRemark(attr.value, `${server} Comment${note}`);
  }
}

// ---------------------------------------------------------------------------------------------
// rwhois (RFC 2167)

interface RwhoisAttribute {
  readonly cls: string;
  readonly key: string;
  readonly value: string;
}

/** True for a character of an rwhois class or attribute name. */
function isNameChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95
  );
}

/** True when the whole text is a plain name. */
function isName(text: string): boolean {
  if (text.length === 0 || text.length > 64) return false;
  for (let i = 0; i < text.length; i++) if (!isNameChar(text.charCodeAt(i))) return false;
  return true;
}

/** Reads `network:Tech-Contact;I:value`: class, attribute (the `;I` flag removed), value. */
function rwhoisAttribute(line: string): RwhoisAttribute | null {
  const first = line.indexOf(':');
  if (first <= 0 || first > 64 || hasC0(line)) return null;
  const cls = line.slice(0, first);
  if (!isName(cls)) return null;
  const second = line.indexOf(':', first + 1);
  if (second < 0 || second - first > 65) return null;
  let key = line.slice(first + 1, second);
  const semi = key.indexOf(';');
  if (semi >= 0) key = key.slice(0, semi);
  if (!isName(key)) return null;
  return { cls: cls.toLowerCase(), key, value: line.slice(second + 1).trim() };
}

const RWHOIS_ROLES: Readonly<Record<string, ContactRole>> = {
  'abuse-contact': 'abuse',
  'tech-contact': 'technical',
  'admin-contact': 'administrative',
  'noc-contact': 'noc',
  'billing-contact': 'billing',
};

const MAX_RWHOIS_OBJECTS = 20_000;

/**
 * rwhois: objects separated by blank lines, `%` lines are protocol (banner, `%ok`, `%error`, and
 * `%referral` to the rwhois root, which is never a referral for us). Contacts are e-mails or
 * handles of `contact` objects in the same answer; `Updated-By` is not a contact.
 */
function readRwhois(server: string, address: string, lines: readonly string[]): WhoisReading {
  const objects: { cls: string; attrs: Attribute[] }[] = [];
  let current: { cls: string; attrs: Attribute[] } | null = null;
  for (const line of lines) {
    if (isBlank(line) || line.startsWith('%')) {
      current = null;
      continue;
    }
    const attr = rwhoisAttribute(line);
    if (attr === null) continue;
    if (current === null || current.cls !== attr.cls) {
      if (objects.length >= MAX_RWHOIS_OBJECTS) break;
      current = { cls: attr.cls, attrs: [] };
      objects.push(current);
    }
    if (current.attrs.length < MAX_GROUP_ATTRS)
      current.attrs.push({ key: attr.key, value: attr.value });
  }
  const contactsById = new Map<string, Attribute[]>();
  for (const obj of objects) {
    const id = firstValue(obj.attrs, 'ID');
    if (obj.cls !== 'network' && id !== null && !contactsById.has(id.toUpperCase()))
      contactsById.set(id.toUpperCase(), obj.attrs);
  }
  const nets: NetCandidate[] = [];
  for (const obj of objects) {
    if (obj.cls !== 'network') continue;
    const range =
      parseNetRange(firstValue(obj.attrs, 'IP-Network-Block') ?? '') ??
      parseNetRange(firstValue(obj.attrs, 'IP-Network') ?? '');
    if (range === null) continue;
    const attrs = obj.attrs;
    nets.push({
      range,
      name: firstValue(attrs, 'Network-Name'),
      handle: firstValue(attrs, 'ID'),
      org: firstValue(attrs, 'Organization') ?? firstValue(attrs, 'Org-Name'),
      country: countryCode(firstValue(attrs, 'Country-Code') ?? firstValue(attrs, 'Country')),
      registry: server,
      collect: (into, note) => {
        for (const attr of attrs) {
          const key = attr.key.toLowerCase();
          const role = RWHOIS_ROLES[key];
          if (role !== undefined) {
            const source = `${server} ${attr.key}${note}`;
            into.add(attr.value, role, 'rwhois', source);
            const contact = contactsById.get(attr.value.toUpperCase());
            if (contact !== undefined)
              for (const email of allValues(contact, 'Email'))
                into.add(email, role, 'rwhois', `${source} ${attr.value}`);
          } else if (key === 'comment') {
            into.addRemark(attr.value, `${server} Comment${note}`);
          }
        }
      },
    });
  }
  const containing = containingNets(nets, address);
  return { ...NOTHING, ...describeNets(containing) };
}

// ---------------------------------------------------------------------------------------------
// National registries' own port-43 forms (English output)

/** `a. [Network Number]   133.1.0.0/16` → label and value; null for other lines. */
function bracketField(line: string): { label: string; value: string } | null {
  const open = line.indexOf('[');
  const close = line.indexOf(']');
  if (open < 0 || close < open || open > 8 || hasC0(line)) return null;
  return { label: line.slice(open + 1, close).trim(), value: line.slice(close + 1).trim() };
}

/** JPNIC (`whois.nic.ad.jp`, query with `/e`): one network in `[Label] value` lines. */
function readJpnic(server: string, address: string, lines: readonly string[]): WhoisReading {
  const fields: { label: string; value: string }[] = [];
  for (const line of lines) {
    const f = bracketField(line);
    if (f !== null && f.value.length > 0) fields.push(f);
  }
  const get = (label: string): string | null =>
    fields.find((f) => f.label.toLowerCase() === label)?.value ?? null;
  const range = parseNetRange(get('network number') ?? '');
  if (range === null) return NOTHING;
  const net: NetCandidate = {
    range,
    name: get('network name'),
    handle: null,
    org: get('organization'),
    country: null,
    registry: serverRegistry(server),
    collect: (into, note) => {
      for (const f of fields) {
        const label = f.label.toLowerCase();
        if (label.includes('mail'))
          into.add(
            f.value,
            label.includes('abuse') ? 'abuse' : 'technical',
            'network',
            `${server} [${f.label}]${note}`,
          );
      }
    },
  };
  return { ...NOTHING, ...describeNets(containingNets([net], address)) };
}

/** `IPv4 Address       : 115.1.2.0 - 115.1.2.63 (/26)` → label and value, else null. */
function krnicLabel(line: string): { label: string; value: string } | null {
  const colon = line.indexOf(' : ');
  if (colon <= 0 || colon > 40 || hasC0(line)) return null;
  const label = line.slice(0, colon).trim();
  if (!KRNIC_FIELDS.has(label)) return null;
  return { label, value: line.slice(colon + 3).trim() };
}

/** The KRNIC English labels this reader uses. */
const KRNIC_FIELDS: ReadonlySet<string> = new Set([
  'IPv4 Address',
  'IPv6 Address',
  'Organization Name',
  'Service Name',
  'Network Type',
  'E-Mail',
]);

/**
 * KRNIC (`whois.nic.or.kr`): the English part (after `# ENGLISH` when both languages are sent)
 * lists the allocation, then the more specific assignment, each with its contact e-mail.
 */
function readKrnic(server: string, address: string, lines: readonly string[]): WhoisReading {
  const english = lines.findIndex((l) => l.trim() === '# ENGLISH');
  const groups: { range: NonNullable<ReturnType<typeof parseNetRange>>; fields: Attribute[] }[] =
    [];
  for (const line of english >= 0 ? lines.slice(english) : lines) {
    const f = krnicLabel(line);
    if (f === null) continue;
    if (f.label === 'IPv4 Address' || f.label === 'IPv6 Address') {
      const paren = f.value.indexOf('(');
      const range = parseNetRange(paren >= 0 ? f.value.slice(0, paren) : f.value);
      if (range !== null) groups.push({ range, fields: [] });
      continue;
    }
    groups[groups.length - 1]?.fields.push({ key: f.label, value: f.value });
  }
  const nets: NetCandidate[] = groups.map((g) => ({
    range: g.range,
    name: firstValue(g.fields, 'Service Name'),
    handle: null,
    org: firstValue(g.fields, 'Organization Name'),
    country: null,
    registry: serverRegistry(server),
    collect: (into, note) => {
      for (const email of allValues(g.fields, 'E-Mail'))
        into.add(email, 'technical', 'network', `${server} E-Mail${note}`);
    },
  }));
  return { ...NOTHING, ...describeNets(containingNets(nets, address)) };
}
