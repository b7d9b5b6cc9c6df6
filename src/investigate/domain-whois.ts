/**
 * Domain whois for the registered domain of a forward-confirmed PTR: the registry, then the
 * registrar it names (thin registries such as Verisign's .com/.net keep only the registrar), and
 * the RFC 2142 mailboxes of the domain as the last, guessed candidates.
 */
import type { ChainStep, Contact } from '../core/network.js';
import { isHostName } from '../config/host-port.js';
import { printable } from '../core/printable.js';
import type { WhoisAsk } from './answer-finding.js';
import { addContact, extractDomainWhois } from './domain-answer.js';

/** What the domain's registry and registrar said, and the questions asked on the way. */
export interface DomainWhoisResult {
  /** Registrar abuse first, then unredacted registrant/administrative/technical/billing. */
  readonly contacts: readonly Contact[];
  readonly chain: readonly ChainStep[];
  /** Failed or refused steps, printable. */
  readonly errors: readonly string[];
}

/** Registry whois servers of common TLDs; the rest are looked up at IANA. */
const REGISTRY_SERVERS: ReadonlyMap<string, string> = new Map([
  ['com', 'whois.verisign-grs.com'],
  ['net', 'whois.verisign-grs.com'],
  ['org', 'whois.pir.org'],
  ['edu', 'whois.educause.edu'],
  ['biz', 'whois.nic.biz'],
  ['name', 'whois.nic.name'],
  ['cc', 'ccwhois.verisign-grs.com'],
  ['tv', 'whois.nic.tv'],
  ['io', 'whois.nic.io'],
  ['co', 'whois.registry.co'],
  ['us', 'whois.nic.us'],
  ['uk', 'whois.nic.uk'],
  ['de', 'whois.denic.de'],
  ['fr', 'whois.nic.fr'],
  ['nl', 'whois.domain-registry.nl'],
  ['eu', 'whois.eu'],
  ['it', 'whois.nic.it'],
  ['ch', 'whois.nic.ch'],
  ['se', 'whois.iis.se'],
  ['pl', 'whois.dns.pl'],
  ['ru', 'whois.tcinet.ru'],
  ['br', 'whois.registro.br'],
  ['jp', 'whois.jprs.jp'],
  ['cn', 'whois.cnnic.cn'],
  ['au', 'whois.auda.org.au'],
  ['ca', 'whois.cira.ca'],
]);

/** Verisign's servers match name-server host names too unless asked `domain NAME`. */
const DOMAIN_KEYWORD_SERVERS = new Set(['whois.verisign-grs.com', 'ccwhois.verisign-grs.com']);

/** IANA's whois, which names the registry server of every TLD (`whois:`). */
const IANA = 'whois.iana.org';

/** Whois answers read per domain, registry and registrar included (IANA not counted). */
const MAX_HOPS = 3;

/**
 * The registry whois server for the domain's TLD from a small built-in table (the legacy gTLDs
 * and large ccTLDs), or null: then lookupDomainWhois asks IANA (`whois:` of the TLD), which is
 * authoritative for every TLD. `whois.nic.<tld>` is not guessed: ccTLDs do not follow it, and
 * gTLD registries have begun to retire port 43 since RDAP became the required service (2025).
 */
export function domainWhoisServer(domain: string): string | null {
  const name = domain.toLowerCase().replace(/\.$/, '');
  const tld = name.slice(name.lastIndexOf('.') + 1);
  return REGISTRY_SERVERS.get(tld) ?? null;
}

/**
 * Asks the registry, then each registrar named by `Registrar WHOIS Server:` (lower-cased host
 * names on port 43, never an address), stopping when an answer names its own server, a server
 * already asked, no server, or after three answers. Contacts are merged across answers (the
 * registry and the registrar both give the registrar abuse address; the first source is kept).
 * Rate-limit answers and failed questions are recorded in `errors`. Never throws.
 */
export async function lookupDomainWhois(domain: string, ask: WhoisAsk): Promise<DomainWhoisResult> {
  const chain: ChainStep[] = [];
  const errors: string[] = [];
  const contacts: Contact[] = [];
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (!isHostName(name) || !name.includes('.')) {
    return { contacts, chain, errors: [`not a domain name: ${clip(domain)}`] };
  }

  const asked = async (server: string, query: string): Promise<string | null> => {
    chain.push({ server, query });
    try {
      return await ask({ server, protocol: 'whois', port: 43, query });
    } catch (error) {
      errors.push(
        `${server} (${query}): ${clip(error instanceof Error ? error.message : String(error))}`,
      );
      return null;
    }
  };

  let server = domainWhoisServer(name);
  if (server === null) {
    const tld = name.slice(name.lastIndexOf('.') + 1);
    const answer = await asked(IANA, tld);
    if (answer === null) return { contacts, chain, errors };
    server = ianaWhoisServer(answer);
    if (server === null) {
      errors.push(`${IANA}: no whois server for .${tld}`);
      return { contacts, chain, errors };
    }
  }

  const visited = new Set<string>();
  for (let hop = 0; server !== null; hop++) {
    if (hop >= MAX_HOPS) {
      errors.push(`domain whois for ${name}: stopped after ${MAX_HOPS} servers (next: ${server})`);
      break;
    }
    visited.add(server);
    const query = DOMAIN_KEYWORD_SERVERS.has(server) ? `domain ${name}` : name;
    const answer = await asked(server, query);
    if (answer === null) break;
    const finding = extractDomainWhois(server, name, answer);
    for (const c of finding.contacts) addContact(contacts, c);
    if (finding.limited !== null) {
      errors.push(`${server} limited its answer: ${finding.limited}`);
      break;
    }
    if (finding.refusedReferral !== null) errors.push(finding.refusedReferral);
    const next = finding.registrarServer;
    if (next !== null && visited.has(next)) {
      errors.push(`${server}: referral loop back to ${next}, not followed`);
      break;
    }
    server = next;
  }
  return { contacts, chain, errors };
}

/** The RFC 2142 mailboxes (`abuse@`, `security@`) of a domain: guesses, ranked last. */
export function rfc2142Contacts(domain: string): Contact[] {
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (!isHostName(name) || !name.includes('.')) return [];
  return ['abuse', 'security'].map((local) => ({
    email: `${local}@${name}`,
    roles: ['rfc2142'],
    source: 'RFC 2142',
    structured: false,
    level: 'guess',
  }));
}

/** The `whois:` server of an IANA TLD answer (`refer:` as a fallback), if it is a host name. */
export function ianaWhoisServer(text: string): string | null {
  let refer: string | null = null;
  for (const raw of text.slice(0, 64 * 1024).split('\n')) {
    const line = raw.trim();
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line
      .slice(colon + 1)
      .trim()
      .toLowerCase();
    if (key !== 'whois' && key !== 'refer') continue;
    if (!isHostName(value) || !value.includes('.') || /^[0-9.]+$/.test(value)) continue;
    if (key === 'whois') return value.replace(/\.$/, '');
    refer ??= value.replace(/\.$/, '');
  }
  return refer;
}

function clip(text: string): string {
  return printable(text.length > 200 ? `${text.slice(0, 200)}…` : text);
}
