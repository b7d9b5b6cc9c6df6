import type { EventDraft, EventKind } from '../core/event.js';
import { canonicalAddress } from '../core/ip.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { fieldValue } from './extract.js';
import { programKey } from './line-parser.js';
import type { SourceContext } from './source-context.js';
import { parseIsoStamp, type Envelope } from './syslog-envelope.js';

const LEVELS = ['Info: ', 'Warning: ', 'Error: ', 'Debug: '];

function stripLevel(text: string): string {
  for (const l of LEVELS) if (text.startsWith(l)) return text.slice(l.length);
  return text;
}

/** The service a login process fronts, from its name (`imap-login` → `imap`). */
function loginService(process: string): string | null {
  const name = process.slice(0, -6);
  if (name === 'imap' || name === 'pop3' || name === 'managesieve') return name;
  if (name === 'submission') return 'smtp';
  return name.length > 0 && name.length < 20 ? name : null;
}

/** First index of any of the markers, or -1. */
function firstOf(text: string, markers: readonly string[]): number {
  let best = -1;
  for (const m of markers) {
    const i = text.indexOf(m);
    if (i >= 0 && (best < 0 || i < best)) best = i;
  }
  return best;
}

const FIELD_STARTS = [': user=<', ': method=', ': rip='];

/**
 * A login process line: `HEAD: user=<U>, method=M, rip=ADDR, lip=ADDR, …` where HEAD says what
 * happened (`Login`, `Disconnected (auth failed, 1 attempts in 2 secs)`, `Login aborted: … (no
 * auth attempts…)`). HEAD is the daemon's; the user name is the client's, so `rip=` is the LAST
 * one (nothing the client wrote comes after it) and the user runs to the `>` before it.
 */
function parseLogin(process: string, body: string): EventDraft | null {
  const f = firstOf(body, FIELD_STARTS);
  if (f < 0) return null;
  const head = body.slice(0, f);
  const fields = body.slice(f + 2);
  const r = fields.lastIndexOf(' rip=');
  const ripAt = r >= 0 ? r + 1 : fields.startsWith('rip=') ? 0 : -1;
  if (ripAt < 0) return null;
  const ripText = fieldValue(fields.slice(ripAt), 'rip');
  const src = ripText === null ? null : canonicalAddress(ripText);
  if (src === null) return null;
  let user: string | null = null;
  if (fields.startsWith('user=<')) {
    const close = fields.lastIndexOf('>', ripAt);
    if (close > 6) user = fields.slice(6, close);
  }
  const lip = fieldValue(fields.slice(ripAt), 'lip');
  const dst = lip === null ? null : canonicalAddress(lip);
  let kind: EventKind;
  let signature: string;
  // Dovecot states its own verdict in HEAD; it is trusted over the TLS error text after it.
  if (head === 'Login') {
    kind = 'auth-success';
    signature = 'dovecot: login';
  } else if (head.includes('proxy dest auth failed')) {
    kind = 'auth-failure';
    signature = 'dovecot: proxy destination auth failed';
  } else if (head.includes('(auth failed') || head.includes('(auth_failed)')) {
    kind = 'auth-failure';
    signature = 'dovecot: auth failed';
  } else if (head.includes('(tried to use disallowed') || head.includes('(tried to use disabled')) {
    kind = 'auth-failure';
    signature = 'dovecot: disallowed auth mechanism';
  } else if (head.includes("client didn't finish SASL auth")) {
    kind = 'protocol-error';
    signature = 'dovecot: SASL auth not finished';
  } else if (head.includes('disconnected before auth was ready')) {
    kind = 'protocol-error';
    signature = 'dovecot: disconnected before greeting';
  } else if (head.includes('disconnected during TLS handshake')) {
    kind = 'protocol-error';
    signature = 'dovecot: TLS handshake failed';
  } else {
    // `no auth attempts` and other session ends: the client was there, nothing more is known.
    kind = 'connection';
    signature = head.includes('no auth attempts')
      ? 'dovecot: disconnected without auth attempts'
      : 'dovecot: disconnected';
  }
  return {
    kind,
    src,
    srcHost: null,
    dst,
    service: loginService(process),
    user: user === '' ? null : user,
    signature,
  };
}

const NAME_CHAR = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;

/**
 * Reads a passdb context `driver(user,rip[,<session>])` or dovecot 2.4's
 * `auth(user,rip,sasl:mech)<session>`. The fields are read from the right, so a user name with
 * a comma cannot push a fake address into the rip position. Null when the segment is another
 * shape (`auth-worker(304)`, `conn unix:auth-worker (uid=143)`).
 */
function passdbContext(seg: string): { src: string; user: string | null } | null {
  let end = seg.length;
  if (seg.charCodeAt(end - 1) === 62 /* > */) {
    const lt = seg.lastIndexOf('<');
    if (lt < 0) return null;
    end = lt;
  }
  if (seg.charCodeAt(end - 1) !== 41 /* ) */) return null;
  const open = seg.indexOf('(');
  if (open < 2 || open > 24) return null;
  for (let i = 0; i < open; i++) if (!NAME_CHAR(seg.charCodeAt(i))) return null;
  const inner = seg.slice(open + 1, end - 1);
  let stop = inner.length;
  for (let guard = 0; guard < 4; guard++) {
    const comma = inner.lastIndexOf(',', stop - 1);
    const field = inner.slice(comma + 1, stop);
    if (field === '' || field.charCodeAt(0) === 60 /* < */ || field.startsWith('sasl:')) {
      if (comma < 0) return null;
      stop = comma;
      continue;
    }
    const src = canonicalAddress(field);
    if (src === null || comma < 0) return null;
    const user = inner.slice(0, comma);
    return { src, user: user === '' ? null : user };
  }
  return null;
}

