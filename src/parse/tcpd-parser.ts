import type { EventDraft, EventKind } from '../core/event.js';
import { cleanIPv4End } from '../core/ip.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { remoteFrom, serviceForProgram } from './extract.js';
import { programKey } from './line-parser.js';
import type { Envelope } from './syslog-envelope.js';

const ALLOWED = 'connect from ';

/**
 * Reads TCP wrappers' `refused connect from CLIENT` and `connect from CLIENT`, where CLIENT is
 * `[user@]host-or-address`, optionally followed by ` (ADDRESS)`. libwrap writes these in tcpd
 * and in every daemon linked against it (sshd, vsftpd, in.telnetd...), so the family is tried
 * on any program's message that contains the phrase.
 */
function parseWrapperMessage(message: string, env: Envelope): EventDraft | null {
  // Where the phrase is tells the two forms apart: one search instead of two prefix compares
  // (the first occurrence in a message that starts with `refused connect from ` is at 8).
  const phrase = message.indexOf(ALLOWED);
  let kind: EventKind;
  if (phrase === 0) kind = 'connection';
  else if (phrase === 8 && message.startsWith('refused ')) kind = 'connection-refused';
  else return null;
  const start = phrase + ALLOWED.length;
  const n = message.length;
  const last = message.charCodeAt(n - 1);
  if (last > 32 && last < 127) {
    // The usual forms, with nothing for trimEnd to remove: `CLIENT` and `CLIENT (a.b.c.d)`,
    // CLIENT up to the first blank. A dotted quad (client or parenthesised) is read once, in
    // place; it is its own canonical address (see cleanIPv4End).
    const quadEnd = cleanIPv4End(message, start);
    let clientEnd =
      quadEnd >= 0 && (quadEnd === n || message.charCodeAt(quadEnd) === 32)
        ? quadEnd
        : message.indexOf(' ', start);
    if (clientEnd < 0) clientEnd = n;
    let parenSrc: string | null = null;
    let usual = clientEnd === n;
    // The parenthesised address runs to the end, so the blank before it is the last ` (`.
    if (!usual && clientEnd > start && last === 41 /* ) */) {
      if (message.charCodeAt(clientEnd + 1) === 40 /* ( */) {
        const e = cleanIPv4End(message, clientEnd + 2);
        if (e === n - 1) {
          parenSrc = message.slice(clientEnd + 2, e);
          usual = true;
        }
      }
    }
    if (usual) {
      if (clientEnd === quadEnd) {
        return wrapperDraft(kind, parenSrc ?? message.slice(start, quadEnd), null, null, env);
      }
      return clientDraft(kind, message.slice(start, clientEnd), parenSrc, env);
    }
  }
  const rest = message.slice(start).trimEnd();
  let client = rest;
  let parenthesised: string | null = null;
  if (rest.endsWith(')')) {
    const open = rest.lastIndexOf(' (');
    if (open > 0) {
      parenthesised = rest.slice(open + 2, -1);
      client = rest.slice(0, open);
    }
  }
  if (client.indexOf(' ') >= 0) return null;
  const fromParen = parenthesised === null ? null : remoteFrom(parenthesised);
  return clientDraft(kind, client, fromParen?.src ?? null, env);
}

/** The draft for CLIENT (`[user@]host-or-address`), given the address in parentheses if any. */
function clientDraft(
  kind: EventKind,
  client: string,
  parenSrc: string | null,
  env: Envelope,
): EventDraft | null {
  const at = client.lastIndexOf('@');
  const user = at > 0 ? client.slice(0, at) : null;
  const hostPart = at >= 0 ? client.slice(at + 1) : client;
  const fromClient = remoteFrom(hostPart);
  const src = parenSrc ?? fromClient?.src ?? null;
  const srcHost = fromClient?.srcHost ?? null;
  if (src === null && srcHost === null) return null;
  return wrapperDraft(kind, src, srcHost, user, env);
}

/** The draft for a client read, with the service of the daemon that logged it. */
function wrapperDraft(
  kind: EventKind,
  src: string | null,
  srcHost: string | null,
  user: string | null,
  env: Envelope,
): EventDraft {
  const program = env.program === null ? null : programKey(env.program);
  const d = newDraft(kind, src);
  d.srcHost = srcHost;
  // The user name comes from an ident lookup, answered by the remote side: evidence only.
  d.user = user && user !== 'unknown' ? user : null;
  d.service = program === 'tcpd' ? null : serviceForProgram(program);
  return d;
}

/** TCP wrappers (tcpd and libwrap-linked daemons). */
export const tcpdParser: ParserDefinition = {
  family: 'tcpd',
  description:
    'TCP wrappers: "refused connect from" and "connect from" in tcpd and libwrap daemons',
  build(): FamilyParser {
    return {
      family: 'tcpd',
      programs: ['tcpd'],
      triggers: [ALLOWED],
      parseMessage: parseWrapperMessage,
    };
  },
};
