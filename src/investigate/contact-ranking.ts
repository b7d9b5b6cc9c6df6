import type { Contact, ContactRole } from '../core/network.js';

/**
 * The order in which contacts are worth mailing, best first:
 * 0 structured abuse contacts of the netblock, its holder or the ISP's rwhois;
 * 1 structured technical, NOC and administrative contacts (and role-less registry entries);
 * 2 the holder's registrant contact;
 * 3 addresses found only in remarks;
 * 4 the origin AS's contacts (abuse first);
 * 5 the registrar's abuse contact, then the unredacted contacts of the PTR's domain;
 * 6 RFC 2142 mailbox guesses (abuse@, security@ of a confirmed domain).
 */
function tier(contact: Contact): number {
  const roles = contact.roles;
  switch (contact.level) {
    case 'guess':
      return 6;
    case 'registrar':
      return 5;
    case 'domain':
      // The PTR domain's own contacts after its registrar's abuse desk: the domain may be the
      // attacker's, the registrar is not.
      return 5.5;
    case 'asn':
      return roles.includes('abuse') ? 4 : 4.5;
    case 'remark':
      return 3;
    default:
      if (!contact.structured) return 3;
      if (roles.includes('abuse')) return 0;
      if (roles.length === 0 || roles.some((r) => OPERATIONAL.has(r))) return 1;
      return 2;
  }
}

const OPERATIONAL: ReadonlySet<ContactRole> = new Set(['technical', 'noc', 'administrative']);

/** Within the operational tier: technical before NOC before administrative before billing. */
function roleOrder(contact: Contact): number {
  const r = contact.roles;
  if (r.includes('abuse')) return 0;
  if (r.includes('technical')) return 1;
  if (r.includes('noc')) return 2;
  if (r.includes('administrative')) return 3;
  if (r.includes('registrar-abuse')) return 4;
  if (r.includes('registrant')) return 5;
  if (r.includes('billing')) return 6;
  return 7;
}

/**
 * Merges contacts from every answer (RDAP, whois hops, ASN, domain) into one ranked list:
 * one entry per address (case-insensitive), with the union of its roles, its best tier, the
 * source that gave it that tier, and `structured` when any source named it in a field.
 * Order: tier, then role, then the order the answers gave them (registries list the holder's
 * abuse contact before the resource's, and that order is kept).
 */
export function rankContacts(contacts: readonly Contact[]): Contact[] {
  interface Entry {
    best: Contact;
    tier: number;
    /** Roles registry fields give the address, and roles only remarks or guesses give it. */
    fieldRoles: Set<ContactRole>;
    otherRoles: Set<ContactRole>;
    first: number;
  }
  const byEmail = new Map<string, Entry>();
  contacts.forEach((c, i) => {
    const key = c.email.toLowerCase();
    const t = tier(c);
    let e = byEmail.get(key);
    if (e === undefined) {
      e = { best: c, tier: t, fieldRoles: new Set(), otherRoles: new Set(), first: i };
      byEmail.set(key, e);
    } else if (t < e.tier) {
      e.best = c;
      e.tier = t;
    }
    for (const r of c.roles) (c.structured ? e.fieldRoles : e.otherRoles).add(r);
  });
  const merged = [...byEmail.values()].map((e) => {
    const structured = e.fieldRoles.size > 0 || (e.best.structured && e.best.level !== 'guess');
    // A remark that mentions "abuse" never turns a technical contact into the abuse contact.
    const roles = [...(structured ? e.fieldRoles : e.otherRoles)];
    const contact: Contact = {
      ...e.best,
      roles: roles.sort((a, b) => ROLE_NAMES.indexOf(a) - ROLE_NAMES.indexOf(b)),
      structured,
    };
    return { contact, tier: e.tier, first: e.first };
  });
  merged.sort(
    (a, b) => a.tier - b.tier || roleOrder(a.contact) - roleOrder(b.contact) || a.first - b.first,
  );
  return merged.map((m) => m.contact);
}

const ROLE_NAMES: readonly ContactRole[] = [
  'abuse',
  'technical',
  'noc',
  'administrative',
  'registrar-abuse',
  'registrant',
  'billing',
  'rfc2142',
];

/** True when the list holds a structured abuse contact of the address's own network or holder. */
export function hasAbuseContact(contacts: readonly Contact[]): boolean {
  return contacts.some((c) => tier(c) === 0);
}
