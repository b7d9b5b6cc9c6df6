import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Contact, Netblock } from '../core/network.js';
import {
  emptyFinding,
  type AnswerFinding,
  type Referral,
  type WhoisRequest,
} from './answer-finding.js';
import { lookupWhois } from './whois-chain.js';

// The chain alone: a scripted transport and a scripted extractor (keyed by server), so each case
// says exactly what every answer "contained". The real extractor over real TCP is exercised in
// test/integration/whois.test.ts. Addresses are the corpus's real ones (157.173.209.216 is ARIN
// ERX space held at RIPE; 108.167.149.240 is HostGator's, with an rwhois referral).

function netblock(start: string, end: string, cidrs: string[], registry: string | null): Netblock {
  return { start, end, cidrs, name: null, handle: null, org: null, country: null, registry };
}

function contact(email: string, role: Contact['roles'][number], source: string): Contact {
  return { email, roles: [role], source, structured: true, level: 'network' };
}

function referral(
  protocol: Referral['protocol'],
  host: string,
  port: number,
  text: string,
): Referral {
  return { protocol, host, port, text };
}

const finding = emptyFinding;

/** A transport answering by server name (the text is the server name) and recording requests. */
function scripted(fail: Record<string, string> = {}): {
  ask: (r: WhoisRequest) => Promise<string>;
  asked: WhoisRequest[];
} {
  const asked: WhoisRequest[] = [];
  return {
    asked,
    ask: (r) => {
      asked.push(r);
      const error = fail[r.server];
      return error === undefined ? Promise.resolve(r.server) : Promise.reject(new Error(error));
    },
  };
}

function extractor(
  answers: Record<string, AnswerFinding>,
): (server: string, address: string, text: string) => AnswerFinding {
  return (server) => answers[server] ?? finding(server);
}

const ERX_STUB = finding('whois.arin.net', {
  stub: true,
  netblock: netblock(
    '157.171.0.0',
    '157.173.255.255',
    ['157.171.0.0/16', '157.172.0.0/15'],
    'arin',
  ),
  contacts: [contact('abuse@ripe.net', 'abuse', 'whois.arin.net OrgAbuseEmail')],
  hints: ['https://apps.db.ripe.net/search/query.html'],
  referral: referral('whois', 'whois.ripe.net', 43, 'ReferralServer:  whois://whois.ripe.net'),
});

const HOSTINGER = finding('whois.ripe.net', {
  netblock: netblock('157.173.208.0', '157.173.215.255', ['157.173.208.0/21'], 'ripe'),
  contacts: [contact('abuse@hostinger.com', 'abuse', 'whois.ripe.net % Abuse contact')],
  asn: 47583,
  asName: 'HOSTINGER',
});

