import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../core/errors.js';
import { defaultConfig } from './config-schema.js';
import {
  defaultConfigLocations,
  loadConfig,
  MAX_CONFIG_BYTES,
  parseConfigText,
} from './load-config.js';

/** The problems a text is rejected with (fails when it is accepted). */
function problems(text: string, source = 'cfg.yaml'): readonly string[] {
  try {
    parseConfigText(text, source);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'reportable-config-'));
}

test('an empty file, a comment-only file and a bare document marker give the defaults', () => {
  for (const text of ['', '\n', '# nothing set yet\n', '---\n', '~\n']) {
    assert.deepEqual(parseConfigText(text, 'cfg.yaml'), defaultConfig(), JSON.stringify(text));
  }
});

test('the file overlays the defaults: one changed key, everything else shipped', () => {
  const config = parseConfigText('detect:\n  portScan:\n    ports: 20\n', 'cfg.yaml');
  const expected = defaultConfig();
  expected.detect.portScan.ports = 20;
  assert.deepEqual(config, expected);
});

test('durations are read as milliseconds: units, combinations, plain seconds', () => {
  const config = parseConfigText(
    'detect:\n  incidentGap: 1h30m\n  portScan: {window: 90, slowWindow: 2d}\n',
    'cfg.yaml',
  );
  assert.equal(config.detect.incidentGap, 5_400_000);
  assert.equal(config.detect.portScan.window, 90_000);
  assert.equal(config.detect.portScan.slowWindow, 172_800_000);
});

test('a key or section with no value takes its default (commented-out contents)', () => {
  const config = parseConfigText(
    'detect:\n  portScan:\n    # ports: 20\n  bruteForce:\n    window:\ntime:\nreporter:\n',
    'cfg.yaml',
  );
  assert.deepEqual(config, defaultConfig());
});

test('several problems at once, each as path: message, in schema order', () => {
  const text = [
    'detect:',
    '  maxSources: 0',
    '  evidenceLines: 2.5',
    '  portScan:',
    '    enabled: yes',
    '    window: 5x',
    '  bruteForce:',
    '    window: true',
    'policy:',
    '  ownNetworks: [192.0.2.0/24, 2001:db8::/32, 10.0.0.300/8]',
    '  innocuousPorts: [25, 70000]',
    '  minSeverity: "2"',
    'time:',
    '  zone: Mars/Olympus',
    'reporter:',
    '  email: not-an-address',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    'detect.maxSources: must be at least 1, got 0',
    'detect.evidenceLines: expected a whole number, got 2.5',
    'detect.portScan.enabled: expected true or false, got "yes"',
    'detect.portScan.window: "5x" is not a duration (use e.g. 30s, 5m, 6h, 7d)',
    'detect.bruteForce.window: expected a duration (e.g. 30s, 5m, 6h, 7d), got true',
    'policy.ownNetworks[2]: not an address or CIDR block (e.g. 192.0.2.0/24, 2001:db8::/32)',
    'policy.innocuousPorts[1]: must be at most 65535, got 70000',
    'policy.minSeverity: expected a number, got "2"',
    'time.zone: unknown time zone "Mars/Olympus" (use an IANA name such as Europe/Berlin or UTC)',
    'reporter.email: "not-an-address" is not an email address',
  ]);
});

test('unknown keys name the key, with a suggestion within edit distance 2', () => {
  const text = [
    'detct: {}',
    'detect:',
    '  portScan:',
    '    windw: 5m',
    '    prots: 20',
    '  brute_force: {}',
    '  colour: blue',
    'smtp:',
    '  host: mail.example.net',
    '',
  ].join('\n');
  assert.deepEqual(problems(text), [
    'detect.portScan.windw: unknown key (did you mean "window"?)',
    'detect.portScan.prots: unknown key (did you mean "ports"?)',
    'detect.brute_force: unknown key (did you mean "bruteForce"?)',
    'detect.colour: unknown key (expected one of: incidentGap, maxSources, evidenceLines, probe, portScan, sweep, bruteForce, dos, exploit)',
    'smtp.host: unknown key (expected one of: url, from, timeoutMs, perHour, perDomainPerHour, maxAttempts, retryAfter, dkim)',
    'detct: unknown key (did you mean "detect"?)',
  ]);
});

