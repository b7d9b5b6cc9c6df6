import { readFile } from 'node:fs/promises';
import type { WriteStream } from 'node:tty';
import type { Command } from 'commander';
import type { Config } from '../config/config-schema.js';
import { isHostName, parseHostPort } from '../config/host-port.js';
import { ConfigError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip.js';
import type { Network } from '../core/network.js';
import { networkToJson } from '../core/network-json.js';
import { printable } from '../core/printable.js';
import type { Store } from '../store/store.js';
import { configFromFlags } from './config-command.js';
import { Output } from './output.js';

interface LookupFlags {
  format: string;
  file?: string;
  offline?: boolean;
  db?: string | false;
  whoisHost: string[];
  dnsServer?: string;
  rdapBootstrap?: string;
  rdap: boolean;
  incidents?: boolean;
  traceroute?: string;
  refreshBootstrap?: boolean;
  bootstrapUrl?: string;
  progress: boolean;
}

const FORMATS = ['text', 'json', 'ndjson'];

/** `reportable lookup ADDR...`: who is responsible for an address, and whom to tell. */
export function registerLookupCommand(program: Command, setExit: (code: number) => void): void {
  program
    .command('lookup')
    .description('find who is responsible for addresses: network, AS, contacts ranked abuse first')
    .argument('[addresses...]', 'IP addresses, or - to read one address a line from stdin')
    .option('--format <format>', 'text, json or ndjson', 'text')
    .option('--file <file>', 'read addresses from a file, one a line (# comments allowed)')
    .option(
      '--incidents',
      'look up the sources of stored reportable incidents and keep the answers',
    )
    .option(
      '--traceroute <file>',
      'name the networks on a saved `traceroute -n` or `mtr --json` path',
    )
    .option('--offline', 'answer from the cache only; ask nobody')
    .option('--db <path>', 'database file (default: in the user data directory)')
    .option('--no-db', 'no cache beyond this run')
    .option(
      '--whois-host <name=host:port>',
      'where a named whois server is really reached (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--dns-server <host:port>', 'the DNS server to ask (default: the system resolver)')
    .option(
      '--rdap-bootstrap <dir>',
      'IANA RDAP bootstrap files (ipv4.json, ipv6.json, asn.json, dns.json)',
    )
    .option('--no-rdap', 'whois only')
    .option('--refresh-bootstrap', 'download the IANA RDAP bootstrap files into the data directory')
    .option(
      '--bootstrap-url <url>',
      'where --refresh-bootstrap downloads from (default: IANA, https://data.iana.org/rdap/)',
    )
    .option('--no-progress', 'no progress line on stderr')
    .action(async (args: string[], flags: LookupFlags, cmd: Command) => {
      if (!FORMATS.includes(flags.format)) {
        throw new ConfigError(`--format: "${flags.format}" is not one of ${FORMATS.join(', ')}`);
      }
      const { config } = await configFromFlags(cmd.optsWithGlobals());
      const lookup = applyFlags(config.lookup, flags);
      const { dataDirectory } = await import('../store/data-dir.js');
      const dataDir = dataDirectory();

      if (flags.refreshBootstrap === true) {
        const { refreshRdapBootstrap } = await import('../investigate/rdap-bootstrap.js');
        const { join } = await import('node:path');
        const written = await refreshRdapBootstrap(join(dataDir, 'rdap-bootstrap'), {
          ...(flags.bootstrapUrl === undefined ? {} : { baseUrl: flags.bootstrapUrl }),
          timeoutMs: lookup.timeoutMs,
        });
        for (const path of written) process.stderr.write(`reportable: wrote ${printable(path)}\n`);
        if (args.length === 0 && flags.file === undefined && flags.incidents !== true) return;
      }

      const [{ lookupAddresses }, { openStore }] = await Promise.all([
        import('../app/lookup.js'),
        import('../store/open-store.js'),
      ]);
      const noDb = flags.db === false;
      const dbPath = typeof flags.db === 'string' ? flags.db : config.store.db;
      const store = await openStore({
        noDb,
        ...(noDb || dbPath === undefined ? {} : { db: dbPath }),
      });
      try {
        let addresses: string[];
        let hops: Map<string, number> | null = null;
        if (flags.incidents === true) {
          addresses = await incidentSources(store);
        } else if (flags.traceroute !== undefined) {
          const { parseTraceroute, tracerouteTarget, upstreamHops } =
            await import('../investigate/traceroute-path.js');
          const trace = await readFile(flags.traceroute, 'utf8');
          const path = upstreamHops(parseTraceroute(trace), tracerouteTarget(trace) ?? undefined);
          hops = new Map(path.map((h) => [h.address, h.hop]));
          addresses = path.map((h) => h.address);
        } else {
          addresses = await addressesFrom(args, flags.file);
        }
        const progress = progressLine(flags.progress && addresses.length > 1);
        const result = await lookupAddresses(
          { lookup, cache: noDb ? null : store, offline: flags.offline === true, dataDir },
          addresses,
          progress ?? undefined,
        );
        progress?.(-1, -1);
        if (!noDb) {
          const now = Date.now();
          for (const n of result.networks) await store.saveAddressNetwork(n, now);
        }
        await print(flags.format, result.networks, hops);
        const empty = result.networks.filter((n) => n.network === null && n.contacts.length === 0);
        if (empty.length > 0) {
          process.stderr.write(
            `reportable: ${empty.length} of ${result.networks.length} addresses: nothing found (see errors)\n`,
          );
          setExit(1);
        }
      } finally {
        await store.close();
      }
    });
}

/** The lookup settings with the command line's flags over the configuration's. */
function applyFlags(lookup: Config['lookup'], flags: LookupFlags): Config['lookup'] {
  const whoisHosts: Record<string, string> = { ...(lookup.whoisHosts ?? {}) };
  const problems: string[] = [];
  for (const spec of flags.whoisHost) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq).toLowerCase() : '';
    const target = spec.slice(eq + 1);
    if (!isHostName(name) || parseHostPort(target) === null) {
      problems.push(
        `--whois-host: "${spec}" is not NAME=HOST:PORT (e.g. whois.ripe.net=127.0.0.1:4343)`,
      );
    } else whoisHosts[name] = target;
  }
  if (flags.dnsServer !== undefined && parseHostPort(flags.dnsServer) === null) {
    problems.push(`--dns-server: "${flags.dnsServer}" is not HOST:PORT (e.g. 127.0.0.1:5353)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...lookup,
    whoisHosts,
    rdap: lookup.rdap && flags.rdap,
    ...(flags.dnsServer === undefined ? {} : { dnsServer: flags.dnsServer }),
    ...(flags.rdapBootstrap === undefined ? {} : { rdapBootstrap: flags.rdapBootstrap }),
  };
}

/** Addresses from the arguments, `-` (stdin) or `--file`; anything that is not one is a usage error. */
async function addressesFrom(args: readonly string[], file: string | undefined): Promise<string[]> {
  const raw: string[] = [];
  for (const a of args) {
    if (a === '-') raw.push(...lines(await readStdin()));
    else raw.push(a);
  }
  if (file !== undefined) raw.push(...lines(await readFile(file, 'utf8')));
  if (raw.length === 0) {
    throw new ConfigError('no address given: name one or more, use --file FILE, or - for stdin');
  }
  const bad = raw.filter((a) => canonicalAddress(a) === null);
  if (bad.length > 0) {
    throw new ConfigError(bad.slice(0, 5).map((a) => `"${printable(a)}" is not an IP address`));
  }
  return raw.map((a) => canonicalAddress(a) as string);
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => {
      const hash = l.indexOf('#');
      return (hash >= 0 ? l.slice(0, hash) : l).trim();
    })
    .filter((l) => l !== '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 << 20) throw new ConfigError('stdin: more than 64 MiB of addresses');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The distinct sources of stored reportable incidents. */
async function incidentSources(store: Store): Promise<string[]> {
  const out = new Set<string>();
  const PAGE = 1000;
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.listIncidents({ reportable: true, limit: PAGE, offset });
    for (const inc of page) if (inc.src !== null) out.add(inc.src);
    if (page.length < PAGE) break;
  }
  return [...out];
}

function progressLine(wanted: boolean): ((done: number, total: number) => void) | null {
  const err = process.stderr as WriteStream;
  if (!wanted || !err.isTTY) return null;
  let last = 0;
  return (done, total) => {
    if (done < 0) {
      if (last !== 0) err.write('\r\u001b[K');
      return;
    }
    const now = Date.now();
    if (now - last < 200 && done !== total) return;
    last = now;
    err.write(`\r${done}/${total} addresses looked up\u001b[K`);
  };
}

async function print(
  format: string,
  networks: readonly Network[],
  hops: Map<string, number> | null,
): Promise<void> {
  const out = new Output(process.stdout);
  const withHop = (n: Network): Record<string, unknown> => {
    const json = networkToJson(n);
    return hops === null ? json : { hop: hops.get(n.address) ?? null, ...json };
  };
  if (format === 'json') {
    await out.write(JSON.stringify(networks.map(withHop), null, 2) + '\n');
  } else if (format === 'ndjson') {
    for (const n of networks) await out.write(JSON.stringify(withHop(n)) + '\n');
  } else {
    for (const n of networks) await out.write(networkText(n, hops?.get(n.address) ?? null) + '\n');
  }
  await out.flush();
}

/** The text for people: one block per address, every attacker-writable field made printable. */
export function networkText(n: Network, hop: number | null = null): string {
  const p = printable;
  const rows: [string, string][] = [];
  if (n.ptr !== null) {
    rows.push([
      'ptr',
      `${p(n.ptr)}${n.ptrConfirmed ? ' (forward-confirmed)' : ' (NOT forward-confirmed)'}`,
    ]);
  }
  if (n.domain !== null) rows.push(['domain', p(n.domain)]);
  const nb = n.network;
  if (nb !== null) {
    const what = [nb.name, nb.handle].filter((x) => x !== null).map((x) => p(x as string));
    const who = [nb.org, nb.country, nb.registry]
      .filter((x) => x !== null)
      .map((x) => p(x as string));
    rows.push(['network', `${nb.start} - ${nb.end} (${nb.cidrs.join(', ')})`]);
    if (what.length > 0 || who.length > 0)
      rows.push(['', [what.join(' '), who.join(', ')].filter((x) => x !== '').join(', ')]);
  }
  if (n.asn !== null) rows.push(['asn', `AS${n.asn}${n.asName === null ? '' : ` ${p(n.asName)}`}`]);
  n.contacts.forEach((c, i) => {
    const roles = c.roles.length > 0 ? c.roles.join(', ') : 'role not stated';
    const note = c.structured ? '' : ' (not a registry field)';
    rows.push([i === 0 ? 'contacts' : '', `${p(c.email)}  ${roles}; ${p(c.source)}${note}`]);
  });
  if (n.contacts.length === 0) rows.push(['contacts', 'none found']);
  n.hints.forEach((h, i) => rows.push([i === 0 ? 'hints' : '', p(h)]));
  n.chain.forEach((s, i) => rows.push([i === 0 ? 'asked' : '', `${p(s.server)}: ${p(s.query)}`]));
  n.errors.forEach((e, i) => rows.push([i === 0 ? 'errors' : '', p(e)]));
  const head = hop === null ? n.address : `hop ${hop}: ${n.address}`;
  return [head, ...rows.map(([k, v]) => `  ${k.padEnd(9)} ${v}`)].join('\n') + '\n';
}
