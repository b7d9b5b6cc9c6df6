import { detach } from '../core/detach.js';
import type { Event, EventDraft } from '../core/event.js';
import { indexOfWord } from './extract.js';
import type { FamilyParser, ParserDefinition } from './family-parser.js';
import { RecentTexts } from './recent-texts.js';
import type { SourceContext } from './source-context.js';
import {
  journalEnvelope,
  newTimeMemo,
  parseEnvelope,
  type Envelope,
  type TimeMemo,
} from './syslog-envelope.js';

/** Per-source parsing state: the timestamp memo and the last event (for `last message repeated`). */
export interface SourceState {
  readonly ctx: SourceContext;
  readonly memo: TimeMemo;
  last: Event | null;
}

/** Fresh parsing state for one source. */
export function newSourceState(ctx: SourceContext): SourceState {
  return { ctx, memo: newTimeMemo(), last: null };
}

/** One step of `explain`: which stage or parser looked at the line and what it said. */
export interface TraceStep {
  readonly stage: string;
  readonly result: string;
}

/** Normalizes a syslog tag to the key parsers register under: no path, no `(pam_unix)`, no pid. */
export function programKey(program: string): string {
  let p = program;
  const paren = p.indexOf('(');
  if (paren > 0) p = p.slice(0, paren);
  if (p.charCodeAt(0) === 47 /* / */) p = p.slice(p.lastIndexOf('/') + 1);
  return p;
}

const LAST_REPEATED_TEXT = 'last message repeated ';
const LAST_REPEATED = /^last message repeated (\d{1,9}) times?$/;

/**
 * A parser reached by its triggers, with them. A trigger that starts with a blank is kept
 * without it (see `containsTrigger`).
 */
interface Triggered {
  readonly parser: FamilyParser;
  readonly triggers: readonly { readonly text: string; readonly blank: boolean }[];
}

/**
 * True when the message contains the trigger. One that starts with a blank (` denied`) is looked
 * for as its word and a blank before it: V8 scans for a pattern's first character, and blanks
 * are everywhere (see `indexOfWord`).
 */
function containsTrigger(
  msg: string,
  t: { readonly text: string; readonly blank: boolean },
): boolean {
  return t.blank ? indexOfWord(msg, t.text) >= 0 : msg.includes(t.text);
}

/** Where the messages of one program go: its own parsers, then the triggered ones (not its own). */
interface Dispatch {
  readonly own: readonly FamilyParser[];
  readonly triggered: readonly Triggered[];
}

/**
 * Texts of which every trigger of the shipped families contains one (`Access denied for user '`
 * and ` denied` contain `denied`). Most messages that reach the trigger stage (cron, systemd,
 * sudo noise) contain no trigger: one search for these settles that in about half the time of
 * a substring search per trigger. A literal, so that the regex safety test can check it.
 */
export const SHIPPED_TRIGGERS = /connect from |rhost=|denied|\(NOTAUTH\)/;

/**
 * SHIPPED_TRIGGERS when it finds every message that contains a trigger, else null (no triggers,
 * or a parser registered with others: the triggers are then searched one by one). It does when it
 * matches inside each trigger text (a ` denied` trigger as its bare word): it has no anchors,
 * so it then matches every message that contains the text. A match is only a hint; the
 * triggers are still checked one by one, so which parser is tried stays the same.
 */
function anyTriggerPattern(triggered: readonly Triggered[]): RegExp | null {
  const covered = triggered.every((t) => t.triggers.every((x) => SHIPPED_TRIGGERS.test(x.text)));
  return covered && triggered.length > 0 ? SHIPPED_TRIGGERS : null;
}

/**
 * Turns lines into Events: reads the syslog header, dispatches the message to the parsers of
 * its program, then to parsers whose triggers it contains; a line without a syslog header goes
 * to the parsers of self-describing formats. Built once; the per-line path only executes.
 */
export class LineParser {
  private readonly byProgram = new Map<string, FamilyParser[]>();
  private readonly triggered: Triggered[] = [];
  private readonly raw: FamilyParser[] = [];
  /** Matches every message that contains some trigger (see `anyTriggerPattern`). */
  private readonly anyTrigger: RegExp | null;
  /** Tags already resolved (noise like `CRON` included), so a line costs one lookup. */
  private readonly resolved = new Map<string, Dispatch>();
  /** The tags of the last lines, looked up before `resolved` (see RecentTexts). */
  private readonly recent = new RecentTexts<Dispatch>();
  /** Where messages without a program tag go. */
  private readonly untagged: Dispatch;
  /** Every built family parser, in registration order. */
  readonly parsers: readonly FamilyParser[];

