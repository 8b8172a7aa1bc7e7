import { Injectable } from '@nestjs/common';
import type { JobHandler } from './job-handler';

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
}
