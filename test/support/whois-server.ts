/**
 * Real whois and rwhois servers on 127.0.0.1 for tests and the benchmark: one TCP server per
 * named registry, answering from ../shared/corpus/whois by (server, query) or behaving badly on
 * purpose. The returned `endpoints` map is what `--whois-host NAME=127.0.0.1:PORT` would give.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { HostPort } from '../../src/config/host-port.js';
import type { WhoisRequest } from '../../src/investigate/answer-finding.js';
import { queryWhois, type WhoisTransportOptions } from '../../src/investigate/whois-client.js';
import { whoisQueryFor } from '../../src/investigate/whois-servers.js';

/** The whois corpus, read at run time (test data, not shipped). */
export const WHOIS_CORPUS = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'corpus',
  'whois',
);

/** How one named test server behaves once it has read a query line. */
export type WhoisBehaviour =
  /** Answers from a table (query → bytes, sent as stored) and closes; unknown queries get "no entries". */
  | { readonly kind: 'answers'; readonly answers: ReadonlyMap<string, Uint8Array> }
  /**
   * Greets with `banner` (the whole line, its line end included), answers from a table, then keeps
   * the connection open as rwhois servers do.
   */
  | {
      readonly kind: 'rwhois';
      readonly banner: string;
      readonly answers: ReadonlyMap<string, Uint8Array>;
    }
  /** Answers what `answer` computes for the query (null: "no entries") and closes. */
  | { readonly kind: 'compute'; readonly answer: (query: string) => Uint8Array | null }
  /** Sends the same bytes to every query. */
  | { readonly kind: 'fixed'; readonly bytes: Uint8Array }
  /** Sends text without end, as fast as the client reads. */
  | { readonly kind: 'endless' }
  /** Sends `bytes` one byte every `intervalMs`. */
  | { readonly kind: 'drip'; readonly bytes: Uint8Array; readonly intervalMs: number }
  /** Reads the query and never answers nor closes. */
  | { readonly kind: 'silent' }
  /** Resets the connection (RST) after reading the query. */
  | { readonly kind: 'reset' };

/** A query one of the test servers received. */
export interface ReceivedQuery {
  readonly server: string;
  readonly query: string;
}

/** Running test servers: where each name is reached, what they were asked, and how to stop them. */
export interface WhoisServerSet {
  readonly endpoints: Map<string, HostPort>;
  readonly log: ReceivedQuery[];
  /** Bytes written to clients, per server name (to show that a capped answer stopped early). */
  readonly bytesSent: Map<string, number>;
  close(): Promise<void>;
}

/** Options for the whole set. */
export interface WhoisServerOptions {
  /** Wait this long before answering each query (the benchmark uses 30 ms). */
  readonly delayMs?: number;
}

const NO_ENTRIES = Buffer.from('%ERROR:101: no entries found\n%\n');
const RWHOIS_NO_OBJECTS = Buffer.from('%error 230 No Objects Found\r\n');
const QUERY_LINE_MAX = 1024;

/** Starts one server per name on 127.0.0.1 (port 0 each); close them with `close()`. */
export async function startWhoisServers(
  behaviours: ReadonlyMap<string, WhoisBehaviour>,
  options: WhoisServerOptions = {},
): Promise<WhoisServerSet> {
  const endpoints = new Map<string, HostPort>();
  const log: ReceivedQuery[] = [];
  const bytesSent = new Map<string, number>();
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const delayMs = options.delayMs ?? 0;
  for (const [name, behaviour] of behaviours) {
    bytesSent.set(name, 0);
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      const send = (bytes: Uint8Array): boolean => {
        bytesSent.set(name, (bytesSent.get(name) ?? 0) + bytes.length);
        return socket.write(bytes);
      };
      if (behaviour.kind === 'rwhois') send(Buffer.from(behaviour.banner, 'latin1'));
      let line = '';
      const onData = (chunk: Buffer): void => {
        line += chunk.toString('latin1');
        const nl = line.indexOf('\n');
        if (nl < 0) {
          if (line.length > QUERY_LINE_MAX) socket.destroy();
          return;
        }
        socket.off('data', onData);
        const query = line.slice(0, nl).replace(/\r$/, '');
        log.push({ server: name, query });
        setTimeout(() => respond(behaviour, query, socket, send), delayMs);
      };
      socket.on('data', onData);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    endpoints.set(name, { host: '127.0.0.1', port: address.port });
    servers.push(server);
  }
  return {
    endpoints,
    log,
    bytesSent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(
        servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
    },
  };
}

