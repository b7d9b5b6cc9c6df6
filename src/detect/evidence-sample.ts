import type { Event } from '../core/event.js';
import type { Evidence } from '../core/incident.js';
import { sortSmall } from './small-sort.js';

/** Longest evidence text kept, in UTF-8 bytes. */
export const EVIDENCE_TEXT_BYTES = 1024;

/** Marked lines (threshold crossings) kept at most per source. */
const MAX_MARKS = 8;

/**
 * Copies a log line for keeping: at most 1 KiB of UTF-8, sharing no memory with the 256 KiB
 * read buffer the line was sliced from. Concatenating makes a cons string and slicing it makes
 * V8 flatten it into a new buffer (a sliced string never points into a cons string): the copy
 * costs a quarter of a Buffer round trip, and evidence-sample.test.ts checks it pins nothing.
 */
export function keepText(text: string): string {
  let t = text;
  // Fewer than 342 UTF-16 units are at most 1,023 UTF-8 bytes: most lines need no measuring.
  if (t.length > EVIDENCE_TEXT_BYTES / 3) {
    if (t.length > EVIDENCE_TEXT_BYTES) t = t.slice(0, EVIDENCE_TEXT_BYTES);
    let bytes = Buffer.byteLength(t, 'utf8');
    while (bytes > EVIDENCE_TEXT_BYTES) {
      t = t.slice(0, Math.max(1, Math.floor((t.length * EVIDENCE_TEXT_BYTES) / bytes) - 1));
      bytes = Buffer.byteLength(t, 'utf8');
    }
    const last = t.charCodeAt(t.length - 1);
    if (t.length < text.length && last >= 0xd800 && last <= 0xdbff) t = t.slice(0, -1);
  }
  return t.length < 13 ? t : (' ' + t).slice(1);
}

/** Orders evidence by time (time-less lines last), then source and line. */
export function compareEvidence(a: Evidence, b: Evidence): number {
  const ta = a.at ?? Number.POSITIVE_INFINITY;
  const tb = b.at ?? Number.POSITIVE_INFINITY;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (a.source !== b.source) return a.source < b.source ? -1 : 1;
  return a.line - b.line;
}

function sameLine(a: Evidence, b: Evidence): boolean {
  return a.line === b.line && a.source === b.source;
}

/**
 * Picks at most `lines` evidence lines from a pool, without duplicates (same source and line):
 * the first half and the last half in time, plus the marked lines (threshold crossings).
 */
export function sampleEvidence(
  pool: readonly Evidence[],
  lines: number,
  marked: readonly Evidence[] = [],
): Evidence[] {
  return pick(sortSmall(pool.slice(), compareEvidence), lines, marked);
}

/** sampleEvidence of a sorted pool (sorted may be reused for the result). */
function pick<T extends Evidence>(sorted: T[], lines: number, marked: readonly Evidence[]): T[] {
  // Duplicates are removed in place: a line's duplicates share its time, so they sort next to
  // each other, and only the lines already kept with the same time need a look.
  let kept = 0;
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    let dup = false;
    for (let j = kept - 1; j >= 0 && sorted[j]!.at === e.at; j--) {
      if (sameLine(sorted[j]!, e)) {
        dup = true;
        break;
      }
    }
    if (!dup) sorted[kept++] = e;
  }
  sorted.length = kept;
  if (kept <= lines) return sorted;
  const head = Math.ceil(lines / 2);
  const tail = kept - (lines - head);
  let out = 0;
  for (let i = 0; i < kept; i++) {
    const e = sorted[i]!;
    if (i < head || i >= tail || marked.some((m) => sameLine(m, e))) sorted[out++] = e;
  }
  sorted.length = out;
  return sorted;
}

/** A kept line and the bit of the event group it belongs to (one object per line). */
interface Kept extends Evidence {
  readonly group: number;
}

function kept(ev: Event, group: number): Kept {
  return {
    at: ev.at,
    kind: ev.kind,
    source: ev.ref.source,
    line: ev.ref.line,
    text: keepText(ev.ref.text),
    group,
  };
}

function publicEvidence(k: Kept): Evidence {
  return { at: k.at, kind: k.kind, source: k.source, line: k.line, text: k.text };
}

