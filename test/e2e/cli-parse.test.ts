import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const CLI = join(import.meta.dirname, '../../dist/cli/main.js');
const NOW = ['--tz', 'UTC', '--now', '2026-11-27T12:00:00Z'];

function run(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    input: typeof input === 'string' ? Buffer.from(input) : input,
    maxBuffer: 64 << 20,
  });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function events(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const REFUSED = 'Nov 26 04:12:09 gw ftpd[3689]: refused connect from 203.0.113.9\n';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reportable-e2e-'));
}

test('parse prints one event per line with the documented fields', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'secure'), 'Nov 26 04:00:00 gw CRON[1]: noise\n' + REFUSED);
  const r = run(['parse', ...NOW, join(dir, 'secure')]);
  assert.equal(r.status, 0, r.stderr);
  const [ev] = events(r.stdout);
  assert.deepEqual(ev, {
    at: '2026-11-26T04:12:09Z',
    kind: 'connection-refused',
    src: '203.0.113.9',
    srcHost: null,
    srcPort: null,
    dst: null,
    dstPort: null,
    proto: null,
    service: 'ftp',
    user: null,
    program: 'ftpd',
    host: 'gw',
    signature: null,
    count: 1,
    family: 'tcpd',
    ref: { source: join(dir, 'secure'), line: 2 },
  });
});

test('stdin with -, plain and gzipped', () => {
  const plain = run(['parse', ...NOW, '-'], REFUSED);
  assert.equal(events(plain.stdout).length, 1);
  const gz = run(['parse', ...NOW, '-'], gzipSync(REFUSED));
  assert.equal(events(gz.stdout)[0]?.['src'], '203.0.113.9');
  assert.equal((events(gz.stdout)[0]?.['ref'] as { source: string }).source, '-');
});

test('a missing file: one line naming it, the others still read, exit 1', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'secure'), REFUSED);
  const r = run(['parse', ...NOW, join(dir, 'gone.log'), join(dir, 'secure')]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `reportable: ${join(dir, 'gone.log')}: no such file or directory\n`);
  assert.equal(events(r.stdout).length, 1);
});

test('a rotated set given as a directory is read oldest first, gzip by content', () => {
  const dir = tmp();
  const logs = join(dir, 'log');
  mkdirSync(logs);
  const line = (d: string, ip: string) =>
    `Nov ${d} 04:12:09 gw ftpd[1]: refused connect from ${ip}\n`;
  writeFileSync(join(logs, 'secure'), line('26', '192.0.2.3'));
  writeFileSync(join(logs, 'secure.1'), line('25', '192.0.2.2'));
  writeFileSync(join(logs, 'secure-20261101.gz'), gzipSync(line('01', '192.0.2.1')));
  const r = run(['parse', ...NOW, logs]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    events(r.stdout).map((e) => e['src']),
    ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
  );
});

test('without --now the year comes from the file modification time', () => {
  const dir = tmp();
  const f = join(dir, 'secure');
  writeFileSync(
    f,
    'Dec 31 23:59:59 gw ftpd[1]: refused connect from 192.0.2.1\nJan  1 00:00:01 gw ftpd[1]: refused connect from 192.0.2.1\n',
  );
  const jan2 = new Date('2027-01-02T00:00:00Z');
  utimesSync(f, jan2, jan2);
  const r = run(['parse', '--tz', 'UTC', f]);
  assert.deepEqual(
    events(r.stdout).map((e) => e['at']),
    ['2026-12-31T23:59:59Z', '2027-01-01T00:00:01Z'],
  );
});

test('--format stats prints one object of counters', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'secure'), 'noise\n' + REFUSED + REFUSED);
  const r = run(['parse', ...NOW, '--format', 'stats', join(dir, 'secure')]);
  const stats = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(stats['lines'], 3);
  assert.equal(stats['events'], 2);
  assert.equal(stats['unparsed'], 1);
  assert.deepEqual(stats['families'], { tcpd: 2 });
  assert.deepEqual(stats['kinds'], { 'connection-refused': 2 });
});

test('binary, empty and over-long input: no crash, counted as unparsed and truncated', () => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'binary'),
    Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 37) % 256)),
  );
  writeFileSync(join(dir, 'empty'), '');
  writeFileSync(join(dir, 'long'), 'x'.repeat(3_000_000) + '\n' + REFUSED);
  const r = run([
    'parse',
    ...NOW,
    '--format',
    'stats',
    join(dir, 'binary'),
    join(dir, 'empty'),
    join(dir, 'long'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const stats = JSON.parse(r.stdout) as Record<string, number>;
  assert.equal(stats['sources'], 3);
  assert.ok((stats['truncated'] ?? 0) >= 1);
  assert.equal(stats['events'], 1);
});

test('bad --tz or --now is a usage error (exit 2) that says what to fix', () => {
  const r = run(['parse', '--tz', 'Mars/Olympus', '-'], '');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--tz: unknown time zone "Mars\/Olympus"/);
  const n = run(['parse', '--now', 'yesterday', '-'], '');
  assert.equal(n.status, 2);
  assert.match(n.stderr, /--now/);
});

test('explain shows the parser that took the line and what it extracted', () => {
  const r = run(['explain', ...NOW, REFUSED.trim()]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /rfc3164 header/);
  assert.match(r.stdout, /tcpd\s+took it as connection-refused/);
  assert.match(r.stdout, /src\s+203\.0\.113\.9/);
});

test('explain FILE:LINE, and a line no parser knows says why', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'secure'), 'Nov 26 04:00:00 gw CRON[1]: noise\n' + REFUSED);
  const r = run(['explain', ...NOW, `${join(dir, 'secure')}:1`]);
  assert.match(r.stdout, /no parser for program "CRON"/);
  assert.match(r.stdout, /result: no event/);
  const j = run(['explain', ...NOW, '--format', 'json', `${join(dir, 'secure')}:2`]);
  const out = JSON.parse(j.stdout) as { event: { src: string } };
  assert.equal(out.event.src, '203.0.113.9');
});

test('explain never writes terminal escapes from the line to the screen', () => {
  const r = run([
    'explain',
    ...NOW,
    'Nov 26 04:12:09 gw ftpd[1]: \u001b[2J\u001b]0;pwned\u0007 refused',
  ]);
  assert.ok(!r.stdout.includes('\u001b'), 'raw ESC reached stdout');
  assert.match(r.stdout, /\\x1b\[2J/);
});
