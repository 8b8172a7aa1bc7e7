import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { setMaxListeners } from 'node:events';
import { TransactionRunner } from '../../database/transaction-runner';
import { Lifecycle } from '../../lifecycle/lifecycle';
import { EventSequencer } from './event-sequencer';
import { ChangesPageView, toChangeView } from './change-view';
import type { FeedQuery } from './feed-query';
import { ChangeRow, FeedRepository } from './feed.repository';

/** How often a held request looks for new changes. */
export const FEED_POLL_MS = 100;

/**
 * The pull feed (`GET /api/provisioning/iam/changes`): a tenant's sequenced changes after a seq.
 * Every read first numbers what has committed (EventSequencer.catchUp), so a change committed
 * before the request is in its answer. A held request (wait > 0) polls every FEED_POLL_MS and
 * holds no connection in between; it answers empty at once when the instance starts stopping.
 */
@Injectable()
export class ChangesService implements OnApplicationShutdown {
  private readonly stop = new AbortController();

  constructor(
    private readonly repository: FeedRepository,
    private readonly sequencer: EventSequencer,
    private readonly transactions: TransactionRunner,
    lifecycle: Lifecycle,
  ) {
    // Every held request listens for the stop while it sleeps: as many listeners as held requests.
    setMaxListeners(0, this.stop.signal);
    lifecycle.onStopping(() => this.stop.abort());
  }

  onApplicationShutdown(): void {
    this.stop.abort();
  }

  async changes(tenantId: string, query: FeedQuery): Promise<ChangesPageView> {
    const deadline = Date.now() + query.waitSeconds * 1000;
    for (;;) {
      const rows = await this.page(tenantId, query);
      if (rows.length > 0 || Date.now() >= deadline || this.stop.signal.aborted) {
        const hasMore = rows.length > query.limit;
        const changes = rows.slice(0, query.limit).map(toChangeView);
        return { status: true, changes, next: changes.at(-1)?.seq ?? query.after, hasMore };
      }
      await sleep(Math.min(FEED_POLL_MS, deadline - Date.now()), this.stop.signal);
    }
  }

  /** One more row than the limit: it says whether there is more, and is not answered. */
  private async page(tenantId: string, query: FeedQuery): Promise<ChangeRow[]> {
    await this.sequencer.catchUp();
    return this.repository.findAfter(
      this.transactions.manager,
      tenantId,
      query.after,
      query.limit + 1,
      query.form === 'full',
    );
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}
