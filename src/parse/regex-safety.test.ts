import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { checkSync } from 'recheck';
import ts from 'typescript';

// Every byte of a log line or a whois/RDAP/DNS answer may be written by an attacker, so every regex that can see one must
// run in linear time. recheck proves it (or finds the attack string) for each literal.
const ROOT = join(import.meta.dirname, '..');
const DIRS = ['core', 'ingest', 'parse', 'investigate'];

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

interface Found {
  where: string;
  source: string;
  flags: string;
}

function regexLiterals(file: string): Found[] {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: Found[] = [];
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const lit = node.getText(sf);
      const slash = lit.lastIndexOf('/');
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push({
        where: `${relative(ROOT, file)}:${line + 1}`,
        source: lit.slice(1, slash),
        flags: lit.slice(slash + 1),
      });
    } else if (
      ts.isNewExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'RegExp' &&
      node.arguments?.[0] !== undefined
    ) {
      const arg = node.arguments[0];
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      // A dynamic pattern cannot be checked statically: it must be built from escaped literals.
      assert.ok(
        ts.isStringLiteral(arg) || ts.isNoSubstitutionTemplateLiteral(arg),
        `${relative(ROOT, file)}:${line + 1}: new RegExp with a computed pattern cannot be checked; ` +
          'use a literal',
      );
      found.push({ where: `${relative(ROOT, file)}:${line + 1}`, source: arg.text, flags: '' });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test('every regex that reads log text runs in linear time (recheck)', () => {
  const all = DIRS.flatMap((d) => sourceFiles(join(ROOT, d))).flatMap(regexLiterals);
  assert.ok(all.length >= 5, `found only ${all.length} regexes: is the scan broken?`);
  const unsafe: string[] = [];
  for (const re of all) {
    const result = checkSync(re.source, re.flags.replace(/[gy]/g, ''), { timeout: 10_000 });
    if (result.status !== 'safe') {
      const detail =
        result.status === 'vulnerable'
          ? `${result.complexity.type}, attack ${JSON.stringify(result.attack.pattern)}`
          : result.status;
      unsafe.push(`${re.where} /${re.source}/${re.flags}: ${detail}`);
    }
  }
  console.log(`checked ${all.length} regexes`);
  assert.deepEqual(unsafe, []);
});
