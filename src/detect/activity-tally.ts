import { detach } from '../core/detach.js';
import { EVENT_KINDS, type Event, type EventKind } from '../core/event.js';
import { addDistinct, SMALL } from './capped-set.js';
import type { NameTable } from './name-table.js';
import { ascending, sortSmall } from './small-sort.js';

/** Caps of the distinct lists an incident carries. */
export const LIST_CAPS = { ports: 1024, targets: 256, services: 32, users: 256 } as const;

/** Bit of each event kind in a kinds mask. */
export const KIND_BIT: Readonly<Record<EventKind, number>> = Object.fromEntries(
  EVENT_KINDS.map((k, i) => [k, 1 << i]),
) as Record<EventKind, number>;

/**
 * The KIND_BIT of a kind, by a switch: indexing KIND_BIT with a computed key is a generic
 * keyed lookup, and this runs for every event.
 */
export function kindBit(kind: EventKind): number {
  switch (kind) {
    case 'connection':
      return 1;
    case 'connection-refused':
      return 2;
    case 'auth-failure':
      return 4;
    case 'invalid-user':
      return 8;
    case 'auth-success':
      return 16;
    case 'packet-blocked':
      return 32;
    case 'ids-alert':
      return 64;
    case 'exploit-attempt':
      return 128;
    case 'http-request':
      return 256;
    case 'protocol-error':
      return 512;
    case 'rate-limited':
      return 1024;
    default:
      return KIND_BIT[kind];
  }
}

const protoLabels = new Map<string, string>();

/**
 * What an event was aimed at when the log names no port or service: `icmp-echo` for a ping
 * (ICMP type 8, ICMPv6 type 128), `icmp` for other ICMP, `proto 47` for other IP protocols.
 */
export function protocolService(ev: Event): string | null {
  const proto = ev.proto;
  if (proto === null || proto === 'tcp' || proto === 'udp') return null;
  const type = ev.detail?.icmpType;
  if (proto === 'icmp' || proto === 'ipv6-icmp') {
    return type === 8 || type === 128 ? 'icmp-echo' : 'icmp';
  }
  let label = protoLabels.get(proto);
  if (label === undefined) {
    const kept = detach(proto);
    label = kept.charCodeAt(0) >= 48 && kept.charCodeAt(0) <= 57 ? `proto ${kept}` : kept;
    if (protoLabels.size < 512) protoLabels.set(kept, label);
  }
  return label;
}

/** The service an event names, or what its protocol says when it names none. */
export function serviceOf(ev: Event): string | null {
  if (ev.service !== null) return ev.service;
  return ev.dstPort === null ? protocolService(ev) : null;
}

/** Id of a target or service the engine's full name table could not number. */
export const UNNAMED = -1;
/** Id standing for "the event names no target (or service)". */
export const NONE = -2;

/** The target of an event: its destination address, else the host that logged it. */
export function targetOf(ev: Event): string | null {
  return ev.dst ?? ev.host;
}

/** The engine's name tables: targets and services are numbered once, per-source state holds ids. */
export interface Vocabulary {
  readonly targets: NameTable;
  readonly services: NameTable;
  readonly users: NameTable;
}

/**
 * The names of a tally's list of ids: `list` from its second value on, else the single `first`
 * id (or none). A loop into an array of the right length: this runs for every list of every
 * incident, and `map` with a closure allocated more for the same result.
 */
function names(list: readonly number[] | null, first: number, table: NameTable): string[] {
  if (list === null) return first < 0 ? [] : [table.name(first)];
  const out = new Array<string>(list.length);
  for (let i = 0; i < list.length; i++) out[i] = table.name(list[i]!);
  return out;
}

/**
 * The events of one group of a source (refused attempts, failed logins, exploits, traffic):
 * how many, when, and the distinct ports, targets, services and users. Incidents are built
 * from one or more tallies; their evidence comes from the source's sample (by group bit).
 * Targets and services are ids in the engine's name tables. The first value of each list is a
 * field; a capped set is only made for a second one (most sources show one target, one
 * service, one user), so a tally is a single object.
 */
export class ActivityTally {
  /** Events, counting repeated messages by their count. */
  events = 0;
  /** Event kinds seen (KIND_BIT mask). */
  kinds = 0;
  /** True when a name could not be numbered (the engine's table was full). */
  private unlisted = false;
  private port = -1;
  private target = -1;
  private service = -1;
  private user = -1;
  /**
   * From the second distinct value on, every value in first-seen order, capped (LIST_CAPS),
   * in plain arrays held here (one object fewer to reach than a set object holding them); a
   * list past SMALL values gets a Set for its lookups.
   */
  private portList: number[] | null = null;
  private targetList: number[] | null = null;
  private serviceList: number[] | null = null;
  private userList: number[] | null = null;
  /**
   * The value last looked up in each list (-1 before its second value), checked before the
   * list: each event reaches a cold tally, and a list searched costs two cache misses (the
   * array, then its elements). On the 1M-line benchmark at least 18% of 1.19M list lookups
   * repeat it, and observe() took 1-3.5% less CPU (in-process A/B, three runs of 8-10
   * interleaved rounds). A value refused at the cap is kept here too: skipping it again
   * leaves `cut` as it was.
   */
  private lastPort = -1;
  private lastTarget = -1;
  private lastService = -1;
  private lastUser = -1;
  private portIndex: Set<number> | null = null;
  private targetIndex: Set<number> | null = null;
  private serviceIndex: Set<number> | null = null;
  private userIndex: Set<number> | null = null;
  /** True when a value was refused because its list was full. */
  private cut = false;

