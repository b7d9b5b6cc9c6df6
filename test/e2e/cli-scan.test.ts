import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist/cli/main.js');
const EXAMPLES = join(ROOT, 'examples/logs');
const TIME = ['--tz', 'UTC', '--now', '2026-11-27T12:00:00Z'];

interface Inc {
  id: string;
  kind: string;
  src: string | null;
  events: number;
  severity: number;
  reportable: boolean;
  reasons: string[];
  evidence: { source: string; line: number; text: string }[];
  firstSeen: string;
  lastSeen: string;
  ports: number[];
  targets: string[];
}

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', XDG_DATA_HOME: tmp(), ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reportable-scan-'));
}

function json(stdout: string): { stats: Record<string, number>; incidents: Inc[] } {
  return JSON.parse(stdout) as { stats: Record<string, number>; incidents: Inc[] };
}

test('scan of the example logs: the verdicts an operator would give', () => {
  const r = run(['scan', '--no-db', '--all', '--format', 'json', ...TIME, EXAMPLES]);
  assert.equal(r.status, 0, r.stderr);
  const { incidents } = json(r.stdout);
  const reportable = incidents
    .filter((i) => i.reportable)
    .map((i) => `${i.kind} ${i.src}`)
    .sort();
  assert.deepEqual(reportable, [
    'brute-force 108.167.149.240',
    'brute-force 194.164.64.213',
    'exploit 157.173.209.216',
    'exploit 210.107.73.73',
    'exploit 92.205.169.9',
    'port-scan 82.112.247.12',
    'sweep 200.57.141.161',
  ]);
  const byKey = new Map(incidents.map((i) => [`${i.kind} ${i.src}`, i]));
  // The brute force spans the rotated, gzipped secure.1.gz and the live secure file.
  const brute = byKey.get('brute-force 194.164.64.213')!;
  assert.equal(brute.firstSeen, '2025-11-25T23:59:12Z'.replace('2025', '2026'));
  assert.equal(brute.lastSeen, '2026-11-26T00:00:50Z');
  assert.ok(brute.evidence.some((e) => e.source.endsWith('secure.1.gz')));
  assert.ok(brute.evidence.some((e) => e.source.endsWith('/secure')));
  const scan = byKey.get('port-scan 82.112.247.12')!;
  assert.equal(scan.ports.length, 20);
  assert.deepEqual(scan.targets, ['192.0.2.10']);
  assert.match(scan.reasons[0]!, /^20 distinct ports on 192\.0\.2\.10 within 4 s$/);
  const sweep = byKey.get('sweep 200.57.141.161')!;
  assert.equal(sweep.targets.length, 12);
  // Never reported: a private scanner, a lone SMTP attempt, a ping from a documentation address.
  const privateScan = byKey.get('port-scan 10.1.2.3')!;
  assert.equal(privateScan.reportable, false);
  assert.match(privateScan.reasons.at(-1)!, /10\.0\.0\.0\/8.*RFC1918/);
  const smtp = byKey.get('probe 196.11.240.215')!;
  assert.equal(smtp.reportable, false);
  assert.match(smtp.reasons.join(' '), /usually innocent/);
  assert.equal(byKey.get('probe 198.51.100.8')?.reportable, false);
  // The address an attacker wrote into a user name is never a source.
  assert.ok(!incidents.some((i) => i.src === '192.0.2.1'));
});

test('scan prints reportable incidents only unless --all, and the table puts them first', () => {
  const r = run(['scan', '--no-db', ...TIME, EXAMPLES]);
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split('\n');
  assert.match(rows[0]!, /^VERDICT\s+KIND\s+SOURCE/);
  assert.equal(rows.filter((l) => l.startsWith('REPORT')).length, 7);
  assert.equal(rows.filter((l) => l.startsWith('ignore')).length, 0);
  assert.match(rows.at(-1)!, /7 reportable, 7 shown/);
  const all = run(['scan', '--no-db', '--all', ...TIME, EXAMPLES])
    .stdout.trim()
    .split('\n');
  const verdicts = all.slice(1, -1).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(
    verdicts,
    [...verdicts].sort((a, b) => (a === b ? 0 : a === 'REPORT' ? -1 : 1)),
  );
  const sev = json(
    run(['scan', '--no-db', '--format', 'json', '--min-severity', '4', ...TIME, EXAMPLES]).stdout,
  );
  assert.ok(sev.incidents.length > 0 && sev.incidents.every((i) => i.severity >= 4));
});

