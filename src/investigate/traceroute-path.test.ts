import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTraceroute, tracerouteTarget, upstreamHops } from './traceroute-path.js';

// Hand-written in the layout of each tool's output; public hops are addresses of the whois
// corpus (so a path can be looked up against the loopback registries), private and CGNAT first
// hops as a home or office network shows them.

/** Linux `traceroute -n 82.112.247.50` (iputils/Dmitry Butskoy traceroute 2.1). */
const TRACEROUTE_N = `traceroute to 82.112.247.50 (82.112.247.50), 30 hops max, 60 byte packets
 1  192.168.1.1  0.512 ms  0.480 ms  0.470 ms
 2  100.64.0.1  3.101 ms  3.090 ms  3.200 ms
 3  * * *
 4  62.239.237.1  5.100 ms 62.239.237.9  5.300 ms  5.200 ms
 5  93.184.216.129  9.871 ms !H  9.800 ms  9.912 ms
 6  * 82.112.247.1  12.010 ms *
 7  82.112.247.50  12.500 ms  12.410 ms  12.600 ms
`;

/** `traceroute 82.112.247.50` with names resolved: `name (address)`. */
const TRACEROUTE_NAMES = `traceroute to host.example.net (82.112.247.50), 30 hops max, 60 byte packets
 1  router.lan (10.0.0.1)  0.4 ms  0.3 ms  0.3 ms
 2  cr1.isp.example (62.239.237.1)  4.2 ms  4.1 ms  4.0 ms
 3  ae-1.core.transit.example (93.184.216.1)  8.0 ms ae-2.core.transit.example (93.184.216.2)  8.2 ms  8.1 ms
 4  62.239.237.99 (93.184.216.200)  10.0 ms  10.1 ms  9.9 ms
 5  host.example.net (82.112.247.50)  11.0 ms  11.2 ms  11.1 ms
`;

/** `traceroute6 -n 2a00:2381:ffff::50`. */
const TRACEROUTE6 = `traceroute6 to 2a00:2381:ffff::50 (2a00:2381:ffff::50) from 2a00:2381:1::2, 64 hops max, 12 byte packets
 1  fe80::1  0.611 ms  0.402 ms  0.398 ms
 2  fd00:1::1  1.2 ms  1.1 ms  1.1 ms
 3  2a00:2381:100::1  6.842 ms  6.901 ms  6.780 ms
 4  2A00:2381:200:0:0:0:0:1  14.2 ms  14.0 ms  14.1 ms
 5  2a00:2381:ffff::50  20.1 ms  20.0 ms  20.3 ms
`;

/** `mtr --json -n 82.112.247.50` (mtr 0.95). */
const MTR_JSON = JSON.stringify({
  report: {
    mtr: {
      src: 'gateway',
      dst: '82.112.247.50',
      tos: 0,
      tests: 10,
      psize: '64',
      bitpattern: '0x00',
    },
    hubs: [
      {
        count: 1,
        host: '192.168.1.1',
        'Loss%': 0,
        Snt: 10,
        Last: 0.4,
        Avg: 0.4,
        Best: 0.3,
        Wrst: 0.6,
        StDev: 0.1,
      },
      { count: 2, host: '???', 'Loss%': 100, Snt: 10, Last: 0, Avg: 0, Best: 0, Wrst: 0, StDev: 0 },
      {
        count: 3,
        host: '62.239.237.1',
        'Loss%': 0,
        Snt: 10,
        Last: 5.1,
        Avg: 5.2,
        Best: 5,
        Wrst: 5.6,
        StDev: 0.2,
      },
      {
        count: 4,
        host: '93.184.216.1',
        'Loss%': 0,
        Snt: 10,
        Last: 8.1,
        Avg: 8.2,
        Best: 8,
        Wrst: 8.6,
        StDev: 0.2,
      },
      {
        count: 5,
        host: '82.112.247.50',
        'Loss%': 0,
        Snt: 10,
        Last: 11,
        Avg: 11,
        Best: 11,
        Wrst: 11,
        StDev: 0,
      },
    ],
  },
});

