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
  private nextLine = 1;
  /** Lines that were longer than the limit. */
  truncated = 0;

  constructor(private readonly maxBytes = MAX_LINE_BYTES) {}

  /** Splits a chunk; returns the complete lines it ended (possibly none). */
  push(chunk: Buffer): LineBatch {
    const batch: LineBatch = { firstLine: this.nextLine, lines: [] };
    const lines = batch.lines;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (this.carryLen > 0 || this.overflow) {
        this.append(chunk, start, nl);
        lines.push(this.takeCarry());
      } else if (nl - start > this.maxBytes) {
        this.truncated++;
        lines.push(decode(chunk, start, start + this.maxBytes));
      } else {
        lines.push(decode(chunk, start, nl));
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.append(chunk, start, chunk.length);
    this.nextLine += lines.length;
    return batch;
  }

  /** Ends the stream: returns the last line when it had no newline. */
  end(): LineBatch {
    const batch: LineBatch = { firstLine: this.nextLine, lines: [] };
    if (this.carryLen > 0 || this.overflow) {
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

function decode(buf: Buffer, from: number, to: number): string {
  if (to > from && buf[to - 1] === 13) to--;
  return buf.toString('utf8', from, to);
}
