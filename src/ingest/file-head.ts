import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { decodedChunks, isGzip } from './byte-source.js';
import { MAX_LINE_BYTES } from './line-splitter.js';

/** What a file's first bytes say about it. */
export interface FileHead {
  /**
   * Identity of the content: a hash of the first line (decompressed). It survives renames,
   * logrotate's copytruncate and compression of the rotated file, so a file read before under
   * another name or gzipped is recognised. Null while the file has no complete first line.
   */
  readonly fingerprint: string | null;
  readonly gzip: boolean;
  /** Size on disk in bytes (compressed size for gzip). */
  readonly size: number;
  readonly mtimeMs: number;
}

/** Reads just enough of a file to fingerprint it (at most one line of 64 KiB, decompressed). */
export async function readFileHead(path: string): Promise<FileHead> {
  const handle = await open(path, 'r');
  let gzip = false;
  let size = 0;
  let mtimeMs = 0;
  let plainHead: Buffer | null = null;
  try {
    const st = await handle.stat();
    size = st.size;
    mtimeMs = st.mtimeMs;
    const buf = Buffer.alloc(Math.min(MAX_LINE_BYTES + 1, Math.max(2, size)));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    gzip = isGzip(buf.subarray(0, bytesRead));
    if (!gzip) plainHead = buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const head = plainHead ?? (await decodedHead(path));
  return { fingerprint: fingerprintOf(head), gzip, size, mtimeMs };
}

async function decodedHead(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  let length = 0;
  try {
    for await (const chunk of decodedChunks(createReadStream(path, { highWaterMark: 16384 }))) {
      parts.push(chunk);
      length += chunk.length;
      if (chunk.indexOf(10) >= 0 || length > MAX_LINE_BYTES) break;
    }
  } catch {
    // A corrupt archive has no usable head; reading it reports the error.
  }
  return Buffer.concat(parts, length);
}

/** The fingerprint of a head of bytes: the hash of its first complete line, or null. */
export function fingerprintOf(head: Buffer): string | null {
  const nl = head.indexOf(10);
  if (nl < 0) return null;
  return 'l1:' + createHash('sha256').update(head.subarray(0, nl)).digest('hex').slice(0, 32);
}
