/**
 * The whois referral chain for one address: ask the first server, follow the referrals the
 * answers give (IANA `refer:`, ARIN `ReferralServer:` whois:// and rwhois://, APNIC towards a
 * national registry) within limits, and combine what the answers say. The transport is a port
 * (`ask`), so this file never opens a socket.
 */
import { isHostName } from '../config/host-port.js';
import { canonicalAddress } from '../core/ip.js';
import { rangeContains, rangeSize } from '../core/ip-range.js';
import type { ChainStep, Contact, Netblock } from '../core/network.js';
import { printable } from '../core/printable.js';
import type { AnswerFinding, Referral, WhoisAsk, WhoisRequest } from './answer-finding.js';
import { extractWhois } from './whois-answer.js';
import {
  firstWhoisServer,
  RWHOIS_PORT,
  serverLabel,
  specialAddressName,
  WHOIS_PORT,
  whoisQueryFor,
} from './whois-servers.js';

/** How to run a chain: the transport, the hop limit, and where to start. */
export interface WhoisChainOptions {
  readonly ask: WhoisAsk;
  /** Questions asked at most (IANA → RIR → NIR or rwhois is 3); default 4. */
  readonly maxHops?: number;
  /** The first server (e.g. `whois.iana.org`); default: IANA's bundled tables. */
  readonly firstServer?: string;
  /** Reads one answer; default extractWhois. Tests of the chain alone pass their own. */
  readonly extract?: (server: string, address: string, text: string) => AnswerFinding;
}

/** What the whois chain found for one address, combined over its answers. */
export interface WhoisResult {
  readonly netblock: Netblock | null;
  readonly contacts: readonly Contact[];
  readonly hints: readonly string[];
  readonly asn: number | null;
  readonly asName: string | null;
  readonly chain: readonly ChainStep[];
  readonly errors: readonly string[];
  readonly limited: string | null;
  /** Per answer, in chain order, for explain and tests. */
  readonly findings: readonly AnswerFinding[];
}

/** The default hop limit: IANA → RIR → NIR/rwhois, plus one for an ERX or stub detour. */
const DEFAULT_MAX_HOPS = 4;

/** The rwhois root: its `%referral` lines point at it, and following them loops or hangs. */
const NEVER_FOLLOWED = new Set(['root.rwhois.net']);

interface Answer {
  readonly request: WhoisRequest;
  readonly finding: AnswerFinding;
}

/**
 * Runs the whois chain for an address and combines the answers: the most specific netblock
 * (a referred answer wins ties), contacts of every answer in chain order (a stub's only when its
 * referral failed), hints, the first origin AS. Never throws: every failure is in `errors`.
 */
export async function lookupWhois(
  address: string,
  options: WhoisChainOptions,
): Promise<WhoisResult> {
  const extract = options.extract ?? extractWhois;
  const maxHops = options.maxHops ?? DEFAULT_MAX_HOPS;
  const chain: ChainStep[] = [];
  const errors: string[] = [];
  const answers: Answer[] = [];

  const addr = canonicalAddress(address);
  if (addr === null)
    return combine(address, [], chain, [`${printable(address.slice(0, 100))}: not an IP address`]);
  const special = specialAddressName(addr);
  if (special !== null)
    return combine(addr, [], chain, [`${addr} is ${special}: no registry holds it`]);

  const first = (options.firstServer ?? firstWhoisServer(addr)).toLowerCase();
  let request: WhoisRequest | null = whoisQueryFor(first, addr);
  const visited = new Set<string>();
  while (request !== null) {
    const key = `${request.server} ${request.port} ${request.query}`;
    if (visited.has(key)) {
      errors.push(
        `${serverLabel(request)} was already asked "${request.query}": referral loop, stopped`,
      );
      break;
    }
    if (chain.length >= maxHops) {
      errors.push(
        `stopped after ${maxHops} questions: referral to ${serverLabel(request)} not followed`,
      );
      break;
    }
    visited.add(key);
    chain.push({ server: serverLabel(request), query: request.query });
    let text: string;
    try {
      text = await options.ask(request);
    } catch (err) {
      // Transport errors name their server; any text an answer put in them is escaped again.
      errors.push(
        printable(err instanceof Error ? err.message : `${serverLabel(request)}: ${String(err)}`),
      );
      break;
    }
    let finding: AnswerFinding;
    try {
      finding = extract(request.server, addr, text);
    } catch (err) {
      errors.push(
        `${serverLabel(request)}: the answer could not be read (${printable(String(err))})`,
      );
      break;
    }
    const asked: WhoisRequest = request;
    answers.push({
      request: asked,
      finding: asked.protocol === 'rwhois' ? asRwhois(finding) : finding,
    });
    request = null;
    const referral = finding.referral;
    if (referral !== null) {
      const refused = refusal(referral);
      if (refused !== null) {
        errors.push(
          `${serverLabel(asked)} refers to ` +
            `${printable(referral.text.slice(0, 200))}: ${refused}; not followed`,
        );
      } else {
        request = {
          ...whoisQueryFor(hostOf(referral), addr),
          protocol: referral.protocol,
          port: referral.port,
        };
      }
    }
  }
  return combine(addr, answers, chain, errors);
}