describe('lookupWhois: following referrals', () => {
  test('ARIN ERX stub → RIPE: the stub netblock and RIPE NCC contacts are dropped', async () => {
    const t = scripted();
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({ 'whois.arin.net': ERX_STUB, 'whois.ripe.net': HOSTINGER }),
    });
    assert.deepEqual(
      t.asked.map((q) => [q.server, q.protocol, q.port, q.query]),
      [
        ['whois.arin.net', 'whois', 43, 'n + 157.173.209.216'],
        ['whois.ripe.net', 'whois', 43, '-r --charset UTF-8 157.173.209.216'],
      ],
    );
    assert.deepEqual(r.chain, [
      { server: 'whois.arin.net', query: 'n + 157.173.209.216' },
      { server: 'whois.ripe.net', query: '-r --charset UTF-8 157.173.209.216' },
    ]);
    assert.deepEqual(r.netblock, HOSTINGER.netblock);
    assert.deepEqual(
      r.contacts.map((c) => c.email),
      ['abuse@hostinger.com'],
    );
    assert.deepEqual(r.hints, []);
    assert.equal(r.asn, 47583);
    assert.equal(r.asName, 'HOSTINGER');
    assert.deepEqual(r.errors, []);
    assert.equal(r.limited, null);
    assert.equal(r.findings.length, 2);
  });

  test('when the referred registry cannot be reached, the stub block stays but never its contacts', async () => {
    const t = scripted({ 'whois.ripe.net': 'whois.ripe.net: no answer within 10 s' });
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({ 'whois.arin.net': ERX_STUB }),
    });
    assert.deepEqual(r.netblock, ERX_STUB.netblock);
    assert.deepEqual(r.contacts, [], 'RIPE NCC is not the holder: never a recipient');
    const noted =
      "whois.arin.net: the block is held by another registry, which gave nothing; the placeholder's contacts are the registry's own and are not used";
    assert.deepEqual(r.errors, ['whois.ripe.net: no answer within 10 s', noted]);
    assert.equal(r.limited, noted, 'limited: cached briefly, asked again later');
    assert.equal(r.chain.length, 2);
  });

  test('a referred registry that knows nothing of the address leaves the stub block, no contacts', async () => {
    const t = scripted();
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({ 'whois.arin.net': ERX_STUB }),
    });
    assert.deepEqual(r.netblock, ERX_STUB.netblock);
    assert.deepEqual(r.contacts, []);
    assert.equal(r.errors.length, 1);
  });

  test('ARIN → rwhois on its own port: both answers kept, rwhois contacts at level rwhois', async () => {
    const t = scripted();
    const arin = finding('whois.arin.net', {
      netblock: netblock('108.167.128.0', '108.167.191.255', ['108.167.128.0/18'], 'arin'),
      contacts: [
        contact('abuse@hostgator.com', 'abuse', 'whois.arin.net OrgAbuseEmail'),
        contact('eig-net-team@endurance.com', 'abuse', 'whois.arin.net RAbuseEmail'),
      ],
      referral: referral(
        'rwhois',
        'rwhois.websitewelcome.com',
        4321,
        'ReferralServer:  rwhois://rwhois.websitewelcome.com:4321',
      ),
    });
    const rwhois = finding('rwhois.websitewelcome.com', {
      netblock: netblock(
        '108.167.149.240',
        '108.167.149.240',
        ['108.167.149.240/32'],
        'rwhois.websitewelcome.com',
      ),
      contacts: [
        contact(
          'support@websitewelcome.com',
          'technical',
          'rwhois.websitewelcome.com Tech-Contact',
        ),
      ],
    });
    const r = await lookupWhois('108.167.149.240', {
      ask: t.ask,
      extract: extractor({ 'whois.arin.net': arin, 'rwhois.websitewelcome.com': rwhois }),
    });
    assert.deepEqual(t.asked[1], {
      server: 'rwhois.websitewelcome.com',
      protocol: 'rwhois',
      port: 4321,
      query: '108.167.149.240',
    });
    assert.deepEqual(r.chain, [
      { server: 'whois.arin.net', query: 'n + 108.167.149.240' },
      { server: 'rwhois.websitewelcome.com:4321', query: '108.167.149.240' },
    ]);
    assert.equal(r.netblock?.start, '108.167.149.240');
    assert.deepEqual(
      r.contacts.map((c) => [c.email, c.level]),
      [
        ['abuse@hostgator.com', 'network'],
        ['eig-net-team@endurance.com', 'network'],
        ['support@websitewelcome.com', 'rwhois'],
      ],
    );
  });

  test('a referred answer less specific than the referrer does not replace its netblock', async () => {
    const t = scripted();
    const narrow = netblock('157.173.208.0', '157.173.215.255', ['157.173.208.0/21'], 'arin');
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          netblock: narrow,
          referral: referral(
            'whois',
            'WHOIS.RIPE.NET.',
            43,
            'ReferralServer: whois://WHOIS.RIPE.NET.',
          ),
        }),
        'whois.ripe.net': finding('whois.ripe.net', {
          netblock: netblock('157.0.0.0', '157.255.255.255', ['157.0.0.0/8'], 'ripe'),
        }),
      }),
    });
    assert.equal(t.asked[1]?.server, 'whois.ripe.net');
    assert.deepEqual(r.netblock, narrow);
  });

  test('a netblock that does not contain the address is ignored', async () => {
    const r = await lookupWhois('157.173.209.216', {
      ask: scripted().ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          netblock: netblock('192.0.2.0', '192.0.2.255', ['192.0.2.0/24'], 'arin'),
        }),
      }),
    });
    assert.equal(r.netblock, null);
  });

  test('IANA as first hop when asked, then its refer:', async () => {
    const t = scripted();
    const r = await lookupWhois('93.184.216.34', {
      ask: t.ask,
      firstServer: 'whois.iana.org',
      extract: extractor({
        'whois.iana.org': finding('whois.iana.org', {
          netblock: netblock('93.0.0.0', '93.255.255.255', ['93.0.0.0/8'], null),
          referral: referral('whois', 'whois.ripe.net', 43, 'refer:        whois.ripe.net'),
        }),
        'whois.ripe.net': finding('whois.ripe.net', {
          netblock: netblock('93.184.216.0', '93.184.216.255', ['93.184.216.0/24'], 'ripe'),
          contacts: [
            contact('abuse@verizondigitalmedia.com', 'abuse', 'whois.ripe.net % Abuse contact'),
          ],
        }),
      }),
    });
    assert.deepEqual(
      r.chain.map((s) => s.server),
      ['whois.iana.org', 'whois.ripe.net'],
    );
    assert.equal(r.chain[0]?.query, '93.184.216.34');
    assert.deepEqual(r.netblock?.cidrs, ['93.184.216.0/24']);
    assert.deepEqual(
      r.contacts.map((c) => c.email),
      ['abuse@verizondigitalmedia.com'],
    );
  });

  test('hints are merged without repeats; the first AS found wins; limited is reported', async () => {
    const r = await lookupWhois('157.173.209.216', {
      ask: scripted().ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          hints: ['https://example.net/abuse'],
          asn: 64496,
          referral: referral(
            'whois',
            'whois.ripe.net',
            43,
            'ReferralServer: whois://whois.ripe.net',
          ),
        }),
        'whois.ripe.net': finding('whois.ripe.net', {
          hints: ['https://example.net/abuse', 'https://example.net/aup'],
          asn: 64497,
          asName: 'EXAMPLE-AS',
          limited: '%ERROR:201: access denied',
        }),
      }),
    });
    assert.deepEqual(r.hints, ['https://example.net/abuse', 'https://example.net/aup']);
    assert.equal(r.asn, 64496);
    assert.equal(r.asName, 'EXAMPLE-AS');
    assert.equal(r.limited, 'whois.ripe.net: %ERROR:201: access denied');
  });
});

