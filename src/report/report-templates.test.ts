import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { SAMPLE_VIEW, loadTemplates } from './report-templates.js';

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'reportable-templates-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

test('bundled templates render the sample view as plain text', () => {
  const t = loadTemplates();
  assert.equal(
    t.subject(SAMPLE_VIEW).trim(),
    'Abuse report: SSH brute force from 194.164.64.213 on 2026-11-26',
  );
  const body = t.body(SAMPLE_VIEW);
  assert.match(body, /^Hello,\n/);
  assert.match(body, /\n> sample line\n/);
});

test('no HTML escaping: the view is plain text', () => {
  const t = loadTemplates();
  const view = { ...SAMPLE_VIEW, subject: { ...SAMPLE_VIEW.subject, kinds: '<b>&"' } };
  assert.match(t.subject(view), /<b>&"/);
});

test('an override directory replaces only the file it holds', () => {
  const dir = tempDir({ 'subject.hbs': '[ours] {{subject.source}}' });
  try {
    const t = loadTemplates(dir);
    assert.equal(t.subject(SAMPLE_VIEW), '[ours] 194.164.64.213');
    assert.match(t.body(SAMPLE_VIEW), /^Hello,/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a syntax error is a ConfigError naming the file', () => {
  const dir = tempDir({ 'body.hbs': 'Hello {{#each incidents}}{{title}}' });
  try {
    assert.throws(
      () => loadTemplates(dir),
      (err: unknown) =>
        err instanceof ConfigError && err.message.startsWith(join(dir, 'body.hbs') + ': '),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a misspelt name fails at load (strict mode), naming the file and the name', () => {
  const dir = tempDir({ 'subject.hbs': 'Abuse from {{subject.sorce}}' });
  try {
    assert.throws(
      () => loadTemplates(dir),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes(join(dir, 'subject.hbs')) &&
        err.message.includes('sorce'),
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('a directory without templates is a ConfigError', () => {
  const dir = tempDir({ 'other.txt': 'x' });
  try {
    assert.throws(() => loadTemplates(dir), ConfigError);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
