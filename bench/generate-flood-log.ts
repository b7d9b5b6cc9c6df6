/**
 * Deterministic generator of a spoofed SYN flood for the benchmark: every line is a kernel UFW
 * BLOCK of one TCP SYN to 192.0.2.10 port 80, and every line comes from a different source
 * address, as a flood with forged sources looks in a firewall log.
 *
 * The sources walk a permutation of 45.0.0.0/12 (1,048,576 addresses): index i goes to
 * `((OFFSET + i * STRIDE) mod 2^20) XOR MASK`, with an odd STRIDE and the OFFSET and MASK drawn
 * from the seed, so the first 2^20 indices are 2^20 distinct addresses that do not come in
 * address order. Host parts ending in .0 or .255 are skipped (they look like network and
 * broadcast addresses), which leaves 1,040,384 usable addresses; a longer file wraps around and
 * repeats them. They are only strings in a file; nothing is contacted.
 *
 * Timestamps start at Nov 26 03:00:00 (year 2026 for `--now 2026-11-27`) and advance 1 ms per
 * line: a million lines span 16 min 40 s. Source port, IP ID and TTL vary per line (a seeded
 * PRNG, mulberry32), as flood tools randomise them. Same seed and line count, same bytes; a
 * shorter file is a prefix of a longer one.
 *
 * Usage: node --import tsx bench/generate-flood-log.ts OUT [LINES] [SEED]
 */
import { pathToFileURL } from 'node:url';
import { mulberry32, writeLines } from './generate-secure-log.js';

/** Bump when the output for a given seed changes, so cached benchmark inputs are rebuilt. */
export const FLOOD_GENERATOR_VERSION = 1;

/** The seed the benchmark uses. */
export const FLOOD_SEED = 20261126;

/** Bits of the source block: 45.0.0.0/12 has 2^20 addresses. */
const BLOCK_BITS = 20;
const BLOCK_SIZE = 1 << BLOCK_BITS;
const BLOCK_BASE = 45 << 24;
/** Addresses of the block that the walk uses (host parts .0 and .255 skipped). */
export const FLOOD_POOL_SIZE = (BLOCK_SIZE / 256) * 254;

const START_MS = Date.UTC(2026, 10, 26, 3, 0, 0);
/** The gateway booted about nine days before the flood: `[uptime]` stamps are large. */
const BOOT_MS = START_MS - 812_345_100;

/** What a generation wrote. */
export interface FloodResult {
  readonly lines: number;
  readonly bytes: number;
  /** Distinct source addresses in the file. */
  readonly distinctSources: number;
  /** Lines per category (one category: the SYN). */
  readonly mix: Record<string, number>;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** The syslog stamp of an instant (`Nov 26 03:00:00`), in UTC. */
function stampOf(ms: number): string {
  const d = new Date(ms);
  const day = d.getUTCDate();
  return (
    `${MONTHS[d.getUTCMonth()]} ${day < 10 ? ` ${day}` : day} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  );
}

/** Produces the lines of one flood, in order. */
class FloodLines {
  private readonly rand: () => number;
  private readonly stride: number;
  private readonly offset: number;
  private readonly mask: number;
  /** Position in the permutation of the block. */
  private walk = 0;
  private line = 0;
  private stampSec = -1;
  private stamp = '';

  constructor(seed: number) {
    this.rand = mulberry32(seed);
    // An odd stride is coprime with 2^20, so i * stride mod 2^20 visits every value once.
    this.stride = (this.int(BLOCK_SIZE) | 1) >>> 0;
    this.offset = this.int(BLOCK_SIZE);
    this.mask = this.int(BLOCK_SIZE);
  }

  private int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  /** The next usable address of the walk (wrapping after the whole block). */
  private source(): string {
    for (;;) {
      const i = this.walk;
      this.walk = (this.walk + 1) % BLOCK_SIZE;
      const host =
        ((this.offset + Math.imul(i, this.stride)) & (BLOCK_SIZE - 1)) ^ (this.mask >>> 0);
      const last = host & 0xff;
      if (last === 0 || last === 0xff) continue;
      const a = (BLOCK_BASE | host) >>> 0;
      return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${last}`;
    }
  }

  /** The next line, with its newline. */
  next(): string {
    const ms = START_MS + this.line++;
    const sec = Math.floor(ms / 1000);
    if (sec !== this.stampSec) {
      this.stampSec = sec;
      this.stamp = stampOf(sec * 1000);
    }
    const us = (ms - BOOT_MS) * 1000 + this.int(1000);
    const s = Math.floor(us / 1e6);
    const uptime = `${s}.${String(us - s * 1e6).padStart(6, '0')}`;
    const src = this.source();
    const ttl = 230 + this.int(26);
    const id = this.int(65536);
    const spt = 1024 + this.int(64512);
    return (
      `${this.stamp} gw kernel: [${uptime}] [UFW BLOCK] IN=eth0 OUT= ` +
      `MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=${src} DST=192.0.2.10 LEN=44 ` +
      `TOS=0x00 PREC=0x00 TTL=${ttl} ID=${id} PROTO=TCP SPT=${spt} DPT=80 WINDOW=1024 ` +
      `RES=0x00 SYN URGP=0\n`
    );
  }
}

/** Writes a `lines`-line flood to `path` (see writeLines). */
export async function generateFloodLog(
  path: string,
  lines: number,
  seed = FLOOD_SEED,
): Promise<FloodResult> {
  const gen = new FloodLines(seed);
  const bytes = await writeLines(path, lines, () => gen.next());
  return {
    lines,
    bytes,
    distinctSources: Math.min(lines, FLOOD_POOL_SIZE),
    mix: { 'ufw-syn-spoofed': lines },
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, linesArg, seedArg] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: generate-flood-log.ts OUT [LINES] [SEED]\n');
    process.exit(2);
  }
  const lines = linesArg === undefined ? 1_000_000 : Number(linesArg);
  const seed = seedArg === undefined ? FLOOD_SEED : Number(seedArg);
  if (!Number.isInteger(lines) || lines < 0 || !Number.isInteger(seed)) {
    process.stderr.write('generate-flood-log: LINES and SEED must be integers\n');
    process.exit(2);
  }
  const started = performance.now();
  const result = await generateFloodLog(path, lines, seed);
  const secs = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ ...result, seconds: Number(secs.toFixed(2)) })}\n`);
}
