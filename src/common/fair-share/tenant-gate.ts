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
  /** Requests of one key inside at once. */
  concurrency: number;
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

/**
 * A counting semaphore per key (tenant), with a bounded FIFO queue and a bounded wait. It caps
 * how much of the database pool one tenant's requests can hold at once, so a flood from one
 * tenant waits in its own lane while other tenants' requests find free connections. Nothing is
 * kept for a key once its last request has left.
 */
export class TenantGate {
  private readonly lanes = new Map<string, Lane>();

  constructor(private readonly options: TenantGateOptions) {
    if (options.concurrency < 1) throw new Error('TenantGate needs a concurrency of at least 1');
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /** Resolves with `release` (call it exactly once, when the work is done), or rejects with a `TenantBusyError`. */
  acquire(key: string): Promise<() => void> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running < this.options.concurrency) {
      lane.running++;
      return Promise.resolve(this.releaser(key, lane));
    }
    if (lane.waiting.length >= this.options.queue) {
      return Promise.reject(new TenantBusyError('queue-full', this.options.concurrency));
    }
    const waiting = lane.waiting;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          const at = waiting.indexOf(waiter);
          if (at >= 0) waiting.splice(at, 1);
          reject(new TenantBusyError('timeout', this.options.concurrency));
        }, this.options.waitMs),
      };
      waiting.push(waiter);
    });
  }

  /** Requests of `key` inside and waiting (for tests and diagnostics). */
  load(key: string): { running: number; waiting: number } {
    const lane = this.lanes.get(key);
    return { running: lane?.running ?? 0, waiting: lane?.waiting.length ?? 0 };
  }

  private releaser(key: string, lane: Lane): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // The slot passes straight to the oldest waiter, so a newcomer cannot overtake the queue.
      const next = lane.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.admit(this.releaser(key, lane));
        return;
      }
      lane.running--;
      if (lane.running === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
    };
  }
}