/** Why a referral must not be followed, or null when it may be. */
function refusal(referral: Referral): string | null {
  const raw = referral.host;
  const literal = canonicalAddress(raw);
  if (literal !== null) {
    const special = specialAddressName(literal);
    return special !== null
      ? `${literal} is ${special}`
      : 'a bare address, not a registry server name';
  }
  const host = hostOf(referral);
  if (!isHostName(host)) return 'not a host name';
  const labels = host.split('.');
  const last = labels[labels.length - 1] ?? '';
  // `127.1`, `0x7f.1` and `2130706433` are host names to the grammar but addresses to resolvers.
  if (/^(?:0x[0-9a-f]*|[0-9]+)$/.test(last)) return 'an address in disguise, not a host name';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'the local host';
  if (NEVER_FOLLOWED.has(host)) return 'the rwhois root, never followed';
  if (referral.port !== WHOIS_PORT && referral.port !== RWHOIS_PORT)
    return `port ${referral.port} is not a whois port (${WHOIS_PORT} or ${RWHOIS_PORT})`;
  return null;
}

/** The referral's host as the endpoints map and the query table know it: lower case, no final dot. */
function hostOf(referral: Referral): string {
  const host = referral.host.toLowerCase();
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/** An rwhois server is the ISP's own record: its structured contacts are `rwhois` level. */
function asRwhois(finding: AnswerFinding): AnswerFinding {
  return {
    ...finding,
    contacts: finding.contacts.map((c) =>
      c.level === 'network' || c.level === 'org' ? { ...c, level: 'rwhois' } : c,
    ),
  };
}

function combine(
  addr: string,
  answers: readonly Answer[],
  chain: readonly ChainStep[],
  errors: string[],
): WhoisResult {
  const kept: Answer[] = [];
  let unresolvedStub: string | null = null;
  answers.forEach((answer, i) => {
    const { finding } = answer;
    // A stub is the other registry's placeholder: its contacts are that registry's own (RIPE
    // NCC's abuse@ripe.net on an ARIN ERX block), never the holder's, so they are never used —
    // mailing them would report an address to a party that cannot act. Its netblock stands only
    // when the registry it points to could not be asked or knew nothing of the address; the
    // answer then counts as limited (cached briefly, asked again later).
    const answered = answers
      .slice(i + 1)
      .some(({ finding: f }) => f.netblock !== null || f.contacts.length > 0);
    if (finding.stub && answered) return;
    if (finding.stub) {
      unresolvedStub =
        `${serverLabel(answer.request)}: the block is held by another registry, which gave ` +
        "nothing; the placeholder's contacts are the registry's own and are not used";
      errors.push(unresolvedStub);
      kept.push({ ...answer, finding: { ...finding, contacts: [] } });
      return;
    }
    kept.push(answer);
  });

  let netblock: Netblock | null = null;
  let best = 0n;
  for (const { finding } of kept) {
    const nb = finding.netblock;
    if (nb === null || !rangeContains(nb, addr)) continue;
    const size = rangeSize(nb);
    if (netblock === null || size <= best) {
      netblock = nb;
      best = size;
    }
  }

  const contacts = kept.flatMap(({ finding }) => finding.contacts);
  const hints: string[] = [];
  for (const { finding } of kept)
    for (const h of finding.hints) if (!hints.includes(h)) hints.push(h);
  const withAsn = kept.find(({ finding }) => finding.asn !== null)?.finding;
  const asName =
    withAsn?.asName ?? kept.find(({ finding }) => finding.asName !== null)?.finding.asName ?? null;
  const limitedAt = answers.find(({ finding }) => finding.limited !== null);
  return {
    netblock,
    contacts,
    hints,
    asn: withAsn?.asn ?? null,
    asName,
    chain,
    errors,
    limited:
      limitedAt === undefined
        ? unresolvedStub
        : `${serverLabel(limitedAt.request)}: ${limitedAt.finding.limited ?? ''}`,
    findings: answers.map(({ finding }) => finding),
  };
}
