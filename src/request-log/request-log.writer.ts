import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { outsideLogContext } from '../common/log-context';
import { bareRow, logRowOf, NewRequestLog, PendingLog, withoutBodies } from './capture';
import type { HeaderValues } from './redaction';
import { BoundedBuffer } from './request-log.buffer';
import { RequestLogsRepository } from './request-logs.repository';

/** How often buffered rows are written, at the latest. */
export const FLUSH_INTERVAL_MS = 250;
/** Rows per INSERT; a full batch is written at once, without waiting for the interval. */
export const FLUSH_BATCH_ROWS = 500;
/** Bodies make rows large: whatever REQUEST_LOG_BUFFER says, the buffer never holds more than this. */
export const BUFFER_MAX_BYTES = 128 * 1024 * 1024;
const MAX_RETRY_DELAY_MS = 5000;
/**
 * Rows are built (redaction, search text) for at most this long before the writer lets the event
 * loop run: a batch of large answers takes tens of milliseconds, which requests should not wait out.
 */
const BUILD_SLICE_MS = 4;
/**
 * SQLSTATE classes 22 (data exception), 23 (constraint) and 54 (a size limit): that row will never
 * go in as it is, retrying it unchanged is pointless.
 */
const BAD_ROW = /^(2[23]|54)/;

/**
 * What the buffer holds: a captured request whose row is still to be built, or a row already
 * built (one whose INSERT failed and waits for the next try).
 */
export type BufferedLog = PendingLog | NewRequestLog;

/**
 * Takes request-log rows off the request path: `add` only appends what capture copied to a
 * bounded in-memory buffer (a full buffer drops it and counts it: a request never waits or fails
 * for its log), and the buffer is written every FLUSH_INTERVAL_MS: each batch's rows are built
 * (redacted) here, then written in one INSERT. A failed INSERT
 * (database down) keeps its rows for the next try while the buffer has room. On shutdown the
 * buffer is written before the database pool closes: DatabaseModule is global, so Nest calls its
 * onApplicationShutdown after this (non-global) module's.
 */
