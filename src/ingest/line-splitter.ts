import { isAscii } from 'node:buffer';

/** Longest line kept, in bytes; longer lines are truncated to this and counted. */
export const MAX_LINE_BYTES = 65_536;

/** A run of consecutive physical lines from one source. */
export interface LineBatch {
  /** 1-based number of the first line in `lines`. */
  readonly firstLine: number;
  readonly lines: string[];
}

/**
 * Splits a byte stream into lines: LF or CRLF ends, a missing newline at the end tolerated,
 * invalid UTF-8 replaced, lines longer than the limit truncated (the rest skipped up to the next
 * newline, so memory stays bounded however long a line is).
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryLen = 0;
  private overflow = false;
  private nextLine: number;
  private bytesIn = 0;
  private pendingBytes = 0;
  /** Lines that were longer than the limit. */
  truncated = 0;
  /** Set by `end(false)` when a last line without newline was held back. */
  heldBack = false;

  /**
   * @param maxBytes longest line kept
   * @param firstLine number of the first line (when resuming a file after a checkpoint)
   */
  constructor(
    private readonly maxBytes = MAX_LINE_BYTES,
    firstLine = 1,
  ) {
    this.nextLine = firstLine;
  }

  /** Bytes of input up to and including the last newline seen (a resumable offset). */
  get consumed(): number {
    return this.bytesIn - this.pendingBytes;
  }

  /** Number of the next line to be returned (lines consumed + first line). */
  get lineNumber(): number {
    return this.nextLine;
  }

  /** Splits a chunk; returns the complete lines it ended (possibly none). */
  push(chunk: Buffer): LineBatch {
    const batch: LineBatch = { firstLine: this.nextLine, lines: [] };
    const lines = batch.lines;
    this.bytesIn += chunk.length;
    const lastNl = chunk.lastIndexOf(10);
    this.pendingBytes = lastNl < 0 ? this.pendingBytes + chunk.length : chunk.length - lastNl - 1;
    let start = 0;
    if (this.carryLen > 0 || this.overflow) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.append(chunk, 0, chunk.length);
        return batch;
      }
      this.append(chunk, 0, nl);
      lines.push(this.takeCarry());
      start = nl + 1;
    }
    const last = lastNl;
    if (last >= start) {
      if (this.allShort(chunk, start, last)) {
        // One decode per piece of lines, then string splits: far cheaper than a decode per
        // line, and the lines share the piece's memory. Pieces stay below V8's large-object
        // size (128 KiB): a larger string is mapped fresh from the OS each time, which costs
        // several times the decoding itself.
        let from = start;
        while (last - from > PIECE_BYTES) {
          let nl = chunk.lastIndexOf(10, from + PIECE_BYTES);
          // A line longer than a piece (a limit above 64 KiB allows it) ends a piece of its own.
          if (nl < from) nl = chunk.indexOf(10, from + PIECE_BYTES);
          if (nl >= last) break;
          splitDecoded(decodeRun(chunk.subarray(from, nl)), lines);
          from = nl + 1;
        }
        splitDecoded(decodeRun(chunk.subarray(from, last)), lines);
      } else {
        this.splitSlow(chunk, start, last, lines);
      }
      start = last + 1;
    }
    if (start < chunk.length) this.append(chunk, start, chunk.length);
    this.nextLine += lines.length;
    return batch;
  }

  /**
   * True when no line in `chunk[from..to)` is longer than the limit (`to` is a newline). Jumps
   * from the start of a line to the last newline within the limit's reach, so a chunk costs a
   * few searches rather than one per line.
   */
  private allShort(chunk: Buffer, from: number, to: number): boolean {
    let pos = from;
    while (to - pos > this.maxBytes) {
      const nl = chunk.lastIndexOf(10, pos + this.maxBytes);
      // No newline within reach: the line starting at `pos` is longer than the limit.
      if (nl < pos) return false;
      pos = nl + 1;
    }
    return true;
  }

  private splitSlow(chunk: Buffer, from: number, to: number, lines: string[]): void {
    let start = from;
    while (start <= to) {
      let nl = chunk.indexOf(10, start);
      if (nl < 0 || nl > to) nl = to;
      if (nl - start > this.maxBytes) {
        this.truncated++;
        lines.push(decode(chunk, start, start + this.maxBytes));
      } else {
        lines.push(decode(chunk, start, nl));
      }
      start = nl + 1;
    }
  }

  /**
   * Ends the stream: returns the last line when it had no newline, unless `keepPartial` is
   * false (a file still being written: that line is read once its newline arrives).
   */
  end(keepPartial = true): LineBatch {
    const batch: LineBatch = { firstLine: this.nextLine, lines: [] };
    if (!keepPartial) {
      this.heldBack = this.carryLen > 0 || this.overflow;
      return batch;
    }
    if (this.carryLen > 0 || this.overflow) {
      this.pendingBytes = 0;
      batch.lines.push(this.takeCarry());
      this.nextLine++;
    }
    return batch;
  }

  private append(chunk: Buffer, from: number, to: number): void {
    if (this.overflow) return;
    const room = this.maxBytes - this.carryLen;
    if (to - from > room) {
      this.overflow = true;
      to = from + room;
    }
    if (to > from) {
      // Copy: the chunk's memory is reused by the stream once we return.
      this.carry.push(Buffer.from(chunk.subarray(from, to)));
      this.carryLen += to - from;
    }
  }

  private takeCarry(): string {
    const buf = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryLen);
    if (this.overflow) this.truncated++;
    const text = decode(buf, 0, buf.length);
    this.carry = [];
    this.carryLen = 0;
    this.overflow = false;
    return text;
  }
}

/**
 * Bytes decoded into one string at most (plus the rest of a line that crosses the mark). The
 * lines of a piece are slices of it, so a kept line pins at most this much.
 */
const PIECE_BYTES = 64 * 1024;

/** Decodes a run of whole lines: latin1 when it is all ASCII (the same text, decoded faster). */
function decodeRun(run: Buffer): string {
  return run.toString(isAscii(run) ? 'latin1' : 'utf8');
}

/** Splits decoded text on LF, dropping a CR before each; `text` is the run up to the last LF. */
function splitDecoded(text: string, lines: string[]): void {
  let pos = 0;
  for (;;) {
    const nl = text.indexOf('\n', pos);
    const end = nl < 0 ? text.length : nl;
    lines.push(
      text.charCodeAt(end - 1) === 13 && end > pos
        ? text.slice(pos, end - 1)
        : text.slice(pos, end),
    );
    if (nl < 0) return;
    pos = nl + 1;
  }
}

function decode(buf: Buffer, from: number, to: number): string {
  if (to > from && buf[to - 1] === 13) to--;
  return buf.toString('utf8', from, to);
}
