import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ExternalError } from '../core/errors.js';
import { writeEml } from './eml-files.js';
import type { BuiltMessage } from './report-message.js';

const message = (raw: string): BuiltMessage => ({
  raw,
  envelope: { from: 'ops@example.org', to: ['abuse@example.net'] },
});

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reportable-eml-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeEml', () => {
  it('writes report-<id>.eml with the exact bytes, creating the directory', async () => {
    const raw = 'Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nGrüße\r\n';
    const path = await writeEml(join(dir, 'out'), '17', message(raw));
    assert.equal(path, join(dir, 'out', 'report-17.eml'));
    assert.deepEqual(await readFile(path), Buffer.from(raw, 'utf8'));
  });

  it('a second write for the same id replaces the first whole, leaving no temporary file', async () => {
    await writeEml(dir, 'r2', message('first, and longer than the second\r\n'));
    const path = await writeEml(dir, 'r2', message('second\r\n'));
    assert.equal(await readFile(path, 'utf8'), 'second\r\n');
    assert.deepEqual(
      (await readdir(dir)).filter((f) => f.startsWith('report-r2')),
      ['report-r2.eml'],
    );
  });

  it('refuses an id that could leave the directory', async () => {
    for (const id of ['../x', 'a/b', '.hidden', '', 'a\nb']) {
      await assert.rejects(writeEml(dir, id, message('x')), /not a report id/);
    }
  });

  it('a directory that cannot be created is an ExternalError', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, '');
    await assert.rejects(writeEml(join(file, 'sub'), '1', message('x')), ExternalError);
  });
});
