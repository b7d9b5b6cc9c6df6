import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  mkdtempSync,
  openSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodedChunks, fileChunksReused } from './byte-source.js';

async function collect(chunks: Buffer[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of decodedChunks(Readable.from(chunks))) out.push(c);
  return Buffer.concat(out).toString();
}

test('gzip is recognised by content, whatever the name', async () => {
  assert.equal(await collect([gzipSync('hello\n')]), 'hello\n');
});

test('a gzip header split over one-byte chunks is still recognised', async () => {
  const gz = gzipSync('split\n');
  assert.equal(await collect([...gz].map((b) => Buffer.from([b]))), 'split\n');
});

test('concatenated gzip members (logrotate delaycompress + cat) are read in full', async () => {
  assert.equal(await collect([Buffer.concat([gzipSync('a\n'), gzipSync('b\n')])]), 'a\nb\n');
});

test('plain text passes through; empty input yields nothing', async () => {
  assert.equal(await collect([Buffer.from('x'), Buffer.from('y\n')]), 'xy\n');
  assert.equal(await collect([]), '');
});

test('corrupt gzip data is an error, not a crash', async () => {
  const gz = gzipSync('hello world, this is a log line\n'.repeat(100));
  const broken = Buffer.concat([gz.subarray(0, 20), Buffer.alloc(40, 0xab)]);
  await assert.rejects(collect([broken]));
});

test('a file read into a reused buffer gives its bytes, plain, from an offset, or gzipped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reportable-bytes-'));
  try {
    // Incompressible, so that the gzip file spans several reads: the buffer is reused while
    // zlib still works on earlier bytes.
    const data = randomBytes(1_500_000);
    const plain = join(dir, 'plain');
    const gz = join(dir, 'plain.gz');
    writeFileSync(plain, data);
    writeFileSync(gz, gzipSync(data));
    const read = async (chunks: AsyncIterable<Buffer>): Promise<Buffer> => {
      const out: Buffer[] = [];
      for await (const c of chunks) out.push(Buffer.from(c));
      return Buffer.concat(out);
    };
    assert.ok((await read(fileChunksReused(plain))).equals(data));
    assert.ok((await read(fileChunksReused(plain, 700_001))).equals(data.subarray(700_001)));
    assert.ok((await read(decodedChunks(fileChunksReused(gz)))).equals(data));
    assert.ok((await read(decodedChunks(fileChunksReused(plain)))).equals(data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a named pipe (`<(zcat …)`) is read in full, through the thread pool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'reportable-bytes-'));
  try {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Several reads' worth, written while the reader runs: it must wait for the writer, not
    // take a short read for the end.
    const data = randomBytes(1_000_000);
    createWriteStream(fifo).end(data);
    const out: Buffer[] = [];
    for await (const c of fileChunksReused(fifo)) out.push(Buffer.from(c));
    assert.ok(Buffer.concat(out).equals(data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin redirected from a file is read from where the shell left the file position', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reportable-bytes-'));
  try {
    const data = randomBytes(700_000);
    const file = join(dir, 'input');
    writeFileSync(file, data);
    const fd = openSync(file, 'r');
    try {
      // `(head -c 1000 >/dev/null; reportable parse -) < file`: the child shares this offset.
      readSync(fd, Buffer.alloc(1_000), 0, 1_000, null);
      const module = new URL('./byte-source.ts', import.meta.url).href;
      const script = `
        import { createHash } from 'node:crypto';
        import { stdinChunks } from ${JSON.stringify(module)};
        const hash = createHash('sha256');
        let size = 0;
        for await (const c of stdinChunks()) { hash.update(c); size += c.length; }
        process.stdout.write(size + ' ' + hash.digest('hex'));`;
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '--eval', script],
        { stdio: [fd, 'pipe', 'inherit'], encoding: 'utf8' },
      );
      const rest = data.subarray(1_000);
      assert.equal(r.stdout, `${rest.length} ${createHash('sha256').update(rest).digest('hex')}`);
    } finally {
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
