import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import ipaddr from 'ipaddr.js';
import { SPECIAL_BLOCKS } from '../core/special-blocks.js';
import { defaultPolicyConfig } from './detect-config.js';
import type { IncidentDraft } from './incident-draft.js';
import { buildPolicy } from './reportability-policy.js';
import { mulberry32 } from '../../test/support/fixtures.js';
import { parseCsv } from '../../test/support/csv.js';

// Every address in an IANA special-purpose block that is not globally reachable is never
// reported, and the reason names the block; an address in a globally reachable block nested
// inside such a block (192.0.0.9/32, 2001:1::1/128, 2001:20::/28...) is not rejected for it.
// The expected block is worked out here with BigInt arithmetic, independently of CidrSet.

const CORPUS = join(import.meta.dirname, '../../../shared/corpus/iana-special');
const present = existsSync(join(CORPUS, 'ipv4.csv'));
const skip = present ? false : `needs ${CORPUS} (the shared corpus)`;

interface Row {
  block: string;
  name: string;
  rfc: string;
  reachable: boolean;
}

function readRows(file: string): Row[] {
  const [header, ...rows] = parseCsv(readFileSync(join(CORPUS, file), 'utf8'));
  assert.deepEqual(header, ['block', 'name', 'rfc', 'globally_reachable']);
  return rows.map((r) => {
    const [block, name, rfc, reachable] = r;
    assert.ok(reachable === 'true' || reachable === 'false', `${file}: ${r.join(',')}`);
    return { block: block!, name: name!, rfc: rfc!, reachable: reachable === 'true' };
  });
}

interface Block extends Row {
  bits: number;
  width: number;
  base: bigint;
}

function toBig(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function toAddress(v: bigint, width: number): string {
  const bytes: number[] = [];
  for (let i = width / 8 - 1; i >= 0; i--) bytes.push(Number((v >> BigInt(i * 8)) & 0xffn));
  const addr = ipaddr.fromByteArray(bytes);
  return addr.kind() === 'ipv6' ? (addr as ipaddr.IPv6).toRFC5952String() : addr.toString();
}

function parse(row: Row): Block {
  const [addr, bits] = ipaddr.parseCIDR(row.block);
  const width = addr.kind() === 'ipv4' ? 32 : 128;
  return { ...row, bits, width, base: toBig(addr.toByteArray()) };
}

function contains(b: Block, v: bigint, width: number): boolean {
  if (b.width !== width) return false;
  const shift = BigInt(b.width - b.bits);
  return v >> shift === b.base >> shift;
}

function randomIn(b: Block, next: () => number): bigint {
  const hostBits = b.width - b.bits;
  let r = 0n;
  for (let done = 0; done < hostBits; done += 32) {
    r = (r << 32n) | BigInt(Math.floor(next() * 4294967296));
  }
  const mask = (1n << BigInt(hostBits)) - 1n;
  return (b.base & ~mask) | (r & mask);
}

function draft(src: string): IncidentDraft {
  return {
    kind: 'port-scan',
    src,
    srcHost: null,
    firstSeen: 0,
    lastSeen: 0,
    events: 20,
    ports: [22],
    targets: ['192.0.2.10'],
    services: ['ssh'],
    users: [],
    truncated: false,
    severity: 2,
    reasons: ['20 distinct ports on 192.0.2.10 within 3 s'],
    evidence: [],
  };
}

describe('IANA special-purpose ranges', { skip }, () => {
  const rows = present ? [...readRows('ipv4.csv'), ...readRows('ipv6.csv')] : [];
  const blocks = rows.map(parse);
  const policy = buildPolicy(defaultPolicyConfig());

  test('SPECIAL_BLOCKS is the corpus CSV, row for row', () => {
    assert.deepEqual(
      SPECIAL_BLOCKS.map(([block, name, rfc, reachable]) => ({ block, name, rfc, reachable })),
      rows,
    );
  });

  test('addresses in blocks not globally reachable are never reported, and the reason names the block', () => {
    const next = mulberry32(20261127);
    let checked = 0;
    for (const b of blocks.filter((x) => !x.reachable)) {
      const mask = (1n << BigInt(b.width - b.bits)) - 1n;
      const samples = [b.base & ~mask, b.base | mask];
      for (let i = 0; i < 300; i++) samples.push(randomIn(b, next));
      for (const v of samples) {
        // The most specific corpus block holding the address decides.
        const decider = blocks
          .filter((x) => contains(x, v, b.width))
          .reduce((best, x) => (x.bits > best.bits ? x : best));
        const src = toAddress(v, b.width);
        const judged = policy.judge(draft(src));
        const verdict = judged.reasons.at(-1)!;
        if (decider.reachable) {
          assert.ok(!verdict.includes('never reported'), `${src} (${decider.block}): ${verdict}`);
        } else {
          assert.equal(judged.reportable, false, src);
          assert.equal(
            verdict,
            `${src} is in ${decider.block} (${decider.name}, ${decider.rfc}): never reported`,
          );
        }
        checked++;
      }
    }
    assert.equal(checked, blocks.filter((x) => !x.reachable).length * 302);
  });

  test('globally reachable blocks nested in special ones are not rejected for them', () => {
    for (const src of [
      '192.0.0.9',
      '192.0.0.10',
      '2001:1::1',
      '2001:1::2',
      '2001:20::1',
      '2001:3::5',
      '2001:4:112::1',
    ]) {
      const judged = policy.judge(draft(src));
      assert.equal(judged.reportable, true, src);
      assert.equal(judged.reasons.at(-1), 'a port scan from a public address: reported');
    }
    // ... while their neighbours in the enclosing block are.
    assert.equal(policy.judge(draft('192.0.0.8')).reportable, false);
    assert.equal(policy.judge(draft('2001:1::3')).reportable, false);
  });
});