describe('lookupWhois: referrals that are refused', () => {
  const cases: [string, Referral, string][] = [
    [
      'a private address',
      referral('whois', '10.0.0.1', 43, 'ReferralServer: whois://10.0.0.1'),
      '10.0.0.1 is Private-Use (RFC1918)',
    ],
    [
      'the loopback address',
      referral('rwhois', '127.0.0.1', 4321, 'ReferralServer: rwhois://127.0.0.1:4321'),
      '127.0.0.1 is Loopback (RFC1122)',
    ],
    [
      'IPv6 loopback in brackets',
      referral('whois', '[::1]', 43, 'ReferralServer: whois://[::1]'),
      '::1 is Loopback Address (RFC4291)',
    ],
    [
      'a public bare address',
      referral('whois', '157.173.209.216', 43, 'ReferralServer: whois://157.173.209.216'),
      'a bare address, not a registry server name',
    ],
    [
      'a decimal address posing as a name',
      referral('whois', '2130706433', 43, 'ReferralServer: whois://2130706433'),
      'an address in disguise, not a host name',
    ],
    [
      'a short dotted address posing as a name',
      referral('whois', '127.1', 43, 'ReferralServer: whois://127.1'),
      'an address in disguise, not a host name',
    ],
    [
      'localhost',
      referral('whois', 'localhost', 43, 'ReferralServer: whois://localhost'),
      'the local host',
    ],
    [
      'a name with forbidden characters',
      referral('whois', 'who_is.example.net', 43, 'ReferralServer: whois://who_is.example.net'),
      'not a host name',
    ],
    [
      'the SMTP port',
      referral('whois', 'whois.ripe.net', 25, 'ReferralServer: whois://whois.ripe.net:25'),
      'port 25 is not a whois port (43 or 4321)',
    ],
    [
      'the rwhois root',
      referral(
        'rwhois',
        'root.rwhois.net',
        4321,
        '%referral rwhois://root.rwhois.net:4321/auth-area=.',
      ),
      'the rwhois root, never followed',
    ],
  ];
  for (const [what, ref, reason] of cases) {
    test(`${what}: recorded, not followed, no contact`, async () => {
      const t = scripted();
      const r = await lookupWhois('157.173.209.216', {
        ask: t.ask,
        extract: extractor({ 'whois.arin.net': finding('whois.arin.net', { referral: ref }) }),
      });
      assert.deepEqual(
        t.asked.map((q) => q.server),
        ['whois.arin.net'],
      );
      assert.deepEqual(r.errors, [`whois.arin.net refers to ${ref.text}: ${reason}; not followed`]);
      assert.deepEqual(r.contacts, []);
    });
  }

  test('rwhois on port 43 (ARIN really has rwhois://whois.data102.com:43) is followed', async () => {
    const t = scripted();
    await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          referral: referral(
            'rwhois',
            'whois.data102.com',
            43,
            'ReferralServer:  rwhois://whois.data102.com:43',
          ),
        }),
      }),
    });
    assert.deepEqual(t.asked[1], {
      server: 'whois.data102.com',
      protocol: 'rwhois',
      port: 43,
      query: '157.173.209.216',
    });
  });

  test('control characters in the referral text are escaped in errors', async () => {
    const r = await lookupWhois('157.173.209.216', {
      ask: scripted().ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          referral: referral(
            'whois',
            'evil\x1b[2J.example',
            43,
            'ReferralServer: whois://evil\x1b[2J.example',
          ),
        }),
      }),
    });
    assert.deepEqual(r.errors, [
      'whois.arin.net refers to ReferralServer: whois://evil\\x1b[2J.example: not a host name; not followed',
    ]);
  });
});

