import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { parseDuration } from '../core/duration.js';
import { formatDurationSetting, redactUrl, renderConfig } from './config-render.js';
import { defaultConfig } from './config-schema.js';
import { parseConfigText } from './load-config.js';

test('durations are written the way users write them', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [90_000, '1m30s'],
    [300_000, '5m'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [86_400_000, '24h'],
    [129_600_000, '36h'],
    [172_800_000, '2d'],
    [604_800_000, '7d'],
    [176_400_000, '2d1h'],
  ];
  for (const [ms, text] of cases) {
    assert.equal(formatDurationSetting(ms), text);
    assert.equal(parseDuration(text), ms, text);
  }
});

test('passwords in URLs are hidden, other URLs and paths kept', () => {
  assert.equal(
    redactUrl('smtps://reportable:s3cret@mail.example.net:465'),
    'smtps://reportable:***@mail.example.net:465',
  );
  assert.equal(redactUrl('smtp://mail.example.net:587'), 'smtp://mail.example.net:587');
  assert.equal(redactUrl('/var/lib/reportable/reportable.db'), '/var/lib/reportable/reportable.db');
});

test('the defaults render with duration strings', () => {
  const shown = renderConfig(defaultConfig()) as { detect: Record<string, unknown> };
  assert.equal(shown.detect['incidentGap'], '24h');
  assert.deepEqual(shown.detect['portScan'], {
    enabled: true,
    ports: 15,
    window: '5m',
    slowPorts: 25,
    slowWindow: '6h',
  });
});

test('config show output loads back as the same configuration', () => {
  const config = parseConfigText(
    [
      'detect: {incidentGap: 36h, bruteForce: {window: 90}}',
      'policy: {ownNetworks: [198.51.100.0/24]}',
      'time: {zone: Europe/Berlin}',
      'lookup: {whoisHosts: {whois.arin.net: "127.0.0.1:4343"}, timeoutMs: 500}',
      '',
    ].join('\n'),
    'cfg.yaml',
  );
  assert.deepEqual(parseConfigText(stringify(renderConfig(config)), 'shown.yaml'), config);
  assert.deepEqual(
    parseConfigText(JSON.stringify(renderConfig(config)), 'shown.json'),
    config,
    'JSON output is YAML too',
  );
});
