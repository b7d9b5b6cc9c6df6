import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultDetectConfig, defaultPolicyConfig } from '../detect/detect-config.js';
import { configSchema, defaultConfig, isPostgresUrl } from './config-schema.js';
import { editDistance, suggestKey } from './did-you-mean.js';
import { isHostName, parseHostPort } from './host-port.js';
import { leafPaths } from './schema-walk.js';

test('defaultConfig is the detector, policy and lookup defaults plus empty reserved sections', () => {
  assert.deepEqual(defaultConfig(), {
    detect: defaultDetectConfig(),
    policy: defaultPolicyConfig(),
    time: {},
    store: {},
    reporter: {},
    lookup: {
      timeoutMs: 10_000,
      ttl: 7 * 86_400_000,
      failureTtl: 3_600_000,
      concurrency: 8,
      rdap: true,
      domainWhois: true,
      onlyListedServers: false,
      defaultLimits: { concurrency: 2, perMinute: 60 },
      servers: {},
    },
    smtp: {
      timeoutMs: 30_000,
      perHour: 30,
      perDomainPerHour: 5,
      maxAttempts: 6,
      retryAfter: 300_000,
    },
    report: {
      dedupePeriod: 7 * 86_400_000,
      alwaysCc: [],
      neverMail: [],
      autoApprove: false,
      redact: { addresses: [], hostnames: [], users: [], targets: true },
    },
  });
});

test('every setting of the schema, as key paths', () => {
  const paths = leafPaths(configSchema).map((p) => p.join('.'));
  assert.ok(paths.includes('detect.portScan.window'));
  assert.ok(paths.includes('policy.ownNetworks'));
  assert.ok(paths.includes('lookup.whoisHosts'));
  assert.deepEqual(
    paths.filter((p) => !p.startsWith('detect.') && !p.startsWith('policy.')),
    [
      'time.zone',
      'store.db',
      'reporter.name',
      'reporter.organization',
      'reporter.email',
      'reporter.phone',
      'reporter.timezone',
      'lookup.whoisHosts',
      'lookup.dnsServer',
      'lookup.rdapBootstrap',
      'lookup.timeoutMs',
      'lookup.ttl',
      'lookup.failureTtl',
      'lookup.concurrency',
      'lookup.rdap',
      'lookup.domainWhois',
      'lookup.onlyListedServers',
      'lookup.firstWhoisServer',
      'lookup.defaultLimits.concurrency',
      'lookup.defaultLimits.perMinute',
      'lookup.servers',
      'smtp.url',
      'smtp.from',
      'smtp.timeoutMs',
      'smtp.perHour',
      'smtp.perDomainPerHour',
      'smtp.maxAttempts',
      'smtp.retryAfter',
      'smtp.dkim.domainName',
      'smtp.dkim.keySelector',
      'smtp.dkim.privateKeyFile',
      'report.dedupePeriod',
      'report.alwaysCc',
      'report.neverMail',
      'report.autoApprove',
      'report.templateDir',
      'report.redact.addresses',
      'report.redact.hostnames',
      'report.redact.users',
      'report.redact.targets',
    ],
  );
});

test('edit distance counts a swap of neighbours as one edit', () => {
  assert.equal(editDistance('window', 'window'), 0);
  assert.equal(editDistance('widnow', 'window'), 1);
  assert.equal(editDistance('windw', 'window'), 1);
  assert.equal(editDistance('prots', 'ports'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
});

test('suggestions: close typos, other spellings of the same words, nothing for far keys', () => {
  const keys = ['enabled', 'ports', 'window', 'slowPorts', 'slowWindow'];
  assert.equal(suggestKey('windw', keys), 'window');
  assert.equal(suggestKey('slow_window', keys), 'slowWindow');
  assert.equal(suggestKey('SlowPorts', keys), 'slowPorts');
  assert.equal(suggestKey('enable', keys), 'enabled');
  assert.equal(suggestKey('threshold', keys), undefined);
  assert.equal(suggestKey('x', ['db']), undefined);
  assert.equal(suggestKey('dbb', ['db']), 'db');
});

test('HOST:PORT for whois and DNS peers', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:4343'), { host: '127.0.0.1', port: 4343 });
  assert.deepEqual(parseHostPort('[2001:DB8::1]:43'), { host: '2001:db8::1', port: 43 });
  assert.deepEqual(parseHostPort('Whois.Example.NET:43'), { host: 'whois.example.net', port: 43 });
  assert.deepEqual(parseHostPort('localhost:53'), { host: 'localhost', port: 53 });
  for (const bad of [
    '127.0.0.1',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '2001:db8::1:43',
    'a b:1',
    '999.1.1.1:43',
    '[nope]:43',
    ':43',
    'host:',
  ]) {
    assert.equal(parseHostPort(bad), null, bad);
  }
  assert.ok(isHostName('whois.arin.net'));
  assert.ok(!isHostName('-bad.example'));
  assert.ok(!isHostName('under_score.example'));
});

test('store.db: postgres URLs are told apart from file paths', () => {
  assert.ok(isPostgresUrl('postgres://u@db.example.net/reportable'));
  assert.ok(isPostgresUrl('postgresql://db.example.net/reportable'));
  assert.ok(!isPostgresUrl('/var/lib/reportable/reportable.db'));
  assert.ok(!isPostgresUrl('postgres.db'));
});
