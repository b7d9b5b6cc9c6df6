import { detach } from '../core/detach.js';
import type { EventDraft, EventKind } from '../core/event.js';
import { parsePort, parsePortAt, plainIPv4Value } from '../core/ip.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { indexOfWord, remoteFrom, type Remote } from './extract.js';
import { RecentTexts } from './recent-texts.js';
import type { Envelope } from './syslog-envelope.js';

/**
 * How many sshd connections (host and pid) are remembered at once (a power of two); a new one
 * replaces the least recently used of the two it may share a place with.
 */
export const SSHD_SESSION_CAP = 16_384;

/**
 * How long a remembered connection stays relevant. sshd drops a client that has not
 * authenticated after LoginGraceTime (120 s by default), so ten minutes covers the pre-auth
 * phase with room to spare, and a pid reused later is not mistaken for the old connection.
 */
const SESSION_TTL_MS = 10 * 60_000;

/** An address-less failure (`Disconnecting: Too many authentication failures [preauth]`). */
interface Pending {
  readonly kind: EventKind;
  readonly signature: string;
  readonly user: string | null;
}

/**
 * Doubles per slot of a SessionTable's records: the session's numbers (a slot's key and last
 * use are in the SlotTable). Eight doubles are 64 bytes, a cache line: a busy log brings a new
 * sshd pid on most lines, each one takes the slot of an old connection somewhere in the table,
 * and one line of memory per slot is what makes that cheap.
 */
const STRIDE = 8;
/** The pid when it is a plain decimal number (the usual case), else -1 and the text's pidText. */
const F_PID = 0;
/** The client's IPv4 address as a number; -1: none or not IPv4. */
const F_V4 = 1;
/** The client's port; -1: none. */
const F_PORT = 2;
/** Envelope time of the last line seen for the connection; NaN when none had a time. */
const F_AT = 3;
/** FAILED | SOFT | CLOSED | HAS_TEXT. */
const F_FLAGS = 4;
/** The id of the syslog host's entry (HostEntry.id): compared before the name is. */
const F_HOST = 5;

/** A failure event was already emitted for the connection. */
const FAILED = 1;
/** A valid user's key (or `none`) was refused (see SessionTable.softUser). */
const SOFT = 2;
/** sshd logged the end of the connection (the pid may next serve another client). */
const CLOSED = 4;
/**
 * The slot's SessionText is the session's own: without this bit the session has none, and the
 * texts array (another cache line) is not read.
 */
const HAS_TEXT = 8;

/**
 * A fixed-size, two-way set-associative table keyed by non-negative integers: a key may live in
 * one of two slots, and a new key takes the least recently used of them. Bounded by
 * construction and O(1) per operation. Keys and last uses sit in arrays of their own (64 and
 * 128 KiB for the sessions), apart from the records the caller keeps by slot: a lookup then
 * reads a set from arrays that mostly stay in the cache, where keys inside 64-byte records (a
 * 1 MiB table) cost a cache miss on nearly every sshd line, also for a new connection that
 * finds nothing (3–5% less CPU per sshd line, in-process A/B on the benchmark's sshd lines).
 * The table allocates nothing and gives the garbage collector nothing to trace.
 */
export class SlotTable {
  /** Each slot's key; -1 while the slot is free. */
  private readonly keys: Int32Array;
  /** Each slot's last use (a clock of finds and claims). */
  private readonly used: Float64Array;
  private readonly mask: number;
  private clock = 0;

  constructor(capacity: number) {
    let sets = 1;
    while (sets * 2 < capacity) sets *= 2;
    this.mask = sets - 1;
    this.keys = new Int32Array(sets * 2).fill(-1);
    this.used = new Float64Array(sets * 2);
  }

  /** How many slots the table has. */
  get capacity(): number {
    return this.keys.length;
  }

  /** How many slots are in use. */
  get size(): number {
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i]! >= 0) n++;
    return n;
  }

  /** The slot of a key, or -1; a hit counts as a use. */
  find(key: number): number {
    const a = (key & this.mask) * 2;
    const keys = this.keys;
    const j = keys[a] === key ? a : keys[a + 1] === key ? a + 1 : -1;
    if (j >= 0) this.used[j] = ++this.clock;
    return j;
  }

  /**
   * Takes a slot for `key` (its own, a free one, or the least recently used of its set) and
   * returns it, now under `key`; the caller overwrites the slot's record.
   */
  claim(key: number): number {
    const a = (key & this.mask) * 2;
    const keys = this.keys;
    const ka = keys[a]!;
    const kb = keys[a + 1]!;
    // The older of the two is worked out even while a free slot remains: code V8 optimized
    // before the table filled up would otherwise be thrown away and recompiled at that moment.
    const older = this.used[a]! <= this.used[a + 1]! ? a : a + 1;
    let j: number;
    if (ka === key) j = a;
    else if (kb === key) j = a + 1;
    else if (ka < 0) j = a;
    else if (kb < 0) j = a + 1;
    else j = older;
    keys[j] = key;
    this.used[j] = ++this.clock;
    return j;
  }

  /** Frees the slot of a key. */
  delete(key: number): void {
    const j = this.find(key);
    if (j >= 0) this.keys[j] = -1;
  }
}

/** What a session holds besides numbers, rarely anything: kept only when some field is set. */
interface SessionText {
  pidText: string | null;
  v6: string | null;
  srcHost: string | null;
  softUser: string | null;
  pending: Pending | null;
}

/**
 * What sshd has said so far about each connection (one sshd pid on one host): the slot table
 * and, per slot, the host and the rarely used strings. A session is named by its slot number
 * (-1: none), valid while the slot belongs to the connection, which is for the line being read:
 * a wrapper object per lookup would be one more allocation on nearly every line. The session's
 * strings are detached copies or shared ones (the host): a session lives through many
 * young-generation collections, and a reference from it to a line's fresh strings would keep
 * them alive and copy them from one collection to the next.
 */
class SessionTable {
  private readonly slots: SlotTable;
  /** The sessions' numbers, STRIDE per slot. */
  private readonly rec: Float64Array;
  private readonly hosts: (string | null)[];
  private readonly texts: (SessionText | null)[];

  constructor(capacity: number) {
    this.slots = new SlotTable(capacity);
    this.rec = new Float64Array(this.slots.capacity * STRIDE);
    this.hosts = new Array<string | null>(this.slots.capacity).fill(null);
    this.texts = new Array<SessionText | null>(this.slots.capacity).fill(null);
  }

  /** The session under a key, or -1; a hit counts as a use. */
  find(key: number): number {
    return this.slots.find(key);
  }

  /** The slot for a key (see SlotTable.claim), for the caller to reset. */
  claim(key: number): number {
    return this.slots.claim(key);
  }

  /** Frees the slot of a key. */
  delete(key: number): void {
    this.slots.delete(key);
  }

  private text(s: number): SessionText | null {
    if ((this.rec[s * STRIDE + F_FLAGS]! & HAS_TEXT) === 0) return null;
    return this.texts[s]!;
  }

  private textForWrite(s: number): SessionText {
    let t = this.text(s);
    if (t === null) {
      t = { pidText: null, v6: null, srcHost: null, softUser: null, pending: null };
      this.texts[s] = t;
      this.rec[s * STRIDE + F_FLAGS]! |= HAS_TEXT;
    }
    return t;
  }

  /** True when the session has the flag FAILED, SOFT or CLOSED. */
  flag(s: number, bit: number): boolean {
    return (this.rec[s * STRIDE + F_FLAGS]! & bit) !== 0;
  }