function respond(
  behaviour: WhoisBehaviour,
  query: string,
  socket: Socket,
  send: (bytes: Uint8Array) => boolean,
): void {
  if (socket.destroyed) return;
  switch (behaviour.kind) {
    case 'answers':
      send(behaviour.answers.get(query) ?? NO_ENTRIES);
      socket.end();
      return;
    case 'rwhois':
      send(behaviour.answers.get(query) ?? RWHOIS_NO_OBJECTS);
      return;
    case 'compute':
      send(behaviour.answer(query) ?? NO_ENTRIES);
      socket.end();
      return;
    case 'fixed':
      send(behaviour.bytes);
      socket.end();
      return;
    case 'endless': {
      const block = Buffer.from('remarks:        more and more and more\n'.repeat(1600));
      const pump = (): void => {
        while (!socket.destroyed && send(block));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
      return;
    }
    case 'drip': {
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed || i >= behaviour.bytes.length) {
          clearInterval(timer);
          if (!socket.destroyed) socket.end();
          return;
        }
        send(behaviour.bytes.subarray(i, i + 1));
        i++;
      }, behaviour.intervalMs);
      socket.on('close', () => clearInterval(timer));
      return;
    }
    case 'silent':
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
  }
}

/** One whois fixture of the corpus: who answered, for which address, over which protocol. */
export interface WhoisFixture {
  readonly file: string;
  readonly server: string;
  readonly address: string;
  readonly protocol: 'whois' | 'rwhois';
}

/**
 * The IP whois fixtures of INDEX.md. Where the index records no exact address (the Cox and
 * Facebook captures), the network address in the file name stands for one inside the block.
 */
export const WHOIS_FIXTURES: readonly WhoisFixture[] = [
  ['ip-arin-74.125.225.229-google.txt', 'whois.arin.net', '74.125.225.229'],
  ['ip-arin-2001-4860-4860--8888-google-v6.txt', 'whois.arin.net', '2001:4860:4860::8888'],
  ['ip-arin-138.201.14.212-erx-referral-ripe.txt', 'whois.arin.net', '138.201.14.212'],
  ['ip-arin-24.255.128.0-cox-two-nets-EDITED.txt', 'whois.arin.net', '24.255.128.0'],
  ['ip-arin-108.167.149.240-hostgator-rwhois-referral.txt', 'whois.arin.net', '108.167.149.240'],
  ['ip-arin-157.173.209.216-erx-referral-ripe.txt', 'whois.arin.net', '157.173.209.216'],
  ['rwhois-websitewelcome-108.167.149.240.txt', 'rwhois.websitewelcome.com', '108.167.149.240'],
  ['rwhois-softlayer-208.43.132.31.txt', 'rwhois.softlayer.com', '208.43.132.31'],
  ['ip-ripe-62.239.237.1-bt-corporate.txt', 'whois.ripe.net', '62.239.237.1'],
  ['ip-ripe-2a00-2381-ffff--1-bt-v6.txt', 'whois.ripe.net', '2a00:2381:ffff::1'],
  ['ip-ripe-31.13.74.0-facebook-short.txt', 'whois.ripe.net', '31.13.74.0'],
  ['ip-ripe-93.184.216.34-edgecast.txt', 'whois.ripe.net', '93.184.216.34'],
  ['ip-ripe-51.107.8.147-microsoft-legacy.txt', 'whois.ripe.net', '51.107.8.147'],
  ['ip-ripe-82.112.247.12-hostinger-br.txt', 'whois.ripe.net', '82.112.247.12'],
  ['ip-ripe-92.205.169.9-hosteurope-utf8.txt', 'whois.ripe.net', '92.205.169.9'],
  ['ip-ripe-194.164.64.213-hostinger-us.txt', 'whois.ripe.net', '194.164.64.213'],
  ['ip-ripe-157.173.209.216-hostinger-legacy.txt', 'whois.ripe.net', '157.173.209.216'],
  ['ip-apnic-210.107.73.73-boranet-krnic-irt.txt', 'whois.apnic.net', '210.107.73.73'],
  [
    'ip-apnic-2001-240-10c-1--ca20-9d1d-jpnic-iij-v6.txt',
    'whois.apnic.net',
    '2001:240:10c:1::ca20:9d1d',
  ],
  ['ip-lacnic-200.57.141.161-triara.txt', 'whois.lacnic.net', '200.57.141.161'],
  ['ip-lacnic-2801-10-c000---uco-v6.txt', 'whois.lacnic.net', '2801:10:c000::'],
  ['ip-afrinic-196.11.240.215-mtn-no-abuse-contact.txt', 'whois.afrinic.net', '196.11.240.215'],
  ['ip-afrinic-2001-43f8-7b0---tespok-v6.txt', 'whois.afrinic.net', '2001:43f8:7b0::'],
  ['iana-ip-93.184.216.34.txt', 'whois.iana.org', '93.184.216.34'],
].map(([file = '', server = '', address = '']) => ({
  file,
  server,
  address,
  protocol: file.startsWith('rwhois-') ? 'rwhois' : 'whois',
}));

