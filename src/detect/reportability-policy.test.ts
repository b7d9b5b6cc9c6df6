import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import v8 from 'node:v8';
import { ConfigError } from '../core/errors.js';
import { withId, type IncidentKind } from '../core/incident.js';
import { detectConfigSchema, policyConfigSchema } from './detect-config.js';
import type { IncidentDraft } from './incident-draft.js';
import { buildPolicy } from './reportability-policy.js';

// 157.173.209.216 and 2001:4860:4860::8888 are public test addresses from the whois corpus.

function draft(kind: IncidentKind, more: Partial<IncidentDraft> = {}): IncidentDraft {
  return {
    kind,
    src: '157.173.209.216',
    srcHost: null,
    firstSeen: 0,
    lastSeen: 0,
    events: 1,
    ports: [],
    targets: ['192.0.2.10'],
    services: [],
    users: [],
    truncated: false,
    severity: kind === 'probe' ? 1 : 3,
    reasons: ['what the detector saw'],
    evidence: [],
    ...more,
  };
}

const policy = buildPolicy(policyConfigSchema.parse({}));

function verdict(d: IncidentDraft, p = policy): [boolean, string] {
  const judged = p.judge(d);
  assert.deepEqual(judged.reasons.slice(0, -1), d.reasons, 'the detector reasons are kept');
  return [judged.reportable, judged.reasons.at(-1)!];
}

describe('probes', () => {
  test('a lone HTTPS attempt is usually innocent', () => {
    assert.deepEqual(verdict(draft('probe', { ports: [443], services: ['https'] })), [
      false,
      'a single HTTPS attempt: usually innocent',
    ]);
  });

  test('even many attempts on HTTP and HTTPS only are usually innocent', () => {
    const d = draft('probe', {
      events: 12,
      severity: 2,
      ports: [80, 443],
      services: ['http', 'https'],
    });
    assert.deepEqual(verdict(d), [false, '12 HTTP and HTTPS attempts: usually innocent']);
  });

  test('pings are usually innocent', () => {
    assert.deepEqual(verdict(draft('probe', { events: 3, services: ['icmp-echo'] })), [
      false,
      '3 pings (ICMP echo): usually innocent',
    ]);
  });

  test('an innocuous port without a service name', () => {
    assert.deepEqual(verdict(draft('probe', { ports: [25] })), [
      false,
      'a single port 25 attempt: usually innocent',
    ]);
  });

  test('a few attempts elsewhere are noted, not reported', () => {
    assert.deepEqual(verdict(draft('probe', { events: 4, ports: [22], services: ['ssh'] })), [
      false,
      '4 attempts, never 10 within 60 min (probe.reportAfter): noted, not reported',
    ]);
  });

  test('a probe that reached probe.reportAfter within probe.window (severity 2) is reported', () => {
    const d = draft('probe', {
      events: 12,
      severity: 2,
      ports: [22, 80],
      services: ['ssh', 'http'],
    });
    assert.deepEqual(verdict(d), [
      true,
      '12 attempts, at least 10 within 60 min (probe.reportAfter), not only on usually innocent ports: reported',
    ]);
  });

  test('the verdict names the detector settings', () => {
    const p = buildPolicy(
      policyConfigSchema.parse({}),
      [],
      detectConfigSchema.parse({ probe: { reportAfter: 3, window: '10m' } }),
    );
    const d = draft('probe', { events: 3, severity: 2, ports: [22], services: ['ssh'] });
    assert.deepEqual(verdict(d, p), [
      true,
      '3 attempts, at least 3 within 10 min (probe.reportAfter), not only on usually innocent ports: reported',
    ]);
  });

  test('the innocuous lists are settings', () => {
    const p = buildPolicy(
      policyConfigSchema.parse({ innocuousPorts: [22], innocuousServices: ['ssh'] }),
    );
    assert.deepEqual(verdict(draft('probe', { ports: [22], services: ['ssh'] }), p), [
      false,
      'a single SSH attempt: usually innocent',
    ]);
  });
});

