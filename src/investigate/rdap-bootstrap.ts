/**
 * The IANA RDAP bootstrap (RFC 9224): which RDAP server answers for an address, an AS number or
 * a domain. Read from the four files IANA publishes (bundled in data/rdap-bootstrap, or a
 * directory given with `--rdap-bootstrap`), compiled once into sorted tables.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ExternalError } from '../core/errors.js';
import { canonicalAddress } from '../core/ip.js';
import { CidrSet } from '../core/cidr.js';
import { fetchRdap } from './rdap-client.js';

/** Which RDAP servers to ask, per the bootstrap. */
export interface RdapBootstrap {
  /** Base URLs (ending in '/') for the longest prefix that contains the address, https first. */
  ipServers(address: string): string[];
  /** Base URLs for the narrowest AS range that contains the number, https first. */
  asnServers(asn: number): string[];
  /** Base URLs for the longest label suffix (the TLD in IANA's file) of the domain, https first. */
  domainServers(domain: string): string[];
  /** Every host (with port if any) named by a base URL: the hosts a redirect may name by address. */
  readonly hosts: ReadonlySet<string>;
}

/** The four files of a bootstrap directory, as IANA names them. */
export const BOOTSTRAP_FILES = ['ipv4.json', 'ipv6.json', 'asn.json', 'dns.json'] as const;

type BootstrapFile = (typeof BOOTSTRAP_FILES)[number];

/** Bootstrap files are small (dns.json is about 70 KiB); anything far larger is not one. */
const MAX_FILE_BYTES = 8 * 1024 * 1024;
const MAX_PROBLEMS = 20;

/** data/rdap-bootstrap, found from this module's place (src/investigate or dist/investigate). */
export function bundledBootstrapDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'rdap-bootstrap');
}

interface AsnEntry {
  readonly first: number;
  readonly last: number;
  readonly urls: readonly string[];
}

/** One service: its keys and base URLs, after validation. */
interface Service {
  readonly keys: readonly string[];
  readonly urls: readonly string[];
}

/**
 * Reads and compiles a bootstrap directory. Throws ConfigError naming each bad file and entry
 * (`ipv4.json: services[2][0][5]: not an IPv4 prefix`), up to twenty problems.
 */
export function loadRdapBootstrap(dir: string): RdapBootstrap {
  const problems: string[] = [];
  const services = new Map<BootstrapFile, Service[]>();
  for (const file of BOOTSTRAP_FILES) {
    const path = join(dir, file);
    let text: string;
    try {
      if (statSync(path).size > MAX_FILE_BYTES) {
        problems.push(`${path}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, not a bootstrap`);
        continue;
      }
      text = readFileSync(path, 'utf8');
    } catch (err) {
      problems.push(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      continue;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      problems.push(`${path}: not JSON`);
      continue;
    }
    services.set(
      file,
      validateBootstrap(file, json, (p) => problems.push(`${path}: ${p}`)),
    );
  }
  if (problems.length > 0) throw new ConfigError(problems.slice(0, MAX_PROBLEMS));
  return compileBootstrap(services);
}

/**
 * Checks one parsed bootstrap file and returns its services; every problem is reported as
 * `services[i][j][k]: message`. Keys are checked per file kind; base URLs must be http(s).
 */
function validateBootstrap(
  file: BootstrapFile,
  json: unknown,
  problem: (text: string) => void,
): Service[] {
  if (!isRecord(json) || !Array.isArray(json.services)) {
    problem('no "services" array (not an RFC 9224 bootstrap file)');
    return [];
  }
  const out: Service[] = [];
  json.services.forEach((service: unknown, i: number) => {
    if (!Array.isArray(service) || service.length < 2) {
      problem(`services[${i}]: not a [keys, urls] pair`);
      return;
    }
    const [keys, urls] = service as unknown[];
    if (!Array.isArray(keys) || !Array.isArray(urls)) {
      problem(`services[${i}]: not a [keys, urls] pair`);
      return;
    }
    const goodKeys: string[] = [];
    keys.forEach((key: unknown, k: number) => {
      const why = typeof key === 'string' ? keyProblem(file, key) : 'not a string';
      if (why === null) goodKeys.push(key as string);
      else problem(`services[${i}][0][${k}]: ${why}`);
    });
    const goodUrls: string[] = [];
    urls.forEach((url: unknown, k: number) => {
      const base = typeof url === 'string' ? baseUrl(url) : null;
      if (base === null) problem(`services[${i}][1][${k}]: not an http(s) base URL`);
      else goodUrls.push(base);
    });
    out.push({ keys: goodKeys, urls: httpsFirst(goodUrls) });
  });
  return out;
}

/** Why a key is not valid for its file, or null. */
function keyProblem(file: BootstrapFile, key: string): string | null {
  switch (file) {
    case 'ipv4.json':
    case 'ipv6.json': {
      const p = parsePrefix(key);
      if (p === null || p.v6 !== (file === 'ipv6.json')) {
        return `not an IPv${file === 'ipv6.json' ? 6 : 4} prefix`;
      }
      return null;
    }
    case 'asn.json':
      return parseAsnRange(key) === null ? 'not an AS number range' : null;
    case 'dns.json':
      return isDnsLabels(key) ? null : 'not a domain label';
  }
}

/** The base URL with a trailing '/', or null when it is not plain http(s) without credentials. */
function baseUrl(text: string): string | null {
  if (text.length > 512) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    return null;
  }
  const s = url.toString();
  return s.endsWith('/') ? s : `${s}/`;
}

/** The URLs with https ones first, otherwise in the file's order (RFC 9224 §3: prefer https). */
function httpsFirst(urls: readonly string[]): string[] {
  return [
    ...urls.filter((u) => u.startsWith('https:')),
    ...urls.filter((u) => !u.startsWith('https:')),
  ];
}

