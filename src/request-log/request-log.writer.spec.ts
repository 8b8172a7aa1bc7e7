import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config';
import { currentLogContext, LogContext, withLogContext } from '../common/log-context';
import type { CapturedExchange, NewRequestLog } from './capture';
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
  authFailure: null,
  clientAddress: null,
  admin: false,
  keepalive: false,
  requestHeaders: {},
  requestBody: null,
  requestBodyTruncated: false,
  responseHeaders: {},
  responseBody: null,
  responseBodyTruncated: false,
  detailsOmitted: false,
  searchText: `/r/${n}`,
});

/** A repository that records what it is given and fails while `down` is true. */
class FakeRepository {
  readonly batches: string[][] = [];
  readonly rows: NewRequestLog[] = [];
  down: Error | null = null;
  /** The error a row gets, if the database would refuse it. */
  refuse: (row: NewRequestLog) => Error | null = () => null;

  /** The log context each INSERT ran in (a request's would put its id on the writer's lines). */
  readonly contexts: (LogContext | undefined)[] = [];

  insertMany(rows: NewRequestLog[]): Promise<void> {
    this.contexts.push(currentLogContext());
    if (this.down) return Promise.reject(this.down);
    const refusal = rows.map((r) => this.refuse(r)).find((error) => error !== null);
    if (refusal) return Promise.reject(refusal);
    this.batches.push(rows.map((r) => r.path));
    this.rows.push(...rows);
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
    expect(logs.stats).toEqual({ buffered: 0, dropped: 0, detailsOmitted: 0 });
  });

  it("flushes outside the context of the request that filled the batch: its lines carry no request's id", async () => {
    const repository = new FakeRepository();
    const logs = writer(10_000, repository);
    // A flush a request asks for, and one a full batch schedules while a request runs.
    await withLogContext({ correlationId: 'request-a' }, async () => {
      [0, 1, 2].forEach((n) => logs.add(row(n)));
      await logs.flush();
      for (let n = 0; n < FLUSH_BATCH_ROWS; n++) logs.add(row(n));
    });
    await new Promise((resolve) => setImmediate(resolve));
    await logs.flush();
    expect(repository.batches.map((batch) => batch.length)).toEqual([3, FLUSH_BATCH_ROWS]);
    expect(repository.contexts).toEqual([undefined, undefined]);
  });

  it('drops and counts rows beyond the buffer, never throwing', async () => {
    const repository = new FakeRepository();
    const logs = writer(5, repository);
    for (let n = 0; n < 8; n++) expect(() => logs.add(row(n))).not.toThrow();
    expect(logs.stats).toEqual({ buffered: 5, dropped: 3, detailsOmitted: 0 });
    await logs.flush();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2', '/r/3', '/r/4']);
  });

  it('keeps the rows of a failed INSERT for the next try, dropping what does not fit', async () => {
    const repository = new FakeRepository();
    const logs = writer(4, repository);
    [0, 1, 2].forEach((n) => logs.add(row(n)));
    repository.down = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    await logs.flush();
    expect(logs.stats).toEqual({ buffered: 3, dropped: 0, detailsOmitted: 0 });
    [3, 4].forEach((n) => logs.add(row(n)));
    expect(logs.stats).toEqual({ buffered: 4, dropped: 1, detailsOmitted: 0 });
    repository.down = null;
    // The final flush ignores the back-off a failure set.
    await logs.onApplicationShutdown();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2', '/r/3']);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 1, detailsOmitted: 0 });
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

  const invalid = (): Error =>
    Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });

  it('writes a row the database refuses without its bodies, marked and counted, and keeps its batch', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    [0, 1, 2].forEach((n) => logs.add(n === 1 ? { ...row(n), requestBody: 'bad', responseBody: 'bad too' } : row(n)));
    repository.refuse = (r) => (r.requestBody === 'bad' ? invalid() : null);
    await logs.flush();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2']);
    expect(repository.rows[1]).toMatchObject({
      path: '/r/1',
      requestBody: null,
      responseBody: null,
      detailsOmitted: true,
      searchText: '/r/1\n\n\n\n',
    });
    expect(repository.rows[0].detailsOmitted).toBe(false);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 0, detailsOmitted: 1 });
  });

  it('writes a row bare when even its headers are refused, or could not be serialised', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    logs.add({ ...row(0), requestHeaders: { 'x-bad': 'bad' }, identifier: 'who', path: '/r/0?q=\u00e9' });
    logs.add({ ...row(1), responseHeaders: { 'x-deep': 'deep' } });
    repository.refuse = (r) =>
      r.requestHeaders['x-bad']
        ? invalid()
        : r.responseHeaders['x-deep']
          ? new RangeError('Maximum call stack size exceeded')
          : null;
    await logs.flush();
    expect(repository.rows).toEqual([
      expect.objectContaining({ path: '/r/0?q=?', requestHeaders: {}, identifier: null, detailsOmitted: true }),
      expect.objectContaining({ path: '/r/1', responseHeaders: {}, detailsOmitted: true }),
    ]);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 0, detailsOmitted: 2 });
  });

  it('drops and counts only a row refused in every form', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    [0, 1, 2].forEach((n) => logs.add(row(n)));
    repository.refuse = (r) => (r.path === '/r/1' ? invalid() : null);
    await logs.flush();
    expect(repository.written).toEqual(['/r/0', '/r/2']);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 1, detailsOmitted: 0 });
  });

  it('keeps the rest of a batch for later when the database fails while rows are tried one by one', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    [0, 1, 2].forEach((n) => logs.add(row(n)));
    repository.refuse = (r) => {
      if (r.path !== '/r/1') return null;
      repository.down = new Error('Connection terminated unexpectedly');
      return invalid();
    };
    await logs.flush();
    expect(repository.written).toEqual([]);
    expect(logs.stats).toEqual({ buffered: 3, dropped: 0, detailsOmitted: 0 });
    repository.down = null;
    repository.refuse = () => null;
    await logs.onApplicationShutdown();
    expect(repository.written).toEqual(['/r/0', '/r/1', '/r/2']);
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
    expect(lost.stats).toEqual({ buffered: 0, dropped: 1, detailsOmitted: 0 });
  });
});

