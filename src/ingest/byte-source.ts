import { once } from 'node:events';
import { createReadStream } from 'node:fs';
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
    head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
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
        if (!gunzip.write(r.value)) await once(gunzip, 'drain');
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
