import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAILURE_KINDS, type EventKind } from '../../src/core/event.js';
import { canonicalAddress } from '../../src/core/ip.js';

// The corpus README pins "now" and the zone: fail2ban's runner uses CET/CEST and 2005-08-14 12:00.
const CORPUS = join(import.meta.dirname, '../../../shared/corpus/fail2ban');
const FAMILIES = [
  'sshd', 'dropbear', 'pam-generic', 'xinetd-fail', 'portsentry', 'scanlogd', 'vsftpd',
  'proftpd', 'pure-ftpd', 'wuftpd', 'gssftpd', 'named-refused', 'postfix', 'dovecot', 'exim',
  'sendmail-auth', 'courier-auth', 'courier-smtp', 'cyrus-imap', 'apache-auth',
  'apache-noscript', 'apache-overflows', 'apache-shellshock', 'apache-botsearch',
  'apache-nohome', 'nginx-http-auth', 'nginx-botsearch', 'nginx-limit-req',
  'nginx-bad-request', 'mysqld-auth', 'recidive',
]; // prettier-ignore
const MISSES_FILE = join(import.meta.dirname, 'fail2ban-conformance.misses.txt');
const CLI = join(import.meta.dirname, '../../dist/cli/main.js');

interface Expected {
  file: string;
  line: number;
  text: string;
  match: boolean;
  host: string | null;
  time_utc?: string;
  host_in_text?: boolean;
}

interface Out {
  at: string | null;
  kind: EventKind;
  src: string | null;
  srcHost: string | null;
  ref: { source: string; line: number };
}

/** `file:line  reason` lines; `#` comments. */
function listedMisses(): Map<string, string> {
  const map = new Map<string, string>();
  if (!existsSync(MISSES_FILE)) return map;
  for (const raw of readFileSync(MISSES_FILE, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+:\d+)\s+(.+)$/.exec(line);
    assert.ok(m, `${MISSES_FILE}: malformed line "${line}"`);
    map.set(m[1]!, m[2]!);
  }
  return map;
}

test('fail2ban corpus conformance (parse --tz Europe/Berlin --now 2005-08-14T12:00:00+02:00)', () => {
  assert.ok(existsSync(CORPUS), `corpus not found at ${CORPUS}`);
  const files = FAMILIES.map((f) => join(CORPUS, 'logs', f));
  const stdout = execFileSync(
    process.execPath,
    [CLI, 'parse', '--tz', 'Europe/Berlin', '--now', '2005-08-14T12:00:00+02:00', ...files],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  const byLine = new Map<string, Out[]>();
  for (const row of stdout.split('\n')) {
    if (row === '') continue;
    const ev = JSON.parse(row) as Out;
    const key = `${ev.ref.source.slice(ev.ref.source.lastIndexOf('/') + 1)}:${ev.ref.line}`;
    const list = byLine.get(key) ?? [];
    list.push(ev);
    byLine.set(key, list);
  }
  const wanted = new Set(FAMILIES);
  const records = readFileSync(join(CORPUS, 'expected.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Expected)
    .filter((r) => wanted.has(r.file));
  const positiveLines = new Set(records.filter((r) => r.match).map((r) => `${r.file}:${r.line}`));

  const misses = new Map<string, string>();
  let positives = 0;
  let hits = 0;
  const seenPositive = new Set<string>();
  for (const r of records) {
    if (!r.match || r.host === null || r.host_in_text === false) continue;
    const key = `${r.file}:${r.line}`;
    if (seenPositive.has(key)) continue;
    seenPositive.add(key);
    positives++;
    const want = canonicalAddress(r.host);
    const events = byLine.get(key) ?? [];
    const sameHost = events.filter((e) => (want !== null ? e.src === want : e.srcHost === r.host));
    const wantAt = r.time_utc ? Date.parse(r.time_utc) : null;
    const ok = sameHost.some(
      (e) =>
        wantAt === null || (e.at !== null && Math.floor(Date.parse(e.at) / 1000) * 1000 === wantAt),
    );
    if (ok) hits++;
    else if (sameHost.length > 0) misses.set(key, `time ${sameHost[0]!.at} != ${r.time_utc}`);
    else if (events.length > 0)
      misses.set(key, `source ${events[0]!.src ?? events[0]!.srcHost} != ${r.host}`);
    else misses.set(key, 'no event');
  }
  let negatives = 0;
  const falsePositives: string[] = [];
  const seenNegative = new Set<string>();
  for (const r of records) {
    const key = `${r.file}:${r.line}`;
    if (r.match || positiveLines.has(key) || seenNegative.has(key)) continue;
    seenNegative.add(key);
    negatives++;
    const bad = (byLine.get(key) ?? []).find((e) => FAILURE_KINDS.has(e.kind));
    if (bad) falsePositives.push(`${key} ${bad.kind} from ${bad.src ?? bad.srcHost}: ${r.text}`);
  }
  const hitRate = hits / positives;
  const fpRate = falsePositives.length / negatives;
  console.log(
    `fail2ban conformance: ${hits}/${positives} positives found (${(hitRate * 100).toFixed(2)}%), ` +
      `${falsePositives.length}/${negatives} false positives (${(fpRate * 100).toFixed(2)}%)`,
  );
  for (const fp of falsePositives) console.log(`  false positive: ${fp}`);

  const listed = listedMisses();
  const unlisted = [...misses].filter(([k]) => !listed.has(k));
  const stale = [...listed.keys()].filter((k) => !misses.has(k));
  for (const [k, why] of unlisted) console.log(`  unlisted miss: ${k} (${why})`);
  assert.deepEqual(unlisted, [], 'every miss must be listed with its reason in ' + MISSES_FILE);
  assert.deepEqual(stale, [], 'listed misses that now pass must be removed from ' + MISSES_FILE);
  assert.ok(hitRate >= 0.98, `positives found ${(hitRate * 100).toFixed(2)}% < 98%`);
  assert.ok(fpRate <= 0.01, `false positives ${(fpRate * 100).toFixed(2)}% > 1%`);
});
