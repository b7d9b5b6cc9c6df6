import { detach } from '../core/detach.js';
import { formatDuration } from '../core/duration.js';
import type { Event } from '../core/event.js';
import type { ActivityTally } from './activity-tally.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { counted, instant, listed, listedUsers, timeSpan } from './incident-text.js';
import type { SourceTrack } from './source-track.js';
import { TimeRing } from './time-ring.js';

/** User names one source's enumeration window keeps. */
const USERS_CAP = 256;

/** A threshold a source's failed logins crossed. */
interface BruteCrossing {
  readonly rule: 'fast' | 'slow' | 'users';
  readonly count: number;
  readonly from: number;
  readonly at: number;
}

/** Successful logins of a source (evidence of nothing alone). */
interface Successes {
  count: number;
  last: number;
  readonly users: string[];
  /** The first success after a threshold was crossed. */
  after: { readonly at: number; readonly user: string | null } | null;
}

/** Brute-force state of one source: failure times, user names tried, crossings, successes. */
export interface BruteForceState {
  fast: TimeRing | null;
  slow: TimeRing | null;
  /** User name ids and their last failure time, in the order of last failure (enumeration). */
  users: number[] | null;
  userTimes: number[] | null;
  readonly crossings: BruteCrossing[];
  /** RULE_BIT of the rules in `crossings`. */
  crossed: number;
  successes: Successes | null;
}

/**
 * Each rule crosses at most once per story, and its window is read only to find that crossing:
 * once a rule crossed, its window is dropped and later failures skip it.
 */
const RULE_BIT = { fast: 1, slow: 2, users: 4 } as const;

function newState(): BruteForceState {
  return {
    fast: null,
    slow: null,
    users: null,
    userTimes: null,
    crossings: [],
    crossed: 0,
    successes: null,
  };
}

function failuresPhrase(tally: ActivityTally): string {
  let users = tally.users();
  const services = tally.services();
  // The engine numbers no empty name, but a list with one must not show it.
  if (users.includes('')) users = users.filter((u) => u !== '');
  let s = counted(tally.events, 'failed login', 'failed logins');
  if (users.length === 1) s += ` for ${listedUsers(users)}`;
  else if (users.length > 1) {
    s += ` for ${counted(users.length, 'user name', 'user names')} (${listedUsers(users, 8)})`;
  }
  if (services.length > 0) s += ` on ${listed(services, 4)}`;
  return `${s} ${timeSpan(tally.first, tally.last)}`;
}

/**
 * Brute force: failed logins and invalid users per source, across services and hosts. At least
 * `bruteForce.failures` within `window` (fail2ban's sshd jail: 5 in 10 min), or `slowFailures`
 * within `slowWindow`, or `users` distinct user names within `slowWindow` (enumeration).
 * Successful logins are noted; one after a crossing raises the severity to 5.
 */
export class BruteForceDetector implements Detector {
  readonly kind = 'brute-force';
  readonly groups: readonly EventGroup[] = ['auth', 'success'];
  private readonly cfg: DetectConfig['bruteForce'];
  /** The ends of the reasons, which depend only on the configuration: written once. */
  private readonly ruleText: Readonly<Record<BruteCrossing['rule'], string>>;
  private readonly below: string;