test('a key that is not a plain name is quoted in the path; __proto__ is just an unknown key', () => {
  assert.deepEqual(problems('detect:\n  "port scan": {}\n  "a.b": 1\n__proto__: {}\n'), [
    'detect["port scan"]: unknown key (did you mean "portScan"?)',
    'detect["a.b"]: unknown key (expected one of: incidentGap, maxSources, evidenceLines, probe, portScan, sweep, bruteForce, dos, exploit)',
    '__proto__: unknown key (expected one of: detect, policy, time, store, reporter, lookup, smtp, report)',
  ]);
});

test('wrong shapes: a list for a section, a string for a list, a list for the document', () => {
  assert.deepEqual(problems('detect: [1, 2]\npolicy:\n  allowList: 192.0.2.7\n'), [
    'detect: expected a mapping (key: value lines), got a list',
    'policy.allowList: expected a list (e.g. [a, b], or one "- item" per line), got "192.0.2.7"',
  ]);
  assert.deepEqual(problems('- detect\n'), [
    '(top level): expected a mapping (key: value lines), got a list',
  ]);
});

test('reserved sections validate their documented keys', () => {
  const config = parseConfigText(
    [
      'store: {db: "postgres://reportable@db.example.net/reportable"}',
      'reporter: {name: Jane Doe, organization: Example, email: abuse@example.net, phone: "+1 555 0100", timezone: Europe/Berlin}',
      'lookup:',
      '  whoisHosts: {whois.arin.net: "127.0.0.1:4343", whois.ripe.net: "[::1]:4343"}',
      '  dnsServer: localhost:5353',
      '  rdapBootstrap: /var/lib/reportable/rdap',
      '  timeoutMs: 2500',
      'smtp: {url: "smtps://user:pw@mail.example.net"}',
      '',
    ].join('\n'),
    'cfg.yaml',
  );
  assert.equal(config.store.db, 'postgres://reportable@db.example.net/reportable');
  assert.equal(config.reporter.timezone, 'Europe/Berlin');
  assert.deepEqual(config.lookup.whoisHosts, {
    'whois.arin.net': '127.0.0.1:4343',
    'whois.ripe.net': '[::1]:4343',
  });
  assert.equal(config.lookup.timeoutMs, 2500);
  assert.equal(config.smtp.url, 'smtps://user:pw@mail.example.net');

  const bad = [
    'store: {db: "mysql://db.example.net/x"}',
    'reporter: {name: ""}',
    'lookup:',
    '  whoisHosts: {"not a name": "127.0.0.1:43", whois.arin.net: "127.0.0.1"}',
    '  dnsServer: 192.0.2.53:0',
    '  rdapBootstrap: ~/rdap',
    '  timeoutMs: 0',
    'smtp: {url: "http://mail.example.net"}',
    '',
  ].join('\n');
  assert.deepEqual(problems(bad), [
    'store.db: "mysql://db.example.net/x" is neither a file path nor a postgres:// URL (e.g. postgres://reportable@db.example.net/reportable)',
    'reporter.name: must not be empty',
    'lookup.whoisHosts["not a name"]: "not a name" is not a server name (e.g. whois.arin.net, whois.ripe.net)',
    'lookup.whoisHosts["whois.arin.net"]: "127.0.0.1" is not HOST:PORT (e.g. 127.0.0.1:4343, [2001:db8::1]:43, whois.example.net:43)',
    'lookup.dnsServer: "192.0.2.53:0" is not HOST:PORT (e.g. 127.0.0.1:4343, [2001:db8::1]:43, whois.example.net:43)',
    'lookup.rdapBootstrap: "~/rdap" starts with ~, which is not expanded; write the full path',
    'lookup.timeoutMs: must be at least 1, got 0',
    'smtp.url: "http://mail.example.net" is not an smtp:// or smtps:// URL (e.g. smtp://mail.example.net:587, smtps://user:password@mail.example.net)',
  ]);
});