/**
 * The bounded sample of the lines of one source. Until the source crosses a threshold only the
 * first line of each event group is kept (most sources never cross one: a noted probe needs no
 * more, and copying ten lines of each of a million sources would cost more than detecting).
 * From the crossing on (`offer` with `full`), it also keeps the first `lines / 2` lines and the
 * latest ones, besides the lines that crossed a threshold (`mark`). Past `lines` lines, line n
 * is only copied when n is a multiple of a stride that doubles as n grows (the largest power
 * of two at most n / lines), so N lines cost about lines × log2(N / lines) copies rather than
 * N; the tail then shows the latest lines at that stride (the very last of a flood may be
 * missing).
 */
export class EvidenceSample {
  private head: Kept[] | null = null;
  private tail: Kept[] | null = null;
  private tailNext = 0;
  private firsts: Kept[] | null = null;
  private marks: Kept[] | null = null;
  private groups = 0;
  private seen = 0;

  constructor(private readonly lines: number) {}

  /**
   * Offers the line of an event of a group (a bit); copies it only when it is kept. `full` is
   * true once the source crossed a threshold.
   */
  offer(ev: Event, group: number, full: boolean): void {
    let first: Kept | null = null;
    if ((this.groups & group) === 0) {
      this.groups |= group;
      first = kept(ev, group);
      if (this.firsts === null) this.firsts = [first];
      else this.firsts.push(first);
      if (!full) return;
    } else if (!full) return;
    const n = ++this.seen;
    const headSize = (this.lines + 1) >> 1;
    if (n <= headSize) {
      (this.head ??= new Array<Kept>()).push(first ?? kept(ev, group));
      return;
    }
    const tailSize = this.lines - headSize;
    if (tailSize <= 0) return;
    if (n > this.lines) {
      const stride = 1 << (31 - Math.clz32(Math.floor(n / this.lines)));
      if ((n & (stride - 1)) !== 0) return;
    }
    const tail = (this.tail ??= []);
    const k = first ?? kept(ev, group);
    if (tail.length < tailSize) tail.push(k);
    else tail[this.tailNext] = k;
    this.tailNext = (this.tailNext + 1) % tailSize;
  }

  /** Keeps the line of the event that crossed a threshold. */
  mark(ev: Event, group: number): void {
    const marks = this.marks;
    if (marks === null) {
      this.marks = [kept(ev, group)];
      return;
    }
    if (marks.length >= MAX_MARKS) return;
    for (const m of marks) if (m.line === ev.ref.line && m.source === ev.ref.source) return;
    marks.push(kept(ev, group));
  }

  /**
   * The evidence of an incident of the groups in a mask: at most `lines` of the kept lines, as
   * sampleEvidence picks them (the marked ones of those groups kept). Picks among the kept lines
   * themselves and copies only the chosen ones (without their group bit).
   */
  sample(groups: number, lines: number): Evidence[] {
    const chosen = pick(
      sortSmall(this.keptOf(groups), compareEvidence),
      lines,
      this.marksOf(groups),
    );
    const out = new Array<Evidence>(chosen.length);
    for (let i = 0; i < chosen.length; i++) out[i] = publicEvidence(chosen[i]!);
    return out;
  }

  /** The kept lines of the groups in a mask, in pool order (a fresh array). */
  private keptOf(groups: number): Kept[] {
    const out: Kept[] = [];
    addOf(out, this.head, groups);
    addOf(out, this.tail, groups);
    addOf(out, this.firsts, groups);
    addOf(out, this.marks, groups);
    return out;
  }

  /** The marks of the groups in a mask (none: a shared empty list). */
  private marksOf(groups: number): readonly Kept[] {
    const marks = this.marks;
    if (marks === null) return NO_MARKS;
    let all = true;
    for (const k of marks) if ((k.group & groups) === 0) all = false;
    return all ? marks : marks.filter((k) => (k.group & groups) !== 0);
  }
}

const NO_MARKS: readonly Kept[] = [];

function addOf(out: Kept[], list: readonly Kept[] | null, groups: number): void {
  if (list === null) return;
  for (const k of list) if ((k.group & groups) !== 0) out.push(k);
}
