/**
 * One RDAP question over HTTP(S), bounded in every way a hostile or broken server could abuse:
 * a total deadline, a size cap applied while the body streams in, a redirect limit with a loop
 * check, and redirect targets restricted to host names or to the bootstrap's own hosts.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { canonicalAddress } from '../core/ip.js';
import { specialPurpose } from '../core/special-blocks.js';

/** Limits for one RDAP question (including its redirects). */
export interface RdapFetchOptions {
  /** Deadline for the whole question, redirects included. */
  readonly timeoutMs: number;
  /** Largest body accepted (after decompression); the transfer is cut as soon as it is passed. */
  readonly maxBytes: number;
  readonly maxRedirects: number;
  /**
   * Hosts (`host` or `host:port`, as URL.host writes them) trusted as named: the bootstrap's
   * servers. Only these may be address literals or resolve to private or loopback addresses.
   */
  readonly allowedHosts: ReadonlySet<string>;
}

/** An RDAP answer with a JSON body, of any status (RDAP error bodies come with 4xx). */
export interface RdapResponse {
  /** The URL that finally answered. */
  readonly url: string;
  readonly status: number;
  readonly body: unknown;
  /** The URLs redirected to, in order (the first question not included). */
  readonly redirects: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'reportable (abuse contact lookup; RDAP client)';

/**
 * Asks one RDAP URL and resolves to its JSON answer (2xx or an RDAP error body). Rejects with an
 * Error whose message names the host and what went wrong, readable as it stands
 * (`rdap.arin.net: answer larger than 1 MiB`, `rdap.lacnic.net: rate limited (HTTP 429)`).
 */
export async function fetchRdap(url: string, options: RdapFetchOptions): Promise<RdapResponse> {
  const signal = AbortSignal.timeout(Math.max(1, options.timeoutMs));
  const redirects: string[] = [];
  const seen = new Set<string>();
  let current = url;
  for (;;) {
    const target = checkTarget(current, options.allowedHosts);
    if (typeof target === 'string') throw new Error(target);
    seen.add(target.toString());
    const answer = await getOnce(target, options, signal);
    if (answer.kind === 'redirect') {
      const next = resolveLocation(answer.location, target);
      if (next === null) {
        throw new Error(`${target.host}: redirect to an unusable location`);
      }
      if (seen.has(next)) throw new Error(`${target.host}: redirect loop (${next} again)`);
      if (redirects.length >= options.maxRedirects) {
        throw new Error(`${target.host}: more than ${options.maxRedirects} redirects`);
      }
      redirects.push(next);
      current = next;
      continue;
    }
    return { url: target.toString(), status: answer.status, body: answer.body, redirects };
  }
}

/**
 * The readable error an RDAP answer carries, or null for a 2xx answer: the status with the
 * body's errorCode (a number, or a string as APNIC sends it), title and description.
 */
export function rdapErrorText(response: RdapResponse): string | null {
  if (response.status >= 200 && response.status < 300) return null;
  const host = hostOf(response.url);
  const body = response.body;
  const parts: string[] = [`HTTP ${response.status}`];
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const code = b.errorCode;
    if (
      (typeof code === 'number' || typeof code === 'string') &&
      String(code) !== String(response.status)
    ) {
      parts.push(`error ${oneLine(String(code), 16)}`);
    }
    const title = typeof b.title === 'string' ? oneLine(b.title, 120) : '';
    const said =
      Array.isArray(b.description) && typeof b.description[0] === 'string'
        ? oneLine(b.description[0], 200)
        : '';
    if (title !== '' && said !== '') parts.push(`${title}: ${said}`);
    else if (title !== '' || said !== '') parts.push(title || said);
  }
  return `${host}: ${parts.join(' ')}`;
}

type Answer =
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'json'; readonly status: number; readonly body: unknown };

