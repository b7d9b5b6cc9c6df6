import { formatDuration } from '../core/duration.js';
import type { Event, EventKind } from '../core/event.js';
import { ActivityTally, KIND_BIT, kindBit, NONE, serviceOf, targetOf } from './activity-tally.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Detector, type EventGroup, type Finding, type Step } from './detector.js';
import { EvidenceSample } from './evidence-sample.js';
import { formatCount } from './incident-text.js';
import { RateWindow } from './rate-window.js';
import { TIME_SLOTS, type SourceTrack } from './source-track.js';

/**
 * Denial-of-service state of one source: it is the rate window of the events it counts (so
 * that an event reaches one object, not a state and a window), plus the rate-limit window,
 * traffic counts and the crossing.
 */
export class DosState extends RateWindow {
  limited: RateWindow | null = null;
  /** Kinds of the events counted in the window (KIND_BIT mask). */
  kinds = 0;
  /** Accepted traffic (connections, requests): counted from the start, listed after a crossing. */
  trafficEvents = 0;
  trafficFirst = Number.POSITIVE_INFINITY;
  trafficLast = Number.NEGATIVE_INFINITY;
  /** The highest count within a window once a threshold was crossed, and when. */
  rule: 'events' | 'limited' | null = null;
  peak = 0;
  limitedPeak = 0;
  at = 0;
  /** When the flood ratio was last checked (at most every tenth of the window). */
  checkedAt = Number.NEGATIVE_INFINITY;
}

const NOUNS: readonly [EventKind, string][] = [
  ['packet-blocked', 'packets'],
  ['http-request', 'requests'],
  ['connection', 'connections'],
  ['connection-refused', 'connections'],
  ['protocol-error', 'connections'],
];

/**
 * Target, service and user ids of a traffic event (worked out here: the engine skips ordinary
 * traffic, and only a flood's is listed).
 */
function trafficIds(track: SourceTrack, ev: Event): [number, number, number] {
  const target = targetOf(ev);
  const service = serviceOf(ev);
  const user = ev.user;
  const v = track.vocabulary;
  return [
    target === null ? NONE : v.targets.id(target),
    service === null ? NONE : v.services.id(service),
    user === null || user === '' ? NONE : v.users.id(user),
  ];
}

function noun(kinds: number): string {
  const names = new Set(NOUNS.filter(([k]) => (kinds & KIND_BIT[k]) !== 0).map(([, n]) => n));
  return names.size === 1 ? [...names][0]! : 'packets, connections or requests';
}

/** Events per distinct (target, port) attempt that make a high rate a flood, not a scan. */
export const FLOOD_RATIO = 10;

/**
 * Denial of service: a rate per source far above normal. At least `dos.events` blocked packets,
 * connections, refused connections, protocol errors or HTTP requests within `dos.window`, or
 * `dos.rateLimited` rate-limit rejections (nginx limit_req, ufw LIMIT). A flood repeats itself:
 * the events must also be at least FLOOD_RATIO times the distinct (target, port) attempts of
 * the source within the shortest scan window, so that nmap's 1,000 ports (each retransmitted
 * once when a firewall drops it) stay a port scan while a SYN flood of one port is a flood.
 */
export class DosDetector implements Detector {
  readonly kind = 'dos';
  readonly groups: readonly EventGroup[] = ['refused', 'traffic'];
  private readonly cfg: DetectConfig['dos'];
  /** Event time between two ratio checks of a source above the threshold. */
  private readonly recheck: number;

  constructor(
    config: DetectConfig,
    private readonly evidenceLines: number,
    /** The shortest attempt-window span (the distinct attempts the ratio compares with). */
    private readonly attemptSpan: number,
  ) {
    this.cfg = config.dos;
    this.recheck = config.dos.window / 10;
  }