  constructor(
    /** The bit of the tally's event group (GROUP_BIT). */
    readonly group: number,
    private readonly vocabulary: Vocabulary,
    /**
     * Where the first and last event times live: `times[slot]` and `times[slot + 1]` (the
     * track's array of unboxed times, TIME_SLOTS; initially infinite and minus infinite).
     */
    private readonly times: number[],
    private readonly slot: number,
  ) {}

  /**
   * Epoch ms of the first event (infinite before the first). A line without a time is dated
   * by the engine's clock: the latest time of the lines read before it.
   */
  get firstAt(): number {
    return this.times[this.slot]!;
  }

  /** Epoch ms of the last event (minus infinite before the first). */
  get lastAt(): number {
    return this.times[this.slot + 1]!;
  }

  /**
   * Adds an event whose target, service and user ids the engine worked out (NONE when the
   * event has none, UNNAMED when a table was full); `clock` is the engine's event-time clock
   * (used when the line has no time).
   */
  add(ev: Event, clock: number, target: number, service: number, user: number): void {
    this.events += ev.count;
    const at = ev.at ?? clock;
    const times = this.times;
    const slot = this.slot;
    if (at < times[slot]!) times[slot] = at;
    if (at > times[slot + 1]!) times[slot + 1] = at;
    this.kinds |= kindBit(ev.kind);
    const port = ev.dstPort;
    if (port !== null && port !== this.port && port !== this.lastPort) {
      if (this.port < 0) this.port = port;
      else {
        const list = (this.portList ??= [this.port]);
        this.lastPort = port;
        if (!addDistinct(list, this.portIndex, port, LIST_CAPS.ports)) this.cut = true;
        else if (this.portIndex === null && list.length > SMALL) this.portIndex = new Set(list);
      }
    }
    if (target >= 0) {
      if (target !== this.target && target !== this.lastTarget) {
        if (this.target < 0) this.target = target;
        else {
          const list = (this.targetList ??= [this.target]);
          this.lastTarget = target;
          if (!addDistinct(list, this.targetIndex, target, LIST_CAPS.targets)) this.cut = true;
          else if (this.targetIndex === null && list.length > SMALL) {
            this.targetIndex = new Set(list);
          }
        }
      }
    } else if (target === UNNAMED) this.unlisted = true;
    if (service >= 0) {
      if (service !== this.service && service !== this.lastService) {
        if (this.service < 0) this.service = service;
        else {
          const list = (this.serviceList ??= [this.service]);
          this.lastService = service;
          if (!addDistinct(list, this.serviceIndex, service, LIST_CAPS.services)) this.cut = true;
          else if (this.serviceIndex === null && list.length > SMALL) {
            this.serviceIndex = new Set(list);
          }
        }
      }
    } else if (service === UNNAMED) this.unlisted = true;
    if (user >= 0) {
      if (user !== this.user && user !== this.lastUser) {
        if (this.user < 0) this.user = user;
        else {
          const list = (this.userList ??= [this.user]);
          this.lastUser = user;
          if (!addDistinct(list, this.userIndex, user, LIST_CAPS.users)) this.cut = true;
          else if (this.userIndex === null && list.length > SMALL) this.userIndex = new Set(list);
        }
      }
    } else if (user === UNNAMED) this.unlisted = true;
  }

  /** First instant of the activity. */
  get first(): number {
    return this.firstAt;
  }

  /** Last instant of the activity. */
  get last(): number {
    return this.lastAt;
  }

  /** Distinct destination ports, in first-seen order (a fresh array, the caller's to sort). */
  ports(): number[] {
    return this.portList?.slice() ?? (this.port < 0 ? [] : [this.port]);
  }

  /** Distinct destination ports, ascending (a fresh array). */
  sortedPorts(): number[] {
    return sortSmall(this.ports(), ascending);
  }

  /** How many distinct ports `ports()` lists, without copying them. */
  get portCount(): number {
    return this.portList?.length ?? (this.port < 0 ? 0 : 1);
  }

  /** Distinct targets, in first-seen order. */
  targets(): string[] {
    return names(this.targetList, this.target, this.vocabulary.targets);
  }

  /** How many distinct targets `targets()` lists, without naming them. */
  get targetCount(): number {
    return this.targetList?.length ?? (this.target < 0 ? 0 : 1);
  }

  /** The first target (the only one when `targetCount` is 1), or null. */
  firstTarget(): string | null {
    return this.target < 0 ? null : this.vocabulary.targets.name(this.target);
  }

  /** Distinct services, in first-seen order. */
  services(): string[] {
    return names(this.serviceList, this.service, this.vocabulary.services);
  }

  /** Distinct user names, in first-seen order. */
  users(): string[] {
    return names(this.userList, this.user, this.vocabulary.users);
  }

  /** True when a distinct list was cut at its cap (or a name could not be numbered). */
  get truncated(): boolean {
    return this.unlisted || this.cut;
  }
}