/** The URL when it may be asked, else the reason (with the host) it may not. */
function checkTarget(text: string, allowed: ReadonlySet<string>): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${printableHost(text)}: not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${url.host || url.protocol}: refused a ${url.protocol.replace(':', '')} URL (only http and https)`;
  }
  if (url.username !== '' || url.password !== '')
    return `${url.host}: refused a URL with credentials`;
  if (allowed.has(url.host)) return url;
  const literal = canonicalAddress(url.hostname);
  if (literal !== null) return `${url.host}: refused an address not named by the bootstrap`;
  // A name from outside the bootstrap may only use the standard port (no pivoting to other services).
  if (url.port !== '')
    return `${url.host}: refused a non-standard port on a host outside the bootstrap`;
  return url;
}

/** A Location header resolved against the URL that sent it, or null when it is not a URL. */
function resolveLocation(location: string, base: URL): string | null {
  if (location.length === 0 || location.length > 2048) return null;
  try {
    const next = new URL(location, base);
    next.hash = '';
    return next.toString();
  } catch {
    return null;
  }
}

/**
 * Refuses names that resolve to private, loopback or link-local addresses, so that a redirect
 * to `metadata.evil.example` cannot reach 169.254.169.254 where a literal could not.
 */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err !== null) {
      callback(err, '', 0);
      return;
    }
    const bad = addresses.find(
      (a) => specialPurpose(canonicalAddress(a.address) ?? a.address) !== null,
    );
    if (bad !== undefined || addresses.length === 0) {
      const refused = new Error(
        `${hostname} resolves to ${bad?.address ?? 'nothing'}, not a public address`,
      ) as NodeJS.ErrnoException;
      refused.code = 'EREFUSED_ADDRESS';
      callback(refused, '', 0);
      return;
    }
    if (options.all === true) {
      (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    } else {
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    }
  });
};

/** One GET, without following redirects. */
function getOnce(url: URL, options: RdapFetchOptions, signal: AbortSignal): Promise<Answer> {
  const host = url.host;
  const trusted = options.allowedHosts.has(host);
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const fail = (message: string): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new Error(`${host}: ${message}`));
    };
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(
      url,
      {
        method: 'GET',
        headers: {
          accept: 'application/rdap+json, application/json;q=0.9',
          'accept-encoding': 'gzip, deflate, br',
          'user-agent': USER_AGENT,
        },
        signal,
        agent: false,
        ...(trusted ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          const location = res.headers.location;
          res.resume();
          if (typeof location !== 'string') {
            fail(`HTTP ${status} redirect without a Location`);
            return;
          }
          settled = true;
          req.destroy();
          resolve({ kind: 'redirect', location });
          return;
        }
        if (status === 429) {
          const after = res.headers['retry-after'];
          const wait =
            typeof after === 'string' && /^\d{1,6}$/.test(after) ? `, retry after ${after} s` : '';
          fail(`rate limited (HTTP 429${wait})`);
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) {
          fail(
            `answer larger than ${formatBytes(options.maxBytes)} (declared ${formatBytes(declared)})`,
          );
          return;
        }
        let body: Readable = res;
        const encoding = (res.headers['content-encoding'] ?? 'identity').toLowerCase();
        if (encoding === 'gzip' || encoding === 'x-gzip') body = res.pipe(createGunzip());
        else if (encoding === 'deflate') body = res.pipe(createInflate());
        else if (encoding === 'br') body = res.pipe(createBrotliDecompress());
        else if (encoding !== 'identity') {
          fail(`answer in an unknown encoding (${oneLine(encoding, 32)})`);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        body.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            body.destroy();
            fail(`answer larger than ${formatBytes(options.maxBytes)}`);
            return;
          }
          chunks.push(chunk);
        });
        body.on('error', (err) => fail(describeError(err, options.timeoutMs, signal)));
        res.on('error', (err) => fail(describeError(err, options.timeoutMs, signal)));
        body.on('end', () => {
          if (settled) return;
          const text = Buffer.concat(chunks, size).toString('utf8');
          const type = String(res.headers['content-type'] ?? '').toLowerCase();
          const parsed = parseJson(text);
          if (parsed === undefined) {
            fail(
              looksLikeHtml(type, text)
                ? `answered with HTML (HTTP ${status}), not RDAP`
                : `answer is not JSON (HTTP ${status})`,
            );
            return;
          }
          settled = true;
          resolve({ kind: 'json', status, body: parsed });
        });
      },
    );
    req.on('error', (err) => fail(describeError(err, options.timeoutMs, signal)));
    req.end();
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function looksLikeHtml(type: string, text: string): boolean {
  if (type.includes('html')) return true;
  const head = text.slice(0, 64).trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html') || head.startsWith('<');
}

/** A network error as people read it. */
function describeError(err: unknown, timeoutMs: number, signal: AbortSignal): string {
  if (signal.aborted) return `no complete answer within ${formatMs(timeoutMs)}`;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EREFUSED_ADDRESS') return `refused: ${oneLine(e.message, 200)}`;
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (e.code === 'ECONNRESET') return 'connection reset';
  if (e.code === 'ENOTFOUND') return 'host not found';
  if (e.code === 'ETIMEDOUT') return 'connection timed out';
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') return 'compressed answer is corrupt';
  return oneLine(e.message ?? String(err), 200);
}

/** `1 MiB`, `64 KiB`, or a plain byte count. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return printableHost(url);
  }
}

/** At most `max` characters of a server's text on one line, control characters replaced. */
function oneLine(text: string, max: number): string {
  let out = '';
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text.charCodeAt(i);
    out +=
      c < 32 ||
      (c >= 127 && c < 160) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2066 && c <= 0x2069)
        ? ' '
        : text.charAt(i);
  }
  return out.trim();
}

function printableHost(text: string): string {
  return oneLine(text, 80);
}
