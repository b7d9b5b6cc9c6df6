import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferYear, isoUtc, parseOffset, systemZone, zone } from './time.js';

const berlin = zone('Europe/Berlin');
const at = (ms: number | null): string | null => (ms === null ? null : isoUtc(ms));

test('RFC 3164 year: the year of "now", unless that puts the line more than a day after it', () => {
  const now = Date.parse('2005-08-14T12:00:00+02:00');
  // fail2ban corpus: Dec 12 20:04:39 -> 2004; Aug 14 12:51:04 (51 min after now) -> 2005.
  assert.equal(at(inferYear(berlin, now, 12, 12, 20, 4, 39)), '2004-12-12T19:04:39Z');
  assert.equal(at(inferYear(berlin, now, 8, 14, 12, 51, 4)), '2005-08-14T10:51:04Z');
  assert.equal(at(inferYear(berlin, now, 8, 15, 11, 0, 0)), '2005-08-15T09:00:00Z');
  assert.equal(at(inferYear(berlin, now, 8, 15, 13, 0, 0)), '2004-08-15T11:00:00Z');
});

test('a log that spans New Year, read on Jan 2, puts December in the previous year', () => {
  const utc = zone('UTC');
  const now = Date.parse('2027-01-02T08:00:00Z');
  assert.equal(at(inferYear(utc, now, 12, 31, 23, 59, 59)), '2026-12-31T23:59:59Z');
  assert.equal(at(inferYear(utc, now, 1, 1, 0, 0, 1)), '2027-01-01T00:00:01Z');
});

test('Feb 29 goes back to the latest leap year', () => {
  const now = Date.parse('2026-03-01T00:00:00Z');
  assert.equal(at(inferYear(zone('UTC'), now, 2, 29, 1, 0, 0)), '2024-02-29T01:00:00Z');
});

test('DST: the spring gap moves forward, the autumn overlap takes the first instant', () => {
  assert.equal(isoUtc(berlin.toUtc(2005, 3, 27, 2, 30, 0)), '2005-03-27T01:30:00Z');
  assert.equal(isoUtc(berlin.toUtc(2005, 10, 30, 2, 30, 0)), '2005-10-30T00:30:00Z');
  const ny = zone('America/New_York');
  assert.equal(isoUtc(ny.toUtc(2026, 11, 1, 1, 30, 0)), '2026-11-01T05:30:00Z');
  assert.equal(isoUtc(ny.toUtc(2026, 7, 1, 12, 0, 0)), '2026-07-01T16:00:00Z');
});

test('offsets', () => {
  assert.equal(parseOffset('+0200'), 120);
  assert.equal(parseOffset('-04:00'), -240);
  assert.equal(parseOffset('Z'), 0);
  assert.equal(parseOffset('+2500'), null);
});

test('ISO output has Z and milliseconds only when present', () => {
  assert.equal(isoUtc(Date.UTC(2026, 10, 27, 1, 2, 3)), '2026-11-27T01:02:03Z');
  assert.equal(isoUtc(Date.UTC(2026, 10, 27, 1, 2, 3, 45)), '2026-11-27T01:02:03.045Z');
});

test('system zone: a /etc/localtime link to UTC is UTC without asking Intl; else Intl answers', () => {
  const saved = process.env['TZ'];
  delete process.env['TZ'];
  const link = (target: string) => (): string => target;
  const notALink = (): string => {
    throw new Error('EINVAL');
  };
  try {
    const intl = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
    assert.equal(systemZone(link('/usr/share/zoneinfo/Etc/UTC')), 'UTC');
    assert.equal(systemZone(link('../usr/share/zoneinfo/UTC')), 'UTC');
    assert.equal(systemZone(link('/usr/share/zoneinfo/Europe/Berlin')), intl);
    assert.equal(systemZone(notALink), intl);
  } finally {
    if (saved !== undefined) process.env['TZ'] = saved;
  }
});