describe('RequestLogWriter building rows', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']));

  const exchange = (n: number, extra: Partial<CapturedExchange> = {}): CapturedExchange => ({
    time: new Date(0),
    durationMs: 2,
    method: 'POST',
    url: `/scim/v2/Users?access_token=secret-${n}`,
    status: 201,
    aborted: false,
    requestHeaders: { authorization: `Bearer secret-${n}`, 'content-type': 'application/scim+json' },
    requestBody: Buffer.from(JSON.stringify({ userName: `user${n}`, password: `pw-${n}` })),
    requestIdentifier: `user${n}`,
    responseHeaders: { 'content-type': 'application/scim+json' },
    responseBody: Buffer.from(JSON.stringify({ id: `id-${n}`, userName: `user${n}` })),
    responseBytes: 40,
    ...extra,
  });

  it('turns captured exchanges into redacted rows when it writes them, in arrival order', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    logs.add({ exchange: exchange(1), bodyLimit: 65536 });
    logs.add(row(2));
    logs.add({ exchange: exchange(3), bodyLimit: 65536 });
    expect(repository.rows).toEqual([]);
    await logs.flush();
    expect(repository.written).toEqual([
      '/scim/v2/Users?access_token=[REDACTED]',
      '/r/2',
      '/scim/v2/Users?access_token=[REDACTED]',
    ]);
    expect(repository.rows[0]).toMatchObject({ identifier: 'user1', status: 201, detailsOmitted: false });
    expect(repository.rows[0].searchText).toContain('id-1');
    expect(JSON.stringify(repository.rows)).not.toMatch(/secret-|pw-/);
    expect(logs.stats).toEqual({ buffered: 0, dropped: 0, detailsOmitted: 0 });
  });

  it('writes a request whose row fails to build without its details, marked', async () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    const headers = { 'content-type': 'application/scim+json' };
    // Redaction reads every header: this one throws when it does.
    Object.defineProperty(headers, 'x-broken', {
      enumerable: true,
      get: () => {
        throw new RangeError('Maximum call stack size exceeded');
      },
    });
    logs.add({ exchange: exchange(1, { responseHeaders: headers, status: 500 }), bodyLimit: 65536 });
    logs.add({ exchange: exchange(2), bodyLimit: 65536 });
    await logs.flush();
    expect(repository.rows).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/scim/v2/Users?access_token=[REDACTED]',
        status: 500,
        requestBody: null,
        responseBody: null,
        responseHeaders: {},
        errorMessage: 'HTTP 500',
        detailsOmitted: true,
      }),
      expect.objectContaining({ identifier: 'user2', detailsOmitted: false }),
    ]);
    expect(JSON.stringify(repository.rows)).not.toContain('secret-1');
  });

  it('counts the buffered bytes of an exchange, so large answers fill the buffer before many rows do', () => {
    const repository = new FakeRepository();
    const logs = writer(100, repository);
    const big = Buffer.alloc(40 * 1024 * 1024, 'a');
    logs.add({ exchange: exchange(1, { responseBody: big, responseBytes: big.length }), bodyLimit: big.length });
    logs.add({ exchange: exchange(2, { responseBody: big, responseBytes: big.length }), bodyLimit: big.length });
    logs.add({ exchange: exchange(3, { responseBody: big, responseBytes: big.length }), bodyLimit: big.length });
    logs.add({ exchange: exchange(4, { responseBody: big, responseBytes: big.length }), bodyLimit: big.length });
    expect(logs.stats).toEqual({ buffered: 3, dropped: 1, detailsOmitted: 0 });
  });

  it('yields to the event loop while it builds a large batch', async () => {
    const repository = new FakeRepository();
    const logs = writer(1000, repository);
    const answer = Buffer.from(JSON.stringify({ Resources: Array.from({ length: 300 }, (_, i) => ({ id: `u${i}` })) }));
    for (let n = 0; n < 400; n++) {
      logs.add({ exchange: exchange(n, { responseBody: answer, responseBytes: answer.length }), bodyLimit: 65536 });
    }
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    await logs.flush();
    clearInterval(ticking);
    expect(repository.rows).toHaveLength(400);
    expect(turns).toBeGreaterThan(0);
  });
});
