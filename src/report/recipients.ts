import type { Contact, ContactRole, Network } from '../core/network.js';
import { printable } from '../core/printable.js';
import type { Recipient } from '../core/report.js';
import { plainMailbox } from '../core/email.js';

/** Who always or never gets reports, from config `report.alwaysCc` and `report.neverMail`. */
export interface RecipientRules {
  /** Addresses copied on every report. */
  readonly alwaysCc: readonly string[];
  /** Addresses or domains never mailed (`example.net` matches a@example.net and a@mx.example.net). */
  readonly neverMail: readonly string[];
}

/** The recipients of one network's report, and why there are none when there are none. */
export interface RecipientChoice {
  readonly to: readonly Recipient[];
  readonly cc: readonly Recipient[];
  /** Why `to` is empty, for people; null when there is someone to mail. */
  readonly note: string | null;
}

const REGISTRY_LEVELS = new Set(['network', 'org', 'rwhois']);
const OPERATIONAL: readonly ContactRole[] = ['technical', 'noc', 'administrative'];

/**
 * The tiers tried in order (docs/investigation.md, ranking): the first one with a mailable
 * address gives the To list, every address of it.
 */
const TIERS: readonly { readonly name: string; readonly test: (c: Contact) => boolean }[] = [
  {
    name: 'abuse contact',
    test: (c) => c.structured && REGISTRY_LEVELS.has(c.level) && c.roles.includes('abuse'),
  },
  {
    name: 'operational contact',
    test: (c) =>
      c.structured &&
      REGISTRY_LEVELS.has(c.level) &&
      !c.roles.includes('abuse') &&
      (c.roles.length === 0 || c.roles.some((r) => OPERATIONAL.includes(r))),
  },
  {
    name: 'holder contact',
    test: (c) => c.structured && REGISTRY_LEVELS.has(c.level) && !c.roles.includes('abuse'),
  },
  {
    name: 'AS abuse contact',
    test: (c) => c.level === 'asn' && c.structured && c.roles.includes('abuse'),
  },
  { name: 'AS contact', test: (c) => c.level === 'asn' && c.structured },
  {
    name: 'registrar or domain contact',
    test: (c) => (c.level === 'registrar' || c.level === 'domain') && c.structured,
  },
  { name: 'RFC 2142 guess', test: (c) => c.level === 'guess' },
];

/**
 * An address that could not carry a header, a second recipient or a display name: the same
 * plain-mailbox test the message builder applies (plainMailbox), so a report a person approved
 * never fails later on an address the chooser accepted.
 */
function mailable(email: string): boolean {
  return plainMailbox(email) !== null;
}

/** A neverMail test: exact addresses, and domains with their subdomains, case-insensitive. */
function neverMailTest(entries: readonly string[]): (email: string) => boolean {
  const addresses = new Set<string>();
  const domains: string[] = [];
  for (const raw of entries) {
    const e = raw.trim().toLowerCase();
    if (e === '') continue;
    if (e.startsWith('@')) domains.push(e.slice(1));
    else if (e.includes('@')) addresses.add(e);
    else domains.push(e);
  }
  return (email) => {
    const e = email.toLowerCase();
    if (addresses.has(e)) return true;
    const domain = e.slice(e.lastIndexOf('@') + 1);
    return domains.some((d) => domain === d || domain.endsWith('.' + d));
  };
}

/** Where a contact came from, for people: its source, level and roles. */
function describe(c: Contact): string {
  const roles = c.roles.length > 0 ? c.roles.join(', ') : 'no role';
  return printable(`${c.source} (${c.level}: ${roles})`).slice(0, 300);
}

/**
 * Chooses To and Cc for a report about the network's addresses: the structured abuse contacts;
 * when there are none, the structured technical, NOC and administrative contacts; then the
 * holder's other contacts; then the AS's abuse (then other) contacts; then the registrar's and
 * the confirmed domain's contacts; then the RFC 2142 guesses. Addresses found only in remarks
 * are used when nothing else is left, and then only the first that mentions abuse.
 * `neverMail` removes addresses before a tier is chosen (an emptied tier gives way to the
 * next); `alwaysCc` adds copies.
 */
export function chooseRecipients(network: Network | null, rules: RecipientRules): RecipientChoice {
  const barred = neverMailTest(rules.neverMail);
  let to: Recipient[] = [];
  let refused = 0;
  if (network !== null) {
    const candidates = network.contacts.filter((c) => {
      if (!mailable(c.email)) return false;
      if (barred(c.email)) {
        refused++;
        return false;
      }
      // Guesses only stand for a domain the PTR confirmed (investigation adds no others).
      return c.level !== 'guess' || (network.ptrConfirmed && network.domain !== null);
    });
    for (const tier of TIERS) {
      to = unique(candidates.filter(tier.test)).map((c) => ({
        email: c.email,
        kind: 'to' as const,
        source: describe(c),
      }));
      if (to.length > 0) break;
    }
    if (to.length === 0) {
      const remark = candidates.find(
        (c) =>
          (!c.structured || c.level === 'remark') &&
          c.level !== 'guess' &&
          (c.roles.includes('abuse') || /abuse/i.test(c.email)),
      );
      if (remark !== undefined) {
        to = [
          {
            email: remark.email,
            kind: 'to',
            source: `${describe(remark)}, found only in free text: no registry field names a contact`,
          },
        ];
      }
    }
  }
  const taken = new Set(to.map((r) => r.email.toLowerCase()));
  const cc: Recipient[] = [];
  for (const raw of rules.alwaysCc) {
    const email = raw.trim();
    if (!mailable(email) || taken.has(email.toLowerCase())) continue;
    taken.add(email.toLowerCase());
    cc.push({ email, kind: 'cc', source: 'report.alwaysCc' });
  }
  return { to, cc, note: to.length > 0 ? null : noContactNote(network, refused) };
}

function unique(contacts: readonly Contact[]): Contact[] {
  const seen = new Set<string>();
  return contacts.filter((c) => {
    const key = c.email.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function noContactNote(network: Network | null, refused: number): string {
  if (network === null) return 'no contact found (the address has not been investigated)';
  const why: string[] = [];
  if (refused > 0) {
    why.push(`${refused} contact${refused === 1 ? ' is' : 's are'} in report.neverMail`);
  }
  for (const e of network.errors.slice(0, 5)) why.push(printable(e).slice(0, 200));
  if (why.length === 0) why.push('the registries name no e-mail address');
  return `no contact found for ${printable(network.address)} (${why.join('; ')})`;
}

/**
 * The contact a report is grouped and remembered under: the first To address (lower case), else
 * `none:<source>`. The one definition composition and the ledger's dedupe both use.
 */
export function contactKey(choice: { readonly to: readonly Recipient[] }, source: string): string {
  const first = choice.to[0];
  return first !== undefined ? first.email.toLowerCase() : `none:${source}`;
}
