import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Response } from 'express';
import { Lifecycle } from '../lifecycle/lifecycle';
import { toLogSummary } from './request-log.views';
import { LogFilters, RequestLogsRepository } from './request-logs.repository';

export const STREAM_POLL_MS = 1000;
export const STREAM_KEEPALIVE_MS = 15_000;
/**
 * Each poll reads again this far back (by write time): a batch written by another instance may
 * commit a moment after a later one was already sent. Rows already sent are skipped by id.
 */
const LOOKBACK_MS = 5000;
const ROWS_PER_POLL = 500;

/**
 * `GET /api/admin/logs/stream`: Server-Sent Events, one `log` event per new row. It polls
 * PostgreSQL, not this process's buffer, so it shows the requests every instance of a fleet
 * served. A stream ends when its client goes away or the application shuts down.
 */
@Injectable()
export class RequestLogStream implements OnModuleDestroy {
  private readonly logger = new Logger('RequestLogStream');
  private readonly open = new Set<() => void>();

  constructor(
    private readonly repository: RequestLogsRepository,
    lifecycle: Lifecycle,
  ) {
    // A stream never finishes by itself: end it when the drain starts, so the drain need not wait.
    lifecycle.onStopping(() => this.onModuleDestroy());
  }

  async serve(res: Response, filters: LogFilters): Promise<void> {
    const connectedAt = await this.repository.databaseNow();
    if (res.destroyed) return;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(': connected\n\n');

    const sent = new Map<string, number>();
    let newest = connectedAt.getTime();
    let lastWrite = Date.now();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let lastError = '';

    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      this.open.delete(stop);
      if (!res.writableEnded) res.end();
    };
    this.open.add(stop);
    // The response's 'close', not the request's: that one fires as soon as the request is read.
    res.on('close', stop);

    const poll = async (): Promise<void> => {
      try {
        const since = Math.max(connectedAt.getTime(), newest - LOOKBACK_MS);
        for (const [id, loggedAt] of sent) if (loggedAt < since) sent.delete(id);
        const rows = await this.repository.findWrittenSince(filters, new Date(since), [...sent.keys()], ROWS_PER_POLL);
        if (stopped) return;
        for (const row of rows) {
          const loggedAt = new Date(row.logged_at).getTime();
          sent.set(row.id, loggedAt);
          newest = Math.max(newest, loggedAt);
          res.write(`event: log\ndata: ${JSON.stringify(toLogSummary(row))}\n\n`);
          lastWrite = Date.now();
        }
        lastError = '';
      } catch (error) {
        // The database is away for a moment: the stream stays open and catches up after.
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) this.logger.warn(`Request log stream poll failed: ${message}`);
        lastError = message;
      }
      if (stopped) return;
      if (Date.now() - lastWrite >= STREAM_KEEPALIVE_MS) {
        res.write(': keepalive\n\n');
        lastWrite = Date.now();
      }
      timer = setTimeout(() => void poll(), STREAM_POLL_MS);
    };
    timer = setTimeout(() => void poll(), STREAM_POLL_MS);
  }

  /** First step of shutdown: open streams end, so the HTTP server can close. */
  onModuleDestroy(): void {
    for (const stop of [...this.open]) stop();
  }
}
