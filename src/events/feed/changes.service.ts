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
    // The first read numbers what has committed; a held request then relies on the sequencer's
    // own passes (every 100 ms in every process) and only reads, so held requests add no passes.
    let rows = await this.page(tenantId, query, true);
    while (rows.length === 0 && Date.now() < deadline && !this.stop.signal.aborted) {
      await this.sequencedOrTimeout(tenantId, Math.min(FEED_POLL_MS, deadline - Date.now()));
      rows = await this.page(tenantId, query, false);
    }
    const hasMore = rows.length > query.limit;
    const changes = rows.slice(0, query.limit).map(toChangeView);
    return { status: true, changes, next: changes.at(-1)?.seq ?? query.after, hasMore };
  }

  /** One more row than the limit: it says whether there is more, and is not answered. */
  private async page(tenantId: string, query: FeedQuery, catchUp: boolean): Promise<ChangeRow[]> {
    if (catchUp) await this.sequencer.catchUp();
    return this.repository.findAfter(
      this.transactions.manager,
      tenantId,
      query.after,
      query.limit + 1,
      query.form === 'full',
    );
  }

  /**
   * Resolves after `ms`, when this process numbers events of the tenant (a prompt answer), or at
   * once when the instance stops. No connection is held meanwhile.
   */
  private sequencedOrTimeout(tenantId: string, ms: number): Promise<void> {
    const signal = this.stop.signal;
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        unsubscribe();
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      const unsubscribe = this.sequencer.onSequenced((sequenced) => {
        if (sequenced.has(tenantId)) done();
      });
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
