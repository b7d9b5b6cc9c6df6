/**
 * RDAP questions for an address, an AS number or a domain: the bootstrap names the servers,
 * a caller-supplied `get` asks them (with its own rate limits and cache), and the answer is read
 * by rdap-answer.ts. Failures become `errors`, never exceptions.
 */
import type { AnswerFinding } from './answer-finding.js';
import type { ChainStep, Contact } from '../core/network.js';
import { canonicalAddress } from '../core/ip.js';
import type { RdapBootstrap } from './rdap-bootstrap.js';
import { rdapErrorText, type RdapResponse } from './rdap-client.js';
import { extractRdapAutnum, extractRdapDomain, extractRdapNetwork } from './rdap-answer.js';

/** Asks one RDAP URL: the port through which lookups reach the network (fetchRdap, wrapped). */
export type RdapGet = (url: string) => Promise<RdapResponse>;

/** What an RDAP lookup of an address found, the questions it asked, and what went wrong. */
export interface RdapResult {
  readonly finding: AnswerFinding | null;
  readonly chain: ChainStep[];
  readonly errors: string[];
}

/** An RDAP lookup of an AS number. */
export interface RdapAutnumResult {
  readonly asn: number | null;
  readonly asName: string | null;
  readonly contacts: Contact[];
  readonly chain: ChainStep[];
  readonly errors: string[];
}

/** An RDAP lookup of a domain. */
export interface RdapDomainResult {
  readonly contacts: Contact[];
  readonly chain: ChainStep[];
  readonly errors: string[];
}

/**
 * Looks an address up at the RDAP servers the bootstrap names for it, in order (https first),
 * until one gives an answer. Redirects (ARIN's for transferred space) appear in the chain.
 */
export async function lookupRdapNetwork(
  address: string,
  bootstrap: RdapBootstrap,
  get: RdapGet,
): Promise<RdapResult> {
  const addr = canonicalAddress(address);
  if (addr === null) return { finding: null, chain: [], errors: [`not an address: ${address}`] };
  const asked = await ask(bootstrap.ipServers(addr), `ip/${addr}`, get);
  if (asked.response === null) {
    if (asked.chain.length === 0) asked.errors.push(`no RDAP server for ${addr} in the bootstrap`);
    return { finding: null, chain: asked.chain, errors: asked.errors };
  }
  const finding = extractRdapNetwork(asked.response.url, addr, asked.response.body);
  if (finding.limited !== null) {
    asked.errors.push(`${finding.server}: ${finding.limited}`);
  }
  return { finding, chain: asked.chain, errors: asked.errors };
}

/** Looks an AS number up at the RDAP servers the bootstrap names for it. */
export async function lookupRdapAutnum(
  asn: number,
  bootstrap: RdapBootstrap,
  get: RdapGet,
): Promise<RdapAutnumResult> {
  const none = { asn: null, asName: null, contacts: [] };
  if (!Number.isInteger(asn) || asn < 0 || asn > 4294967295) {
    return { ...none, chain: [], errors: [`not an AS number: ${asn}`] };
  }
  const asked = await ask(bootstrap.asnServers(asn), `autnum/${asn}`, get);
  if (asked.response === null) {
    if (asked.chain.length === 0) asked.errors.push(`no RDAP server for AS${asn} in the bootstrap`);
    return { ...none, chain: asked.chain, errors: asked.errors };
  }
  const found = extractRdapAutnum(asked.response.url, asked.response.body);
  if (found.asn !== null && found.asn !== asn) {
    asked.errors.push(`${host(asked.response.url)}: answered for AS${found.asn}, not AS${asn}`);
    return { ...none, chain: asked.chain, errors: asked.errors };
  }
  return { ...found, asn, chain: asked.chain, errors: asked.errors };
}

/** Looks a registered domain up at the RDAP server of its TLD, per the bootstrap. */
export async function lookupRdapDomain(
  domain: string,
  bootstrap: RdapBootstrap,
  get: RdapGet,
): Promise<RdapDomainResult> {
  const name = domain.toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9.-]{1,253}$/.test(name)) {
    return { contacts: [], chain: [], errors: ['not a domain name'] };
  }
  const asked = await ask(bootstrap.domainServers(name), `domain/${name}`, get);
  if (asked.response === null) {
    if (asked.chain.length === 0) asked.errors.push(`no RDAP server for ${name} in the bootstrap`);
    return { contacts: [], chain: asked.chain, errors: asked.errors };
  }
  const found = extractRdapDomain(asked.response.url, asked.response.body);
  return { contacts: found.contacts, chain: asked.chain, errors: asked.errors };
}

interface Asked {
  /** The 2xx answer, or null when no server gave one. */
  readonly response: RdapResponse | null;
  readonly chain: ChainStep[];
  readonly errors: string[];
}

/**
 * Asks `base + path` at each base URL in turn. A failure to get an answer at all (timeout,
 * refused connection, oversized body) moves on to the next URL; an RDAP answer with an error
 * status (404 not found, 400) is the server's word and ends the search, as does a rate limit
 * (asking the same registry over plain http would only add to the load).
 */
async function ask(bases: readonly string[], path: string, get: RdapGet): Promise<Asked> {
  const chain: ChainStep[] = [];
  const errors: string[] = [];
  for (const base of bases) {
    const url = `${base}${path}`;
    chain.push({ server: host(url), query: url });
    let response: RdapResponse;
    try {
      response = await get(url);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      errors.push(message);
      if (message.includes('rate limited')) break;
      continue;
    }
    for (const next of response.redirects) chain.push({ server: host(next), query: next });
    const failure = rdapErrorText(response);
    if (failure === null) return { response, chain, errors };
    errors.push(failure);
    if (response.status < 500) break;
  }
  return { response: null, chain, errors };
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
