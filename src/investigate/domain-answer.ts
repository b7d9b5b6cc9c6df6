/**
 * Reads one domain whois answer (a registry's or a registrar's, in the ICANN `Key: value`
 * layout): the registrar it refers to, the registrar's abuse contact, and the registrant,
 * administrative, technical and billing e-mails that are not redacted. Pure: text in, finding out.
 *
 * Only e-mail fields are read. An address in a street, a name or a remark is not a contact
 * (MarkMonitor writes "Please contact contact-admin@google.com" into `Registrant Street:`).
 */
import type { Contact, ContactLevel, ContactRole } from '../core/network.js';
import { isHostName } from '../config/host-port.js';
import { canonicalAddress } from '../core/ip.js';
import { printable } from '../core/printable.js';
import { findEmails } from '../core/email.js';
import { hasC0 } from './whois-text.js';

/** What one domain whois answer says. */
export interface DomainFinding {
  /** The next whois server (lower-case host name, port 43), or null: none, itself, or refused. */
  readonly registrarServer: string | null;
  /** Registrar abuse first, then registrant, administrative, technical, billing; merged per address. */
  readonly contacts: readonly Contact[];
  /** The server's rate-limit or refusal text when it limited its answer, else null. */
  readonly limited: string | null;
  /** Why a `Registrar WHOIS Server:` referral was not taken (an address, a port, junk), else null. */
  readonly refusedReferral: string | null;
}

/** Answers longer than this are read only this far (real ones are under 10 KiB). */
const MAX_TEXT = 256 * 1024;

/** E-mail fields and the role they give; keys are lower case with single spaces. */
const EMAIL_FIELDS: ReadonlyMap<string, ContactRole> = new Map([
  ['registrar abuse contact email', 'registrar-abuse'],
  ['registrant email', 'registrant'],
  ['registrant contact email', 'registrant'],
  ['admin email', 'administrative'],
  ['admin contact email', 'administrative'],
  ['administrative contact email', 'administrative'],
  ['tech email', 'technical'],
  ['tech contact email', 'technical'],
  ['technical contact email', 'technical'],
  ['billing email', 'billing'],
  ['billing contact email', 'billing'],
]);

/** The contact block a `Registrant Name:`-style key belongs to (for privacy-service names). */
const BLOCK_OF_KEY: readonly (readonly [string, ContactRole])[] = [
  ['registrant', 'registrant'],
  ['admin', 'administrative'],
  ['tech', 'technical'],
  ['billing', 'billing'],
];

/** Field values that stand for "hidden": GDPR redaction, RDDS pointers, privacy services. */
const REDACTED =
  /redacted|not disclosed|non-public|withheld|privacy|proxy|protected|gdpr|masked|rdds|query the|contact the registrar|data protection|not available|identity shield/i;

/** Mail domains of privacy/proxy services: their addresses forward to nobody who acts on abuse. */
const PROXY_DOMAINS = new Set([
  'withheldforprivacy.com',
  'domainsbyproxy.com',
  'whoisguard.com',
  'privacyguardian.org',
  'contactprivacy.com',
  'privacyprotect.org',
  'whoisprivacyprotect.com',
  'domainprivacygroup.com',
  'proxy.dreamhost.com',
  'anonymize.com',
  'identity-protect.org',
  'whoisprotection.cc',
  'njalla.no',
  'privacy-link.com',
  'perfectprivacy.com',
  'dataprotected.net',
]);

/** Phrases registries and registrars answer with when they rate-limit or refuse a client. */
const LIMIT_TEXTS = [
  'limit exceeded',
  'rate limit',
  'too many',
  'too fast',
  'try again later',
  'number of allowed queries exceeded',
  'requests of this client are not permitted',
  'unable to process your request at this time',
  'connection limit',
  'access denied',
  'was **denied**',
  'quota exceeded',
] as const;

/**
 * Extracts the finding from one answer of `server` about `domain`. When the answer holds several
 * records (old Verisign answers listed name servers whose names merely contain the domain, like
 * `GOOGLE.COM.EVIL.EXAMPLE`), only fields under a `Domain Name:` equal to `domain` are read; an
 * answer without `Domain Name:` is read whole.
 */