test('YAML syntax errors are FILE:LINE:COL: message, one line each', () => {
  assert.deepEqual(
    problems('detect:\n  portScan: [15\n  sweep: {}\n', '/etc/reportable/config.yaml'),
    [
      '/etc/reportable/config.yaml:3:3: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  );
  assert.deepEqual(problems('policy:\n  minSeverity: 2\n  minSeverity: 3\n'), [
    'cfg.yaml:3:3: Map keys must be unique',
  ]);
  assert.deepEqual(problems('detect: {}\n---\ndetect: {}\n'), [
    'cfg.yaml:2:1: Source contains multiple documents; please use YAML.parseAllDocuments()',
  ]);
});

test('a long run of YAML errors is cut at 50 with a count of the rest', () => {
  const text = Array.from({ length: 200 }, (_, i) => `k${i}: 1\n  x: y`).join('\n');
  const list = problems(text);
  assert.equal(list.length, 51);
  assert.match(list[50]!, /^cfg\.yaml: \d+ more problems not shown$/);
});

test('a billion-laughs alias bomb is refused quickly, ordinary aliases work', () => {
  let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  let prev = 'a';
  for (const name of 'bcdefghi') {
    bomb += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    prev = name;
  }
  const started = Date.now();
  assert.deepEqual(problems(bomb), [
    'cfg.yaml: more than 100 YAML alias expansions (refused as an alias bomb)',
  ]);
  assert.ok(Date.now() - started < 2000);

  const config = parseConfigText(
    'policy:\n  ownNetworks: &mine [192.0.2.0/24]\n  allowList: *mine\n',
    'cfg.yaml',
  );
  assert.deepEqual(config.policy.allowList, ['192.0.2.0/24']);
  assert.deepEqual(problems('policy:\n  allowList: *nowhere\n'), [
    'cfg.yaml:2:14: alias *nowhere has no anchor &nowhere before it',
  ]);
});

test('text over 1 MiB is refused before parsing', () => {
  const text = '#'.repeat(MAX_CONFIG_BYTES) + '\n';
  assert.deepEqual(problems(text), [
    'cfg.yaml: larger than 1 MiB; a configuration file is not that big',
  ]);
});

test('default locations: $XDG_CONFIG_HOME, else ~/.config, then /etc; a relative XDG is ignored', () => {
  assert.deepEqual(defaultConfigLocations({ XDG_CONFIG_HOME: '/x/conf', HOME: '/home/u' }), [
    '/x/conf/reportable/config.yaml',
    '/etc/reportable/config.yaml',
  ]);
  assert.deepEqual(defaultConfigLocations({ XDG_CONFIG_HOME: 'conf', HOME: '/home/u' }), [
    '/home/u/.config/reportable/config.yaml',
    '/etc/reportable/config.yaml',
  ]);
  assert.deepEqual(defaultConfigLocations({}), ['/etc/reportable/config.yaml']);
});

test('loadConfig finds the file under XDG_CONFIG_HOME and resolves relative paths against it', async () => {
  const xdg = tmp();
  mkdirSync(join(xdg, 'reportable'));
  const file = join(xdg, 'reportable', 'config.yaml');
  writeFileSync(file, 'store:\n  db: data/reportable.db\nlookup:\n  rdapBootstrap: rdap\n');
  const loaded = await loadConfig({ env: { XDG_CONFIG_HOME: xdg, HOME: '/nonexistent' } });
  assert.equal(loaded.source, file);
  assert.equal(loaded.config.store.db, join(xdg, 'reportable', 'data', 'reportable.db'));
  assert.equal(loaded.config.lookup.rdapBootstrap, join(xdg, 'reportable', 'rdap'));
  assert.deepEqual(loaded.searched, [file, '/etc/reportable/config.yaml']);
});

test('loadConfig with no file anywhere gives the defaults and says where it looked', async (t) => {
  const xdg = tmp();
  const loaded = await loadConfig({ env: { XDG_CONFIG_HOME: xdg } });
  if (loaded.source === '/etc/reportable/config.yaml') {
    t.skip('this machine has /etc/reportable/config.yaml');
    return;
  }
  assert.deepEqual(loaded, {
    config: defaultConfig(),
    source: null,
    searched: [join(xdg, 'reportable', 'config.yaml'), '/etc/reportable/config.yaml'],
  });
});

test('--config names one file: it is read even when a default location exists', async () => {
  const xdg = tmp();
  mkdirSync(join(xdg, 'reportable'));
  writeFileSync(join(xdg, 'reportable', 'config.yaml'), 'detect: {maxSources: 7}\n');
  const mine = join(xdg, 'mine.yaml');
  writeFileSync(mine, 'detect: {maxSources: 9}\n');
  const loaded = await loadConfig({ configPath: mine, env: { XDG_CONFIG_HOME: xdg } });
  assert.equal(loaded.source, mine);
  assert.equal(loaded.config.detect.maxSources, 9);
  const viaEnv = await loadConfig({ env: { XDG_CONFIG_HOME: xdg, REPORTABLE_CONFIG: mine } });
  assert.equal(viaEnv.config.detect.maxSources, 9);
});

test('a named file that is missing, a directory, or not UTF-8 is a one-line ConfigError', async () => {
  const dir = tmp();
  const missing = join(dir, 'nope.yaml');
  await assert.rejects(loadConfig({ configPath: missing, env: {} }), {
    name: 'ConfigError',
    problems: [`--config ${missing}: no such file`],
  });
  await assert.rejects(loadConfig({ env: { REPORTABLE_CONFIG: missing } }), {
    problems: [`REPORTABLE_CONFIG ${missing}: no such file`],
  });
  await assert.rejects(loadConfig({ configPath: dir, env: {} }), {
    problems: [`--config ${dir}: is a directory, not a file`],
  });
  const latin1 = join(dir, 'latin1.yaml');
  writeFileSync(latin1, Buffer.from([0x23, 0x20, 0xe9, 0x0a]));
  await assert.rejects(loadConfig({ configPath: latin1, env: {} }), {
    problems: [`--config ${latin1}: not UTF-8 text`],
  });
  await assert.rejects(loadConfig({ configPath: '', env: {} }), {
    problems: ['--config: the file name is empty'],
  });
});

test('an unreadable file is reported, not skipped', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root reads every file');
    return;
  }
  const file = join(tmp(), 'secret.yaml');
  writeFileSync(file, 'detect: {}\n');
  chmodSync(file, 0o000);
  await assert.rejects(loadConfig({ configPath: file, env: {} }), {
    problems: [`--config ${file}: permission denied`],
  });
});

test('a file over 1 MiB is refused by size', async () => {
  const file = join(tmp(), 'big.yaml');
  writeFileSync(file, '#'.repeat(MAX_CONFIG_BYTES + 1));
  await assert.rejects(loadConfig({ configPath: file, env: {} }), {
    problems: [`--config ${file}: larger than 1 MiB; a configuration file is not that big`],
  });
});

test('validation problems from a file read by loadConfig are the same path: message lines', async () => {
  const file = join(tmp(), 'bad.yaml');
  writeFileSync(file, 'detect:\n  sweep:\n    targets: -1\n');
  await assert.rejects(loadConfig({ configPath: file, env: {} }), {
    problems: ['detect.sweep.targets: must be at least 1, got -1'],
  });
});
