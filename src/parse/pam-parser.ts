import { detach } from '../core/detach.js';
import type { EventDraft } from '../core/event.js';
import { cleanIPv4End } from '../core/ip.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { indexOfWord, remoteFrom, serviceForProgram } from './extract.js';
import { programKey } from './line-parser.js';
import { RecentTexts } from './recent-texts.js';
import type { Envelope } from './syslog-envelope.js';

const MARK = 'authentication failure; logname=';

/**
 * PAM services whose daemon logs every failed attempt itself, with the client's address:
 * sshd (`Failed password for …`) and the UW IMAP servers, whose PAM services are `pop` and
 * `imap` (`Login failed user=… [ADDR]`). Counting the PAM module's line as well would count
 * each attempt twice; and in sshd a pam_unix failure is not even a failed login when a later
 * module of the stack (pam_ldap, pam_sss) accepts the password.
 */
const SELF_REPORTING: ReadonlySet<string> = new Set([
  'sshd',
  'sshd-session',
  'sshd-auth',
  'pop',
  'imap',
  'ipop3d',
  'imapd',
]);

/** What the text before `authentication failure;` says: the module and the PAM service. */
interface PamPrefix {
  readonly module: string;
  readonly service: string | null;
}

/**
 * A prefix with what the lines that carry it have in common, worked out once per prefix (the
 * prefixes are cached): whether its service reports failures itself, the service's name, and
 * the signatures of its module.
 */
interface ReadPrefix extends PamPrefix {
  /** `service` is in SELF_REPORTING. */
  readonly selfReporting: boolean;
  /** serviceForProgram(service). */
  readonly serviceName: string | null;
  readonly signature: string;
  readonly countedSignature: string;
}

/** The signature of a module's failure line, counted or not (see SELF_REPORTING). */
function signatureOf(module: string, counted: boolean): string {
  return counted
    ? `${module}: authentication failure (counted from the daemon's own line)`
    : `${module}: authentication failure`;
}

/** A prefix as read, with its facts (see ReadPrefix). */
function withFacts(p: PamPrefix): ReadPrefix {
  return {
    module: p.module,
    service: p.service,
    selfReporting: p.service !== null && SELF_REPORTING.has(p.service),
    serviceName: serviceForProgram(p.service),
    signature: signatureOf(p.module, false),
    countedSignature: signatureOf(p.module, true),
  };
}

/** The lines without a prefix, and those whose tag ends in `(pam_unix)`, name these modules. */
const NO_PREFIX = withFacts({ module: 'pam', service: null });
const PAM_UNIX_SIGNATURE = signatureOf('pam_unix', false);
const PAM_UNIX_COUNTED = signatureOf('pam_unix', true);

/** Reads a prefix the caller's pattern accepted (`pam_unix(sshd:auth): `, `(pam_unix) `). */
function readPrefix(prefix: string): PamPrefix {
  if (prefix.charCodeAt(0) === 40 /* ( */) {
    return { module: prefix.slice(1, prefix.indexOf(')')), service: null };
  }
  const open = prefix.indexOf('(');
  const colonEnd = prefix.lastIndexOf(':');
  const module = prefix.slice(0, open > 0 ? open : colonEnd);
  let service: string | null = null;
  if (open > 0) {
    const inner = prefix.slice(open + 1, prefix.lastIndexOf(')'));
    const colon = inner.indexOf(':');
    if (colon > 0) service = inner.slice(0, colon);
  }
  return { module, service };
}

/**
 * Picks the `rhost=` of `… tty=T ruser=R rhost=H[  user=U]`. R and U can both hold text the
 * client typed (vsftpd, proftpd and dovecot pass the login name as ruser; some modules log the
 * typed name as user), so a fake `rhost=` may sit on either side. A candidate counts only if
 * nothing but `user=…` follows its value. With R empty nothing precedes the first `rhost=`, so
 * it is the real one; otherwise the last candidate wins, because R is where pam_unix puts the
 * typed name of an unknown user (it omits `user=` for those).
 */
