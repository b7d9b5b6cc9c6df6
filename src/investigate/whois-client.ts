/**
 * Our own whois transport (RFC 3912) with rwhois (RFC 2167): one question per connection, every
 * answer bounded in time and size, decoded without losing bytes. Where a named server is really
 * reached is configuration's business (`endpoints`, from `--whois-host NAME=HOST:PORT`).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import type { HostPort } from '../config/host-port.js';
import { ExternalError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip.js';
import { printable } from '../core/printable.js';
import type { WhoisRequest } from './answer-finding.js';
import { serverLabel, specialAddressName, whoisCharsetFor } from './whois-servers.js';

/** How whois questions are carried: limits, and where each named server is really reached. */
export interface WhoisTransportOptions {
  /** The whole exchange (name lookup, connection, answer) must finish within this. */
  readonly timeoutMs: number;
  /** An answer over this many bytes is an error; no more than this is ever buffered. */
  readonly maxBytes: number;
  /** Named server → where it is really reached; absent → the name and the request's port. */
  readonly endpoints: ReadonlyMap<string, HostPort>;
  /** Resolves a host name to addresses (default: the system resolver); tests replace it. */
  readonly lookup?: (host: string) => Promise<readonly string[]>;
}

/** How long an rwhois server may stay silent before we ask without waiting for its banner. */
const RWHOIS_GREETING_MS = 2000;
/** An rwhois answer that has started and then stops this long is taken as complete. */
const RWHOIS_IDLE_MS = 2000;
/** A line longer than this is not a status line (`%ok`, `%error …`), so it need not be kept. */
const STATUS_LINE_MAX = 512;

/**
 * Asks one question and resolves to the decoded answer. Rejects with an ExternalError naming the
 * server: no answer in time, answer too large, connection refused or reset, unknown host name,
 * a name that resolves to a private or loopback address (only `endpoints` may point there).
 */
export async function queryWhois(
  request: WhoisRequest,
  options: WhoisTransportOptions,
): Promise<string> {
  const name = serverLabel(request);
  const mapped = options.endpoints.get(request.server);
  const target: HostPort = mapped ?? { host: request.server, port: request.port };
  const deadline = Date.now() + options.timeoutMs;
  const host = mapped === undefined ? await publicAddress(name, target.host, options) : target.host;
  const remaining = deadline - Date.now();
  if (remaining <= 0)
    throw new ExternalError(`${name}: no answer within ${seconds(options.timeoutMs)}`);
  const bytes = await exchange(request, name, { host, port: target.port }, remaining, options);
  return decodeWhois(request.server, bytes);
}

/**
 * Decodes an answer: UTF-8 when the bytes are valid UTF-8, else the server's own charset
 * (ISO-2022-JP at JPNIC, tried first there because its escape sequences are also valid ASCII),
 * else Latin-1, which maps every byte to a character, so nothing is dropped.
 */
