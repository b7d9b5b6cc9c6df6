import type { EventDraft, EventKind } from '../core/event.js';
import { newDraft, type FamilyParser, type ParserDefinition } from './family-parser.js';
import { remoteFrom, serviceForProgram } from './extract.js';
import { programKey } from './line-parser.js';
import type { Envelope } from './syslog-envelope.js';

const REFUSED = 'refused connect from ';
const ALLOWED = 'connect from ';

/**
 * Reads TCP wrappers' `refused connect from CLIENT` and `connect from CLIENT`, where CLIENT is
 * `[user@]host-or-address`, optionally followed by ` (ADDRESS)`. libwrap writes these in tcpd
 * and in every daemon linked against it (sshd, vsftpd, in.telnetd...), so the family is tried
 * on any program's message that contains the phrase.
 */
function parseWrapperMessage(message: string, env: Envelope): EventDraft | null {
  let kind: EventKind;
  let rest: string;
  if (message.startsWith(REFUSED)) {
    kind = 'connection-refused';
    rest = message.slice(REFUSED.length);
  } else if (message.startsWith(ALLOWED)) {
    kind = 'connection';
    rest = message.slice(ALLOWED.length);
  } else {
    return null;
  }
  rest = rest.trimEnd();
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
  const at = client.lastIndexOf('@');
  const user = at > 0 ? client.slice(0, at) : null;
  const hostPart = at >= 0 ? client.slice(at + 1) : client;
  const fromParen = parenthesised === null ? null : remoteFrom(parenthesised);
  const fromClient = remoteFrom(hostPart);
  const src = fromParen?.src ?? fromClient?.src ?? null;
  const srcHost = fromClient?.srcHost ?? null;
  if (src === null && srcHost === null) return null;
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