  constructor(config: DetectConfig) {
    const cfg = (this.cfg = config.bruteForce);
    const fast = `${cfg.failures} within ${formatDuration(cfg.window)}`;
    const slow = `${cfg.slowFailures} within ${formatDuration(cfg.slowWindow)}`;
    this.ruleText = {
      fast: `: at least ${fast} (bruteForce.failures)`,
      slow: `: at least ${slow} (bruteForce.slowFailures)`,
      users: `: user enumeration (bruteForce.users ${cfg.users})`,
    };
    this.below = `: below the brute-force thresholds (${fast}, ${slow}, ${cfg.users} user names)`;
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    if (ev.kind === 'auth-success') {
      this.success(track, ev, step);
      return;
    }
    const st = (track.brute ??= newState());
    const t = step.t;
    if (t === null) return;
    const cfg = this.cfg;
    const n = ev.count;
    if ((st.crossed & RULE_BIT.fast) === 0) {
      const fast = (st.fast ??= new TimeRing(cfg.failures));
      fast.push(t, n);
      if (fast.full && t - fast.oldest <= cfg.window) {
        this.cross(track, st, ev, { rule: 'fast', count: cfg.failures, from: fast.oldest, at: t });
        st.fast = null;
      }
    }
    if ((st.crossed & RULE_BIT.slow) === 0) {
      const slow = (st.slow ??= new TimeRing(cfg.slowFailures));
      slow.push(t, n);
      if (slow.full && t - slow.oldest <= cfg.slowWindow) {
        this.cross(track, st, ev, {
          rule: 'slow',
          count: cfg.slowFailures,
          from: slow.oldest,
          at: t,
        });
        st.slow = null;
      }
    }
    const user = step.userId;
    if (user < 0 || (st.crossed & RULE_BIT.users) !== 0) return;
    // Parallel arrays, oldest first: a source tries a handful of names (at most USERS_CAP).
    const users = (st.users ??= []);
    const times = (st.userTimes ??= []);
    // Entries move in place: splice would allocate an array of the removed ones, per event.
    let from = users.indexOf(user);
    if (from < 0 && users.length >= USERS_CAP) from = 0;
    if (from >= 0) {
      const last = users.length - 1;
      for (let j = from; j < last; j++) {
        users[j] = users[j + 1]!;
        times[j] = times[j + 1]!;
      }
      users[last] = user;
      times[last] = t;
    } else {
      users.push(user);
      times.push(t);
    }
    let stale = 0;
    while (stale < times.length && times[stale]! < t - cfg.slowWindow) stale++;
    if (stale > 0) {
      users.splice(0, stale);
      times.splice(0, stale);
    }
    if (users.length >= cfg.users) {
      this.cross(track, st, ev, { rule: 'users', count: users.length, from: times[0]!, at: t });
      st.users = st.userTimes = null;
    }
  }

  conclude(track: SourceTrack): Finding | null {
    const st = track.brute;
    const tally = track.auth;
    if (st === null || tally === null || st.crossings.length === 0) return null;
    const details = [failuresPhrase(tally)];
    for (const c of st.crossings) {
      const what = c.rule === 'users' ? 'distinct user names' : 'failures';
      const span = formatDuration(c.at - c.from);
      details.push(`${c.count} ${what} within ${span}${this.ruleText[c.rule]}`);
    }
    const ok = st.successes;
    if (ok !== null) {
      const as = ok.users.length > 0 ? ` as ${listedUsers(ok.users, 4)}` : '';
      if (ok.after !== null) {
        details.push(
          `then logged in successfully${ok.after.user !== null ? ` as ${ok.after.user}` : ''} at ${instant(ok.after.at)}: if that was one of your users, add the address to ownNetworks or allowList; otherwise the account may be compromised`,
        );
      } else {
        details.push(
          `also logged in successfully${as} (${counted(ok.count, 'time', 'times')}, last at ${instant(ok.last)})`,
        );
      }
    }
    let severity = 3;
    let severityWhy = 'failed logins above a brute-force threshold';
    if (ok?.after) {
      severity = 5;
      severityWhy = 'a login succeeded after the failures';
    } else if (tally.events >= 100) {
      severity = 4;
      severityWhy = '100 or more failed logins';
    } else if (st.crossings.some((c) => c.rule === 'users')) {
      severity = 4;
      severityWhy = 'user enumeration';
    }
    return { kind: 'brute-force', tallies: [tally], details, severity, severityWhy };
  }

  /**
   * The sentence for failed logins that crossed no threshold (they become part of a probe, or
   * a note on the source's other incident), or null when there were none.
   */
  belowThreshold(track: SourceTrack): string | null {
    const tally = track.auth;
    if (tally === null) return null;
    return failuresPhrase(tally) + this.below;
  }

  private success(track: SourceTrack, ev: Event, step: Step): void {
    const st = (track.brute ??= newState());
    const at = step.t ?? step.touched;
    const ok = (st.successes ??= { count: 0, last: at, users: [], after: null });
    ok.count += ev.count;
    if (at > ok.last) ok.last = at;
    const user = ev.user;
    if (user !== null && user !== '' && ok.users.length < 4 && !ok.users.includes(user)) {
      ok.users.push(detach(user));
    }
    if (ok.after === null && st.crossings.length > 0) {
      ok.after = { at, user: user === null || user === '' ? null : detach(user) };
      track.evidence?.mark(ev, GROUP_BIT.auth);
    }
  }

  private cross(track: SourceTrack, st: BruteForceState, ev: Event, c: BruteCrossing): void {
    st.crossings.push(c);
    st.crossed |= RULE_BIT[c.rule];
    track.notable = true;
    track.evidence!.mark(ev, GROUP_BIT.auth);
  }
}