describe('parseTraceroute', () => {
  it('traceroute -n: answering hops, first address of a hop, * hops skipped', () => {
    assert.deepEqual(parseTraceroute(TRACEROUTE_N), [
      { hop: 1, address: '192.168.1.1' },
      { hop: 2, address: '100.64.0.1' },
      { hop: 4, address: '62.239.237.1' },
      { hop: 5, address: '93.184.216.129' },
      { hop: 6, address: '82.112.247.1' },
      { hop: 7, address: '82.112.247.50' },
    ]);
  });

  it('traceroute with names: the address in parentheses, even after a name that looks like one', () => {
    assert.deepEqual(parseTraceroute(TRACEROUTE_NAMES), [
      { hop: 1, address: '10.0.0.1' },
      { hop: 2, address: '62.239.237.1' },
      { hop: 3, address: '93.184.216.1' },
      { hop: 4, address: '93.184.216.200' },
      { hop: 5, address: '82.112.247.50' },
    ]);
  });

  it('traceroute6: canonical IPv6 addresses', () => {
    assert.deepEqual(parseTraceroute(TRACEROUTE6), [
      { hop: 1, address: 'fe80::1' },
      { hop: 2, address: 'fd00:1::1' },
      { hop: 3, address: '2a00:2381:100::1' },
      { hop: 4, address: '2a00:2381:200::1' },
      { hop: 5, address: '2a00:2381:ffff::50' },
    ]);
  });

  it('mtr --json report: hubs by count, ??? skipped', () => {
    assert.deepEqual(parseTraceroute(MTR_JSON), [
      { hop: 1, address: '192.168.1.1' },
      { hop: 3, address: '62.239.237.1' },
      { hop: 4, address: '93.184.216.1' },
      { hop: 5, address: '82.112.247.50' },
    ]);
  });

  it('mtr --report table', () => {
    const text = [
      'Start: 2026-11-27T10:00:00+0000',
      'HOST: gateway                   Loss%   Snt   Last   Avg  Best  Wrst StDev',
      '  1.|-- 192.168.1.1                0.0%    10    0.4   0.4   0.3   0.6   0.1',
      '  2.|-- ???                       100.0    10    0.0   0.0   0.0   0.0   0.0',
      '  3.|-- 62.239.237.1               0.0%    10    5.1   5.2   5.0   5.6   0.2',
    ].join('\n');
    assert.deepEqual(parseTraceroute(text), [
      { hop: 1, address: '192.168.1.1' },
      { hop: 3, address: '62.239.237.1' },
    ]);
  });

  it('mtr --json with names (-b "name (addr)") and string counts (mtr 0.9x)', () => {
    const json = JSON.stringify({
      report: {
        mtr: {},
        hubs: [
          { count: '1', host: 'router.lan (192.168.1.1)' },
          { count: '2', host: 'cr1.isp.example' },
          { count: '3', host: 'cr2.isp.example (62.239.237.2)' },
        ],
      },
    });
    assert.deepEqual(parseTraceroute(json), [
      { hop: 1, address: '192.168.1.1' },
      { hop: 3, address: '62.239.237.2' },
    ]);
  });

  it('garbage, broken JSON and lines that only look like hops give nothing', () => {
    assert.deepEqual(parseTraceroute(''), []);
    assert.deepEqual(
      parseTraceroute('{"report": {"hubs": [{"count": 1, "host": "93.184.216.1"'),
      [],
    );
    assert.deepEqual(parseTraceroute('{"report": {"hubs": "x"}}'), []);
    assert.deepEqual(
      parseTraceroute('1 not-an-address 0.5 ms\n1234 93.184.216.1 1 ms\n0 93.184.216.2'),
      [],
    );
  });

  it('bounded: at most 64 hops, at most 1 MiB read', () => {
    const many = Array.from(
      { length: 200 },
      (_, i) => ` ${i + 1}  198.51.100.${i % 250}  1 ms`,
    ).join('\n');
    assert.equal(parseTraceroute(many).length, 64);
    const padded = `${'x'.repeat(1024 * 1024)}\n 1  62.239.237.1  1 ms\n`;
    assert.deepEqual(parseTraceroute(padded), []);
    const bigJson = `{"report":{"hubs":[{"count":1,"host":"62.239.237.1"}]},"pad":"${'x'.repeat(1024 * 1024)}"}`;
    assert.deepEqual(parseTraceroute(bigJson), []);
  });
});

describe('upstreamHops', () => {
  it('traceroute -n: drops private and CGNAT hops and the target', () => {
    assert.deepEqual(upstreamHops(parseTraceroute(TRACEROUTE_N), '82.112.247.50'), [
      { hop: 4, address: '62.239.237.1' },
      { hop: 5, address: '93.184.216.129' },
      { hop: 6, address: '82.112.247.1' },
    ]);
  });

  it('traceroute6: drops link-local and ULA hops; the target compared in canonical form', () => {
    assert.deepEqual(upstreamHops(parseTraceroute(TRACEROUTE6), '2A00:2381:FFFF:0::50'), [
      { hop: 3, address: '2a00:2381:100::1' },
      { hop: 4, address: '2a00:2381:200::1' },
    ]);
  });

  it('without a target every public hop is kept; a repeated address once; loopback dropped', () => {
    const path = [
      { hop: 1, address: '127.0.0.1' },
      { hop: 2, address: '62.239.237.1' },
      { hop: 3, address: '62.239.237.1' },
      { hop: 4, address: '169.254.0.1' },
      { hop: 5, address: '82.112.247.9' },
    ];
    assert.deepEqual(upstreamHops(path), [
      { hop: 2, address: '62.239.237.1' },
      { hop: 5, address: '82.112.247.9' },
    ]);
  });

  it('hops after the target (a routing loop past it) are not upstream', () => {
    const path = [
      { hop: 1, address: '62.239.237.1' },
      { hop: 2, address: '82.112.247.50' },
      { hop: 3, address: '93.184.216.7' },
    ];
    assert.deepEqual(upstreamHops(path, '82.112.247.50'), [{ hop: 1, address: '62.239.237.1' }]);
  });
});

describe('tracerouteTarget', () => {
  it('reads the header of traceroute and traceroute6, and mtr --json dst', () => {
    assert.equal(tracerouteTarget(TRACEROUTE_N), '82.112.247.50');
    assert.equal(tracerouteTarget(TRACEROUTE_NAMES), '82.112.247.50');
    assert.equal(tracerouteTarget(TRACEROUTE6), '2a00:2381:ffff::50');
    assert.equal(tracerouteTarget(MTR_JSON), '82.112.247.50');
  });
  it('without a header, the last hop is the target; junk names none', () => {
    assert.equal(
      tracerouteTarget(' 1  62.239.237.1  1 ms\n 2  82.112.247.12  2 ms\n'),
      '82.112.247.12',
    );
    assert.equal(tracerouteTarget('no route to host'), null);
  });
});
