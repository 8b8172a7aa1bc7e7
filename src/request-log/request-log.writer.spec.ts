import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import type { NewRequestLog } from './capture';
import { FLUSH_BATCH_ROWS, RequestLogWriter } from './request-log.writer';
import type { RequestLogsRepository } from './request-logs.repository';

const row = (n: number): NewRequestLog => ({
  time: new Date(0),
  method: 'GET',
  path: `/r/${n}`,
  status: 200,
  durationMs: 1,
  tenantId: null,
  credentialId: null,
  correlationId: null,
  identifier: null,
  errorMessage: null,
  admin: false,
  keepalive: false,
  requestHeaders: {},
  requestBody: null,
  requestBodyTruncated: false,
  responseHeaders: {},
  responseBody: null,
  responseBodyTruncated: false,
  searchText: `/r/${n}`,
});

/** A repository that records what it is given and fails while `down` is true. */
class FakeRepository {
  readonly batches: string[][] = [];
  down: Error | null = null;
  badPaths = new Set<string>();

  insertMany(rows: NewRequestLog[]): Promise<void> {
    if (this.down) return Promise.reject(this.down);
    if (rows.some((r) => this.badPaths.has(r.path))) {
      return Promise.reject(Object.assign(new Error('invalid input'), { code: '22P02' }));
    }
    this.batches.push(rows.map((r) => r.path));
    return Promise.resolve();
  }

  get written(): string[] {
    return this.batches.flat();
  }
}

function writer(bufferRows: number, repository: FakeRepository): RequestLogWriter {
  const config = { requestLog: { bufferRows } } as AppConfig;
  return new RequestLogWriter(config, repository as unknown as RequestLogsRepository);
}

describe('RequestLogWriter', () => {
  // Failures are logged, and failures are what these tests make.
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  it('writes rows in arrival order, one INSERT per batch', async () => {
    const repository = new FakeRepository();
    const logs = writer(10_000, repository);
    for (let n = 0; n < FLUSH_BATCH_ROWS + 10; n++) logs.add(row(n));
    await logs.flush();
    expect(repository.batches.map((batch) => batch.length)).toEqual([FLUSH_BATCH_ROWS, 10]);
    expect(repository.written).toEqual(Array.from({ length: FLUSH_BATCH_ROWS + 10 }, (_, n) => `/r/${n}`));
    expect(logs.stats).toEqual({ buffered: 0, dropped: 0 });
  });

  it('drops and counts rows beyond the buffer, never throwing', async () => {
    const repository = new FakeRepository();
    const logs = writer(5, repository);
    for (let n = 0; n < 8; n++) expect(() => logs.add(row(n))).not.toThrow();
    expect(logs.stats).toEqual({ buffered: 5, dropped: 3 });
    await logs.flush();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4']);
  });

  it('keeps the rows of a failed INSERT for the next try, dropping what does not fit', async () => {
    const repository = new FakeRepository();
    const logs = writer(4, repository);
    [0, 1, 2].forEach((n) => logs.add(row(n)));
    repository.down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await logs.flush();
    expect(logs.stats).toEqual({ buffered: 3, dropped: 0 });
    [3, 4].forEach((n) => logs.add(row(n)));
    expect(logs.stats).toEqual({ buffered: 4, dropped: 1 });
    repository.down = null;
    // The final flush ignores the back-off a failure set.
    await logs.onApplicationShutdown();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2', '/r/3']);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 1 });
  });

  it('backs off after a failure instead of hammering the database', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    logs.add(row(0));
    repository.down = new Error('Connection terminated unexpectedly');
    await logs.flush();
    repository.down = null;
    await logs.flush();
    expect(repository.written).toEqual([]);
    await logs.onApplicationShutdown();
    expect(repository.written).toEqual(['/r/0']);
  });

  it('drops only the row the database refuses, not its batch', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    [0, 1, 2].forEach((n) => logs.add(row(n)));
    repository.badPaths.add('/r/1');
    await logs.flush();
    expect(repository.written).toEqual(['/r/0', '/r/2']);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 1 });
  });

  it('writes everything on shutdown, and counts what it could not', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    logs.onModuleInit();
    [0, 1].forEach((n) => logs.add(row(n)));
    await logs.beforeApplicationShutdown();
    logs.add(row(2));
    await logs.onApplicationShutdown();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2']);

    const down = new FakeRepository();
    down.down = new Error('Connection terminated');
    const lost = writer(100, down);
    lost.add(row(0));
    await lost.onApplicationShutdown();
    expect(lost.stats).toEqual({ buffered: 0, dropped: 1 });
  });
});
