import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** Chunk size for file reads: large enough that per-chunk costs vanish, small enough to stay flat. */
const CHUNK = 256 * 1024;

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Yields the bytes of a stream, gunzipped when its content starts with the gzip magic number
 * (whatever the name says). Concatenated gzip members are read in full.
 */
export async function* decodedChunks(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const it = input[Symbol.asyncIterator]();
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const r = await it.next();
    if (r.done) {
      if (head.length > 0) yield head;
      return;
    }
    // A copy: the source may reuse its buffer for the next read (see fileChunksReused).
    head = head.length === 0 ? Buffer.from(r.value) : Buffer.concat([head, r.value]);
  }
  if (!isGzip(head)) {
    yield head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const gunzip = createGunzip();
  const feed = (async () => {
    try {
      if (!gunzip.write(head)) await once(gunzip, 'drain');
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        // A copy: zlib reads it later, while the source may reuse its buffer for the next read.
        if (!gunzip.write(Buffer.from(r.value))) await once(gunzip, 'drain');
      }
      gunzip.end();
    } catch (err) {
      gunzip.destroy(err as Error);
    }
  })();
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } finally {
    // A reader that stops early must not leave the feeder waiting for 'drain' forever.
    if (!gunzip.readableEnded) gunzip.destroy(new Error('reader stopped'));
    await feed;
    await it.return?.();
  }
}

/** The decoded bytes of a file (gzip recognised by content). */
export function fileChunks(path: string): AsyncGenerator<Buffer> {
  return decodedChunks(createReadStream(path, { highWaterMark: CHUNK }));
}

/**
 * The bytes of a file from `start`, read into one buffer reused for every read: a chunk is
 * valid until the next one is asked for, and a consumer that keeps bytes must copy them (the
 * line splitter and `decodedChunks` do). A fresh 256 KiB buffer per read, as a read stream
 * allocates, costs an allocation and fresh pages for every chunk.
 */
export async function* fileChunksReused(path: string, start = 0): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  // Two buffers: the next read runs in the thread pool while the consumer parses the chunk
  // just handed out, so reading and parsing overlap instead of taking turns.
  const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)] as const;
  let pending: Promise<{ bytesRead: number }> | null = null;
  try {
    // From the start, reads follow the file position, as a read stream's do: that also works
    // for a pipe (`<(zcat …)`), where reading at an offset fails.
    let pos: number | null = start > 0 ? start : null;
    let which = 0;
    pending = fh.read(bufs[which]!, 0, CHUNK, pos);
    for (;;) {
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) return;
      const chunk = bufs[which]!.subarray(0, bytesRead);
      if (pos !== null) pos += bytesRead;
      which ^= 1;
      pending = fh.read(bufs[which]!, 0, CHUNK, pos);
      yield chunk;
    }
  } finally {
    // A read still in flight must finish before the handle closes.
    if (pending !== null) await pending.catch(() => undefined);
    await fh.close();
  }
}
