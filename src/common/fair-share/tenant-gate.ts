/** Why a request of a busy tenant was not let in. */
export class TenantBusyError extends Error {
  constructor(
    readonly reason: 'queue-full' | 'timeout',
    readonly concurrency: number,
  ) {
    super(
      reason === 'queue-full'
        ? `Too many concurrent requests for this tenant (${concurrency} at once, and the queue is full); retry shortly`
        : `Too many concurrent requests for this tenant (${concurrency} at once); no slot freed in time, retry shortly`,
    );
    this.name = 'TenantBusyError';
  }
}

export interface TenantGateOptions {
  /** Requests of one key inside at once while another key has been active within RECENT_MS. */
  concurrency: number;
  /** Requests of one key inside at once while no other key has been active (at least `concurrency`). */
  burst: number;
  /** Requests of one key waiting at most; the next one is refused at once. */
  queue: number;
  /** Longest wait for a slot. */
  waitMs: number;
}

interface Waiter {
  admit: (release: () => void) => void;
  timer: NodeJS.Timeout;
}

interface Lane {
  running: number;
  waiting: Waiter[];
}

/** How long a key counts as active after its last request came in. */
export const RECENT_MS = 1000;
/** The longest rest of a slot under contention. */
export const MAX_REST_MS = 50;

/**
 * A counting semaphore per key (tenant), with a bounded FIFO queue and a bounded wait. It caps
 * how much of the database pool, and so of the machine, one tenant's requests can hold at once,
 * so a flood from one tenant waits in its own lane while other tenants' requests go straight in.
 * It is work-conserving: a tenant alone on the instance may run `burst` requests at once; as soon
 * as another tenant has sent a request within RECENT_MS, each runs at most `concurrency`.
 * Nothing is kept for a key once its last request has left and RECENT_MS has passed.
 */
export class TenantGate {
  private readonly lanes = new Map<string, Lane>();
  /** When each key last sent a request (performance.now()). */
  private readonly lastSeen = new Map<string, number>();

  constructor(
    private readonly options: TenantGateOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (options.concurrency < 1) throw new Error('TenantGate needs a concurrency of at least 1');
    if (options.burst < options.concurrency) throw new Error('TenantGate needs a burst of at least its concurrency');
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /** Resolves with `release` (call it exactly once, when the work is done), or rejects with a `TenantBusyError`. */
  acquire(key: string): Promise<() => void> {
    const admitted = this.tryAcquire(key);
    if (admitted) return Promise.resolve(admitted);
    const lane = this.lanes.get(key)!;
    const limit = this.limitOf(key);
    if (lane.waiting.length >= this.options.queue) {
      return Promise.reject(new TenantBusyError('queue-full', limit));
    }
    const waiting = lane.waiting;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const at = waiting.indexOf(waiter);
          if (at >= 0) waiting.splice(at, 1);
          reject(new TenantBusyError('timeout', this.limitOf(key)));
        }, this.options.waitMs),
      };
      waiting.push(waiter);
    });
  }

  /** Requests of `key` inside and waiting (for tests and diagnostics). */
  /**
   * `release` at once when the lane has a free slot and nobody queued before, else `undefined`
   * (and nothing changes but the tenant's last sighting): `acquire` without a promise, for the
   * callers that can go on synchronously.
   */
  tryAcquire(key: string): (() => void) | undefined {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    this.lastSeen.set(key, this.now());
    if (lane.running >= this.limitOf(key) || lane.waiting.length > 0) return undefined;
    lane.running++;
    return this.releaser(key, lane);
  }

  load(key: string): { running: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  /** `burst` while no other key has been active within RECENT_MS, `concurrency` otherwise. */
  private limitOf(key: string): number {
    const now = this.now();
    let contended = false;
    for (const [other, seen] of this.lastSeen) {
      if (now - seen > RECENT_MS && !this.lanes.has(other)) this.lastSeen.delete(other);
      else if (other !== key) contended = true;
    }
    return contended ? this.options.concurrency : this.options.burst;
  }

  private releaser(key: string, lane: Lane): () => void {
    let released = false;
    const admitted = this.now();
    return () => {
      if (released) return;
      released = true;
      const limit = this.limitOf(key);
      // Under contention a tenant's slot rests as long as it was held (at most MAX_REST_MS) before
      // its next request goes in: one tenant's back-to-back requests take at most half of a slot's
      // time, and what they leave of the machine is the other tenants'.
      const rest =
        limit < this.options.burst && lane.waiting.length > 0 ? Math.min(MAX_REST_MS, this.now() - admitted) : 0;
      if (rest >= 1) setTimeout(() => this.free(key, lane), rest).unref();
      else this.free(key, lane);
    };
  }

  private free(key: string, lane: Lane): void {
    lane.running--;
    // Slots go to the oldest waiters first, so a newcomer cannot overtake the queue; a lane
    // above its share since another tenant arrived shrinks as its requests finish.
    const limit = this.limitOf(key);
    while (lane.waiting.length > 0 && lane.running < limit) {
      const next = lane.waiting.shift()!;
      clearTimeout(next.timer);
      lane.running++;
      next.admit(this.releaser(key, lane));
    }
    if (lane.running === 0 && lane.waiting.length === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
  }
}
