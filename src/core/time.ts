import { readlinkSync } from 'node:fs';

/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

/** Month number (1–12) for an English month abbreviation or name, any case; 0 when unknown. */
export function monthNumber(name: string): number {
  if (name.length < 3) return 0;
  return MONTHS[name.slice(0, 3).toLowerCase()] ?? 0;
}

/** The IANA zone of this system (what `--tz` defaults to). */
export function systemZone(localtime: () => string = () => readlinkSync('/etc/localtime')): string {
  // Asking Intl loads ICU's zone data, about 25 ms of every run, which a UTC zone never needs
  // afterwards. Without TZ, ICU takes the zone from where /etc/localtime links to (as servers
  // and containers set it); a link to UTC is answered here as Intl answers it, anything else
  // (TZ set, another zone, no link) is still asked of Intl.
  if (process.env['TZ'] === undefined) {
    try {
      const target = localtime();
      if (target.endsWith('/zoneinfo/Etc/UTC') || target.endsWith('/zoneinfo/UTC')) return 'UTC';
    } catch {
      // Not a link, or none: Intl knows what to make of it.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** True when the name is an IANA time zone this runtime knows. */
export function isValidZone(zone: string): boolean {
  // The first Intl.DateTimeFormat loads ICU's zone data (about 20 ms), which UTC never needs.
  if (zone === 'UTC' || zone === 'Etc/UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const UTC_NAMES = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'Z', 'Universal', 'Zulu']);
const BUCKET_MS = 900_000; // offsets only change on quarter-hour boundaries in every IANA zone
const MAX_CACHED = 50_000;

/** Converts between UTC instants and wall-clock time in one IANA zone, with cached offsets. */
export class Zone {
  readonly name: string;
  readonly isUtc: boolean;
  private readonly format: Intl.DateTimeFormat | null;
  private readonly offsets = new Map<number, number>();

  constructor(name: string) {
    this.name = name;
    this.isUtc = UTC_NAMES.has(name);
    this.format = this.isUtc
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone: name,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
  }

  /** Offset of local time from UTC at the given instant, in milliseconds (local = utc + offset). */
  offsetAt(utcMs: number): number {
    if (this.format === null) return 0;
    const bucket = Math.floor(utcMs / BUCKET_MS);
    const hit = this.offsets.get(bucket);
    if (hit !== undefined) return hit;
    const parts = this.format.formatToParts(new Date(bucket * BUCKET_MS));
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0; // prettier-ignore
    for (const p of parts) {
      if (p.type === 'year') y = Number(p.value);
      else if (p.type === 'month') mo = Number(p.value);
      else if (p.type === 'day') d = Number(p.value);
      else if (p.type === 'hour') h = Number(p.value);
      else if (p.type === 'minute') mi = Number(p.value);
      else if (p.type === 'second') s = Number(p.value);
    }
    const offset = Date.UTC(y, mo - 1, d, h, mi, s) - bucket * BUCKET_MS;
    if (this.offsets.size >= MAX_CACHED) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }

  /**
   * The UTC instant of a wall-clock time in this zone. In the autumn overlap the first (summer)
   * instant is chosen; a time in the spring gap is moved forward by the gap, as syslog writers do.
   */
  toUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number {
    const wall = Date.UTC(y, mo - 1, d, h, mi, s, ms);
    if (this.format === null) return wall;
    // At most one transition lies within 14 hours of any wall time, so the offsets on either
    // side are the only candidates; trying the earlier side first picks the first of two.
    const before = this.offsetAt(wall - 14 * 3_600_000);
    const after = this.offsetAt(wall + 14 * 3_600_000);
    if (this.offsetAt(wall - before) === before) return wall - before;
    if (this.offsetAt(wall - after) === after) return wall - after;
    return wall - before;
  }

  /** The calendar year of an instant as seen in this zone. */
  yearAt(utcMs: number): number {
    return new Date(utcMs + this.offsetAt(utcMs)).getUTCFullYear();
  }
}

const zones = new Map<string, Zone>();

/** A shared Zone instance for the name (offset caches are shared across sources). */
export function zone(name: string): Zone {
  let z = zones.get(name);
  if (z === undefined) {
    z = new Zone(name);
    zones.set(name, z);
  }
  return z;
}

/**
 * The instant of a year-less (RFC 3164) timestamp: the latest year that does not put it more
 * than one day after the reference instant. Feb 29 goes back to the latest fitting leap year.
 */
export function inferYear(
  z: Zone,
  refMs: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms = 0,
): number | null {
  let year = z.yearAt(refMs) + 1;
  for (let tries = 0; tries < 10; tries++, year--) {
    if (!validDate(year, mo, d)) continue;
    const t = z.toUtc(year, mo, d, h, mi, s, ms);
    if (t <= refMs + DAY_MS) return t;
  }
  return null;
}

/** True when the calendar date exists (no Feb 30, Feb 29 only in leap years). */
export function validDate(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return false;
  if (d <= 28) return true;
  const last = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return d <= last;
}

/** Years 1970 to 9999: four-digit years, where the fast path of isoUtc applies. */
const FAST_END_MS = 253_402_300_800_000;
/** The `YYYY-MM-DDT` of the day isoUtc formatted last (output lists many times of one day). */
let cachedDay = Number.NaN;
let cachedDate = '';

function twoDigits(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

/** ISO 8601 UTC with `Z`; milliseconds only when the instant has them. */
export function isoUtc(ms: number): string {
  // Log times are whole seconds: the date part is formatted once per day and the time of day
  // by hand (a Date and toISOString per time cost more than printing a scan's incidents).
  if (ms >= 0 && ms < FAST_END_MS && ms % 1000 === 0) {
    const day = Math.floor(ms / DAY_MS);
    if (day !== cachedDay) {
      cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 11);
      cachedDay = day;
    }
    const secs = (ms - day * DAY_MS) / 1000;
    const h = Math.floor(secs / 3600);
    const m = Math.floor((secs - h * 3600) / 60);
    return `${cachedDate}${twoDigits(h)}:${twoDigits(m)}:${twoDigits(secs - h * 3600 - m * 60)}Z`;
  }
  const s = new Date(ms).toISOString();
  return ms % 1000 === 0 ? s.slice(0, 19) + 'Z' : s;
}

/** Parses an explicit `+hh:mm`, `+hhmm`, `+hh`, `Z` or `UTC`/`GMT` offset; minutes, or null. */
export function parseOffset(text: string): number | null {
  if (text === 'Z' || text === 'z' || text === 'UTC' || text === 'GMT') return 0;
  const sign = text.charCodeAt(0) === 45 ? -1 : text.charCodeAt(0) === 43 ? 1 : 0;
  if (sign === 0) return null;
  const body = text.slice(1).replace(':', '');
  if (!/^\d{2}(\d{2})?$/.test(body)) return null;
  const h = Number(body.slice(0, 2));
  const m = body.length === 4 ? Number(body.slice(2, 4)) : 0;
  if (h > 18 || m > 59) return null;
  return sign * (h * 60 + m);
}

/** Parses the fraction digits after a decimal point into milliseconds (dropping the rest). */
export function fractionMs(digits: string): number {
  if (digits.length === 0) return 0;
  return Number((digits + '00').slice(0, 3));
}