test('ndjson prints one incident per line', () => {
  const r = run(['scan', '--no-db', '--format', 'ndjson', ...TIME, EXAMPLES]);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 7);
  for (const l of lines) assert.equal((JSON.parse(l) as Inc).reportable, true);
});

test('rescanning is idempotent; a grown file extends its incident instead of duplicating it', () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  const log = join(dir, 'mail.log');
  copyFileSync(join(EXAMPLES, 'mail.log'), log);
  const first = json(run(['scan', '--db', db, '--format', 'json', ...TIME, log]).stdout);
  assert.equal(first.incidents.length, 1);
  const brute = first.incidents[0]!;
  assert.equal(brute.events, 7);

  const again = json(run(['scan', '--db', db, '--format', 'json', ...TIME, log]).stdout);
  assert.equal(again.stats['lines'], 0, 'no line is read twice');
  assert.equal(again.stats['alreadyRead'], 11);
  assert.deepEqual(again.incidents, []);

  appendFileSync(
    log,
    'Nov 26 02:12:30 mail postfix/smtpd[7150]: warning: gator4123.hostgator.com[108.167.149.240]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n' +
      'Nov 26 02:12:36 mail postfix/smtpd[7150]: warning: gator4123.hostgator.com[108.167.149.240]: SASL LOGIN authentication failed: UGFzc3dvcmQ6\n',
  );
  const grown = json(run(['scan', '--db', db, '--format', 'json', '--all', ...TIME, log]).stdout);
  assert.equal(grown.stats['lines'], 2);
  const extended = grown.incidents.find((i) => i.kind === 'brute-force')!;
  assert.equal(extended.id, brute.id, 'the same incident, extended');
  assert.equal(extended.events, 9);
  assert.equal(extended.lastSeen, '2026-11-26T02:12:36Z');
  assert.equal(grown.stats['extended'], 1);
});

test('a log rotated and compressed after a scan is recognised and not read again', () => {
  const dir = tmp();
  const db = join(dir, 'r.db');
  const log = join(dir, 'secure');
  writeFileSync(log, readFileSync(join(EXAMPLES, 'secure')));
  run(['scan', '--db', db, ...TIME, log]);
  const gz = spawnSync('gzip', ['-9', log]);
  assert.equal(gz.status, 0);
  const r = json(run(['scan', '--db', db, '--format', 'json', ...TIME, `${log}.gz`]).stdout);
  assert.equal(r.stats['lines'], 0);
  assert.equal(r.stats['alreadyRead'], 17);
});

test('--own-network keeps a source out of the reports, and bad flags exit 2', () => {
  const r = json(
    run([
      'scan',
      '--no-db',
      '--format',
      'json',
      '--own-network',
      '82.112.240.0/20',
      ...TIME,
      EXAMPLES,
    ]).stdout,
  );
  assert.ok(!r.incidents.some((i) => i.src === '82.112.247.12'));
  const bad = run(['scan', '--no-db', '--own-network', 'nonsense', EXAMPLES]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--own-network: "nonsense"/);
  assert.equal(run(['scan', '--no-db', '--format', 'xml', EXAMPLES]).status, 2);
});

test('a configuration file changes the thresholds; a bad one exits 2 naming the setting', () => {
  const dir = tmp();
  const cfg = join(dir, 'c.yaml');
  writeFileSync(cfg, 'detect:\n  portScan:\n    ports: 25\n');
  const r = json(
    run(['--config', cfg, 'scan', '--no-db', '--format', 'json', ...TIME, EXAMPLES]).stdout,
  );
  assert.ok(!r.incidents.some((i) => i.kind === 'port-scan' && i.src === '82.112.247.12'));
  writeFileSync(cfg, 'detect:\n  portScan:\n    prots: 25\n');
  const bad = run(['--config', cfg, 'scan', '--no-db', EXAMPLES]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /detect\.portScan\.prots/);
});

test('explain --src shows what the detectors made of one source', () => {
  const r = run(['explain', ...TIME, '--src', '82.112.247.12', join(EXAMPLES, 'kern.log')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /source: 82\.112\.247\.12/);
  assert.match(r.stdout, /port-scan \(severity \d, reportable\)/);
  assert.match(r.stdout, /20 distinct ports on 192\.0\.2\.10 within 4 s/);
});