  constructor(defs: readonly ParserDefinition[]) {
    const parsers = defs.map((d) => d.build());
    this.parsers = parsers;
    for (const p of parsers) {
      if (p.parseMessage) {
        for (const name of p.programs) {
          const list = this.byProgram.get(name) ?? [];
          list.push(p);
          this.byProgram.set(name, list);
        }
        if (p.triggers && p.triggers.length > 0) {
          const triggers = p.triggers.map((t) =>
            t.length > 1 && t.charCodeAt(0) === 32
              ? { text: t.slice(1), blank: true }
              : { text: t, blank: false },
          );
          this.triggered.push({ parser: p, triggers });
        }
      }
      if (p.parseLine) this.raw.push(p);
    }
    this.untagged = { own: EMPTY, triggered: this.triggered };
    this.anyTrigger = anyTriggerPattern(this.triggered);
  }

  /** The parsers registered for a syslog program, or an empty list. */
  parsersFor(program: string | null): readonly FamilyParser[] {
    return this.dispatchFor(program).own;
  }

  private dispatchFor(program: string | null): Dispatch {
    if (program === null) return this.untagged;
    const recent = this.recent.get(program);
    if (recent !== undefined) return recent;
    const hit = this.resolved.get(program);
    if (hit !== undefined) {
      this.recent.set(program, hit);
      return hit;
    }
    const own = this.byProgram.get(program) ?? this.ownParsers(program);
    const dispatch: Dispatch = {
      own,
      triggered: this.triggered.filter((t) => !own.includes(t.parser)),
    };
    // Tags are written by local programs but any local user can invent them: keep the memo small.
    if (this.resolved.size >= 4096) this.resolved.clear();
    this.resolved.set(detach(program), dispatch);
    this.recent.set(program, dispatch);
    return dispatch;
  }

  /** The parsers of a tag that is not registered as written (a path, `(pam_unix)`, `/smtpd`). */
  private ownParsers(program: string): readonly FamilyParser[] {
    const key = programKey(program);
    const slash = key.indexOf('/');
    const base = slash > 0 ? key.slice(0, slash) : '';
    // A multi-instance tag `postfix-name/smtpd` belongs to the family of `postfix`.
    const dash = base.indexOf('-');
    return (
      this.byProgram.get(key) ??
      (slash > 0 ? this.byProgram.get(base) : undefined) ??
      (dash > 0 ? this.byProgram.get(base.slice(0, dash)) : undefined) ??
      EMPTY
    );
  }

  /** Parses one line; null when no parser took it. Never throws. */
  parse(text: string, lineNo: number, state: SourceState): Event | null {
    let ev: Event | null = null;
    try {
      ev = this.parseUnsafe(text, lineNo, state, null);
    } catch {
      ev = null;
    }
    state.last = ev;
    return ev;
  }

  /** Parses one line and records every step taken, for `reportable explain`. */
  explain(
    text: string,
    lineNo: number,
    state: SourceState,
  ): { event: Event | null; trace: TraceStep[] } {
    const trace: TraceStep[] = [];
    let event: Event | null = null;
    try {
      event = this.parseUnsafe(text, lineNo, state, trace);
    } catch (err) {
      trace.push({ stage: 'error', result: `internal error: ${String(err)}` });
    }
    state.last = event;
    return { event, trace };
  }

