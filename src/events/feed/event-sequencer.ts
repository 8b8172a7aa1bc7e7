import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { outsideLogContext } from '../../common/log-context';
import { ADVISORY_LOCKS } from '../../database/advisory-lock';
import { TransactionRunner } from '../../database/transaction-runner';
import { ChangeEventsRepository, Sequenced } from '../change-events.repository';

/** How many events one sequencing statement numbers. */
const SEQUENCE_BATCH = 5_000;
/** How often every process numbers what has committed since (readers also do it before reading). */
export const SEQUENCE_INTERVAL_MS = 100;

type Listener = (sequenced: Sequenced) => void;

/**
 * Gives committed change events their per-tenant `seq`, the feed's cursor. Writers insert events
 * without one (no shared counter on the write path); this numbers them afterwards, one pass at a
 * time across the fleet (an advisory lock). A pass sees only committed events and commits its
 * numbers before the next pass starts, so once seq N is visible no event is ever numbered below N:
 * a consumer resuming after the last seq it saw misses nothing and sees nothing twice.
 */
@Injectable()
export class EventSequencer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Events');
  private readonly listeners = new Set<Listener>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private lastError = '';

  constructor(
    private readonly transactions: TransactionRunner,
    private readonly events: ChangeEventsRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void outsideLogContext(() => this.tick()), SEQUENCE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Called with the tenants each pass numbered events for (delivery, long polls). */
  onSequenced(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Numbers every event committed before the call. Concurrent callers share one pass at a time;
   * a caller arriving during a pass waits for it and then runs its own, so its writes are covered.
   */
  async catchUp(): Promise<void> {
    const previous = this.running;
    const pass: Promise<void> = (async () => {
      await previous?.catch(() => undefined);
      // Not part of the request that asked: its transaction carries no change label.
      await outsideLogContext(() => this.sequenceAll());
    })();
    this.running = pass;
    try {
      await pass;
    } finally {
      if (this.running === pass) this.running = undefined;
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    try {
      // Most ticks find nothing: one probe, not a transaction.
      if (!(await this.events.hasPending(this.transactions.manager))) return;
      await this.catchUp();
      this.lastError = '';
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A database outage would repeat this ten times a second: say it once.
      if (message !== this.lastError) this.logger.warn(`Could not number change events: ${message}`);
      this.lastError = message;
    }
  }

  private async sequenceAll(): Promise<void> {
    for (;;) {
      const sequenced = await this.transactions.run(async (em) => {
        await this.events.lockSequencer(em, ADVISORY_LOCKS.changeSequencer);
        return this.events.sequencePending(em, SEQUENCE_BATCH);
      });
      if (sequenced.size > 0) for (const listener of this.listeners) listener(sequenced);
      let count = 0;
      for (const n of sequenced.values()) count += n;
      if (count < SEQUENCE_BATCH) return;
    }
  }
}
