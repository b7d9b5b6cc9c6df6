import type { Contact, Netblock } from '../core/network.js';

/** Where a whois answer says to ask next (ARIN `ReferralServer:`, IANA `refer:`, a registrar). */
export interface Referral {
  readonly protocol: 'whois' | 'rwhois';
  /** The host name (lower case) or address as written; the chain decides whether to follow it. */
  readonly host: string;
  /** The port written in the referral, else 43 (whois) or 4321 (rwhois). */
  readonly port: number;
  /** What the answer told us, for `errors` when the referral is refused. */
  readonly text: string;
}

/**
 * What one answer (a whois text or an RDAP JSON body) says, before answers are combined.
 * Produced by the pure extractors (whois-answer.ts, rdap-answer.ts), consumed by the chain.
 */
export interface AnswerFinding {
  /** The server that answered (named host, not the loopback it may really be reached at). */
  readonly server: string;
  /** The most specific network in the answer that contains the queried address, or null. */
  readonly netblock: Netblock | null;
  /** Contacts in the order the answer gives them; ranking happens later. */
  readonly contacts: readonly Contact[];
  /** URLs from remarks (abuse forms, policies). */
  readonly hints: readonly string[];
  readonly referral: Referral | null;
  /**
   * True when the answer is a placeholder for space held elsewhere (ARIN ERX, APNIC-STUB, RIPE's
   * NON-RIPE-NCC-MANAGED block): its contacts are the registry's own and are used only when the
   * referral cannot be followed.
   */
  readonly stub: boolean;
  /**
   * Set when the server limited or cut its answer (rate limit text, `%ERROR:201`, NIC.br's
   * "does not contain all data"): the absence of contacts then means nothing.
   */
  readonly limited: string | null;
  /** Origin AS found in the answer (ARIN `OriginAS:`, RIPE `origin:` of a route object). */
  readonly asn: number | null;
  readonly asName: string | null;
}

/** One whois question: which named server, over which protocol and port, asking what. */
export interface WhoisRequest {
  /** The named server (`whois.arin.net`); where it is really reached is configuration's business. */
  readonly server: string;
  readonly protocol: 'whois' | 'rwhois';
  /** The named port: 43 for whois, usually 4321 for rwhois. */
  readonly port: number;
  /** The query line as sent, without CRLF (`n + 192.0.2.1`). */
  readonly query: string;
}

/** Sends one whois question and resolves to the decoded answer text; rejects with a readable Error. */
export type WhoisAsk = (request: WhoisRequest) => Promise<string>;

/** A finding that says nothing (yet): the server answered no network and no contact. */
export function emptyFinding(server: string, fields: Partial<AnswerFinding> = {}): AnswerFinding {
  return {
    server,
    netblock: null,
    contacts: [],
    hints: [],
    referral: null,
    stub: false,
    limited: null,
    asn: null,
    asName: null,
    ...fields,
  };
}
