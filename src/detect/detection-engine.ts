import { detach } from '../core/detach.js';
import type { Event, EventDetail, EventKind } from '../core/event.js';
import type { IncidentKind } from '../core/incident.js';
import { ActivityTally, NONE, serviceOf, targetOf, type Vocabulary } from './activity-tally.js';
import { NAME_KEY_BASE, ScanWindows } from './attempt-window.js';
import { BruteForceDetector } from './brute-force-detector.js';
import type { DetectConfig } from './detect-config.js';
import { GROUP_BIT, type Step } from './detector.js';
import { DosDetector } from './dos-detector.js';
import { EvidenceSample, keepText } from './evidence-sample.js';
import { ExploitDetector } from './exploit-detector.js';
import type { IncidentDraft } from './incident-draft.js';
import { composeIncidents, type ComposerParts } from './incident-composer.js';
import { PortScanDetector } from './port-scan-detector.js';
import { ProbeDetector } from './probe-detector.js';
import { SourceTrack, TIME_SLOTS } from './source-track.js';
import { NO_SLOT, SourceTable } from './source-table.js';
import { SweepDetector } from './sweep-detector.js';
import { NameTable } from './name-table.js';

export type { IncidentDraft } from './incident-draft.js';

/** A read-only look at one source's state (for `explain`, views and tests). */
export interface SourceView {
  readonly key: string;
  readonly src: string | null;
  readonly srcHost: string | null;
  /** Events of every kind, counting repeats. */
  readonly events: number;
  /** Engine clock at the source's last event (epoch ms). */
  readonly lastTouched: number;
  /** True once a threshold was crossed (eviction then emits the incidents). */
  readonly notable: boolean;
  /** Events per group. */
  readonly groups: Readonly<Record<'refused' | 'auth' | 'exploit' | 'traffic', number>>;
  /** Distinct (target, port) attempts in each attempt window, by span (ms). */
  readonly attemptWindows: readonly { readonly span: number; readonly attempts: number }[];
  /** Incident kinds whose threshold the source crossed so far. */
  readonly crossed: readonly IncidentKind[];
}

/** What the engine did, for `scan --format stats` and the benchmark. */
export interface DetectionStats {
  /** Events observed. */
  events: number;
  /** Events that named neither an address nor a host name. */
  unkeyed: number;
  /** Firewall lines of the host's own outgoing packets (not evidence about a remote source). */
  outbound: number;
  /** Tracks opened (one per source and story). */
  tracks: number;
  /** Tracks closed because the source was quiet for `incidentGap`, or at the end. */
  closed: number;
  /** Tracks evicted to stay within `maxSources`. */
  evicted: number;
  /** Evicted tracks that had crossed no threshold: dropped without an incident. */
  dropped: number;
  /** Incident drafts emitted. */
  incidents: number;
}

const REFUSED = 0;
const AUTH = 1;
const EXPLOIT = 2;
const TRAFFIC = 3;
const SUCCESS = 4;

/** Event time between two looks for quiet sources, at most (a look costs one step when none). */
const SWEEP_STEP_MS = 60_000;
/** Most a source's last event may be past its place in the recency list (gap / 16 at most). */
const PLACE_SLACK_MS = 3_600_000;
/** Distinct targets and services the engine numbers (memory bound; see docs/detection.md). */
const TARGETS_CAP = 65_536;
const SERVICES_CAP = 4_096;
const USERS_CAP = 65_536;

/**
 * A canonical IPv4 address as a 32-bit integer (in int32 range, so a Map keys it without
 * hashing a string), or null for anything else (IPv6, names).
 */
export function ipv4Key(addr: string): number | null {
  const n = addr.length;
  if (n < 7 || n > 15) return null;
  let value = 0;
  let octet = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = addr.charCodeAt(i);
    if (c === 46) {
      value = (value << 8) | octet;
      octet = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (octet > 255) return null;
    } else {
      return null;
    }
  }
  return dots === 3 ? (value << 8) | octet : null;
}