  private parseUnsafe(
    text: string,
    lineNo: number,
    state: SourceState,
    trace: TraceStep[] | null,
  ): Event | null {
    const ctx = state.ctx;
    let env: Envelope | null = null;
    if (text.charCodeAt(0) === 123 /* { */) {
      let record: unknown = null;
      try {
        record = JSON.parse(text);
      } catch {
        trace?.push({ stage: 'json', result: 'starts with { but is not valid JSON' });
      }
      if (record !== null && typeof record === 'object' && !Array.isArray(record)) {
        env = journalEnvelope(record as Record<string, unknown>);
        trace?.push({
          stage: 'json',
          result: env ? 'journalctl -o json record' : 'JSON record, not a journal export',
        });
      }
    } else {
      env = parseEnvelope(text, ctx, state.memo);
    }
    if (env !== null) {
      trace?.push({ stage: 'envelope', result: describeEnvelope(env) });
      if (env.program === null && env.message.length === 0) return null;
      const repeated =
        env.message.charCodeAt(0) === 108 /* l */ && env.message.startsWith(LAST_REPEATED_TEXT)
          ? LAST_REPEATED.exec(env.message)
          : null;
      if (repeated !== null && state.last !== null) {
        const prev = state.last;
        const ev: Event = {
          ...prev,
          at: env.at ?? prev.at,
          count: Number(repeated[1]),
          ref: { source: ctx.source, line: lineNo, text },
        };
        trace?.push({
          stage: 'repeat',
          result: `repeats line ${prev.ref.line} ${repeated[1]} times`,
        });
        return ev;
      }
      const dispatch = this.dispatchFor(env.program);
      const own = dispatch.own;
      for (const p of own) {
        const d = p.parseMessage!(env.message, env);
        trace?.push({ stage: p.family, result: d ? `took it as ${d.kind}` : 'no pattern matched' });
        if (d !== null) return this.emit(d, env, p.family, text, lineNo, state);
      }
      if (own.length === 0) {
        trace?.push({
          stage: 'dispatch',
          result:
            env.program === null ? 'no program tag' : `no parser for program "${env.program}"`,
        });
      }
      const msg = env.message;
      const hint = this.anyTrigger;
      const triggered = hint !== null && !hint.test(msg) ? EMPTY_T : dispatch.triggered;
      for (const { parser, triggers } of triggered) {
        let hit = false;
        for (const t of triggers) {
          if (containsTrigger(msg, t)) {
            hit = true;
            break;
          }
        }
        if (!hit) continue;
        const d = parser.parseMessage!(msg, env);
        trace?.push({
          stage: parser.family,
          result: d ? `took it as ${d.kind} (by trigger)` : 'trigger present, no pattern matched',
        });
        if (d !== null) return this.emit(d, env, parser.family, text, lineNo, state);
      }
      // A header whose tag could not be read may be a self-describing format after all.
      if (env.format !== 'untimed' && env.program !== null) return null;
    } else if (trace !== null && text.charCodeAt(0) !== 123) {
      trace.push({ stage: 'envelope', result: 'no syslog header' });
    }
    for (const p of this.raw) {
      const d = p.parseLine!(text, ctx);
      if (d !== null) {
        trace?.push({ stage: p.family, result: `took the line as ${d.kind} (own format)` });
        return this.emit(d, null, p.family, text, lineNo, state);
      }
    }
    trace?.push({ stage: 'formats', result: 'no parser recognised the line' });
    return null;
  }

  private emit(
    d: EventDraft,
    env: Envelope | null,
    family: string,
    text: string,
    lineNo: number,
    state: SourceState,
  ): Event {
    const ev: Event = {
      at: d.at !== undefined ? d.at : (env?.at ?? null),
      kind: d.kind,
      src: d.src,
      srcHost: d.srcHost ?? null,
      srcPort: d.srcPort ?? null,
      dst: d.dst ?? null,
      dstPort: d.dstPort ?? null,
      proto: d.proto ?? null,
      service: d.service ?? null,
      user: d.user ?? null,
      program: d.program !== undefined ? d.program : (env?.program ?? null),
      host: d.host !== undefined ? d.host : (env?.host ?? null),
      signature: d.signature ?? null,
      count: env?.count ?? 1,
      detail: d.detail ?? null,
      family,
      ref: { source: state.ctx.source, line: lineNo, text },
    };
    return ev;
  }
}

const EMPTY: readonly FamilyParser[] = [];
const EMPTY_T: readonly Triggered[] = [];

function describeEnvelope(env: Envelope): string {
  const parts = [`${env.format} header`];
  parts.push(env.at === null ? 'no time' : `at ${new Date(env.at).toISOString()}`);
  if (env.host !== null) parts.push(`host ${env.host}`);
  if (env.program !== null) parts.push(`program ${env.program}${env.pid ? `[${env.pid}]` : ''}`);
  if (env.count !== 1) parts.push(`repeated ${env.count} times`);
  return parts.join(', ');
}