/** The query line our client sends for a fixture (rwhois servers get the bare address). */
export function fixtureQuery(fixture: WhoisFixture): string {
  return fixture.protocol === 'rwhois'
    ? fixture.address
    : whoisQueryFor(fixture.server, fixture.address).query;
}

/** The bytes of a corpus file, as stored (CRLF kept). */
export function corpusBytes(file: string): Buffer {
  return readFileSync(join(WHOIS_CORPUS, file));
}

/**
 * Behaviours serving the whole corpus: every fixture under (its server, the query our client
 * sends for its address); rwhois servers greet with the fixture's own banner line and send the
 * rest. The national registries APNIC may refer to are served too, with no entries.
 */
export function corpusBehaviours(): Map<string, WhoisBehaviour> {
  const tables = new Map<string, Map<string, Uint8Array>>();
  const banners = new Map<string, string>();
  for (const fixture of WHOIS_FIXTURES) {
    let bytes = corpusBytes(fixture.file);
    if (fixture.protocol === 'rwhois') {
      const nl = bytes.indexOf(0x0a);
      banners.set(fixture.server, bytes.subarray(0, nl + 1).toString('latin1'));
      bytes = bytes.subarray(nl + 1);
    }
    const table = tables.get(fixture.server) ?? new Map<string, Uint8Array>();
    table.set(fixtureQuery(fixture), bytes);
    tables.set(fixture.server, table);
  }
  const out = new Map<string, WhoisBehaviour>();
  for (const [server, answers] of tables) {
    const banner = banners.get(server);
    out.set(
      server,
      banner === undefined ? { kind: 'answers', answers } : { kind: 'rwhois', banner, answers },
    );
  }
  for (const nir of ['whois.nic.ad.jp', 'whois.nic.or.kr', 'whois.kisa.or.kr', 'whois.krnic.net'])
    if (!out.has(nir)) out.set(nir, { kind: 'answers', answers: new Map() });
  return out;
}

/**
 * A WhoisAsk over real TCP that only ever reaches the test servers: a request for a name the
 * set does not serve fails at once, so no test can send traffic beyond 127.0.0.1.
 */
export function loopbackAsk(
  set: Pick<WhoisServerSet, 'endpoints'>,
  limits: Partial<Pick<WhoisTransportOptions, 'timeoutMs' | 'maxBytes'>> = {},
): (request: WhoisRequest) => Promise<string> {
  const options: WhoisTransportOptions = {
    timeoutMs: limits.timeoutMs ?? 5000,
    maxBytes: limits.maxBytes ?? 1024 * 1024,
    endpoints: set.endpoints,
    lookup: (host) => Promise.reject(new Error(`${host}: not a test server (no DNS in tests)`)),
  };
  return (request) => {
    if (!set.endpoints.has(request.server))
      return Promise.reject(new Error(`${request.server}: not served in this test`));
    return queryWhois(request, options);
  };
}