/** The dotted quad of an IPv4 address given as ipv4Key's integer. */
function ipv4Text(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/**
 * A source's only event so far, copied so that it shares no memory with the read buffer (the
 * line text cut and detached, every string detached, of the detail only what detectors read),
 * in one object; an IPv4 source is kept as its integer. `event()` rebuilds the event.
 */
class Sighting {
  readonly at: number;
  readonly kind: EventKind;
  readonly v4: number | null;
  readonly src: string | null;
  readonly srcHost: string | null;
  readonly dst: string | null;
  readonly dstPort: number | null;
  readonly proto: string | null;
  readonly service: string | null;
  readonly user: string | null;
  readonly host: string | null;
  readonly signature: string | null;
  readonly icmpType: number;
  readonly priority: number;
  readonly family: string;
  readonly source: string;
  readonly line: number;
  readonly text: string;

  constructor(ev: Event, v4: number | null) {
    const keep = (s: string | null): string | null => (s === null ? null : detach(s));
    this.at = ev.at!;
    this.kind = ev.kind;
    this.v4 = v4;
    this.src = v4 === null ? keep(ev.src) : null;
    this.srcHost = keep(ev.srcHost);
    this.dst = keep(ev.dst);
    this.dstPort = ev.dstPort;
    this.proto = keep(ev.proto);
    this.service = keep(ev.service);
    this.user = keep(ev.user);
    this.host = keep(ev.host);
    this.signature = keep(ev.signature);
    this.icmpType = ev.detail?.icmpType ?? -1;
    this.priority = ev.detail?.priority ?? -1;
    this.family = ev.family;
    this.source = ev.ref.source;
    this.line = ev.ref.line;
    this.text = keepText(ev.ref.text);
  }

  /** The event (srcPort, program and the rest of the detail are not kept: no detector reads them). */
  event(): Event {
    let detail: EventDetail | null = null;
    if (this.icmpType >= 0 || this.priority >= 0) {
      detail = {};
      if (this.icmpType >= 0) detail.icmpType = this.icmpType;
      if (this.priority >= 0) detail.priority = this.priority;
    }
    return {
      at: this.at,
      kind: this.kind,
      src: this.v4 !== null ? ipv4Text(this.v4) : this.src,
      srcHost: this.srcHost,
      srcPort: null,
      dst: this.dst,
      dstPort: this.dstPort,
      proto: this.proto,
      service: this.service,
      user: this.user,
      program: null,
      host: this.host,
      signature: this.signature,
      count: 1,
      detail,
      family: this.family,
      ref: { source: this.source, line: this.line, text: this.text },
    };
  }
}

/** The distinct spans the port-scan and sweep detectors ask about, shortest first. */
function windowSpans(config: DetectConfig): number[] {
  const spans = new Set<number>();
  if (config.portScan.enabled) {
    spans.add(config.portScan.window);
    spans.add(config.portScan.slowWindow);
  }
  if (config.sweep.enabled) {
    spans.add(config.sweep.window);
    spans.add(config.sweep.slowWindow);
  }
  // The DoS detector only compares its rate with the attempts of one span.
  if (spans.size === 0) spans.add(config.portScan.window);
  return [...spans].sort((a, b) => a - b);
}

/**
 * Runs the detectors over an event stream in event-time order. One track per source (the
 * address, or `host:NAME` when a log gave only a name) holds every detector's state; a source
 * seen only once is kept as a compact copy of its event until a second one arrives. A source
 * quiet for `incidentGap` of event time closes its track and its incidents become available
 * from `drain()`. At most `maxSources` sources are held: beyond that the least recently seen
 * is evicted (its incidents emitted if it crossed a threshold, dropped otherwise). Time comes
 * only from the events, never from the wall clock, so a replay gives the same incidents.
 * docs/detection.md describes the detectors, the policy, and what eviction costs.
 */
export class DetectionEngine {
  /**
   * The tracks by slot, with their clocks, and the recency list in the order of `placed`: a
   * track moves to the back only when its last event is more than `slack` past its place, so
   * a busy source costs no writes into other slots, and every track is touched at most `slack`
   * after its place. The front is the least recently seen (to within `slack`).
   */
  private readonly table = new SourceTable<SourceTrack>();
  private readonly slack: number;
  /**
   * Sources seen once, as a detached copy of their event, in the order they were seen (a Map
   * keeps insertion order). Most sources of a spoofed flood are never seen again: this costs a
   * third of a full track. A second event makes a full track, fed both events in order, so
   * detection is the same. Only when one event can cross no threshold (see `probationOn`).
   */
  private readonly probation = new Map<number | string, Sighting>();
  private readonly probationOn: boolean;
  /**
   * The order of `probation`: ids and events in the order seen, from `queueHead` on. An entry
   * whose id no longer maps to its event (promoted, closed) is skipped when it reaches the
   * head. (Iterating a Map from the front after deleting there walks over the holes.)
   */
  private queueIds: (number | string)[] = [];
  private queueEvents: (Sighting | null)[] = [];
  private queueHead = 0;
  /** Target and service names, numbered once (per-source state holds the ids). */
  private readonly vocabulary: Vocabulary = {
    targets: new NameTable(TARGETS_CAP),
    services: new NameTable(SERVICES_CAP),
    users: new NameTable(USERS_CAP),
  };
  /**
   * Closed stories waiting for `drain()`, composed into drafts only there (so that the caller
   * can take a million closed sources a batch at a time). From `pendingHead` on.
   */
  private pending: (SourceTrack | Sighting | null)[] = [];
  private pendingHead = 0;
  /**
   * The detectors, called directly by group in `feed`, as each one's `groups` says (a loop over
   * a list of them would make its call site megamorphic, a slow call per detector and event);
   * null when disabled.
   */
  private readonly exploitDetector: ExploitDetector | null;
  private readonly dosDetector: DosDetector | null;
  private readonly bruteDetector: BruteForceDetector | null;
  private readonly sweepDetector: SweepDetector | null;
  private readonly portScanDetector: PortScanDetector | null;
  private readonly probeDetector: ProbeDetector | null;
  private readonly parts: ComposerParts;
  /** Spans of the attempt windows, shortest first. */
  private readonly spans: readonly number[];
  private readonly windowsOn: boolean;
  private readonly gap: number;
  private readonly maxSources: number;
  private readonly lines: number;
  private readonly idsMaxPriority: number;
  private readonly exploitOn: boolean;
  private readonly step: Step;
  /** Latest event time seen (the engine's only clock); 0 before the first timed event. */
  private clock = 0;
  private nextSweep = Number.NEGATIVE_INFINITY;
  private readonly sweepStep: number;
  /** Counters (read-only for callers). */
  readonly stats: DetectionStats = {
    events: 0,
    unkeyed: 0,
    outbound: 0,
    tracks: 0,
    closed: 0,
    evicted: 0,
    dropped: 0,
    incidents: 0,
  };

  constructor(config: DetectConfig) {
    this.gap = config.incidentGap;
    this.maxSources = config.maxSources;
    this.lines = config.evidenceLines;
    this.idsMaxPriority = config.exploit.idsMaxPriority;
    this.exploitOn = config.exploit.enabled;
    this.sweepStep = Math.max(1000, Math.min(SWEEP_STEP_MS, Math.floor(this.gap / 8)));
    this.slack = Math.min(PLACE_SLACK_MS, Math.floor(this.gap / 16));
    const spans = windowSpans(config);
    const index = (span: number): number => spans.indexOf(span);
    this.spans = spans;
    this.step = {
      t: null,
      touched: 0,
      windowed: false,
      portKey: -1,
      targetId: NONE,
      userId: NONE,
      targetCounts: spans.map(() => 0),
      portCounts: spans.map(() => 0),
    };
    this.windowsOn = config.portScan.enabled || config.sweep.enabled || config.dos.enabled;
    this.probationOn =
      config.probe.reportAfter > 1 &&
      config.portScan.ports > 1 &&
      config.portScan.slowPorts > 1 &&
      config.sweep.targets > 1 &&
      config.sweep.slowTargets > 1 &&
      config.dos.events > 1;
    const probe = config.probe.enabled ? new ProbeDetector(config) : null;
    const brute = config.bruteForce.enabled ? new BruteForceDetector(config) : null;
    const exploit = config.exploit.enabled ? new ExploitDetector() : null;
    const dos = config.dos.enabled ? new DosDetector(config, this.lines, spans[0]!) : null;
    const sweep = config.sweep.enabled
      ? new SweepDetector(
          config,
          index(config.sweep.window),
          index(config.sweep.slowWindow),
          this.vocabulary,
        )
      : null;
    const portScan = config.portScan.enabled
      ? new PortScanDetector(
          config,
          index(config.portScan.window),
          index(config.portScan.slowWindow),
          this.vocabulary,
        )
      : null;
    this.exploitDetector = exploit;
    this.dosDetector = dos;
    this.bruteDetector = brute;
    this.sweepDetector = sweep;
    this.portScanDetector = portScan;
    this.probeDetector = probe;
    // Composition order (strongest first); `feed` calls them in the same order.
    const detectors = [exploit, dos, brute, sweep, portScan, probe].filter(
      (d): d is NonNullable<typeof d> => d !== null,
    );
    this.parts = { detectors, probe, brute, evidenceLines: this.lines };
  }

  /** Number of sources tracked now, seen once or more (for the benchmark and memory checks). */
  get trackCount(): number {
    return this.table.size + this.probation.size;
  }

  /**
   * Reads one event. Events should come in event-time order; a line slightly out of order is
   * placed at its source's latest time in the windows. A line without a time (`at` null) is
   * counted and kept as evidence but moves no window; it is dated by the engine's clock.
   */
  observe(ev: Event): void {
    const stats = this.stats;
    stats.events++;
    const at = ev.at;
    if (at !== null && at > this.clock) {
      this.clock = at;
      if (at >= this.nextSweep) this.closeQuiet();
    }
    const detail = ev.detail;
    if (detail !== null && detail.outInterface !== undefined && detail.inInterface === undefined) {
      stats.outbound++;
      return;
    }
    const src = ev.src;
    let key: string;
    if (src !== null) key = src;
    else if (ev.srcHost !== null) key = 'host:' + ev.srcHost;
    else {
      stats.unkeyed++;
      return;
    }
    const v4 = src === null ? null : ipv4Key(src);
    const group = this.groupOf(ev);
    const touch = at ?? this.clock;
    const table = this.table;
    let slot = v4 !== null ? table.slotOfV4(v4) : table.slotOfKey(key);
    if (slot !== NO_SLOT) {
      if (touch - table.touched[slot]! > this.gap) {
        this.close(slot);
        slot = NO_SLOT;
      } else if (touch - table.placed[slot]! > this.slack) {
        table.moveToBack(slot);
        table.placed[slot] = touch;
      }
    }
    if (slot === NO_SLOT && this.probationOn) {
      const id = v4 ?? key;
      const sighting = this.probation.get(id);
      if (sighting !== undefined) {
        // A second event: the source gets a full track, fed its first event, then this one.
        this.probation.delete(id);
        if (touch - sighting.at > this.gap) this.closeFirst(sighting);
        else {
          const first = sighting.event();
          slot = this.open(key, v4, first, sighting.at, false);
          this.feed(slot, first, this.groupOf(first));
        }
      }
      if (
        slot === NO_SLOT &&
        at !== null &&
        ev.count === 1 &&
        (group === REFUSED || group === TRAFFIC)
      ) {
        if (this.trackCount >= this.maxSources) this.evictOldest();
        const settled = new Sighting(ev, v4);
        this.probation.set(id, settled);
        this.queueIds.push(id);
        this.queueEvents.push(settled);
        this.oldestFirst();
        stats.tracks++;
        return;
      }
    }
    if (slot === NO_SLOT) slot = this.open(key, v4, ev, touch, true);
    this.feed(slot, ev, group);
  }

  /** Updates the track in a slot and runs the detectors of the event's group. */
  private feed(slot: number, ev: Event, group: number): void {
    const table = this.table;
    const track = table.tracks[slot]!;
    const at = ev.at;
    const touch = at ?? this.clock;
    let touched = table.touched[slot]!;
    if (touch > touched) table.touched[slot] = touched = touch;
    track.events += ev.count;
    if (track.srcHost === null && ev.srcHost !== null) track.srcHost = detach(ev.srcHost);

    const step = this.step;
    let t: number | null = null;
    if (at !== null) {
      const windowAt = table.window[slot]!;
      t = at > windowAt ? at : windowAt;
      table.window[slot] = t;
    }
    step.t = t;
    step.touched = touched;
    step.windowed = false;
    step.portKey = -1;
    step.targetId = NONE;
    step.userId = NONE;
    let tally: ActivityTally | null = null;
    switch (group) {
      case REFUSED:
        tally = track.refused ??= new ActivityTally(
          GROUP_BIT.refused,
          this.vocabulary,
          track.times,
          TIME_SLOTS.refused,
        );
        break;
      case AUTH:
        tally = track.auth ??= new ActivityTally(
          GROUP_BIT.auth,
          this.vocabulary,
          track.times,
          TIME_SLOTS.auth,
        );
        break;
      case EXPLOIT:
        tally = track.exploit ??= new ActivityTally(
          GROUP_BIT.exploit,
          this.vocabulary,
          track.times,
          TIME_SLOTS.exploit,
        );
        break;
      case TRAFFIC:
        // Ordinary traffic is only counted (by the DoS detector) until it is a flood.
        tally = track.traffic;
        break;
    }
    if (tally !== null) {
      const target = targetOf(ev);
      const targetId = target === null ? NONE : this.vocabulary.targets.id(target);
      const service = serviceOf(ev);
      const serviceId = service === null ? NONE : this.vocabulary.services.id(service);
      const user = ev.user;
      const userId = user === null || user === '' ? NONE : this.vocabulary.users.id(user);
      step.targetId = targetId;
      step.userId = userId;
      tally.add(ev, this.clock, targetId, serviceId, userId);
      // Before a crossing only a group's first line is kept: a repeat need not reach the sample.
      const bit = tally.group;
      if (track.notable || (track.offered & bit) === 0) {
        track.offered |= bit;
        (track.evidence ??= new EvidenceSample(this.lines)).offer(ev, bit, track.notable);
      }
      if (group === REFUSED && this.windowsOn && t !== null && targetId >= 0) {
        const port = ev.dstPort ?? (serviceId >= 0 ? NAME_KEY_BASE + serviceId : -1);
        if (port >= 0) this.attempt(track, targetId, port, t, step);
      }
    }
    switch (group) {
      case REFUSED:
        this.dosDetector?.observe(track, ev, step);
        this.sweepDetector?.observe(track, ev, step);
        this.portScanDetector?.observe(track, ev, step);
        this.probeDetector?.observe(track, ev, step);
        break;
      case AUTH:
      case SUCCESS:
        this.bruteDetector?.observe(track, ev, step);
        break;
      case EXPLOIT:
        this.exploitDetector?.observe(track, ev, step);
        break;
      case TRAFFIC:
        this.dosDetector?.observe(track, ev, step);
        break;
    }
  }

  /**
   * Incidents of the stories closed so far (sources quiet for `incidentGap`, evictions,
   * `end()`), in the order they closed: those of at most `max` sources (all by default).
   */
  drain(max = Number.POSITIVE_INFINITY): IncidentDraft[] {
    const out: IncidentDraft[] = [];
    const pending = this.pending;
    let head = this.pendingHead;
    for (let n = 0; head < pending.length && n < max; n++) {
      const item = pending[head]!;
      pending[head++] = null;
      const track = item instanceof Sighting ? this.materialize(item) : item;
      const drafts = composeIncidents(track, this.parts);
      this.stats.incidents += drafts.length;
      for (const d of drafts) out.push(d);
    }
    if (head === pending.length) {
      this.pending = [];
      head = 0;
    }
    this.pendingHead = head;
    return out;
  }

  /** True when closed stories wait for `drain()`. */
  get draining(): boolean {
    return this.pendingHead < this.pending.length;
  }

  /** Closes every track (end of input) and returns every incident not drained yet. */
  finish(): IncidentDraft[] {
    this.end();
    return this.drain();
  }

  /**
   * Closes every track (end of input), least recently seen first, without composing their
   * incidents: take them with `drain(max)` a batch at a time (`finish()` takes them all).
   */
  end(): void {
    const firsts: Sighting[] = [];
    for (let first = this.oldestFirst(); first !== null; first = this.oldestFirst()) {
      this.dropOldestFirst();
      firsts.push(first);
    }
    const table = this.table;
    let i = 0;
    while (table.oldest !== NO_SLOT || i < firsts.length) {
      const first = firsts[i];
      const oldest = table.oldest;
      if (first !== undefined && (oldest === NO_SLOT || first.at < table.placed[oldest]!)) {
        this.closeFirst(first);
        i++;
      } else this.close(oldest);
    }
  }

  /** The state of a source (an address, or a host name the logs gave instead), or null. */
  view(src: string): SourceView | null {
    const v4 = ipv4Key(src);
    const table = this.table;
    let slot = v4 !== null ? table.slotOfV4(v4) : table.slotOfKey(src);
    if (slot === NO_SLOT && v4 === null) slot = table.slotOfKey(`host:${src}`);
    let track: SourceTrack;
    let touchedAt: number;
    let windowAt: number;
    if (slot !== NO_SLOT) {
      // A track in the table has its clocks in its slot.
      track = table.tracks[slot]!;
      touchedAt = table.touched[slot]!;
      windowAt = table.window[slot]!;
    } else {
      const first =
        this.probation.get(v4 ?? src) ??
        (v4 === null ? this.probation.get(`host:${src}`) : undefined);
      if (first === undefined) return null;
      track = this.materialize(first);
      touchedAt = track.touchedAt;
      // A sighting is one timed event: its time is the window clock too.
      windowAt = first.at;
    }
    const crossed: IncidentKind[] = [];
    if (track.exploit !== null) crossed.push('exploit');
    if (track.dos?.rule) crossed.push('dos');
    if ((track.brute?.crossings.length ?? 0) > 0) crossed.push('brute-force');
    if (track.sweep !== null) crossed.push('sweep');
    if (track.portScan !== null) crossed.push('port-scan');
    if (track.notable && track.refused !== null && crossed.length === 0) crossed.push('probe');
    return {
      key: track.key,
      src: track.src,
      srcHost: track.srcHost,
      events: track.events,
      lastTouched: touchedAt,
      notable: track.notable,
      groups: {
        refused: track.refused?.events ?? 0,
        auth: track.auth?.events ?? 0,
        exploit: track.exploit?.events ?? 0,
        traffic: track.dos?.trafficEvents ?? 0,
      },
      attemptWindows: this.spans.map((span) => ({
        span,
        attempts: track.scan?.attemptsWithin(span, windowAt) ?? 0,
      })),
      crossed,
    };
  }

  private groupOf(ev: Event): number {
    switch (ev.kind) {
      case 'auth-failure':
      case 'invalid-user':
        return AUTH;
      case 'auth-success':
        return SUCCESS;
      case 'exploit-attempt':
        return EXPLOIT;
      case 'ids-alert': {
        const p = ev.detail?.priority;
        return this.exploitOn && p !== undefined && p <= this.idsMaxPriority ? EXPLOIT : REFUSED;
      }
      case 'connection':
      case 'http-request':
        return TRAFFIC;
      default:
        // packet-blocked, connection-refused, protocol-error, rate-limited
        return REFUSED;
    }
  }

  private attempt(track: SourceTrack, target: number, port: number, t: number, step: Step): void {
    const scan = track.scan;
    if (scan === null) {
      track.scan = new ScanWindows(this.spans, target, port, t);
      step.targetCounts.fill(1);
      step.portCounts.fill(1);
    } else {
      scan.observe(target, port, t, step.targetCounts, step.portCounts);
    }
    step.windowed = true;
    step.portKey = port;
  }

  private open(key: string, v4: number | null, ev: Event, touch: number, counted: boolean): number {
    if (this.trackCount >= this.maxSources) this.evictOldest();
    const track = this.newTrack(key, v4, ev, touch);
    if (counted) this.stats.tracks++;
    return this.table.add(v4, track.key, track, touch);
  }

  private newTrack(key: string, v4: number | null, ev: Event, touch: number): SourceTrack {
    const kept = detach(key);
    const src = ev.src === null ? null : kept;
    const host = ev.srcHost === null ? null : detach(ev.srcHost);
    return new SourceTrack(kept, v4, src, host, touch, this.vocabulary);
  }

  /**
   * A full track of a source seen once, outside the table (to close it or to view it), fed
   * through the scratch slot.
   */
  private materialize(sighting: Sighting): SourceTrack {
    const first = sighting.event();
    const key = first.src ?? `host:${first.srcHost}`;
    const track = this.newTrack(key, sighting.v4, first, sighting.at);
    const table = this.table;
    const slot = table.scratch(sighting.at, track);
    this.feed(slot, first, this.groupOf(first));
    track.touchedAt = table.touched[slot]!;
    table.tracks[slot] = undefined;
    return track;
  }

  /** Closes the story of a source seen once. */
  private closeFirst(first: Sighting): void {
    this.stats.closed++;
    this.pending.push(first);
  }

  /** The oldest single sighting still waiting (skipping stale queue entries), or null. */
  private oldestFirst(): Sighting | null {
    const ids = this.queueIds;
    const events = this.queueEvents;
    let head = this.queueHead;
    // Slots behind the head are cleared so that the queue holds no dead sighting.
    while (head < ids.length && this.probation.get(ids[head]!) !== events[head]) {
      events[head++] = null;
    }
    if (head > 4096 && head * 2 > ids.length) {
      this.queueIds = ids.slice(head);
      this.queueEvents = events.slice(head);
      head = 0;
    }
    this.queueHead = head;
    return head < this.queueEvents.length ? this.queueEvents[head]! : null;
  }

  /** Removes the oldest single sighting (the one `oldestFirst` returned). */
  private dropOldestFirst(): void {
    this.probation.delete(this.queueIds[this.queueHead]!);
    this.queueEvents[this.queueHead++] = null;
  }

  /** Evicts the least recently seen source: a single sighting or a full track. */
  private evictOldest(): void {
    const table = this.table;
    const slot = table.oldest;
    const first = this.oldestFirst();
    if (first !== null && (slot === NO_SLOT || first.at <= table.placed[slot]!)) {
      this.dropOldestFirst();
      this.stats.evicted++;
      this.stats.dropped++;
      return;
    }
    if (slot === NO_SLOT) return;
    this.stats.evicted++;
    if (table.tracks[slot]!.notable) {
      this.close(slot);
    } else {
      this.remove(slot);
      this.stats.dropped++;
    }
  }

  /**
   * Closes the tracks quiet for longer than `incidentGap`. Only tracks placed before the cutoff
   * can be quiet (a track is touched at or after its place), and they sit at the front.
   */
  private closeQuiet(): void {
    this.nextSweep = this.clock + this.sweepStep;
    const cutoff = this.clock - this.gap;
    for (let first = this.oldestFirst(); first !== null && first.at < cutoff;) {
      this.dropOldestFirst();
      this.closeFirst(first);
      first = this.oldestFirst();
    }
    const table = this.table;
    let slot = table.oldest;
    while (slot !== NO_SLOT && table.placed[slot]! < cutoff) {
      const next = table.newer[slot]!;
      if (table.touched[slot]! < cutoff) this.close(slot);
      slot = next;
    }
  }

  /** Takes a track out of the table; returns it, its clock set from the slot. */
  private remove(slot: number): SourceTrack {
    const table = this.table;
    const track = table.tracks[slot]!;
    track.touchedAt = table.touched[slot]!;
    table.remove(slot, track.v4, track.key);
    return track;
  }

  private close(slot: number): void {
    const track = this.remove(slot);
    this.stats.closed++;
    this.pending.push(track);
  }
}
