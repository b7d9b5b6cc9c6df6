/** How hard one server may be asked: requests at once, and requests started per minute. */
export interface ServerLimits {
  readonly concurrency: number;
  readonly perMinute: number;
}

/** The clock a gate waits on; tests pass a fake one. */
export interface GateClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: GateClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Lane {
  active: number;
  nextStart: number;
  readonly waiting: (() => void)[];
}

/**
 * Manners towards registries: at most `concurrency` requests in flight per server and starts
 * spaced `60 s / perMinute` apart, in arrival order. Counts what was asked of each server, which
 * the benchmark and `--format json` stats report.
 */
export class ServerGate {
  private readonly lanes = new Map<string, Lane>();
  /** Requests started, per server. */
  readonly counts = new Map<string, number>();

  constructor(
    private readonly limitsFor: (server: string) => ServerLimits,
    private readonly clock: GateClock = realClock,
  ) {}

  /** Runs `task` when the server's lane allows, and frees the slot when it settles. */
  async run<T>(server: string, task: () => Promise<T>): Promise<T> {
    const limits = this.limitsFor(server);
    let lane = this.lanes.get(server);
    if (lane === undefined) {
      lane = { active: 0, nextStart: 0, waiting: [] };
      this.lanes.set(server, lane);
    }
    if (lane.active >= Math.max(1, limits.concurrency) || lane.waiting.length > 0) {
      await new Promise<void>((resolve) => lane.waiting.push(resolve));
    }
    lane.active++;
    try {
      const spacing = limits.perMinute > 0 ? 60_000 / limits.perMinute : 0;
      const now = this.clock.now();
      const start = Math.max(now, lane.nextStart);
      lane.nextStart = start + spacing;
      if (start > now) await this.clock.sleep(start - now);
      this.counts.set(server, (this.counts.get(server) ?? 0) + 1);
      return await task();
    } finally {
      lane.active--;
      lane.waiting.shift()?.();
    }
  }

  /** Total requests started across servers. */
  total(): number {
    let n = 0;
    for (const v of this.counts.values()) n += v;
    return n;
  }
}

/** Identical questions in flight share one answer (the second asker waits for the first). */
export class Coalescer<V> {
  private readonly inFlight = new Map<string, Promise<V>>();

  /** The pending answer for `key`, or a new one from `task`. */
  run(key: string, task: () => Promise<V>): Promise<V> {
    const pending = this.inFlight.get(key);
    if (pending !== undefined) return pending;
    const p = task().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}