describe('who is never reported', () => {
  test('own networks (configured and --own-network) and the allow-list', () => {
    const p = buildPolicy(
      policyConfigSchema.parse({
        ownNetworks: ['157.173.208.0/20'],
        allowList: ['2001:4860:4860::8888'],
      }),
      ['82.112.247.0/24'],
    );
    assert.deepEqual(verdict(draft('port-scan'), p), [
      false,
      '157.173.209.216 is in your own network 157.173.208.0/20: never reported',
    ]);
    assert.deepEqual(verdict(draft('port-scan', { src: '82.112.247.12' }), p), [
      false,
      '82.112.247.12 is in your own network 82.112.247.0/24: never reported',
    ]);
    assert.deepEqual(verdict(draft('exploit', { src: '2001:4860:4860::8888' }), p), [
      false,
      '2001:4860:4860::8888 is on the allow-list (2001:4860:4860::8888/128): never reported',
    ]);
  });

  test('special-purpose blocks come first, even before own networks', () => {
    const p = buildPolicy(policyConfigSchema.parse({ ownNetworks: ['10.0.0.0/8'] }));
    assert.deepEqual(verdict(draft('brute-force', { src: '10.1.2.3' }), p), [
      false,
      '10.1.2.3 is in 10.0.0.0/8 (Private-Use, RFC1918): never reported',
    ]);
    assert.deepEqual(verdict(draft('port-scan', { src: '198.51.100.7' })), [
      false,
      '198.51.100.7 is in 198.51.100.0/24 (Documentation (TEST-NET-2), RFC5737): never reported',
    ]);
    assert.deepEqual(verdict(draft('port-scan', { src: 'fe80::1' })), [
      false,
      'fe80::1 is in fe80::/10 (Link-Local Unicast, RFC4291): never reported',
    ]);
  });

  test('a source known only by name', () => {
    assert.deepEqual(
      verdict(draft('probe', { src: null, srcHost: 'scanner.example.org', events: 12 })),
      [
        false,
        'no address, only the name scanner.example.org: names are not resolved during detection',
      ],
    );
  });

  test('malformed blocks are a configuration error naming each one', () => {
    assert.throws(
      () => buildPolicy(policyConfigSchema.parse({}), ['192.0.2.0/33', 'nonsense']),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.length === 2 &&
        err.problems[0] === 'ownNetworks[0]: "192.0.2.0/33" is not an address or CIDR block',
    );
  });
});

describe('what is reported', () => {
  test('scans, sweeps, brute force, floods and exploits from public addresses', () => {
    for (const kind of ['port-scan', 'sweep', 'brute-force', 'dos', 'exploit'] as const) {
      assert.equal(verdict(draft(kind))[0], true, kind);
    }
    assert.deepEqual(verdict(draft('sweep', { src: '2001:4860:4860::8888' })), [
      true,
      'a sweep from a public address: reported',
    ]);
  });

  test('below policy.minSeverity nothing is reported', () => {
    const p = buildPolicy(policyConfigSchema.parse({ minSeverity: 4 }));
    assert.deepEqual(verdict(draft('port-scan', { severity: 2 }), p), [
      false,
      'severity 2 is below the reporting minimum of 4 (policy.minSeverity): not reported',
    ]);
    assert.equal(verdict(draft('exploit', { severity: 5 }), p)[0], true);
  });
});

test('judged incidents, and stored ones with their ids, share one hidden class', () => {
  // A `{ ...draft, reportable }` spread gave every judged incident a V8 map of its own, which
  // made every later read of one (merging, storing, printing) a megamorphic cache miss.
  v8.setFlagsFromString('--allow-natives-syntax');
  const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
    a: object,
    b: object,
  ) => boolean;
  const judged = [
    draft('port-scan'),
    draft('probe', { events: 7, users: ['root'] }),
    draft('brute-force', { src: '10.0.0.1' }),
  ].map((d) => policy.judge(d));
  assert.equal(new Set(judged.map((j) => j.reportable)).size, 2, 'both verdicts are covered');
  for (const j of judged.slice(1)) assert.ok(sameMap(judged[0]!, j));
  const stored = judged.map((j, i) => withId(j, `id-${i}`));
  for (const s of stored.slice(1)) assert.ok(sameMap(stored[0]!, s));
  assert.deepEqual({ ...stored[1]! }, { ...judged[1]!, id: 'id-1' });
});