/** A bootstrap prefix key in the canonical `ADDR/BITS` form CidrSet takes, with its family. */
function parsePrefix(key: string): { v6: boolean; cidr: string } | null {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash !== key.lastIndexOf('/')) return null;
  const bitsText = key.slice(slash + 1);
  if (!isDigits(bitsText, 3)) return null;
  const addr = canonicalAddress(key.slice(0, slash));
  if (addr === null) return null;
  const v6 = addr.includes(':');
  const bits = Number(bitsText);
  if (bits > (v6 ? 128 : 32)) return null;
  return { v6, cidr: `${addr}/${bits}` };
}

function parseAsnRange(key: string): { first: number; last: number } | null {
  const dash = key.indexOf('-');
  const a = dash < 0 ? key : key.slice(0, dash);
  const b = dash < 0 ? key : key.slice(dash + 1);
  if (!isDigits(a, 10) || !isDigits(b, 10)) return null;
  const first = Number(a);
  const last = Number(b);
  if (last > 4294967295 || first > last) return null;
  return { first, last };
}

function isDigits(text: string, max: number): boolean {
  if (text.length === 0 || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** One or more LDH labels (IANA lists TLDs, including `xn--` ones), lower case after folding. */
function isDnsLabels(key: string): boolean {
  if (key.length === 0 || key.length > 253) return false;
  return key.split('.').every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the lookup tables from validated services. */
function compileBootstrap(services: ReadonlyMap<BootstrapFile, readonly Service[]>): RdapBootstrap {
  // Longest prefix first (CidrSet), narrowest range first: the first hit is the answer.
  const ip = new CidrSet<readonly string[]>();
  const asn: AsnEntry[] = [];
  const dns = new Map<string, readonly string[]>();
  const hosts = new Set<string>();
  for (const [file, list] of services) {
    for (const { keys, urls } of list) {
      for (const u of urls) hosts.add(new URL(u).host);
      for (const key of keys) {
        if (file === 'ipv4.json' || file === 'ipv6.json') {
          const p = parsePrefix(key);
          if (p !== null) ip.add(p.cidr, urls);
        } else if (file === 'asn.json') {
          const r = parseAsnRange(key);
          if (r !== null) asn.push({ ...r, urls });
        } else if (!dns.has(key.toLowerCase())) {
          dns.set(key.toLowerCase(), urls);
        }
      }
    }
  }
  asn.sort((a, b) => a.last - a.first - (b.last - b.first));
  return {
    hosts,
    ipServers(address: string): string[] {
      const addr = canonicalAddress(address);
      const hit = addr === null ? undefined : ip.match(addr);
      return hit === undefined ? [] : [...hit.value];
    },
    asnServers(n: number): string[] {
      if (!Number.isInteger(n) || n < 0) return [];
      for (const e of asn) if (e.first <= n && n <= e.last) return [...e.urls];
      return [];
    },
    domainServers(domain: string): string[] {
      let name = domain.toLowerCase();
      if (name.endsWith('.')) name = name.slice(0, -1);
      if (name.length === 0 || name.length > 253) return [];
      // Longest match on whole labels: try `a.b.c`, then `b.c`, then `c`.
      let at = 0;
      for (;;) {
        const urls = dns.get(name.slice(at));
        if (urls !== undefined) return [...urls];
        const dot = name.indexOf('.', at);
        if (dot < 0) return [];
        at = dot + 1;
      }
    },
  };
}

/** Where IANA publishes the RDAP bootstrap files. */
export const IANA_BOOTSTRAP_URL = 'https://data.iana.org/rdap/';

/**
 * Downloads IANA's ipv4.json, ipv6.json, asn.json and dns.json (from `baseUrl`, default
 * https://data.iana.org/rdap/), validates all four, then replaces the files in `targetDir`, each
 * through a temporary file and a rename so a reader never sees half a file. Returns the paths
 * written. Nothing is written unless all four downloads are valid bootstrap files.
 */
export async function refreshRdapBootstrap(
  targetDir: string,
  options: { baseUrl?: string; timeoutMs: number },
): Promise<string[]> {
  const base = baseUrl(options.baseUrl ?? IANA_BOOTSTRAP_URL);
  if (base === null) throw new ConfigError(`bootstrap base URL: not an http(s) URL`);
  const texts = new Map<BootstrapFile, string>();
  try {
    for (const file of BOOTSTRAP_FILES)
      texts.set(file, await download(base, file, options.timeoutMs));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ExternalError(`refreshing the RDAP bootstrap: ${message}`, { cause: err });
  }
  mkdirSync(targetDir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of texts) {
    const path = join(targetDir, file);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, text);
      renameSync(tmp, path);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new ExternalError(`writing ${path}: ${String(err)}`, { cause: err });
    }
    written.push(path);
  }
  return written;
}

/** One bootstrap file from `base`, validated, as the text to write. */
async function download(base: string, file: BootstrapFile, timeoutMs: number): Promise<string> {
  const host = new URL(base).host;
  const response = await fetchRdap(new URL(file, base).toString(), {
    timeoutMs,
    maxBytes: MAX_FILE_BYTES,
    maxRedirects: 3,
    allowedHosts: new Set([host]),
  });
  if (response.status !== 200) throw new Error(`${host}: ${file}: HTTP ${response.status}`);
  const problems: string[] = [];
  const list = validateBootstrap(file, response.body, (p) => problems.push(p));
  if (problems.length > 0) {
    throw new Error(`${host}: ${file} is not a valid bootstrap file: ${problems[0] ?? ''}`);
  }
  if (list.length === 0) throw new Error(`${host}: ${file} lists no services`);
  return `${JSON.stringify(response.body, null, 2)}\n`;
}