  setFlag(s: number, bit: number, on: boolean): void {
    const i = s * STRIDE + F_FLAGS;
    this.rec[i] = on ? this.rec[i]! | bit : this.rec[i]! & ~bit;
  }

  /**
   * Makes the slot a fresh session of a host and pid (no address, no time, no flags). The
   * previous session's texts are left in place until the slot next needs some (HAS_TEXT is
   * cleared): bounded by the table's size, and it spares a write to another cache line.
   */
  reset(s: number, host: HostEntry, pid: number, pidText: string | null): void {
    const rec = this.rec;
    const b = s * STRIDE;
    rec[b + F_PID] = pid;
    rec[b + F_V4] = -1;
    rec[b + F_PORT] = -1;
    rec[b + F_AT] = NaN;
    rec[b + F_FLAGS] = 0;
    rec[b + F_HOST] = host.id;
    this.hosts[s] = host.name;
    if (pidText !== null) this.textForWrite(s).pidText = pidText;
  }

  /**
   * True when the session belongs to this syslog host: its entry's id, else its name (an entry
   * is made anew, with a new id, after the parser's host list was cleared).
   */
  isOf(s: number, host: HostEntry): boolean {
    return this.rec[s * STRIDE + F_HOST] === host.id || this.hosts[s] === host.name;
  }
  pid(s: number): number {
    return this.rec[s * STRIDE + F_PID]!;
  }
  pidText(s: number): string | null {
    return this.text(s)?.pidText ?? null;
  }
  /** The client's IPv4 address as a number (-1: none or not IPv4), cheap to keep and compare. */
  v4(s: number): number {
    return this.rec[s * STRIDE + F_V4]!;
  }
  /** The client's IPv6 address (canonical), detached; null when v4 or a host name is set. */
  v6(s: number): string | null {
    return this.text(s)?.v6 ?? null;
  }
  /** The client's host name as logged, detached. */
  srcHost(s: number): string | null {
    return this.text(s)?.srcHost ?? null;
  }
  srcPort(s: number): number | null {
    const p = this.rec[s * STRIDE + F_PORT]!;
    return p < 0 ? null : p;
  }
  setSrcPort(s: number, v: number | null): void {
    this.rec[s * STRIDE + F_PORT] = v === null ? -1 : v;
  }
  /** Envelope time of the last line seen for the connection; NaN when none had a time. */
  at(s: number): number {
    return this.rec[s * STRIDE + F_AT]!;
  }
  setAt(s: number, v: number): void {
    this.rec[s * STRIDE + F_AT] = v;
  }
  /** A valid user's key (or `none`) was refused; the user, when nothing else failed yet. */
  softUser(s: number): string | null {
    return this.text(s)?.softUser ?? null;
  }
  setSoftUser(s: number, v: string | null): void {
    if (v !== null || this.text(s) !== null) this.textForWrite(s).softUser = v;
  }
  /** A failure logged before the connection's address was known, waiting for it. */
  pending(s: number): Pending | null {
    return this.text(s)?.pending ?? null;
  }
  setPending(s: number, v: Pending | null): void {
    if (v !== null || this.text(s) !== null) this.textForWrite(s).pending = v;
  }

  /** True when the session knows its client's address or host name. */
  hasAddress(s: number): boolean {
    return this.v4(s) >= 0 || this.v6(s) !== null || this.srcHost(s) !== null;
  }

  /** True when the remote is the one already known for the connection. */
  isRemote(s: number, r: Remote): boolean {
    const v4 = this.v4(s);
    if (r.src !== null) return v4 >= 0 ? v4Number(r.src) === v4 : r.src === this.v6(s);
    return r.srcHost !== null && r.srcHost === this.srcHost(s);
  }

  /** Stores the remote in a session: IPv4 as a number, anything else as a detached copy. */
  setRemote(s: number, r: Remote): void {
    const v4 = r.src === null ? -1 : v4Number(r.src);
    this.rec[s * STRIDE + F_V4] = v4;
    const v6 = r.src === null || v4 >= 0 ? null : detach(r.src);
    if (v6 !== null || this.text(s) !== null) this.textForWrite(s).v6 = v6;
    const host = keep(r.srcHost);
    if (host !== null || this.text(s) !== null) this.textForWrite(s).srcHost = host;
  }

