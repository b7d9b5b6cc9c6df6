import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const CLI = join(import.meta.dirname, '../../dist/cli/main.js');
const EXAMPLE = join(import.meta.dirname, '../../examples/reportable.yaml');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reportable-e2e-config-'));
}

/** Runs the built CLI with a clean configuration environment (XDG_CONFIG_HOME in a temp dir). */
function run(args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base['REPORTABLE_CONFIG'];
  const r = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...base, XDG_CONFIG_HOME: tmp(), ...env },
  });
  return { status: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

test('config check on the shipped example: exit 0, names the file', () => {
  const r = run(['config', 'check', '--config', EXAMPLE]);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, `config OK: ${EXAMPLE}\n`);
});

test('--config is global: accepted before the command too', () => {
  const r = run(['--config', EXAMPLE, 'config', 'check']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `config OK: ${EXAMPLE}\n`);
});

test('config check with no file anywhere: defaults, and where it looked', (t) => {
  const xdg = tmp();
  const r = run(['config', 'check'], { XDG_CONFIG_HOME: xdg });
  assert.equal(r.status, 0, r.stderr);
  if (r.stdout.includes('/etc/reportable/config.yaml\n')) {
    t.skip('this machine has /etc/reportable/config.yaml');
    return;
  }
  assert.equal(
    r.stdout,
    `config OK: defaults (no config file found; looked in ${join(xdg, 'reportable', 'config.yaml')}, /etc/reportable/config.yaml)\n`,
  );
});

test('config check finds $XDG_CONFIG_HOME/reportable/config.yaml', () => {
  const xdg = tmp();
  mkdirSync(join(xdg, 'reportable'));
  const file = join(xdg, 'reportable', 'config.yaml');
  writeFileSync(file, 'detect:\n  portScan:\n    ports: 20\n');
  const r = run(['config', 'check'], { XDG_CONFIG_HOME: xdg });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `config OK: ${file}\n`);
});

test('config check with problems: every one on stderr as reportable: path: message, exit 2', () => {
  const file = join(tmp(), 'bad.yaml');
  writeFileSync(
    file,
    'detect:\n  portScan:\n    windw: 5m\n  sweep:\n    window: soon\npolicy:\n  allowList: [192.0.2.1, 203.0.113.0/33]\n',
  );
  const r = run(['config', 'check', '--config', file]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(
    r.stderr,
    [
      'reportable: detect.portScan.windw: unknown key (did you mean "window"?)',
      'reportable: detect.sweep.window: "soon" is not a duration (use e.g. 30s, 5m, 6h, 7d)',
      'reportable: policy.allowList[1]: not an address or CIDR block (e.g. 192.0.2.0/24, 2001:db8::/32)',
      '',
    ].join('\n'),
  );
});

test('YAML syntax error: FILE:LINE:COL: message, exit 2', () => {
  const file = join(tmp(), 'broken.yaml');
  writeFileSync(file, 'detect:\n  maxSources: 5\n  maxSources: 6\n');
  const r = run(['config', 'check', '--config', file]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `reportable: ${file}:3:3: Map keys must be unique\n`);
});

test('an explicit file that does not exist: one line, exit 2', () => {
  const missing = join(tmp(), 'missing.yaml');
  const r = run(['config', 'check', '--config', missing]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `reportable: --config ${missing}: no such file\n`);
  const viaEnv = run(['config', 'check'], { REPORTABLE_CONFIG: missing });
  assert.equal(viaEnv.status, 2);
  assert.equal(viaEnv.stderr, `reportable: REPORTABLE_CONFIG ${missing}: no such file\n`);
});

test('config show prints the effective configuration; its output is a valid config file', () => {
  const dir = tmp();
  const file = join(dir, 'mine.yaml');
  writeFileSync(
    file,
    'detect:\n  bruteForce:\n    window: 900\nsmtp:\n  url: smtp://reportable:s3cret@mail.example.net:587\n',
  );
  const r = run(['config', 'show', '--config', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^# effective configuration: ${file}\n`));
  assert.match(
    r.stdout,
    /\n {2}bruteForce:\n {4}enabled: true\n {4}failures: 5\n {4}window: 15m\n/,
  );
  assert.match(r.stdout, /\n {2}portScan:\n {4}enabled: true\n {4}ports: 15\n {4}window: 5m\n/);
  assert.match(r.stdout, /\nsmtp:\n {2}url: smtp:\/\/reportable:\*\*\*@mail\.example\.net:587\n/);
  assert.doesNotMatch(r.stdout, /s3cret/);

  const shown = join(dir, 'shown.yaml');
  writeFileSync(shown, r.stdout.replace('s3cret', 'x').replace('***', 'x'));
  assert.equal(run(['config', 'check', '--config', shown]).status, 0);
});

test('config show --format json: durations as strings, same keys', () => {
  const r = run(['config', 'show', '--format', 'json', '--config', EXAMPLE]);
  assert.equal(r.status, 0, r.stderr);
  const shown = JSON.parse(r.stdout) as {
    detect: { incidentGap: string; portScan: Record<string, unknown> };
    policy: Record<string, unknown>;
    report: { dedupePeriod: string };
  };
  assert.equal(shown.detect.incidentGap, '24h');
  assert.deepEqual(shown.detect.portScan, {
    enabled: true,
    ports: 15,
    window: '5m',
    slowPorts: 25,
    slowWindow: '6h',
  });
  assert.deepEqual(shown.policy['innocuousPorts'], [25, 80, 443]);
  assert.deepEqual(Object.keys(shown), [
    'detect',
    'policy',
    'time',
    'store',
    'reporter',
    'lookup',
    'smtp',
    'report',
  ]);
  assert.equal(
    (shown as unknown as { report: { dedupePeriod: string } }).report.dedupePeriod,
    '7d',
  );
});

test('config show --format with an unknown format: exit 2', () => {
  const r = run(['config', 'show', '--format', 'toml']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'reportable: --format: "toml" is not one of yaml, json\n');
});