export function decodeWhois(server: string, bytes: Uint8Array): string {
  const charset = whoisCharsetFor(server);
  if (charset === 'iso-2022-jp' && bytes.includes(0x1b)) {
    try {
      return new TextDecoder('iso-2022-jp', { fatal: true }).decode(bytes);
    } catch {
      // not ISO-2022-JP after all; try the others
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}

/**
 * The address to connect to for a host that `endpoints` does not map: a public address as it
 * stands, else the first public address the name resolves to. A name that resolves only to
 * private, loopback or other special addresses is refused: an answer must not steer us inside.
 */
async function publicAddress(
  name: string,
  host: string,
  options: WhoisTransportOptions,
): Promise<string> {
  const literal = canonicalAddress(host);
  if (literal !== null) {
    const special = specialAddressName(literal);
    if (special !== null) throw new ExternalError(`${name}: ${literal} is ${special}; not asked`);
    return literal;
  }
  let addresses: readonly string[];
  try {
    const resolve = options.lookup ?? defaultLookup;
    addresses = await withTimeout(resolve(host), options.timeoutMs);
  } catch (err) {
    throw new ExternalError(`${name}: ${networkProblem(err, options.timeoutMs)}`, { cause: err });
  }
  for (const a of addresses) {
    const addr = canonicalAddress(a);
    if (addr !== null && specialAddressName(addr) === null) return addr;
  }
  const first = addresses[0];
  const why =
    first === undefined
      ? 'has no address'
      : `resolves to ${first} (${specialAddressName(canonicalAddress(first) ?? first) ?? 'not an address'})`;
  throw new ExternalError(`${name}: ${host} ${why}; not asked`);
}

async function defaultLookup(host: string): Promise<string[]> {
  const found = await dnsLookup(host, { all: true, verbatim: true });
  return found.map((f) => f.address);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new Error('timeout') as Error & { code: string };
      err.code = 'ETIMEDOUT';
      reject(err);
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * One connection: whois sends the query at once and reads to EOF; rwhois waits for the banner
 * (or sends after a short silence, for servers that do not greet), then reads until a `%ok` or
 * `%error` line and closes without a word more.
 */
function exchange(
  request: WhoisRequest,
  name: string,
  target: HostPort,
  timeoutMs: number,
  options: WhoisTransportOptions,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const rwhois = request.protocol === 'rwhois';
    const chunks: Buffer[] = [];
    let size = 0;
    let connected = false;
    let asked = false;
    let settled = false;
    let carry = '';
    let greeting: NodeJS.Timeout | null = null;
    let idle: NodeJS.Timeout | null = null;

    const socket: Socket = connect({ host: target.host, port: target.port, noDelay: true });

    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(whole);
      if (greeting !== null) clearTimeout(greeting);
      if (idle !== null) clearTimeout(idle);
      socket.destroy();
      if (err !== null) reject(err);
      else if (size === 0)
        reject(new ExternalError(`${name}: closed the connection without answering`));
      else resolve(Buffer.concat(chunks, size));
    };

    const whole = setTimeout(() => {
      const what = !connected
        ? `no connection within ${seconds(timeoutMs)}`
        : size === 0
          ? `no answer within ${seconds(timeoutMs)}`
          : `answer not complete within ${seconds(timeoutMs)} (${size} bytes received)`;
      finish(new ExternalError(`${name}: ${what}`));
    }, timeoutMs);

    const ask = (): void => {
      if (asked || settled) return;
      asked = true;
      carry = '';
      if (greeting !== null) clearTimeout(greeting);
      socket.write(`${request.query}\r\n`);
    };

    socket.on('connect', () => {
      connected = true;
      if (!rwhois) ask();
      else greeting = setTimeout(ask, Math.min(RWHOIS_GREETING_MS, timeoutMs / 4));
    });

    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (size + chunk.length > options.maxBytes) {
        finish(new ExternalError(`${name}: answer larger than ${options.maxBytes} bytes`));
        return;
      }
      chunks.push(chunk);
      size += chunk.length;
      if (!rwhois) return;
      // Status lines are ASCII; decoding a chunk as Latin-1 keeps byte positions and never fails.
      const lines = (carry + chunk.toString('latin1')).split('\n');
      carry = (lines.pop() ?? '').slice(-STATUS_LINE_MAX);
      for (const raw of lines) {
        const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
        if (!asked) {
          if (line.startsWith('%error')) {
            finish(new ExternalError(`${name}: refused: ${printable(line.slice(0, 200))}`));
            return;
          }
          ask();
          return;
        }
        if (line === '%ok' || line.startsWith('%error 230')) {
          finish(null);
          return;
        }
        if (line.startsWith('%error')) {
          finish(new ExternalError(`${name}: ${printable(line.slice(0, 200))}`));
          return;
        }
      }
      if (asked) {
        if (idle !== null) clearTimeout(idle);
        idle = setTimeout(() => finish(null), Math.min(RWHOIS_IDLE_MS, timeoutMs / 4));
      }
    });

    socket.on('end', () => finish(null));
    socket.on('close', () => finish(null));
    socket.on('error', (err) => {
      finish(new ExternalError(`${name}: ${networkProblem(err, timeoutMs)}`, { cause: err }));
    });
  });
}

/** A network failure in words, without the loopback address it may really have been. */
function networkProblem(err: unknown, timeoutMs: number): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset by the server';
    case 'ENOTFOUND':
    case 'ENODATA':
      return 'host name not found';
    case 'EAI_AGAIN':
      return 'host name lookup failed (DNS unreachable?)';
    case 'ETIMEDOUT':
      return `no answer within ${seconds(timeoutMs)}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err instanceof Error ? printable(err.message) : 'connection failed';
  }
}

/** `10 s`, `0.5 s`. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