  /** The remote a session remembers. */
  remote(s: number): Remote {
    const v4 = this.v4(s);
    return { src: v4 >= 0 ? v4Text(v4) : this.v6(s), srcHost: this.srcHost(s) };
  }
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** A syslog host as the session table knows it (see SshdParser.hostEntry). */
interface HostEntry {
  /** Unique per entry made (see SessionTable.isOf). */
  readonly id: number;
  readonly name: string | null;
  /** FNV-1a state after the host's characters and a blank: the start of its sessions' keys. */
  readonly hash: number;
}

/** FNV-1a over `NAME ` (just the blank for a line without host). */
function hostHash(name: string | null): number {
  let h = 0x811c9dc5;
  if (name !== null)
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return Math.imul(h ^ 32, 16777619);
}

const NO_HOST: HostEntry = { id: 0, name: null, hash: hostHash(null) };

/** The id of the next HostEntry made (0 is NO_HOST's). */
let nextHostId = 1;

/** Distinct syslog hosts remembered for the session table (a bound against odd inputs). */
const MAX_HOSTS = 4096;

/** A copy of text to be kept in the session map (lines are slices of a large chunk). */
const keep = (text: string | null): string | null => (text === null ? null : detach(text));

/** The last plain dotted quad remoteToken read, and its number (one entry, always right). */
let lastV4Text = '';
let lastV4 = -1;

/** A canonical dotted quad as a 32-bit number, or -1 when the text is not one. */
function v4Number(text: string): number {
  if (text === lastV4Text) return lastV4;
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (isDigit(c) && digits < 3) {
      octet = octet * 10 + c - 48;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0 || octet > 255) return -1;
  return value * 256 + octet;
}

function v4Text(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

/** Methods a legitimate client tries and fails as a matter of course (every key in its agent). */
const SOFT_METHODS: ReadonlySet<string> = new Set([
  'publickey',
  'none',
  'gssapi-with-mic',
  'gssapi-keyex',
]);

/** Method names sshd knows; any other text in `Failed X for` came from the client. */
const KNOWN_METHODS: readonly string[] = [
  'password',
  'publickey',
  'keyboard-interactive',
  'keyboard-interactive/pam',
  'hostbased',
  'none',
  'gssapi-with-mic',
  'gssapi-keyex',
  'unknown',
];
const FAILED_SIGNATURES = new Map(KNOWN_METHODS.map((m) => [m, `sshd: failed ${m}`]));
const ACCEPTED_SIGNATURES = new Map(KNOWN_METHODS.map((m) => [m, `sshd: accepted ${m}`]));

const SIG_FAILED_PASSWORD = FAILED_SIGNATURES.get('password')!;
const SIG_TOO_MANY = 'sshd: too many authentication failures';
const SIG_MAX_TRIES = 'sshd: max auth tries';
const SIG_INVALID_USER = 'sshd: invalid user';
const SIG_NOT_ALLOWED = 'sshd: user not allowed';
const SIG_NO_IDENT = 'sshd: no identification string';
const SIG_BAD_VERSION = 'sshd: bad protocol version';
const SIG_BANNER = 'sshd: banner exchange failed';
const SIG_RESET = 'sshd: reset before authentication';
const SIG_BAD_IDENT = 'sshd: invalid protocol identifier';
const SIG_BREAK_IN = 'sshd: reverse DNS mismatch (POSSIBLE BREAK-IN ATTEMPT)';

/** The address token at `pos`, up to the next space; a trailing `:` or `,` is tolerated. */
function remoteToken(s: string, pos: number, end: number): Remote | null {
  if (end <= pos || end - pos > 260) return null;
  // The usual token, a plain dotted quad, is its own canonical form; its number is kept for
  // the session (see v4Number), which would otherwise read the address a second time.
  const v4 = plainIPv4Value(s, pos, end);
  if (v4 >= 0) {
    const src = s.slice(pos, end);
    lastV4Text = src;
    lastV4 = v4;
    return { src, srcHost: null };
  }
  let token = s.slice(pos, end);
  // sshd writes UNKNOWN when the socket was already gone.
  if (token === 'UNKNOWN') return null;
  let r = remoteFrom(token);
  if (r === null) {
    const last = token.charCodeAt(token.length - 1);
    if (last !== 58 && last !== 44) return null;
    token = token.slice(0, -1);
    r = remoteFrom(token);
  }
  return r;
}

/**
 * `s.lastIndexOf(' ', from)`. A loop: it is called to step back over an address, a few
 * characters, where the builtin's call into the runtime costs more than the scan.
 */
function lastBlank(s: string, from: number): number {
  let i = Math.min(Math.max(from, 0), s.length - 1);
  while (i >= 0 && s.charCodeAt(i) !== 32) i--;
  return i;
}

/** Where the port read last by `readPort` ends. */
let portEndAt = -1;

/**
 * Reads ` port N` at `pos` in one pass: returns N, or -1 when there is no valid port there
 * (1 to 5 digits, at most 65535); `portEndAt` is then the index after N. Compared character by
 * character: this runs for nearly every sshd line, where a builtin call costs more.
 */
function readPort(s: string, pos: number): number {
  if (
    s.charCodeAt(pos) !== 32 ||
    s.charCodeAt(pos + 1) !== 112 /* p */ ||
    s.charCodeAt(pos + 2) !== 111 /* o */ ||
    s.charCodeAt(pos + 3) !== 114 /* r */ ||
    s.charCodeAt(pos + 4) !== 116 /* t */ ||
    s.charCodeAt(pos + 5) !== 32
  ) {
    return -1;
  }
  const start = pos + 6;
  const limit = Math.min(s.length, start + 6);
  let d = start;
  let v = 0;
  while (d < limit) {
    const c = s.charCodeAt(d);
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    d++;
  }
  if (d === start || d - start > 5 || v > 65535) return -1;
  portEndAt = d;
  return v;
}

/**
 * Reads ` port N` at `pos`: returns the index after N, or -1 when there is no valid port there
 * (the port itself is then `parsePortAt(s, pos + 6, end)`).
 */
function portEnd(s: string, pos: number): number {
  return readPort(s, pos) < 0 ? -1 : portEndAt;
}

/** What headRemote read: the address, its port, and the index after them. */
interface Head {
  remote: Remote;
  port: number | null;
  end: number;
}

/** The one answer of headRemote, overwritten by each call (see TAIL). */
const HEAD: Head = { remote: { src: null, srcHost: null }, port: null, end: -1 };

/**
 * Reads `ADDR[ port N]` starting at `pos` (an address at a fixed place after sshd's own words).
 * The answer is HEAD: read it before the next call.
 */
function headRemote(s: string, pos: number): Readonly<Head> | null {
  let e = s.indexOf(' ', pos);
  if (e < 0) e = s.length;
  const remote = remoteToken(s, pos, e);
  if (remote === null) return null;
  const port = readPort(s, e);
  HEAD.remote = remote;
  HEAD.port = port < 0 ? null : port;
  HEAD.end = port < 0 ? e : portEndAt;
  return HEAD;
}

/** An address, its port, and where the text around it starts (see tailFrom, tailClose). */
interface Tail {
  /** tailFrom: the index of ` from `. */
  at: number;
  remote: Remote;
  port: number | null;
  /** tailClose: which of WHO came before the address, and the name after it. */
  who: string | null;
  user: string | null;
}

/**
 * The one answer of tailFrom and tailClose, overwritten by each call (read it before the next
 * one): they run for most sshd lines, and an object per call would be garbage at once.
 */
const TAIL: Tail = {
  at: -1,
  remote: { src: null, srcHost: null },
  port: null,
  who: null,
  user: null,
};

/**
 * Reads `… from ADDR[ port N][ sshN]` ending exactly at `end`, right to left, so that a user
 * name written before it (which the client chooses, spaces and all) cannot supply the address.
 * `at` is the index of ` from `.
 */
function tailFrom(s: string, end: number): Readonly<Tail> | null {
  let e = end;
  if (
    e >= 5 &&
    s.charCodeAt(e - 5) === 32 &&
    s.startsWith('ssh', e - 4) &&
    isDigit(s.charCodeAt(e - 1))
  ) {
    e -= 5;
  }
  let port: number | null = null;
  let d = e;
  while (d > 0 && isDigit(s.charCodeAt(d - 1)) && e - d < 6) d--;
  if (d < e && d >= 6 && s.startsWith(' port ', d - 6)) {
    port = parsePortAt(s, d, e);
    if (port === null) return null;
    e = d - 6;
  }
  const sp = lastBlank(s, e - 1);
  if (sp < 5 || !s.startsWith(' from', sp - 5)) return null;
  const remote = remoteToken(s, sp + 1, e);
  return remote === null ? null : tail(sp - 5, remote, port, null, null);
}

/** Fills in TAIL and returns it. */
function tail(
  at: number,
  remote: Remote,
  port: number | null,
  who: string | null,
  user: string | null,
): Tail {
  TAIL.at = at;
  TAIL.remote = remote;
  TAIL.port = port;
  TAIL.who = who;
  TAIL.user = user;
  return TAIL;
}

/**
 * Reads `[authenticating user NAME |invalid user NAME |user NAME ]ADDR[ port N]`, all of `s`
 * from `pos`, right to left (the name may contain spaces and addresses).
 */
function tailClose(s: string, pos: number): Readonly<Tail> | null {
  let e = s.length;
  let port: number | null = null;
  let d = e;
  while (d > pos && isDigit(s.charCodeAt(d - 1)) && e - d < 6) d--;
  if (d < e && d - 6 >= pos && s.startsWith(' port ', d - 6)) {
    port = parsePortAt(s, d, e);
    if (port === null) return null;
    e = d - 6;
  }
  const sp = lastBlank(s, e - 1);
  if (sp < pos) {
    const remote = remoteToken(s, pos, e);
    return remote === null ? null : tail(-1, remote, port, null, null);
  }
  const remote = remoteToken(s, sp + 1, e);
  if (remote === null) return null;
  for (const who of WHO) {
    if (sp + 1 - pos >= who.length && s.startsWith(who, pos)) {
      return tail(-1, remote, port, who, s.slice(pos + who.length, sp));
    }
  }
  return null;
}

const WHO_AUTHENTICATING = 'authenticating user ';
const WHO_INVALID = 'invalid user ';
const WHO_USER = 'user ';
const WHO = [WHO_AUTHENTICATING, WHO_INVALID, WHO_USER];

const NO_REMOTE: Remote = { src: null, srcHost: null };

/**
 * The address and port of the ` from ` that pickFrom chose, valid until it is next called:
 * results kept here rather than in an object per candidate, as this runs for most sshd lines.
 */
let pickedRemote: Remote = NO_REMOTE;
let pickedPort: number | null = null;

/**
 * Picks the address of `NAME from ADDR port N sshN[: INFO]`, which is all of `s` from `start`
 * (after `Failed METHOD for `); returns the index of its ` from ` (-1: none) and leaves its
 * address and port in pickedRemote and pickedPort. Both NAME (any text the client sends) and
 * INFO (key text, hostbased client names) can hold `from ADDR port N`, so each ` from ` is
 * weighed: the address sshd already knows for this connection wins; then a full `port N sshN`
 * at the very end (INFO is absent for passwords); then one followed by `: INFO`; then a bare
 * address at the end. Ties go to the rightmost, since the user name is the field every client
 * controls.
 */
function pickFrom(s: string, start: number, sessions: SessionTable, known: number): number {
  let best = -1;
  let bestRank = 0;
  let i = indexOfWord(s, 'from ', start);
  while (i >= 0) {
    const fit = candidateAt(s, i);
    if (fit > 0) {
      const rank = known >= 0 && sessions.isRemote(known, candidateRemote) ? 9 : fit;
      if (rank >= bestRank) {
        best = i;
        bestRank = rank;
        pickedRemote = candidateRemote;
        pickedPort = candidatePort;
      }
    }
    i = indexOfWord(s, 'from ', i + 1);
  }
  return best;
}

/** The address and port of the candidate candidateAt read last. */
let candidateRemote: Remote = NO_REMOTE;
let candidatePort: number | null = null;

/**
 * How well the ` from ADDR[ port N][ sshN]` at `at`, running to the end of `s`, fits sshd's
 * format: 3 for `port N[ sshN]` at the end, 2 for `port N sshN: INFO`, 1 for a bare address
 * at the end, 0 when it is no candidate; its address and port are then in candidateRemote
 * and candidatePort.
 */
function candidateAt(s: string, at: number): number {
  const t = at + 6;
  let end = s.indexOf(' ', t);
  if (end < 0) end = s.length;
  if (end === t || end - t > 260) return 0;
  let pos = end;
  let port: number | null = null;
  const p = readPort(s, pos);
  if (p >= 0) {
    port = p;
    pos = portEndAt;
  }
  let ssh = false;
  if (
    s.charCodeAt(pos) === 32 &&
    s.charCodeAt(pos + 1) === 115 /* s */ &&
    s.charCodeAt(pos + 2) === 115 /* s */ &&
    s.charCodeAt(pos + 3) === 104 /* h */ &&
    isDigit(s.charCodeAt(pos + 4))
  ) {
    ssh = true;
    pos += 5;
  }
  let rank: number;
  if (pos === s.length) rank = port !== null ? 3 : 1;
  else if (port !== null && ssh && s.startsWith(': ', pos)) rank = 2;
  else return 0;
  const remote = remoteToken(s, t, end);
  if (remote === null) return 0;
  candidateRemote = remote;
  candidatePort = port;
  return rank;
}

/** Whether the name userAt read last was one sshd calls invalid. */
let userInvalid = false;

/**
 * Reads `invalid user NAME` / `illegal user NAME` / `NAME` (Solaris: `<invalid username>`),
 * all of `s[start, end)`: returns the name (null for Solaris's placeholder) and sets
 * userInvalid. A flag beside the answer rather than an object holding both, as this runs for
 * most sshd lines.
 */
function userAt(s: string, start: number, end: number): string | null {
  if (end - start >= 13 && s.charCodeAt(start) === 105 /* i */) {
    if (s.startsWith(WHO_INVALID, start) || s.startsWith('illegal user ', start)) {
      userInvalid = true;
      return s.slice(start + 13, end);
    }
  }
  if (end - start === 18 && s.startsWith('<invalid username>', start)) {
    userInvalid = true;
    return null;
  }
  userInvalid = false;
  return s.slice(start, end);
}

/**
 * Reads OpenSSH's sshd (`sshd`, and `sshd-session`/`sshd-auth` since OpenSSH 9.8/10.0).
 *
 * Kinds: a wrong password (or key, or keyboard-interactive answer) for an existing user is
 * `auth-failure`; a name sshd calls invalid or not allowed is `invalid-user`. A connection that
 * ends before authentication without anything else having failed (`Connection closed by ADDR
 * [preauth]`, `Received disconnect … [preauth]`, no identification string, bad version, kex
 * and banner errors, timeouts) is `protocol-error`: the peer connected and did not complete
 * the protocol; when it names the user it was authenticating as, `auth-failure`. Once a
 * connection has produced a failure, its closing lines are `connection` so one attempt is not
 * counted twice. `Failed publickey`/`none` for a valid user is not a failure on its own: clients
 * offer every key they hold; the connection counts if it then ends unauthenticated.
 * `POSSIBLE BREAK-IN ATTEMPT` (forward and reverse DNS disagree) is `connection` with a
 * signature: it describes the client's DNS, not something the client did.
 *
 * Connections are tracked by host and pid (bounded: the least recently used are dropped, and
 * those silent for ten minutes are ignored) so that address-less
 * lines (`Disconnecting: Too many authentication failures [preauth]`, `fatal: Read from
 * socket failed: Connection reset by peer [preauth]`, kex errors) get the connection's address,
 * or wait for the next line of the pid that has one.
 */
class SshdParser implements FamilyParser {
  readonly family = 'sshd';
  readonly programs = ['sshd', 'sshd-session', 'sshd-auth'];
  private readonly sessions = new SessionTable(SSHD_SESSION_CAP);
  private readonly hosts = new Map<string, HostEntry>();
  private readonly recentHosts = new RecentTexts<HostEntry>();
  /** The host and pid of the line being read, as `key` found them. */
  private lineHost: HostEntry = NO_HOST;
  private linePid = -1;
  private linePidText: string | null = null;

  parseMessage(message: string, env: Envelope): EventDraft | null {
    let m = message;
    // Solaris: `[ID 800047 auth.info] Failed …`.
    if (m.charCodeAt(0) === 91 && m.startsWith('[ID ')) {
      const close = m.indexOf('] ');
      if (close > 0 && close < 48) m = m.slice(close + 2);
    }
    const c0 = m.charCodeAt(0);
    if ((c0 === 101 && m.startsWith('error: ')) || (c0 === 102 && m.startsWith('fatal: '))) {
      m = m.slice(7);
    }
    let end = m.length;
    while (end > 0 && m.charCodeAt(end - 1) === 32) end--;
    let preauth = false;
    if (m.charCodeAt(end - 1) === 93 /* ] */ && m.startsWith(' [preauth]', end - 10)) {
      preauth = true;
      end -= 10;
      while (end > 0 && m.charCodeAt(end - 1) === 32) end--;
    }
    if (end !== m.length) m = m.slice(0, end);
    switch (m.charCodeAt(0)) {
      case 70: // F
        if (m.startsWith('Failed ')) return this.failed(m, env);
        return null;
      case 65: // A
        if (m.startsWith('Accepted ')) return this.accepted(m, env);
        if (m.startsWith('Address ')) return this.breakIn(m, env);
        return null;
      case 73: // I
        if (m.startsWith('Invalid user ') || m.startsWith('Illegal user ')) {
          return this.invalidUser(m, env);
        }
        return null;
      case 85: // U
        if (m.startsWith('User ')) return this.notAllowed(m, env);
        if (m.startsWith('Unable to negotiate ')) return this.negotiate(m, env);
        return null;
      case 67: // C
        if (m.startsWith('Connection from ')) return this.connectionFrom(m, env);
        if (m.startsWith('Connection closed by ')) {
          return this.close(m, 21, env, preauth, 'sshd: closed before authentication', false);
        }
        if (m.startsWith('Connection reset by ')) {
          return this.close(m, 20, env, preauth, SIG_RESET, false);
        }
        return null;
      case 68: // D
        if (m.startsWith('Disconnected from ')) {
          return this.close(m, 18, env, preauth, 'sshd: disconnected before authentication', true);
        }
        if (m.startsWith('Disconnecting')) return this.disconnecting(m, env, preauth);
        if (m.startsWith('Did not receive identification string from ')) {
          return this.simple(m, 43, env, 'protocol-error', SIG_NO_IDENT, true);
        }
        return null;
      case 82: // R
        if (m.startsWith('Received disconnect from ')) return this.received(m, env, preauth);
        if (m.startsWith('ROOT LOGIN REFUSED FROM ')) return this.rootRefused(m, env);
        if (m.startsWith('Read from socket failed: ') && preauth) {
          return this.addressless(env, 'protocol-error', SIG_RESET, null, true);
        }
        return null;
      case 66: // B
        if (m.startsWith('Bad protocol version identification ')) {
          return this.fromRight(m, 36, env, 'protocol-error', SIG_BAD_VERSION);
        }
        return null;
      case 98: // b
        if (m.startsWith('banner exchange: Connection from ')) {
          return this.simple(m, 33, env, 'protocol-error', SIG_BANNER, false);
        }
        return null;
      case 107: // k
        if (m.startsWith('kex_exchange_identification: ')) return this.kexIdent(m, env);
        return null;
      case 109: // m
        if (m.startsWith('maximum authentication attempts exceeded for ')) {
          return this.maxTries(m, env);
        }
        return null;
      case 110: // n
        if (m.startsWith('no matching ')) {
          return this.addressless(env, 'protocol-error', negotiationSignature(m, 0), null, false);
        }
        return null;
      case 115: // s
        if (m.startsWith('ssh_dispatch_run_fatal: Connection from ')) return this.dispatch(m, env);
        return null;
      case 84: // T
        if (m.startsWith('Timeout before authentication for ')) return this.timeout(m, env);
        return null;
      case 80: // P
        if (m.startsWith('PAM: ')) return this.pamError(m, env);
        if (m.startsWith('Postponed ')) {
          this.authSeen(m, 10, env);
          return null;
        }
        return null;
      case 114: // r
        if (m.startsWith('reverse mapping checking getaddrinfo for ')) {
          return this.reverseMapping(m, env);
        }
        return null;
      case 83: // S
        if (m.startsWith('SSH: Server;Ltype: ')) this.auditRemote(m, env);
        return null;
      case 100: // d
        if (m.startsWith('drop connection #')) return dropped(m);
        return null;
      default:
        return null;
    }
  }

  /**
   * The session key of a line: a 30-bit FNV-1a hash of host and pid (an integer indexes the
   * slot table directly). The session stores host and pid, so a collision reads as no session.
   * Also notes the line's host and pid for `live` and `create`.
   */
  private key(env: Envelope): number | null {
    const pid = env.pid;
    if (pid === null) return null;
    const host = this.hostEntry(env.host);
    this.lineHost = host;
    let h = host.hash;
    // A plain decimal pid (no leading zero, at most 9 digits) is kept as its number: the two
    // forms then stand for each other exactly.
    let plain = pid.length > 0 && pid.length <= 9 && (pid.charCodeAt(0) !== 48 || pid.length === 1);
    let num = 0;
    for (let i = 0; i < pid.length; i++) {
      const c = pid.charCodeAt(i);
      h = Math.imul(h ^ c, 16777619);
      if (isDigit(c)) num = num * 10 + c - 48;
      else plain = false;
    }
    this.linePid = plain ? num : -1;
    this.linePidText = plain ? null : pid;
    return h & 0x3fffffff;
  }

  /**
   * The parser's entry for a syslog host: one detached copy of the name, kept by every session
   * of the host, and the hash of `NAME ` that starts its sessions' keys (a log has few hosts).
   */
  private hostEntry(host: string | null): HostEntry {
    if (host === null) return NO_HOST;
    let e = this.recentHosts.get(host);
    if (e !== undefined) return e;
    e = this.hosts.get(host);
    if (e === undefined) {
      // Only the number of distinct names is bounded: entries are rebuilt alike after a clear.
      if (this.hosts.size >= MAX_HOSTS) this.hosts.clear();
      const name = detach(host);
      e = { id: nextHostId++, name, hash: hostHash(name) };
      this.hosts.set(name, e);
    }
    this.recentHosts.set(host, e);
    return e;
  }

  /** A new session for the line's host and pid under `key`, reusing an evicted one when the table is full. */
  private create(key: number, env: Envelope, remote: Remote, port: number | null): number {
    const t = this.sessions;
    const s = t.claim(key);
    t.reset(s, this.lineHost, this.linePid, keep(this.linePidText));
    t.setRemote(s, remote);
    t.setSrcPort(s, port);
    t.setAt(s, env.at ?? NaN);
    return s;
  }

  /** The live session of the line's pid, or -1 (an expired one is dropped). */
  private live(key: number | null, env: Envelope): number {
    if (key === null) return -1;
    const t = this.sessions;
    const s = t.find(key);
    if (
      s < 0 ||
      t.pid(s) !== this.linePid ||
      t.pidText(s) !== this.linePidText ||
      !t.isOf(s, this.lineHost)
    ) {
      return -1;
    }
    // A session without a time (NaN) never expires, as one whose lines had none.
    if (env.at !== null && Math.abs(env.at - t.at(s)) > SESSION_TTL_MS) {
      t.delete(key);
      return -1;
    }
    return s;
  }

  /** Notes the connection's address for its pid; returns the session (-1 without pid). */
  private record(
    key: number | null,
    env: Envelope,
    remote: Remote,
    port: number | null,
    looked?: number,
  ): number {
    if (key === null) return -1;
    const t = this.sessions;
    // `looked`: the caller already looked the session up for this line (-1: none found).
    const s = looked === undefined ? this.live(key, env) : looked;
    if (s < 0 || (t.flag(s, CLOSED) && t.hasAddress(s) && !t.isRemote(s, remote))) {
      return this.create(key, env, remote, port);
    }
    if (!t.hasAddress(s)) {
      t.setRemote(s, remote);
      t.setSrcPort(s, port);
    }
    t.setAt(s, env.at ?? t.at(s));
    return s;
  }

  /** True when there is a session (s >= 0) and it has the flag. */
  private has(s: number, bit: number): boolean {
    return s >= 0 && this.sessions.flag(s, bit);
  }

  /** A failure of this connection: marks it so its closing lines are not counted again. */
  private failure(
    s: number,
    kind: EventKind,
    remote: Remote,
    port: number | null,
    user: string | null,
    signature: string,
  ): EventDraft {
    if (s >= 0) {
      this.sessions.setFlag(s, FAILED, true);
      this.sessions.setPending(s, null);
    }
    return draft(kind, remote, port, user, signature);
  }

  private failed(m: string, env: Envelope): EventDraft | null {
    // Nearly always `password`: then ` for ` is right after it (a method has no blank), and the
    // literal stands for the method (its hash is known, a fresh slice's would be computed).
    const password = m.startsWith('password for ', 7);
    const forAt = password ? 15 : indexOfWord(m, 'for ', 7);
    if (forAt < 0) return null;
    const method = password ? 'password' : m.slice(7, forAt);
    const key = this.key(env);
    const known = this.live(key, env);
    const at = pickFrom(m, forAt + 5, this.sessions, known);
    if (at < 0) return null;
    const remote = pickedRemote;
    const port = pickedPort;
    const user = userAt(m, forAt + 5, at);
    const invalid = userInvalid;
    const s = this.record(key, env, remote, port, known);
    const signature = password
      ? SIG_FAILED_PASSWORD
      : (FAILED_SIGNATURES.get(method) ?? 'sshd: failed authentication');
    if (invalid) return this.failure(s, 'invalid-user', remote, port, user, signature);
    if (!password && SOFT_METHODS.has(method)) {
      if (s >= 0 && !this.sessions.flag(s, SOFT)) {
        this.sessions.setFlag(s, SOFT, true);
        this.sessions.setSoftUser(s, keep(user));
      }
      return null;
    }
    return this.failure(s, 'auth-failure', remote, port, user, signature);
  }

  private accepted(m: string, env: Envelope): EventDraft | null {
    const forAt = indexOfWord(m, 'for ', 9);
    if (forAt < 0) return null;
    const method = m.slice(9, forAt);
    const key = this.key(env);
    const known = this.live(key, env);
    const at = pickFrom(m, forAt + 5, this.sessions, known);
    if (at < 0) return null;
    const remote = pickedRemote;
    const port = pickedPort;
    const s = this.record(key, env, remote, port, known);
    if (s >= 0) {
      this.sessions.setFlag(s, SOFT, false);
      this.sessions.setPending(s, null);
    }
    const signature = ACCEPTED_SIGNATURES.get(method) ?? 'sshd: accepted authentication';
    return draft('auth-success', remote, port, m.slice(forAt + 5, at), signature);
  }

  /** `Postponed publickey for NAME from ADDR port N ssh2`: remembers the address only. */
  private authSeen(m: string, start: number, env: Envelope): void {
    const forAt = indexOfWord(m, 'for ', start);
    if (forAt < 0) return;
    const key = this.key(env);
    if (pickFrom(m, forAt + 5, this.sessions, this.live(key, env)) >= 0) {
      this.record(key, env, pickedRemote, pickedPort);
    }
  }

  /** `Invalid user NAME from ADDR[ port N]` (older: `Illegal user`). */
  private invalidUser(m: string, env: Envelope): EventDraft | null {
    const t = tailFrom(m, m.length);
    if (t === null || t.at < 12) return null;
    const user = t.at === 12 ? '' : m.slice(13, t.at);
    const s = this.record(this.key(env), env, t.remote, t.port);
    return this.failure(s, 'invalid-user', t.remote, t.port, user, SIG_INVALID_USER);
  }

  /** `User NAME from ADDR not allowed because REASON`, or without `from ADDR`. */
  private notAllowed(m: string, env: Envelope): EventDraft | null {
    const because = m.lastIndexOf(' not allowed because ');
    if (because < 5) return null;
    const t = tailFrom(m, because);
    if (t === null || t.at < 4) {
      return this.addressless(env, 'invalid-user', SIG_NOT_ALLOWED, m.slice(5, because), false);
    }
    const s = this.record(this.key(env), env, t.remote, t.port);
    return this.failure(s, 'invalid-user', t.remote, t.port, m.slice(5, t.at), SIG_NOT_ALLOWED);
  }

  /** `ROOT LOGIN REFUSED FROM ADDR[ port N]` (PermitRootLogin no, older sshd). */
  private rootRefused(m: string, env: Envelope): EventDraft | null {
    const h = headRemote(m, 24);
    if (h === null || h.end !== m.length) return null;
    const s = this.record(this.key(env), env, h.remote, h.port);
    return this.failure(s, 'invalid-user', h.remote, h.port, 'root', 'sshd: root login refused');
  }

  /** `maximum authentication attempts exceeded for [invalid user ]NAME from ADDR port N ssh2`. */
  private maxTries(m: string, env: Envelope): EventDraft | null {
    const t = tailFrom(m, m.length);
    if (t === null || t.at < 44) return null;
    const user = userAt(m, 45, t.at);
    const invalid = userInvalid;
    const s = this.record(this.key(env), env, t.remote, t.port);
    const kind = invalid ? 'invalid-user' : 'auth-failure';
    return this.failure(s, kind, t.remote, t.port, user, SIG_MAX_TRIES);
  }

  /** `Connection from ADDR port N on ADDR port N[ rdomain "X"]`: a new connection for the pid. */
  private connectionFrom(m: string, env: Envelope): EventDraft | null {
    const h = headRemote(m, 16);
    if (h === null) return null;
    // Kept before the second headRemote overwrites its answer.
    const remote = h.remote;
    const port = h.port;
    let dst: string | null = null;
    let dstPort: number | null = null;
    if (m.startsWith(' on ', h.end)) {
      const d = headRemote(m, h.end + 4);
      if (d !== null) {
        dst = d.remote.src;
        dstPort = d.port;
      }
    } else if (h.end !== m.length) {
      return null;
    }
    const key = this.key(env);
    if (key !== null) this.create(key, env, remote, port);
    const ev = draft('connection', remote, port, null, null);
    ev.dst = dst;
    ev.dstPort = dstPort;
    return ev;
  }

  /**
   * `Connection closed by …`, `Connection reset by …`, `Disconnected from …`: the connection
   * ended. Before authentication it is a failure unless one was already counted for it.
   */
  private close(
    m: string,
    start: number,
    env: Envelope,
    preauth: boolean,
    signature: string,
    echo: boolean,
  ): EventDraft | null {
    const t = tailClose(m, start);
    if (t === null) return null;
    return this.ended(env, t.remote, t.port, t.who, t.user, preauth, signature, echo);
  }

  /**
   * The end of a connection. A pending address-less failure is emitted now; before
   * authentication the close itself is a failure unless the connection already produced one.
   * `Disconnected from …` (`echo`) is sshd's second line for a disconnect it has just logged
   * as `Received disconnect …`, so it is never counted itself.
   */
  private ended(
    env: Envelope,
    remote: Remote,
    port: number | null,
    who: string | null,
    user: string | null,
    preauth: boolean,
    signature: string,
    echo: boolean,
  ): EventDraft | null {
    const s = this.record(this.key(env), env, remote, port);
    if (s >= 0) this.sessions.setFlag(s, CLOSED, true);
    const p = s >= 0 ? this.sessions.pending(s) : null;
    if (p !== null) return this.failure(s, p.kind, remote, port, p.user ?? user, p.signature);
    if (!preauth) return null;
    if (echo || this.has(s, FAILED)) return draft('connection', remote, port, user, signature);
    if (who === WHO_AUTHENTICATING) {
      const sig = 'sshd: gave up during authentication';
      return this.failure(s, 'auth-failure', remote, port, user, sig);
    }
    if (who === WHO_INVALID) {
      return this.failure(s, 'invalid-user', remote, port, user, SIG_INVALID_USER);
    }
    if (this.has(s, SOFT)) {
      const sig = 'sshd: publickey refused';
      return this.failure(s, 'auth-failure', remote, port, this.sessions.softUser(s), sig);
    }
    return this.failure(s, 'protocol-error', remote, port, user, signature);
  }

  /**
   * `Received disconnect from ADDR port N:CODE: TEXT` (older: `from ADDR: CODE: TEXT`). Code 11
   * outside the pre-auth phase is an ordinary logout; anything else ends a connection that
   * never authenticated (older sshd did not write `[preauth]`).
   */
  private received(m: string, env: Envelope, preauth: boolean): EventDraft | null {
    const h = headRemote(m, 25);
    if (h === null) return null;
    let i = h.end;
    if (m.charCodeAt(i) === 58) i++;
    if (m.charCodeAt(i) === 32) i++;
    const c0 = i;
    while (i < m.length && isDigit(m.charCodeAt(i)) && i - c0 < 3) i++;
    if (i === c0 || m.charCodeAt(i) !== 58) return null;
    const logout = i - c0 === 2 && m.charCodeAt(c0) === 49 && m.charCodeAt(c0 + 1) === 49;
    const closing = preauth || !logout;
    const sig = 'sshd: disconnected before authentication';
    return this.ended(env, h.remote, h.port, null, null, closing, sig, false);
  }

  /**
   * `Disconnecting: Too many authentication failures[ for NAME]` (no address: the pid's), and
   * `Disconnecting (authenticating|invalid) user NAME ADDR port N: REASON`, where both NAME
   * and REASON (a changed user name) can be chosen by the client.
   */
  private disconnecting(m: string, env: Envelope, preauth: boolean): EventDraft | null {
    if (m.startsWith('Disconnecting: ')) {
      if (!m.startsWith('Too many authentication failures', 15)) return null;
      const user = m.startsWith(' for ', 47) ? m.slice(52) : null;
      return this.addressless(env, 'auth-failure', SIG_TOO_MANY, user, true);
    }
    if (!m.startsWith('Disconnecting ')) return null;
    let who: string | null = null;
    for (const w of WHO) {
      if (m.startsWith(w, 14)) {
        who = w;
        break;
      }
    }
    if (who === null) return null;
    const nameStart = 14 + who.length;
    const key = this.key(env);
    const known = this.live(key, env);
    let best: { remote: Remote; port: number; user: string; reason: string } | null = null;
    let bestRank = 0;
    let i = indexOfWord(m, 'port ', nameStart);
    while (i >= 0) {
      const p = portEnd(m, i);
      if (p >= 0 && m.startsWith(': ', p)) {
        const sp = m.lastIndexOf(' ', i - 1);
        const remote = sp >= nameStart - 1 ? remoteToken(m, sp + 1, i) : null;
        if (remote !== null) {
          const user = sp >= nameStart ? m.slice(nameStart, sp) : '';
          const reason = m.slice(p + 2);
          let rank = 1;
          if (known >= 0 && this.sessions.isRemote(known, remote)) rank = 3;
          else if (
            reason === 'Too many authentication failures' ||
            reason.startsWith(`Change of username or service not allowed: (${user},`)
          ) {
            rank = 2;
          }
          if (rank >= bestRank) {
            best = { remote, port: parsePortAt(m, i + 6, p)!, user, reason };
            bestRank = rank;
          }
        }
      }
      i = indexOfWord(m, 'port ', i + 1);
    }
    if (best === null) return null;
    const s = this.record(key, env, best.remote, best.port);
    const invalid = who === WHO_INVALID;
    if (best.reason.startsWith('Too many authentication failures')) {
      if (this.has(s, FAILED)) {
        return draft('connection', best.remote, best.port, best.user, SIG_TOO_MANY);
      }
      const kind = invalid ? 'invalid-user' : 'auth-failure';
      return this.failure(s, kind, best.remote, best.port, best.user, SIG_TOO_MANY);
    }
    if (best.reason.startsWith('Change of username or service not allowed')) {
      const sig = 'sshd: change of username not allowed';
      return this.failure(s, 'protocol-error', best.remote, best.port, best.user, sig);
    }
    if (!preauth) return null;
    const sig = 'sshd: disconnected';
    if (this.has(s, FAILED)) return draft('connection', best.remote, best.port, best.user, sig);
    return this.failure(s, 'protocol-error', best.remote, best.port, best.user, sig);
  }

  /** A line whose address sits right after sshd's own words (`Did not receive … from ADDR`). */
  private simple(
    m: string,
    start: number,
    env: Envelope,
    kind: EventKind,
    signature: string,
    closing: boolean,
  ): EventDraft | null {
    const h = headRemote(m, start);
    if (h === null) return null;
    if (h.end !== m.length && m.charCodeAt(h.end) !== 58) return null;
    return this.found(env, kind, h.remote, h.port, null, signature, closing);
  }

  /** A line whose address ends it, after client-chosen text (`Bad protocol version 'X' from`). */
  private fromRight(
    m: string,
    start: number,
    env: Envelope,
    kind: EventKind,
    signature: string,
  ): EventDraft | null {
    const t = tailFrom(m, m.length);
    if (t === null || t.at < start) return null;
    return this.found(env, kind, t.remote, t.port, null, signature, false);
  }

  /** Emits a failure with an address; a closing one of an already failed connection is not. */
  private found(
    env: Envelope,
    kind: EventKind,
    remote: Remote,
    port: number | null,
    user: string | null,
    signature: string,
    closing: boolean,
  ): EventDraft {
    const s = this.record(this.key(env), env, remote, port);
    if (closing && this.has(s, FAILED)) return draft('connection', remote, port, user, signature);
    return this.failure(s, kind, remote, port, user, signature);
  }

  /**
   * A failure line without an address: it takes the address sshd logged earlier for the pid,
   * or waits for the pid's next line that has one (`error: kex_exchange_identification:
   * Connection closed by remote host` is followed by `Connection closed by ADDR port N`).
   */
  private addressless(
    env: Envelope,
    kind: EventKind,
    signature: string,
    user: string | null,
    closing: boolean,
  ): EventDraft | null {
    const key = this.key(env);
    if (key === null) return null;
    const t = this.sessions;
    const s = this.live(key, env);
    if (s >= 0 && t.hasAddress(s)) {
      t.setAt(s, env.at ?? t.at(s));
      const remote = t.remote(s);
      const port = t.srcPort(s);
      if (closing && t.flag(s, FAILED)) return draft('connection', remote, port, user, signature);
      const who = kind === 'auth-failure' ? (user ?? t.softUser(s)) : user;
      return this.failure(s, kind, remote, port, who, signature);
    }
    const pending: Pending = { kind, signature: detach(signature), user: keep(user) };
    if (s >= 0) {
      t.setPending(s, pending);
      t.setAt(s, env.at ?? t.at(s));
    } else {
      t.setPending(this.create(key, env, NO_REMOTE, null), pending);
    }
    return null;
  }

  /** `kex_exchange_identification: …`: the client sent no or a malformed SSH banner. */
  private kexIdent(m: string, env: Envelope): EventDraft | null {
    const what = m.slice(29);
    if (what.startsWith('Connection closed') || what.indexOf('Connection reset') >= 0) {
      return this.addressless(env, 'protocol-error', SIG_NO_IDENT, null, true);
    }
    if (what.startsWith('client sent invalid protocol identifier')) {
      return this.addressless(env, 'protocol-error', SIG_BAD_IDENT, null, false);
    }
    return this.addressless(env, 'protocol-error', SIG_BANNER, null, false);
  }

  /** `Unable to negotiate with ADDR port N: no matching X found. Their offer: …`. */
  private negotiate(m: string, env: Envelope): EventDraft | null {
    if (m.startsWith('Unable to negotiate with ')) {
      const h = headRemote(m, 25);
      if (h === null || !m.startsWith(': ', h.end)) return null;
      const sig = negotiationSignature(m, h.end + 2);
      return this.found(env, 'protocol-error', h.remote, h.port, null, sig, false);
    }
    if (m.startsWith('Unable to negotiate a key exchange method')) {
      const sig = 'sshd: no matching key exchange method';
      return this.addressless(env, 'protocol-error', sig, null, false);
    }
    return null;
  }

  /**
   * `ssh_dispatch_run_fatal: Connection from [authenticating user NAME ]ADDR port N: ERROR`.
   * ERROR is sshd's own text, so the last ` port N: ` is the real one.
   */
  private dispatch(m: string, env: Envelope): EventDraft | null {
    let i = m.lastIndexOf(' port ');
    while (i > 40) {
      const p = portEnd(m, i);
      if (p >= 0 && m.startsWith(': ', p)) {
        const sp = m.lastIndexOf(' ', i - 1);
        const remote = remoteToken(m, sp + 1, i);
        if (remote === null) return null;
        const err = m.slice(p + 2);
        const closing = err.startsWith('Connection reset') || err.startsWith('Broken pipe');
        const sig = 'sshd: fatal protocol error';
        const port = parsePortAt(m, i + 6, p);
        return this.found(env, 'protocol-error', remote, port, null, sig, closing);
      }
      i = m.lastIndexOf(' port ', i - 1);
    }
    return null;
  }

  /**
   * `Timeout before authentication for ADDR port N`, and the form `… for connection from ADDR
   * to ADDR, pid = N` written by some builds.
   */
  private timeout(m: string, env: Envelope): EventDraft | null {
    const sig = 'sshd: timeout before authentication';
    const start = m.startsWith('connection from ', 34) ? 50 : 34;
    const h = headRemote(m, start);
    if (h === null) return null;
    const next = m.charCodeAt(h.end);
    if (h.end !== m.length && next !== 32 && next !== 44) return null;
    return this.found(env, 'protocol-error', h.remote, h.port, null, sig, true);
  }

  /**
   * `PAM: Authentication failure for [illegal user ]NAME from HOST[ via LOCAL]` (sshd's own
   * report of a PAM conversation; HOST is a name when UseDNS is on; macOS adds `via`).
   */
  private pamError(m: string, env: Envelope): EventDraft | null {
    const forAt = indexOfWord(m, 'for ', 5);
    if (forAt < 0) return null;
    let end = m.length;
    const via = m.lastIndexOf(' via ');
    if (via > forAt && m.indexOf(' ', via + 5) < 0 && remoteFrom(m.slice(via + 5)) !== null) {
      end = via;
    }
    const t = tailFrom(m, end);
    if (t === null || t.at < forAt + 4 || t.port !== null) return null;
    const user = userAt(m, forAt + 5, t.at);
    const invalid = userInvalid;
    const unknown = invalid || m.startsWith('User not known', 5);
    const s = this.record(this.key(env), env, t.remote, t.port);
    const kind = unknown ? 'invalid-user' : 'auth-failure';
    return this.failure(s, kind, t.remote, null, user, 'sshd: PAM authentication failure');
  }

  /** `Address ADDR maps to NAME, but this does not map back to the address - POSSIBLE …`. */
  private breakIn(m: string, env: Envelope): EventDraft | null {
    if (m.indexOf('POSSIBLE BREAK-IN ATTEMPT') < 0) return null;
    const h = headRemote(m, 8);
    if (h === null || !m.startsWith(' maps to ', h.end)) return null;
    this.record(this.key(env), env, h.remote, null);
    return draft('connection', h.remote, null, null, SIG_BREAK_IN);
  }

  /** `reverse mapping checking getaddrinfo for NAME [ADDR] failed - POSSIBLE BREAK-IN ATTEMPT!`. */
  private reverseMapping(m: string, env: Envelope): EventDraft | null {
    const tail = m.lastIndexOf('] failed');
    if (tail < 0 || m.indexOf('POSSIBLE BREAK-IN ATTEMPT', tail) < 0) return null;
    const open = m.lastIndexOf(' [', tail);
    if (open < 0) return null;
    const remote = remoteToken(m, open + 2, tail);
    if (remote === null || remote.src === null) return null;
    this.record(this.key(env), env, remote, null);
    return draft('connection', remote, null, null, SIG_BREAK_IN);
  }

  /** `SSH: Server;Ltype: Version;Remote: ADDR-PORT;…` (an audit patch): the pid's address. */
  private auditRemote(m: string, env: Envelope): void {
    const r = m.indexOf(';Remote: ');
    if (r < 0) return;
    const semi = m.indexOf(';', r + 9);
    const field = m.slice(r + 9, semi < 0 ? m.length : semi);
    const dash = field.lastIndexOf('-');
    if (dash <= 0) return;
    const remote = remoteFrom(field.slice(0, dash));
    if (remote !== null) this.record(this.key(env), env, remote, parsePort(field.slice(dash + 1)));
  }
}

/**
 * `drop connection #N from [ADDR]:PORT on [ADDR]:PORT REASON` (OpenSSH 9.8+: MaxStartups or
 * PerSourcePenalties refused the connection before it reached authentication).
 */
function dropped(m: string): EventDraft | null {
  const from = m.indexOf(' from [', 17);
  if (from < 0 || from > 30) return null;
  const close = m.indexOf(']:', from + 7);
  if (close < 0) return null;
  const remote = remoteToken(m, from + 7, close);
  if (remote === null) return null;
  let d = close + 2;
  while (d < m.length && isDigit(m.charCodeAt(d)) && d - close < 8) d++;
  const port = parsePort(m.slice(close + 2, d));
  let dst: string | null = null;
  let dstPort: number | null = null;
  let reason = '';
  if (m.startsWith(' on [', d)) {
    const dclose = m.indexOf(']:', d + 5);
    if (dclose > 0) {
      dst = remoteToken(m, d + 5, dclose)?.src ?? null;
      let e = dclose + 2;
      while (e < m.length && isDigit(m.charCodeAt(e)) && e - dclose < 8) e++;
      dstPort = parsePort(m.slice(dclose + 2, e));
      reason = m.slice(e + 1);
    }
  }
  const ev = draft('connection-refused', remote, port, null, dropSignature(reason));
  ev.dst = dst;
  ev.dstPort = dstPort;
  return ev;
}

/** `sshd: no matching cipher` from sshd's own `no matching X found`, else a generic label. */
function negotiationSignature(m: string, pos: number): string {
  if (m.startsWith('no matching ', pos)) {
    const found = m.indexOf(' found', pos + 12);
    if (found > pos + 12 && found - pos < 60) {
      const what = m.slice(pos + 12, found);
      let plain = true;
      for (let i = 0; i < what.length && plain; i++) {
        const c = what.charCodeAt(i);
        plain = c === 32 || c === 45 || isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      }
      if (plain) return `sshd: no matching ${what}`;
    }
  }
  return 'sshd: key exchange negotiation failed';
}

function dropSignature(reason: string): string {
  if (reason.startsWith('penalty: ') && reason.length < 64) return `sshd: ${reason}`;
  if (reason.startsWith('past MaxStartups')) return 'sshd: past MaxStartups';
  return 'sshd: connection dropped';
}

function draft(
  kind: EventKind,
  remote: Remote,
  port: number | null,
  user: string | null,
  signature: string | null,
): EventDraft {
  const d = newDraft(kind, remote.src);
  d.srcHost = remote.srcHost;
  d.srcPort = port;
  d.service = 'ssh';
  d.user = user;
  d.signature = signature;
  return d;
}

/** OpenSSH sshd (with sshd-session and sshd-auth of OpenSSH 9.8 and later). */
export const sshdParser: ParserDefinition = {
  family: 'sshd',
  description:
    'OpenSSH sshd: failed and accepted logins, invalid users, pre-auth disconnects, kex errors',
  build(): FamilyParser {
    return new SshdParser();
  },
};