/** Auth process outcomes, matched at the start of the text after the passdb context. */
function authOutcome(text: string): readonly [EventKind, string] | null {
  if (text.startsWith('unknown user')) return ['invalid-user', 'dovecot: unknown user'];
  if (text.startsWith('Password mismatch') || text.startsWith('password mismatch')) {
    return ['auth-failure', 'dovecot: password mismatch'];
  }
  if (text.startsWith('pam_authenticate() failed: ')) {
    return text.includes('User not known')
      ? ['invalid-user', 'dovecot: PAM user unknown']
      : ['auth-failure', 'dovecot: PAM authentication failure'];
  }
  if (text.startsWith('invalid credentials'))
    return ['auth-failure', 'dovecot: invalid credentials'];
  return null;
}

/**
 * An auth or auth-worker line: `auth-worker(304): pam(user,ADDR): pam_authenticate() failed: …`,
 * `auth: passwd-file(user,ADDR): unknown user`, `… auth-worker<55>: sql(user,ADDR): Password
 * mismatch`, 2.4's `auth(user,ADDR,sasl:login)<sess>: Info: sql: Password mismatch`. The
 * segments before the outcome are walked left to right up to the first passdb context.
 */
function parseAuth(text: string): EventDraft | null {
  let pos = 0;
  for (let n = 0; n < 6 && pos < text.length; n++) {
    let end = text.indexOf(': ', pos);
    if (end < 0) end = text.length;
    const ctx = end - pos > 2 ? passdbContext(text.slice(pos, end)) : null;
    if (ctx !== null) {
      let rest = text.slice(end + 2);
      for (let k = 0; k < 3; k++) {
        const outcome = authOutcome(rest);
        if (outcome !== null) {
          return {
            kind: outcome[0],
            src: ctx.src,
            srcHost: null,
            user: ctx.user,
            signature: outcome[1],
          };
        }
        // `Info: sql: Password mismatch`: skip a level or driver word before the outcome.
        const colon = rest.indexOf(': ');
        if (colon < 1 || colon > 24 || rest.lastIndexOf(' ', colon) >= 0) return null;
        rest = rest.slice(colon + 2);
      }
      return null;
    }
    pos = end + 2;
  }
  return null;
}

/** Parses a dovecot message for the process `program` (the syslog tag or a prefix). */
function parseDovecot(program: string, message: string): EventDraft | null {
  let msg = message.startsWith('dovecot: ') ? message.slice(9) : message;
  let process = program;
  if (!process.endsWith('-login')) {
    // `dovecot: imap-login: Disconnected …`
    const colon = msg.indexOf(': ');
    if (colon > 5 && colon < 24 && msg.startsWith('-login', colon - 6)) {
      process = msg.slice(0, colon);
      msg = msg.slice(colon + 2);
    }
  }
  if (process.endsWith('-login')) return parseLogin(process, stripLevel(msg));
  return parseAuth(msg);
}

function parseDovecotMessage(message: string, env: Envelope): EventDraft | null {
  if (env.program === null) return null;
  const program = programKey(env.program);
  if (program === 'Info') {
    // Dovecot's own log file writes `Mmm dd hh:mm:ss auth(user,ADDR,…)<sess>: Info: …`; the
    // syslog reader takes the context for a host and `Info` for the program.
    const host = env.host;
    if (host === null || !host.startsWith('auth(') || !host.endsWith(':')) return null;
    const d = parseAuth(`${host.slice(0, -1)}: ${message}`);
    if (d !== null) {
      d.host = null;
      d.program = 'auth';
    }
    return d;
  }
  return parseDovecot(program, message);
}

/**
 * Dovecot's own log file with ISO stamps: `2013-08-11 03:56:40 auth-worker(default): Info: …`.
 * Lines that do not name a dovecot process after the stamp are left alone.
 */
function parseDovecotLine(line: string, ctx: SourceContext): EventDraft | null {
  const c = line.charCodeAt(0);
  if (c < 48 || c > 57 || line.charCodeAt(4) !== 45) return null;
  const stamp = parseIsoStamp(line, 0, ctx, false);
  if (stamp === null || line.charCodeAt(stamp.end) !== 32) return null;
  const start = stamp.end + 1;
  const colon = line.indexOf(': ', start);
  if (colon < 0 || colon - start > 40) return null;
  const tag = line.slice(start, colon);
  let name = tag;
  const paren = tag.indexOf('(');
  if (paren > 0) name = tag.slice(0, paren);
  if (name !== 'auth' && name !== 'auth-worker' && name !== 'dovecot' && !name.endsWith('-login')) {
    return null;
  }
  const d = parseDovecot(name, line.slice(colon + 2));
  if (d !== null) {
    d.at = stamp.at;
    d.program = name;
  }
  return d;
}

/** Dovecot IMAP/POP3/ManageSieve/Submission login processes and its auth processes. */
export const dovecotParser: ParserDefinition = {
  family: 'dovecot',
  description: 'Dovecot login processes (auth failed, logins, aborted sessions) and auth workers',
  build(): FamilyParser {
    return {
      family: 'dovecot',
      programs: [
        'dovecot',
        'dovecot-auth',
        'auth',
        'auth-worker',
        'imap-login',
        'pop3-login',
        'managesieve-login',
        'submission-login',
        'Info',
      ],
      parseMessage: parseDovecotMessage,
      parseLine: parseDovecotLine,
    };
  },
};
