import type { EventDraft, EventKind } from '../core/event.js';
import type { Envelope } from './syslog-envelope.js';
import type { SourceContext } from './source-context.js';

/**
 * A parser for one log family. It reads syslog messages of the programs it names, messages of
 * any program that contain one of its triggers, and/or whole lines in its own format (web
 * access logs, vsftpd's own log, IDS alerts). It does no I/O and never throws on bad input.
 */
export interface FamilyParser {
  /** Family name used in counters and `explain` (`sshd`, `netfilter`, `web-access`...). */
  readonly family: string;
  /**
   * Syslog program names this family handles (exact, or the part before `/`: `postfix` covers
   * `postfix/smtpd`). Matching ignores a `(pam_unix)` suffix and a leading path.
   */
  readonly programs: readonly string[];
  /** Substrings that make the parser worth trying on a message of any other program. */
  readonly triggers?: readonly string[];
  /** Reads a syslog message (header already removed). */
  parseMessage?(message: string, envelope: Envelope): EventDraft | null;
  /** Reads a line with no syslog header, in the family's own format; must reject others cheaply. */
  parseLine?(line: string, ctx: SourceContext): EventDraft | null;
}

/** A family parser's definition: its name and a build step that compiles patterns once. */
export interface ParserDefinition {
  readonly family: string;
  /** One-line description for `explain` and the docs. */
  readonly description: string;
  build(): FamilyParser;
}

/**
 * A draft with every EventDraft field present (those not set stay undefined), always in the
 * same order: set the others by assignment. LineParser reads every field of every draft, and
 * V8 reads a property of objects of one shape several times faster than of many shapes, so the
 * families that produce most events build their drafts with this.
 */
export function newDraft(kind: EventKind, src: string | null): EventDraft {
  return {
    kind,
    src,
    srcHost: undefined,
    srcPort: undefined,
    dst: undefined,
    dstPort: undefined,
    proto: undefined,
    service: undefined,
    user: undefined,
    signature: undefined,
    detail: undefined,
    at: undefined,
    host: undefined,
    program: undefined,
  };
}