describe('lookupWhois: limits', () => {
  test('a referral loop (A → B → A) stops at the repeated question', async () => {
    const t = scripted();
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      firstServer: 'whois.iana.org',
      extract: extractor({
        'whois.iana.org': finding('whois.iana.org', {
          referral: referral('whois', 'whois.arin.net', 43, 'refer: whois.arin.net'),
        }),
        'whois.arin.net': finding('whois.arin.net', {
          referral: referral(
            'whois',
            'whois.iana.org',
            43,
            'ReferralServer: whois://whois.iana.org',
          ),
        }),
      }),
    });
    assert.deepEqual(
      t.asked.map((q) => q.server),
      ['whois.iana.org', 'whois.arin.net'],
    );
    assert.deepEqual(r.errors, [
      'whois.iana.org was already asked "157.173.209.216": referral loop, stopped',
    ]);
  });

  test('a server referring to itself is asked once', async () => {
    const t = scripted();
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      extract: extractor({
        'whois.arin.net': finding('whois.arin.net', {
          referral: referral(
            'whois',
            'whois.arin.net',
            43,
            'ReferralServer: whois://whois.arin.net',
          ),
        }),
      }),
    });
    assert.equal(t.asked.length, 1);
    assert.equal(r.errors.length, 1);
  });

  test('a chain of fresh referrals stops at maxHops', async () => {
    const t = scripted();
    const hop = (n: number): AnswerFinding =>
      finding(`whois.hop${n}.example`, {
        referral: referral(
          'whois',
          `whois.hop${n + 1}.example`,
          43,
          `ReferralServer: whois://whois.hop${n + 1}.example`,
        ),
      });
    const answers: Record<string, AnswerFinding> = {};
    for (let n = 0; n < 10; n++) answers[`whois.hop${n}.example`] = hop(n);
    const r = await lookupWhois('157.173.209.216', {
      ask: t.ask,
      firstServer: 'whois.hop0.example',
      maxHops: 3,
      extract: extractor(answers),
    });
    assert.equal(t.asked.length, 3);
    assert.deepEqual(r.errors, [
      'stopped after 3 questions: referral to whois.hop3.example not followed',
    ]);
  });
});

describe('lookupWhois: never throws', () => {
  test('an extractor that throws is an error, not a crash', async () => {
    const r = await lookupWhois('157.173.209.216', {
      ask: scripted().ask,
      extract: () => {
        throw new Error('bug');
      },
    });
    assert.deepEqual(r.errors, ['whois.arin.net: the answer could not be read (Error: bug)']);
    assert.equal(r.netblock, null);
  });

  test('a transport that rejects with a non-Error is still named', async () => {
    const r = await lookupWhois('157.173.209.216', {
      ask: () => Promise.reject('boom' as unknown as Error),
      extract: extractor({}),
    });
    assert.deepEqual(r.errors, ['whois.arin.net: boom']);
  });

  test('special-purpose and malformed addresses ask nobody', async () => {
    const t = scripted();
    const priv = await lookupWhois('10.1.2.3', { ask: t.ask, extract: extractor({}) });
    assert.deepEqual(priv.errors, ['10.1.2.3 is Private-Use (RFC1918): no registry holds it']);
    const bad = await lookupWhois('not\nan address', { ask: t.ask, extract: extractor({}) });
    assert.deepEqual(bad.errors, ['not\\x0aan address: not an IP address']);
    assert.equal(t.asked.length, 0);
  });
});