  observe(track: SourceTrack, ev: Event, step: Step): void {
    const kind = ev.kind;
    const traffic = kind === 'connection' || kind === 'http-request';
    const t = step.t;
    const n = ev.count;
    let st = track.dos;
    if (st === null) {
      // A source's first refused attempt is in its tally already: a spoofed flood's million
      // one-packet sources need no DoS state. The second one seeds the window with the first.
      const refused = track.refused;
      if (!traffic && kind !== 'rate-limited' && refused !== null) {
        if (refused.events === n) return;
        st = track.dos = new DosState(this.cfg.window);
        if (t !== null) {
          st.kinds |= refused.kinds;
          st.add(refused.firstAt, refused.events - n);
        }
      } else st = track.dos = new DosState(this.cfg.window);
    }
    if (traffic) {
      st.trafficEvents += n;
      const at = t ?? step.touched;
      if (at < st.trafficFirst) st.trafficFirst = at;
      if (at > st.trafficLast) st.trafficLast = at;
      if (st.rule !== null && track.traffic === null) {
        // A flood recognised from refused attempts: list the traffic from here on too.
        (track.traffic = new ActivityTally(
          GROUP_BIT.traffic,
          track.vocabulary,
          track.times,
          TIME_SLOTS.traffic,
        )).add(ev, at, ...trafficIds(track, ev));
        (track.evidence ??= new EvidenceSample(this.evidenceLines)).offer(
          ev,
          GROUP_BIT.traffic,
          true,
        );
      }
    }
    if (t === null) return;
    if (kind === 'rate-limited') {
      const c = (st.limited ??= new RateWindow(this.cfg.window)).add(t, n);
      if (c > st.limitedPeak) st.limitedPeak = c;
      if (st.rule === null && c >= this.cfg.rateLimited) this.cross(track, st, ev, 'limited', t);
      return;
    }
    st.kinds |= kindBit(kind);
    const c = st.add(t, n);
    if (c < this.cfg.events) return;
    if (st.rule !== null) {
      if (c > st.peak) st.peak = c;
      return;
    }
    if (t - st.checkedAt < this.recheck) return;
    st.checkedAt = t;
    const attempts = track.scan?.attemptsWithin(this.attemptSpan, t) ?? 0;
    if (c < FLOOD_RATIO * attempts) return;
    st.peak = c;
    this.cross(track, st, ev, 'events', t);
  }

  conclude(track: SourceTrack): Finding | null {
    const st = track.dos;
    if (st === null || st.rule === null) return null;
    const within = formatDuration(this.cfg.window);
    const details: string[] = [];
    if (st.peak >= this.cfg.events) {
      details.push(`${formatCount(st.peak)} ${noun(st.kinds)} within ${within}`);
    }
    if (st.limitedPeak >= this.cfg.rateLimited) {
      details.push(`${formatCount(st.limitedPeak)} rate-limit rejections within ${within}`);
    }
    const tallies = [track.refused, track.traffic].filter((x): x is ActivityTally => x !== null);
    const listed = track.traffic?.events ?? 0;
    const extra =
      st.trafficEvents > listed
        ? { events: st.trafficEvents - listed, first: st.trafficFirst, last: st.trafficLast }
        : undefined;
    return {
      kind: 'dos',
      tallies,
      ...(extra ? { extra } : {}),
      details,
      severity: 4,
      severityWhy: 'a flood from one source',
    };
  }

  private cross(
    track: SourceTrack,
    st: DosState,
    ev: Event,
    rule: 'events' | 'limited',
    t: number,
  ): void {
    st.rule = rule;
    st.at = t;
    track.notable = true;
    const evidence = (track.evidence ??= new EvidenceSample(this.evidenceLines));
    if (ev.kind === 'connection' || ev.kind === 'http-request') {
      // From here on the engine lists traffic events in this tally.
      (track.traffic ??= new ActivityTally(
        GROUP_BIT.traffic,
        track.vocabulary,
        track.times,
        TIME_SLOTS.traffic,
      )).add(ev, t, ...trafficIds(track, ev));
      evidence.offer(ev, GROUP_BIT.traffic, true);
      evidence.mark(ev, GROUP_BIT.traffic);
    } else {
      evidence.mark(ev, GROUP_BIT.refused);
    }
  }
}
