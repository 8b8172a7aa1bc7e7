import { Injectable } from '@nestjs/common';
import type { JobHandler, JobPool } from './job-handler';

/** Job types and their handlers; each handler's module registers it in its own onModuleInit. */
@Injectable()
export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register(handler: JobHandler): void {
    // Two handlers for one type would make which one runs depend on module order.
    if (this.handlers.has(handler.type))
      throw new Error(`A handler for job type ${handler.type} is already registered`);
    this.handlers.set(handler.type, handler);
  }

  get(type: string): JobHandler | undefined {
    return this.handlers.get(type);
  }

  /** The pool a job type runs in; an unknown type runs in 'default' (where it fails for want of a handler). */
  poolOf(type: string): JobPool {
    return this.handlers.get(type)?.pool ?? 'default';
  }

  /** The job types outside the 'default' pool, the ones a pool's claim filters on. */
  pooledTypes(): Map<JobPool, string[]> {
    const pools = new Map<JobPool, string[]>();
    for (const handler of this.handlers.values()) {
      const pool = handler.pool ?? 'default';
      if (pool !== 'default') pools.set(pool, [...(pools.get(pool) ?? []), handler.type]);
    }
    return pools;
  }
}
