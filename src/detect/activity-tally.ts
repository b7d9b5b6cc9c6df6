import { detach } from '../core/detach.js';
import { EVENT_KINDS, type Event, type EventKind } from '../core/event.js';
import { CappedNumbers } from './capped-set.js';
import type { NameTable } from './name-table.js';

/** Caps of the distinct lists an incident carries. */
export const LIST_CAPS = { ports: 1024, targets: 256, services: 32, users: 256 } as const;

/** Bit of each event kind in a kinds mask. */
export const KIND_BIT: Readonly<Record<EventKind, number>> = Object.fromEntries(
  EVENT_KINDS.map((k, i) => [k, 1 << i]),
) as Record<EventKind, number>;

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
  /**
   * Epoch ms of the first and last event (infinite before the first). A line without a time
   * is dated by the engine's clock: the latest time of the lines read before it.
   */
  firstAt = Number.POSITIVE_INFINITY;
  lastAt = Number.NEGATIVE_INFINITY;
  /** Event kinds seen (KIND_BIT mask). */
  kinds = 0;
  /** True when a name could not be numbered (the engine's table was full). */
  private unlisted = false;
  private port = -1;
  private target = -1;
  private service = -1;
  private user = -1;
  private portSet: CappedNumbers | null = null;
  private targetSet: CappedNumbers | null = null;
  private serviceSet: CappedNumbers | null = null;
  private userSet: CappedNumbers | null = null;

  constructor(
    /** The bit of the tally's event group (GROUP_BIT). */
    readonly group: number,
    private readonly vocabulary: Vocabulary,
  ) {}

  /**
   * Adds an event whose target, service and user ids the engine worked out (NONE when the
   * event has none, UNNAMED when a table was full); `clock` is the engine's event-time clock
   * (used when the line has no time).
   */
  add(ev: Event, clock: number, target: number, service: number, user: number): void {
    this.events += ev.count;
    const at = ev.at ?? clock;
    if (at < this.firstAt) this.firstAt = at;
    if (at > this.lastAt) this.lastAt = at;
    this.kinds |= KIND_BIT[ev.kind];
    const port = ev.dstPort;
    if (port !== null && port !== this.port) {
      if (this.port < 0) this.port = port;
      else (this.portSet ??= new CappedNumbers(this.port, LIST_CAPS.ports)).add(port);
    }
    if (target >= 0) {
      if (target !== this.target) {
        if (this.target < 0) this.target = target;
        else (this.targetSet ??= new CappedNumbers(this.target, LIST_CAPS.targets)).add(target);
      }
    } else if (target === UNNAMED) this.unlisted = true;
    if (service >= 0) {
      if (service !== this.service) {
        if (this.service < 0) this.service = service;
        else (this.serviceSet ??= new CappedNumbers(this.service, LIST_CAPS.services)).add(service);
      }
    } else if (service === UNNAMED) this.unlisted = true;
    if (user >= 0) {
      if (user !== this.user) {
        if (this.user < 0) this.user = user;
        else (this.userSet ??= new CappedNumbers(this.user, LIST_CAPS.users)).add(user);
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

  /** Distinct destination ports, in first-seen order. */
  ports(): number[] {
    return this.portSet?.values() ?? (this.port < 0 ? [] : [this.port]);
  }

  /** Distinct targets, in first-seen order. */
  targets(): string[] {
    const ids = this.targetSet?.values() ?? (this.target < 0 ? [] : [this.target]);
    return ids.map((id) => this.vocabulary.targets.name(id));
  }

  /** Distinct services, in first-seen order. */
  services(): string[] {
    const ids = this.serviceSet?.values() ?? (this.service < 0 ? [] : [this.service]);
    return ids.map((id) => this.vocabulary.services.name(id));
  }

  /** Distinct user names, in first-seen order. */
  users(): string[] {
    const ids = this.userSet?.values() ?? (this.user < 0 ? [] : [this.user]);
    return ids.map((id) => this.vocabulary.users.name(id));
  }

  /** True when a distinct list was cut at its cap (or a name could not be numbered). */
  get truncated(): boolean {
    return (
      this.unlisted ||
      (this.portSet?.truncated ?? false) ||
      (this.targetSet?.truncated ?? false) ||
      (this.serviceSet?.truncated ?? false) ||
      (this.userSet?.truncated ?? false)
    );
  }
}
