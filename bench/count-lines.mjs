// The benchmark's floor for any Node log reader: stream a file and count its newline bytes.
// Plain JavaScript on purpose, so it starts as fast as the compiled `dist/` CLI (no tsx
// loader); it reads in the same 256 KiB chunks as reportable's file source.
// Usage: node bench/count-lines.mjs FILE > COUNT_FILE
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('usage: node bench/count-lines.mjs FILE\n');
  process.exit(2);
}
let count = 0;
for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) count++;
}
process.stdout.write(`${count}\n`);
