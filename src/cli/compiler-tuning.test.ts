import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tuneCompiler } from './compiler-tuning.js';

test('the inlining limits are set on Node 20 only', () => {
  assert.equal(tuneCompiler('18.20.0', []), false);
  assert.equal(tuneCompiler('22.11.0', []), false);
  assert.equal(tuneCompiler('20.20.2', []), true);
});

test('inlining flags given on the command line win over the tuning', () => {
  assert.equal(tuneCompiler('20.20.2', ['--max-inlined-bytecode-size=460']), false);
  assert.equal(tuneCompiler('20.20.2', ['--no-turbo-inlining']), false);
  assert.equal(tuneCompiler('20.20.2', ['--cpu-prof']), true);
});