@Injectable()
export class RequestLogWriter implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('RequestLog');
  private readonly buffer: BoundedBuffer<BufferedLog>;
  private readonly batchRows: number;
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> | null = null;
  private flushSoon = false;
  private failures = 0;
  private omitted = 0;
  private retryAt = 0;
  private lastError = '';
  private writeFailures = 0;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly repository: RequestLogsRepository,
  ) {
    this.buffer = new BoundedBuffer(config.requestLog.bufferRows, BUFFER_MAX_BYTES, approximateSize);
    this.batchRows = Math.min(FLUSH_BATCH_ROWS, config.requestLog.bufferRows);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /**
   * Rows waiting, rows dropped since this process started, and rows written without their details
   * (bodies, perhaps headers) because the full row was refused.
   */
  get stats(): { buffered: number; dropped: number; detailsOmitted: number } {
    return { buffered: this.buffer.length, dropped: this.buffer.dropped, detailsOmitted: this.omitted };
  }

  /** Batch INSERTs the database refused or never answered since this process started (metrics). */
  get failedWrites(): number {
    return this.writeFailures;
  }

  /** Never waits and never throws: a request (or row) that does not fit is dropped and counted. */
  add(entry: BufferedLog): void {
    if (!this.buffer.add(entry)) return;
    if (this.buffer.length >= this.batchRows && !this.flushSoon) {
      this.flushSoon = true;
      setImmediate(() => {
        this.flushSoon = false;
        void this.flush();
      });
    }
  }

  /**
   * Writes what is buffered, batch by batch; joins a flush already under way. Never rejects. The
   * flush is nobody's request, though one may have triggered it: its lines carry no request's id.
   */
  flush(): Promise<void> {
    this.flushing ??= outsideLogContext(() => this.drain(false)).finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Requests finished so far: written while the HTTP server still drains the others. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  /** The last rows (requests that finished while the server closed), before the pool closes. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.flushing;
    await this.drain(true);
    if (this.buffer.length > 0) {
      const lost = this.buffer.take(this.buffer.length).length;
      this.buffer.countDropped(lost);
      this.logger.error(`${lost} request log rows could not be written before shutdown`);
    }
  }

  private async drain(final: boolean): Promise<void> {
    if (!final && Date.now() < this.retryAt) return;
    while (this.buffer.length > 0) {
      const batch = await this.rowsOf(this.buffer.take(this.batchRows));
      if (batch.length === 0) continue;
      try {
        await this.repository.insertMany(batch);
        this.recovered();
      } catch (error) {
        if (!isBadRow(error)) {
          this.failed(batch, error);
          return;
        }
        if (!(await this.insertOneByOne(batch))) return;
      }
    }
  }

  /** The rows of a batch, built a slice at a time so that requests keep being served meanwhile. */
  private async rowsOf(entries: BufferedLog[]): Promise<NewRequestLog[]> {
    const rows: NewRequestLog[] = [];
    let sliceStart = performance.now();
    for (const entry of entries) {
      const row = this.rowOf(entry);
      if (row) rows.push(row);
      if (performance.now() - sliceStart > BUILD_SLICE_MS) {
        await nextTurn();
        sliceStart = performance.now();
      }
    }
    return rows;
  }

  /** The row of one entry; a row that fails to build is written without its details (`logRowOf`). */
  private rowOf(entry: BufferedLog): NewRequestLog | null {
    if (!isPending(entry)) return entry;
    const { method } = entry.exchange;
    try {
      return logRowOf(entry, (error) =>
        this.logger.warn(`Request ${String(method)} logged without details: ${describe(error)}`),
      );
    } catch (error) {
      this.buffer.countDropped(1);
      this.logger.warn(`Request ${String(method)} not logged: ${describe(error)}`);
      return null;
    }
  }

  /**
   * Some row of the batch cannot be stored: every row is tried alone, and a row still refused is
   * written without its bodies, then bare, so the request stays on record. False when the database
   * itself failed meanwhile (the rest of the batch is kept for the next try).
   */
  private async insertOneByOne(batch: NewRequestLog[]): Promise<boolean> {
    for (const [index, row] of batch.entries()) {
      let refusal: unknown;
      let stored = false;
      for (const [stage, attempt] of [row, withoutBodies(row), bareRow(row)].entries()) {
        try {
          await this.repository.insertMany([attempt]);
        } catch (error) {
          if (!isBadRow(error)) {
            this.failed(batch.slice(index), error);
            return false;
          }
          refusal ??= error;
          continue;
        }
        stored = true;
        if (stage > 0) {
          this.omitted++;
          this.logger.warn(
            `Request log row for ${attempt.method} ${attempt.path} written without ${stage === 1 ? 'its bodies' : 'its details'}: ${describe(refusal)}`,
          );
        }
        break;
      }
      if (!stored) {
        this.buffer.countDropped(1);
        this.logger.warn(`Request log row for ${row.method} ${row.path} dropped: ${describe(refusal)}`);
      }
    }
    this.recovered();
    return true;
  }

  private failed(batch: NewRequestLog[], error: unknown): void {
    const dropped = this.buffer.putBack(batch);
    this.failures++;
    this.writeFailures++;
    this.retryAt = Date.now() + Math.min(FLUSH_INTERVAL_MS * 2 ** this.failures, MAX_RETRY_DELAY_MS);
    const message = describe(error);
    if (message !== this.lastError) {
      this.logger.warn(
        `Request log rows not written (${message}); retrying${dropped ? `, ${dropped} dropped for lack of room` : ''}`,
      );
    }
    this.lastError = message;
  }

  private recovered(): void {
    if (this.failures > 0) this.logger.log('Request log rows are written again');
    this.failures = 0;
    this.retryAt = 0;
    this.lastError = '';
  }
}

function isPending(entry: BufferedLog): entry is PendingLog {
  return 'exchange' in entry;
}

/** Bytes an entry holds in memory, roughly: its strings and buffers (bodies dominate). */
export function approximateSize(entry: BufferedLog): number {
  if (!isPending(entry)) return rowSize(entry);
  const { exchange } = entry;
  // Bodies are bytes here, and strings (two bytes a character) in the row built from them.
  let size = 512 + 2 * exchange.url.length + 2 * (exchange.correlationId?.length ?? 0);
  size += (exchange.requestBody?.length ?? 0) + (exchange.responseBody?.length ?? 0);
  size += 2 * (exchange.requestIdentifier?.length ?? 0);
  return size + headersSize(exchange.requestHeaders) + headersSize(exchange.responseHeaders);
}

/** Node bounds request headers (16 KB by default): what an entry counts when its own cannot be read. */
const UNREADABLE_HEADERS_SIZE = 2 * 16 * 1024;

function headersSize(headers: HeaderValues): number {
  try {
    let size = 0;
    for (const [name, value] of Object.entries(headers)) {
      const length = Array.isArray(value) ? value.join('').length : String(value).length;
      size += 2 * (name.length + length);
    }
    return size;
  } catch {
    return UNREADABLE_HEADERS_SIZE;
  }
}

/** Bytes a row holds in memory, roughly: its strings (bodies dominate). */
function rowSize(row: NewRequestLog): number {
  let size = 256 + row.path.length + row.searchText.length;
  size += (row.requestBody?.length ?? 0) + (row.responseBody?.length ?? 0);
  size += (row.identifier?.length ?? 0) + (row.errorMessage?.length ?? 0);
  for (const headers of [row.requestHeaders, row.responseHeaders]) {
    for (const [name, value] of Object.entries(headers)) size += name.length + value.length;
  }
  return size * 2;
}

/** A row the database refused for what it holds, or that could not even be serialised. */
function isBadRow(error: unknown): boolean {
  if (error instanceof RangeError || error instanceof TypeError) return true;
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  const sqlState = typeof code === 'string' ? code : driverError?.code;
  return typeof sqlState === 'string' && BAD_ROW.test(sqlState);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
