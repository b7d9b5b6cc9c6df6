/**
 * How fast could parsing get if lines stayed bytes? The same minimal parser written twice, once
 * over the file's bytes and once over line strings (decoded pieces split into slices, as
 * reportable's reader makes them), both reading only the benchmark's two commonest shapes: a
 * kernel firewall line's SRC= address and DPT= port, and sshd's `Failed password for … from
 * ADDR`. Neither checks what the real parsers check; the point is the ratio between them, for
 * the same work, measured in one process in alternating rounds. It is an upper bound: the tuned
 * string parsers already avoid most of the builtin calls that slow the minimal string reader
 * (docs/architecture.md, fifth round, has the figures and a realistic comparison).
 *
 *   taskset -c 0 node --import tsx bench/minimal-readers.ts [--rounds 5] [FILE]
 *
 * A third reader, `bytes+text`, is the byte reader making each event's address a string, as an
 * Event needs it: the price of leaving the bytes.
 *
 * FILE defaults to bench/out/secure-1m.log. Exits 1 when the readers disagree on any count.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { median } from './measure-command.js';

const CHUNK = 256 * 1024;
/** Room for the part of a line carried over from the previous chunk. */
const CARRY = 64 * 1024;

interface Counts {
  lines: number;
  events: number;
  /** A checksum of what was read (addresses and ports), so that all read the same values. */
  sum: number;
  /** Characters of the address strings made (by `bytes+text` only). */
  textChars: number;
}

const SRC = Buffer.from('SRC=');
const DPT = Buffer.from('DPT=');
const FAILED = Buffer.from('Failed password for ');
const FROM = Buffer.from(' from ');

/** The dotted quad at `i` as a number, or -1. */
function quadOfBytes(b: Buffer, i: number, end: number): number {
  let value = 0;
  let part = 0;
  let dots = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + c - 48;
      digits++;
      if (part > 255) return -1;
    } else break;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

/**
 * quadOfBytes on a string. Written out twice on purpose: one version over an accessor would
 * measure the accessor's calls, not the two representations.
 */
function quadOfString(s: string, i: number): number {
  let value = 0;
  let part = 0;
  let dots = 0;
  let digits = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0) return -1;
      value = value * 256 + part;
      part = digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + c - 48;
      digits++;
      if (part > 255) return -1;
    } else break;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

/** The address at `i` (digits and dots) as a string. */
function addressText(b: Buffer, i: number, end: number): string {
  let j = i;
  while (j < end && (b[j] === 46 || (b[j]! >= 48 && b[j]! <= 57))) j++;
  return b.toString('latin1', i, j);
}

function bytesAt(b: Buffer, i: number, pattern: Buffer): boolean {
  for (let k = 0; k < pattern.length; k++) if (b[i + k] !== pattern[k]) return false;
  return true;
}

function indexWithin(b: Buffer, pattern: Buffer, from: number, end: number): number {
  const i = b.indexOf(pattern, from);
  return i >= 0 && i < end ? i : -1;
}

/**
 * Reads FILE's lines as byte ranges of the read buffer; nothing is decoded, unless `withText`:
 * then each event's address is made a string as an Event needs it (one Buffer decode per event;
 * a cache of address strings by value would cost less for repeated sources).
 */
function overBytes(file: string, withText: boolean): Counts {
  const counts: Counts = { lines: 0, events: 0, sum: 0, textChars: 0 };
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK + CARRY);
  let carried = 0;
  for (;;) {
    const n = readSync(fd, buf, carried, CHUNK, null);
    if (n === 0) break;
    const len = carried + n;
    let pos = 0;
    for (;;) {
      let nl = -1;
      for (let i = pos; i < len; i++) {
        if (buf[i] === 10) {
          nl = i;
          break;
        }
      }
      if (nl < 0) break;
      counts.lines++;
      // `Mmm dd hh:mm:ss host tag[pid]: message`
      let i = pos + 16;
      while (i < nl && buf[i] !== 32) i++;
      const tag = ++i;
      while (i < nl && buf[i] !== 91 && buf[i] !== 58) i++;
      const tagLength = i - tag;
      while (i < nl && buf[i] !== 32) i++;
      i++;
      if (tagLength === 6 && buf[tag] === 107 /* k */ && buf[tag + 1] === 101 /* e */) {
        const s = indexWithin(buf, SRC, i, nl);
        if (s >= 0) {
          const address = quadOfBytes(buf, s + 4, nl);
          if (withText && address >= 0) counts.textChars += addressText(buf, s + 4, nl).length;
          const d = indexWithin(buf, DPT, s, nl);
          let port = 0;
          if (d >= 0)
            for (let k = d + 4; buf[k]! >= 48 && buf[k]! <= 57; k++)
              port = port * 10 + buf[k]! - 48;
          if (address >= 0) {
            counts.events++;
            counts.sum += (address % 1000) + port;
          }
        }
      } else if (tagLength === 4 && buf[tag] === 115 /* s */ && buf[tag + 1] === 115 /* s */) {
        if (bytesAt(buf, i, FAILED)) {
          const f = indexWithin(buf, FROM, i, nl);
          const address = f < 0 ? -1 : quadOfBytes(buf, f + 6, nl);
          if (address >= 0) {
            if (withText) counts.textChars += addressText(buf, f + 6, nl).length;
            counts.events++;
            counts.sum += address % 1000;
          }
        }
      }
      pos = nl + 1;
    }
    buf.copy(buf, 0, pos, len);
    carried = len - pos;
  }
  closeSync(fd);
  return counts;
}

