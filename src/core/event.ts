/** The kinds of observation a log line can yield. */
export type EventKind =
  | 'connection'
  | 'connection-refused'
  | 'auth-failure'
  | 'invalid-user'
  | 'auth-success'
  | 'packet-blocked'
  | 'ids-alert'
  | 'exploit-attempt'
  | 'http-request'
  | 'protocol-error'
  | 'rate-limited';

/** Every event kind, in a stable order (for counters and validation). */
export const EVENT_KINDS: readonly EventKind[] = [
  'connection',
  'connection-refused',
  'auth-failure',
  'invalid-user',
  'auth-success',
  'packet-blocked',
  'ids-alert',
  'exploit-attempt',
  'http-request',
  'protocol-error',
  'rate-limited',
];

/** Kinds that say the remote side did something unwelcome (used by detectors and conformance). */
export const FAILURE_KINDS: ReadonlySet<EventKind> = new Set<EventKind>([
  'auth-failure',
  'invalid-user',
  'connection-refused',
  'exploit-attempt',
  'packet-blocked',
  'protocol-error',
  'rate-limited',
]);

/** Where an event came from: the source name, the 1-based physical line number, the line text. */
export interface EventRef {
  readonly source: string;
  readonly line: number;
  readonly text: string;
}

/** What a family parser extracts from one line; the envelope and the reader fill in the rest. */
export interface EventDraft {
  kind: EventKind;
  /** Canonical remote address, or null when the log names only a host. */
  src: string | null;
  /** The remote host name exactly as logged, when the log gives a name instead of an address. */
  srcHost?: string | null;
  srcPort?: number | null;
  dst?: string | null;
  dstPort?: number | null;
  /** Transport protocol in lower case (`tcp`, `udp`, `icmp`, `ipv6-icmp`, or a number as text). */
  proto?: string | null;
  /** Application service (`ssh`, `ftp`, `smtp`, `http`...). */
  service?: string | null;
  user?: string | null;
  /** IDS signature text, exploit classification or other short label of what was seen. */
  signature?: string | null;
  /** Family-specific details (HTTP method/path/status/agent, TCP flags, ICMP type, IDS priority). */
  detail?: EventDetail;
  /** Overrides the envelope time when the family's own format carries it (epoch ms, UTC). */
  at?: number | null;
  /** Overrides the envelope host. */
  host?: string | null;
  /** Overrides the envelope program. */
  program?: string | null;
}

/** Optional family-specific fields; only present keys are printed. */
export interface EventDetail {
  method?: string;
  path?: string;
  status?: number;
  agent?: string;
  flags?: string;
  icmpType?: number;
  icmpCode?: number;
  priority?: number;
  classification?: string;
  inInterface?: string;
  outInterface?: string;
  prefix?: string;
  action?: string;
}

/** One normalized observation from one log line. */
export interface Event {
  /** The instant, epoch milliseconds UTC, or null when the line carries no usable time. */
  readonly at: number | null;
  readonly kind: EventKind;
  readonly src: string | null;
  readonly srcHost: string | null;
  readonly srcPort: number | null;
  readonly dst: string | null;
  readonly dstPort: number | null;
  readonly proto: string | null;
  readonly service: string | null;
  readonly user: string | null;
  readonly program: string | null;
  /** The host that wrote the log line (syslog host field). */
  readonly host: string | null;
  readonly signature: string | null;
  /** How many identical occurrences this event stands for (`message repeated N times`). */
  readonly count: number;
  readonly detail: EventDetail | null;
  /** The family parser that produced the event. */
  readonly family: string;
  readonly ref: EventRef;
}