function parsePam(
  message: string,
  env: Envelope,
  prefixOf: (message: string, end: number) => ReadPrefix | null,
): EventDraft | null {
  const idx = message.indexOf(MARK);
  if (idx < 0 || idx > 100) return null;
  let prefix = NO_PREFIX;
  if (idx > 0) {
    const read = prefixOf(message, idx);
    if (read === null) return null;
    prefix = read;
  }

  let end = message.length;
  while (end > 0 && message.charCodeAt(end - 1) === 32) end--;
  if (message.startsWith(' [preauth]', end - 10)) {
    end -= 10;
    while (end > 0 && message.charCodeAt(end - 1) === 32) end--;
  }
  const tty = indexOfWord(message, 'tty=', idx);
  if (tty < 0) return null;
  const r = indexOfWord(message, 'ruser=', tty);
  if (r < 0 || r >= end) return null;
  const rs = r + 7;

  let chosen = -1;
  let chosenEnd = -1;
  let userAt = -1;
  let chosenIsQuad = false;
  for (
    let j = indexOfWord(message, 'rhost=', rs - 1);
    j >= 0 && j < end;
    j = indexOfWord(message, 'rhost=', j + 1)
  ) {
    const v = j + 7;
    // A dotted quad without leading zeros (most hosts) ends at the blank the search below
    // would find: read once, not once here and once more as an address.
    let ve = cleanIPv4End(message, v);
    const quad = ve >= 0 && (ve === end || (ve < end && message.charCodeAt(ve) === 32));
    if (!quad) {
      ve = message.indexOf(' ', v);
      if (ve < 0 || ve > end) ve = end;
    }
    let k = ve;
    while (k < end && message.charCodeAt(k) === 32) k++;
    const atEnd = k >= end;
    if (!atEnd && !message.startsWith('user=', k)) continue;
    chosen = j;
    chosenEnd = ve;
    userAt = atEnd ? -1 : k + 5;
    chosenIsQuad = quad;
    if (j === rs) break; // ruser is empty: the first rhost= is the real one
  }
  if (chosen < 0) return null;
  const hostStart = chosen + 7;
  if (hostStart >= chosenEnd) return null; // a local login (su, login on a console)
  const host = message.slice(hostStart, chosenEnd);
  let src: string | null = host;
  let srcHost: string | null = null;
  // A quad the loop above read is its own canonical address (what remoteFrom would say).
  if (!chosenIsQuad) {
    const remote = remoteFrom(host);
    if (remote === null) return null;
    src = remote.src;
    srcHost = remote.srcHost;
  }

  let selfReporting = prefix.selfReporting;
  let service = prefix.serviceName;
  // The program can only make the line self-reporting, and names the service only when the
  // prefix does not: when the prefix settles both (sshd's lines), the tag is not read.
  if (!selfReporting || service === null) {
    const program = env.program === null ? null : programKey(env.program);
    if (program !== null && SELF_REPORTING.has(program)) selfReporting = true;
    service ??= serviceForProgram(program) ?? serviceForProgram(message.slice(tty + 5, r));
  }
  // The line still names the client, so it is an event; but the daemon's own line is the
  // failure that counts (see SELF_REPORTING), so this one must not count it again.
  const d = newDraft(selfReporting ? 'connection' : 'auth-failure', src);
  d.srcHost = srcHost;
  d.service = service;
  d.user =
    userAt >= 0 && userAt < end
      ? message.slice(userAt, end)
      : chosen > rs
        ? message.slice(rs, chosen)
        : null;
  const pamUnix = env.program !== null && env.program.endsWith('(pam_unix)');
  if (selfReporting) d.signature = pamUnix ? PAM_UNIX_COUNTED : prefix.countedSignature;
  else d.signature = pamUnix ? PAM_UNIX_SIGNATURE : prefix.signature;
  return d;
}

/**
 * PAM modules' `authentication failure; logname= uid= euid= tty= ruser= rhost=ADDR  user=NAME`
 * (pam_unix, pam_sss and others, old `SERVICE(pam_unix)` tags included), in whatever daemon
 * logs it, so the family is reached by its `rhost=` trigger.
 */
export const pamParser: ParserDefinition = {
  family: 'pam',
  description: 'PAM modules: "authentication failure; … rhost=" in any daemon',
  build(): FamilyParser {
    // `pam_unix(vsftpd:auth): `, `pam_unix: `, `(pam_unix) `, `pam_sss(sshd:auth): `.
    const pattern = /^(?:\(pam_[a-z0-9_]{1,32}\) |pam_[a-z0-9_]{1,32}(?:\([^()]{0,64}\))?: )$/;
    // A log repeats a few prefixes on every line: each is checked and read once (null: refused).
    const recent = new RecentTexts<ReadPrefix | null>(16);
    const prefixOf = (message: string, end: number): ReadPrefix | null => {
      const hit = recent.get(message, 0, end);
      if (hit !== undefined) return hit;
      const prefix = message.slice(0, end);
      let read: ReadPrefix | null = null;
      if (pattern.test(prefix)) {
        const p = readPrefix(prefix);
        read = withFacts({
          module: detach(p.module),
          service: p.service === null ? null : detach(p.service),
        });
      }
      recent.set(prefix, read);
      return read;
    };
    return {
      family: 'pam',
      programs: [],
      triggers: ['rhost='],
      parseMessage: (message, env) => parsePam(message, env, prefixOf),
    };
  },
};