/** Reads FILE's lines as slices of each chunk's decoded text, as reportable's reader does. */
function overStrings(file: string): Counts {
  const counts: Counts = { lines: 0, events: 0, sum: 0, textChars: 0 };
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK + CARRY);
  let carried = 0;
  for (;;) {
    const n = readSync(fd, buf, carried, CHUNK, null);
    if (n === 0) break;
    const len = carried + n;
    const last = buf.lastIndexOf(10, len - 1);
    if (last < 0) {
      carried = len;
      continue;
    }
    const text = buf.toString('latin1', 0, last);
    for (let pos = 0; pos <= text.length;) {
      const nl = text.indexOf('\n', pos);
      const end = nl < 0 ? text.length : nl;
      const line = text.slice(pos, end);
      counts.lines++;
      const tagStart = line.indexOf(' ', 16) + 1;
      const sp = line.indexOf(' ', tagStart);
      const tag = line.slice(tagStart, sp);
      if (tag.startsWith('kernel')) {
        const s = line.indexOf('SRC=', sp);
        if (s >= 0) {
          const address = quadOfString(line, s + 4);
          const d = line.indexOf('DPT=', s);
          let port = 0;
          if (d >= 0) {
            for (let k = d + 4; ; k++) {
              const c = line.charCodeAt(k);
              if (!(c >= 48 && c <= 57)) break;
              port = port * 10 + c - 48;
            }
          }
          if (address >= 0) {
            counts.events++;
            counts.sum += (address % 1000) + port;
          }
        }
      } else if (tag.startsWith('sshd')) {
        if (line.startsWith('Failed password for ', sp + 1)) {
          const f = line.indexOf(' from ', sp);
          const address = f < 0 ? -1 : quadOfString(line, f + 6);
          if (address >= 0) {
            counts.events++;
            counts.sum += address % 1000;
          }
        }
      }
      pos = end + 1;
    }
    buf.copy(buf, 0, last + 1, len);
    carried = len - last - 1;
  }
  closeSync(fd);
  return counts;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rounds: { type: 'string', default: '5' } },
  });
  const file = positionals[0] ?? 'bench/out/secure-1m.log';
  const readers: { name: string; read: (file: string) => Counts; ms: number[]; counts?: Counts }[] =
    [
      { name: 'bytes', read: (f) => overBytes(f, false), ms: [] },
      { name: 'strings', read: overStrings, ms: [] },
      { name: 'bytes+text', read: (f) => overBytes(f, true), ms: [] },
    ];
  for (let r = 0; r < Number(values.rounds); r++) {
    for (const reader of r % 2 === 0 ? readers : [...readers].reverse()) {
      const t0 = performance.now();
      reader.counts = reader.read(file);
      reader.ms.push(performance.now() - t0);
    }
  }
  for (const { name, ms, counts } of readers) {
    console.log(
      `${name.padEnd(8)} median ${median(ms).toFixed(0).padStart(5)} ms  ` +
        `(${ms.map((x) => x.toFixed(0)).join(' ')})  ${JSON.stringify(counts)}`,
    );
  }
  // The same lines, events and values read by all three (only bytes+text makes strings).
  const read = new Set(readers.map(({ counts: c }) => `${c!.lines} ${c!.events} ${c!.sum}`));
  if (read.size !== 1) {
    console.log('THE READERS DISAGREE');
    process.exitCode = 1;
  } else {
    const ratio = (i: number): string =>
      (median(readers[i]!.ms) / median(readers[0]!.ms)).toFixed(2);
    console.log(`strings / bytes: ${ratio(1)}x; bytes+text / bytes: ${ratio(2)}x`);
  }
}

main();
