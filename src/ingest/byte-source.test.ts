import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { decodedChunks } from './byte-source.js';

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
