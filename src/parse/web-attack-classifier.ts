/**
 * What a web request reveals about intent, shared by the access-log and error-log parsers.
 *
 * Attack shapes (shellshock, traversal, command and SQL injection, overflow) count whatever the
 * status: sending them is the act, whether or not the server fell for it. A request for a
 * well-known admin, backup or secret path only counts when it was NOT served (4xx other than the
 * 401/407 challenges every browser meets before it logs in; in error logs: file not found): the
 * same path answered 200 is a site that has it (a WordPress blog gets `/wp-login.php` all day
 * from its own editors), and this parser cannot know which sites do. What an operator wants from
 * these is the scanner that walks a list of such paths; one 404 for `/mail` is a typo, so only
 * names that a visitor of an ordinary site never asks for are listed.
 */

/** Requests or paths longer than this are treated as overflow attempts (Apache's own limit is 8190). */
export const MAX_TARGET = 2000;

/** A run of this many `\xHH` escapes in a request that is not HTTP is shellcode, not a typo. */
const BINARY_RUN = 16;

const SHELLSHOCK = '() {';

/** Characters and pairs without which no traversal, injection or shellshock needle can match. */
const SUSPICIOUS = /[%+($`;|'"\\ *]|\.\.|&&|\/bin\/|cmd=|information_schema/i;

/**
 * The attack a request target (path and query, as logged) and its headers show, as a short
 * signature (`shellshock`, `path traversal`, `command injection`, `sql injection`, `overflow`),
 * or null when it looks ordinary.
 */
export function attackSignature(
  target: string,
  referer: string | null,
  agent: string | null,
): string | null {
  if (
    target.includes(SHELLSHOCK) ||
    (agent !== null && agent.includes(SHELLSHOCK)) ||
    (referer !== null && referer.includes(SHELLSHOCK))
  ) {
    return 'shellshock';
  }
  // Every needle below needs one of these: most requests are plain paths and stop here.
  if (!SUSPICIOUS.test(target)) return target.length > MAX_TARGET ? 'overflow' : null;
  const text = needsDecoding(target) ? normalise(target) : target.toLowerCase();
  if (isTraversal(text)) return 'path traversal';
  if (text.includes(SHELLSHOCK)) return 'shellshock';
  if (isCommandInjection(text)) return 'command injection';
  if (isSqlInjection(text)) return 'sql injection';
  if (target.length > MAX_TARGET) return 'overflow';
  return null;
}

function needsDecoding(s: string): boolean {
  return s.indexOf('%') >= 0 || s.indexOf('+') >= 0 || s.indexOf('/*') >= 0;
}

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/** One pass of percent-decoding (`+` is a space in queries); invalid escapes are kept. */
function percentDecode(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 43 /* + */) {
      out += s.slice(last, i) + ' ';
      last = i + 1;
    } else if (c === 37 /* % */ && i + 2 < s.length) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out += s.slice(last, i) + String.fromCharCode(hi * 16 + lo);
        i += 2;
        last = i + 1;
      }
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

/**
 * Decodes twice (scanners double-encode: `%252e`, `%%32%65`), lower-cases, turns SQL comments
 * and white space runs into single spaces, so one list of needles covers the encodings.
 */
function normalise(s: string): string {
  let d = percentDecode(percentDecode(s)).toLowerCase();
  if (d.indexOf('/**/') >= 0) d = d.split('/**/').join(' ');
  let out = '';
  let space = false;
  let changed = false;
  for (let i = 0; i < d.length; i++) {
    const c = d.charCodeAt(i);
    const ws = c === 32 || c === 9 || c === 10 || c === 13;
    if (ws) {
      if (!space) out += ' ';
      else changed = true;
      if (c !== 32) changed = true;
      space = true;
    } else {
      out += d[i];
      space = false;
    }
  }
  return changed ? out : d;
}

function isTraversal(t: string): boolean {
  return (
    t.includes('../') ||
    t.includes('..\\') ||
    t.endsWith('/..') ||
    t.includes('%2e%2e') ||
    t.includes('..%2f') ||
    t.includes('.%2e/') ||
    t.includes('%c0%ae')
  );
}

const COMMANDS = [
  ';wget ',
  ';curl ',
  '|wget ',
  '|curl ',
  '&&wget',
  '&& wget',
  'wget http',
  'curl http',
  'tftp -g',
  '$(',
  '`',
  '/bin/sh',
  '/bin/bash',
  'busybox ',
  'chmod 777',
  'chmod +x',
];

function isCommandInjection(t: string): boolean {
  for (const needle of COMMANDS) if (t.includes(needle)) return true;
  const pipe = t.indexOf('|sh');
  if (pipe >= 0) {
    const next = t.charCodeAt(pipe + 3);
    if (!(next >= 97 && next <= 122) && !(next >= 48 && next <= 57)) return true;
  }
  // `cmd=` is a parameter name some real applications use; only a value that reads like a shell
  // command line (spaces, separators, paths) marks an injection.
  let at = t.indexOf('cmd=');
  while (at >= 0) {
    const before = t.charCodeAt(at - 1);
    if (before === 63 || before === 38 || before === 59 /* ? & ; */) {
      let end = t.indexOf('&', at);
      if (end < 0) end = t.length;
      for (let i = at + 4; i < end; i++) {
        const c = t.charCodeAt(i);
        if (c === 32 || c === 59 || c === 124 || c === 47) return true;
      }
    }
    at = t.indexOf('cmd=', at + 4);
  }
  return false;
}

const SQL = [
  'union select',
  'union all select',
  "' or 1=1",
  "' or '1'='1",
  '" or 1=1',
  '" or "1"="1',
  "' or ''='",
  "' and 1=1",
  ' or 1=1--',
  'information_schema.',
];

function isSqlInjection(t: string): boolean {
  for (const needle of SQL) if (t.includes(needle)) return true;
  return false;
}

/** Path segments (lower case) that only scanners ask for, and what they are looking for. */
const SCAN_SEGMENTS = new Map<string, string>([
  ['phpmyadmin', 'phpmyadmin'],
  ['myadmin', 'phpmyadmin'],
  ['mysqladmin', 'phpmyadmin'],
  ['phpmy-admin', 'phpmyadmin'],
  ['sqladmin', 'phpmyadmin'],
  ['pma', 'phpmyadmin'],
  ['adminer', 'adminer'],
  ['adminer.php', 'adminer'],
  ['wp-login.php', 'wordpress'],
  ['wp-admin', 'wordpress'],
  ['xmlrpc.php', 'wordpress'],
  ['wlwmanifest.xml', 'wordpress'],
  ['.env', '.env'],
  ['.git', '.git'],
  ['.svn', '.svn'],
  ['.hg', '.hg'],
  ['.aws', 'credentials'],
  ['.ssh', 'credentials'],
  ['.vscode', 'credentials'],
  ['sftp-config.json', 'credentials'],
  ['cgi-bin', 'cgi-bin'],
  ['boaform', 'boa routers'],
  ['gponform', 'gpon routers'],
  ['hnap1', 'HNAP'],
  ['phpunit', 'phpunit'],
  ['solr', 'solr'],
  ['actuator', 'spring actuator'],
  ['jmx-console', 'jboss'],
  ['web-console', 'jboss'],
  ['phpinfo.php', 'phpinfo'],
  ['timthumb.php', 'timthumb'],
  // A proxy judge: asked for here, it means someone tried this server as an open proxy.
  ['azenv.php', 'open proxy'],
  ['webmail', 'webmail'],
  ['v-webmail', 'webmail'],
  ['vwebmail', 'webmail'],
  ['roundcube', 'webmail'],
  ['squirrelmail', 'webmail'],
  ['horde', 'webmail'],
  ['extmail', 'webmail'],
  ['rainloop', 'webmail'],
]);

function segmentLabel(seg: string, next: string): string | null {
  const hit = SCAN_SEGMENTS.get(seg);
  if (hit !== undefined) return hit;
  if (seg.startsWith('phpmyadmin')) return 'phpmyadmin'; // `phpMyAdmin-2.8.2.3`
  if (seg.startsWith('pma') && seg.length > 3) {
    const c = seg.charCodeAt(3);
    if (c >= 48 && c <= 57) return 'phpmyadmin'; // `pma2011`
  }
  if (seg.startsWith('wp-config')) return 'wordpress';
  if (seg.startsWith('.env.')) return '.env';
  if (seg.endsWith('.sql') || seg.endsWith('.sql.gz')) return 'database dumps';
  if (seg === 'manager' && next === 'html') return 'tomcat manager';
  return null;
}

/**
 * The well-known scanner target in a URL or file path (`scan for phpmyadmin`), or null.
 * Callers only ask for requests that were not served.
 */
export function scanSignature(path: string): string | null {
  let end = path.length;
  const q = path.indexOf('?');
  if (q >= 0) end = q;
  const lower = path.slice(0, end).toLowerCase();
  let start = 0;
  let prev: string | null = null;
  // Walk segments left to right, looking one ahead for `manager/html`.
  while (start <= lower.length) {
    let slash = lower.indexOf('/', start);
    if (slash < 0) slash = lower.length;
    const seg = lower.slice(start, slash);
    if (prev !== null && prev.length > 0) {
      const label = segmentLabel(prev, seg);
      if (label !== null) return `scan for ${label}`;
    }
    prev = seg;
    start = slash + 1;
  }
  if (prev !== null && prev.length > 0) {
    const label = segmentLabel(prev, '');
    if (label !== null) return `scan for ${label}`;
  }
  return null;
}

/** How a request line that is not `METHOD TARGET HTTP/x.y` went wrong. */
export interface BadRequest {
  readonly kind: 'protocol-error' | 'exploit-attempt';
  readonly signature: string;
}

/**
 * Classifies a request line that is not HTTP: a TLS or RDP handshake sent to a plain HTTP port,
 * a long binary run (shellcode) or an over-long line, an empty request, or other garbage.
 */
export function badRequest(request: string): BadRequest {
  if (request.length === 0 || request === '-') {
    return { kind: 'protocol-error', signature: 'empty request' };
  }
  if (request.startsWith('\\x16\\x03')) {
    return { kind: 'protocol-error', signature: 'TLS handshake on plain HTTP' };
  }
  if (request.startsWith('\\x03\\x00') || request.includes('mstshash=')) {
    return { kind: 'protocol-error', signature: 'RDP on HTTP port' };
  }
  if (request.length > MAX_TARGET || binaryRun(request) >= BINARY_RUN) {
    return { kind: 'exploit-attempt', signature: 'overflow' };
  }
  return { kind: 'protocol-error', signature: 'bad request' };
}

/** The longest run of consecutive `\xHH` escapes. */
function binaryRun(s: string): number {
  let best = 0;
  let run = 0;
  let i = s.indexOf('\\x');
  while (i >= 0) {
    run = 1;
    let j = i + 4;
    while (s.charCodeAt(j) === 92 && s.charCodeAt(j + 1) === 120) {
      run++;
      j += 4;
    }
    if (run > best) best = run;
    i = s.indexOf('\\x', j);
  }
  return best;
}

/** A request line split as `METHOD TARGET VERSION`; null when it is not HTTP-shaped. */
export interface RequestLine {
  readonly method: string;
  readonly target: string;
}

/**
 * Splits `GET /path HTTP/1.1` (or HTTP/0.9's `GET /path`). The method must be an upper-case
 * token, so garbage and binary lines are rejected.
 */
export function splitRequest(request: string): RequestLine | null {
  const sp1 = request.indexOf(' ');
  if (sp1 <= 0 || sp1 > 24) return null;
  for (let i = 0; i < sp1; i++) {
    const c = request.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) return null;
  }
  const method = request.slice(0, sp1);
  const sp2 = request.lastIndexOf(' ');
  let target: string;
  if (sp2 > sp1 && request.startsWith('HTTP/', sp2 + 1)) target = request.slice(sp1 + 1, sp2);
  else if (sp2 === sp1 && request.charCodeAt(sp1 + 1) === 47) target = request.slice(sp1 + 1);
  else return null;
  if (target.length === 0) return null;
  return { method, target };
}