export function extractDomainWhois(server: string, domain: string, text: string): DomainFinding {
  const self = server.toLowerCase();
  const wanted = domain.toLowerCase().replace(/\.$/, '');
  const body = text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
  const contacts: Contact[] = [];
  const hidden = new Set<ContactRole>();
  let registrarServer: string | null = null;
  let refusedReferral: string | null = null;
  let limited: string | null = null;
  let inRecord = true;
  let sawDomain = false;

  for (const rawLine of body.split('\n')) {
    const line = rawLine.trim();
    if (line.length === 0) continue;
    if (limited === null && isLimitText(line)) limited = clip(line);
    const colon = line.indexOf(':');
    if (colon <= 0 || colon > 64) continue;
    const key = line.slice(0, colon).trim().toLowerCase().split(/\s+/).join(' ');
    const value = line.slice(colon + 1).trim();
    if (key === 'domain name') {
      sawDomain = true;
      inRecord = value.toLowerCase().replace(/\.$/, '') === wanted;
      continue;
    }
    if (!inRecord) continue;

    if (key === 'registrar whois server') {
      if (value === '' || registrarServer !== null || refusedReferral !== null) continue;
      const host = referralHost(value);
      if (typeof host === 'object') refusedReferral = `${self}: ${host.refused}`;
      else if (host !== self) registrarServer = host;
      continue;
    }
    const block = blockOf(key);
    if (block !== null && (key.endsWith(' name') || key.endsWith(' organization'))) {
      if (REDACTED.test(value)) hidden.add(block);
      continue;
    }
    const role = EMAIL_FIELDS.get(key);
    if (role === undefined) continue;
    // A control character inside a contact field is an injection attempt: no contact from it
    // (as the IP whois readers drop such lines, hasC0).
    if (hasC0(line)) continue;
    if (role !== 'registrar-abuse' && hidden.has(role)) continue;
    const email = fieldEmail(value);
    if (email === null) continue;
    const level: ContactLevel = role === 'registrar-abuse' ? 'registrar' : 'domain';
    addContact(contacts, {
      email,
      roles: [role],
      source: `${self} ${line.slice(0, colon).trim()}`,
      structured: true,
      level,
    });
  }
  // Terms of use mention rate limits too; only an answer without data is a limited one.
  const data = sawDomain || contacts.length > 0 || registrarServer !== null;
  return { registrarServer, contacts, limited: data ? null : limited, refusedReferral };
}

/** The contact block (`registrant`, …) a key such as `Registrant Organization` belongs to. */
function blockOf(key: string): ContactRole | null {
  for (const [prefix, role] of BLOCK_OF_KEY) if (key.startsWith(`${prefix} `)) return role;
  return null;
}

/**
 * The one address an e-mail field holds, de-obfuscated (`abuse[at]example.net`), or null when
 * the field is empty, redacted, a URL (a web form standing in for the address), holds several
 * addresses, or names a privacy/proxy service.
 */
function fieldEmail(value: string): string | null {
  if (value === '' || value.includes('://') || value.toLowerCase().startsWith('www.')) return null;
  if (REDACTED.test(value)) return null;
  const found = findEmails(value);
  if (found.length !== 1) return null;
  const email = found[0] ?? '';
  const host = email.slice(email.indexOf('@') + 1);
  if (PROXY_DOMAINS.has(host)) return null;
  for (const proxy of PROXY_DOMAINS) if (host.endsWith(`.${proxy}`)) return null;
  return email;
}

/**
 * The referral host of a `Registrar WHOIS Server:` value, lower case, or why it is refused: it
 * must be a host name (not an address, so a referral cannot aim at loopback or a private
 * network by number), optionally written `whois://host` or `host:43`, and only on port 43.
 */
function referralHost(value: string): string | { refused: string } {
  let v = value.toLowerCase();
  if (v.startsWith('whois://')) v = v.slice(8);
  if (v.endsWith('/')) v = v.slice(0, -1);
  const refuse = (why: string) => ({
    refused: `registrar referral "${clip(value)}" refused: ${why}`,
  });
  if (v.includes('/')) return refuse('not a host name');
  if (v.startsWith('[') || canonicalAddress(v) !== null)
    return refuse('an address, not a host name');
  const colon = v.indexOf(':');
  if (colon >= 0) {
    if (v.slice(colon + 1) !== '43') return refuse('only port 43 is followed');
    v = v.slice(0, colon);
  }
  if (v.endsWith('.')) v = v.slice(0, -1);
  if (!isHostName(v) || !v.includes('.')) return refuse('not a host name');
  if (canonicalAddress(v) !== null || /^[0-9.]+$/.test(v))
    return refuse('an address, not a host name');
  return v;
}

/**
 * Adds a contact to a list, merging its roles into an earlier contact with the same address and
 * level (the first source is kept), and keeps registrar-level contacts ahead of domain-level ones.
 */
export function addContact(contacts: Contact[], c: Contact): void {
  const key = c.email.toLowerCase();
  const i = contacts.findIndex((x) => x.email.toLowerCase() === key && x.level === c.level);
  const prior = contacts[i];
  if (prior === undefined) {
    // Bounded, as the IP whois collector is: a hostile answer cannot grow the list (or the
    // search above) without end.
    if (contacts.length >= MAX_DOMAIN_CONTACTS) return;
    if (c.level !== 'registrar') contacts.push(c);
    else {
      const firstOther = contacts.findIndex((x) => x.level !== 'registrar');
      contacts.splice(firstOther < 0 ? contacts.length : firstOther, 0, c);
    }
    return;
  }
  const roles = [...prior.roles];
  for (const r of c.roles) if (!roles.includes(r)) roles.push(r);
  contacts[i] = { ...prior, roles };
}

/** At most this many contacts from one domain whois answer (a real one has a handful). */
const MAX_DOMAIN_CONTACTS = 64;

function isLimitText(line: string): boolean {
  if (line.length > 300) return false;
  const lower = line.toLowerCase();
  return LIMIT_TEXTS.some((t) => lower.includes(t));
}

function clip(text: string): string {
  return printable(text.length > 160 ? `${text.slice(0, 160)}…` : text);
}
