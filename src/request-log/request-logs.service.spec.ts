import type { RequestLogWriter } from './request-log.writer';
import type { LogFilters, LogSummaryRow, RequestLogsRepository } from './request-logs.repository';
import { COUNT_CAP, RequestLogsService, toFilters } from './request-logs.service';

const row = (n: number): LogSummaryRow => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  time: new Date(Date.UTC(2030, 0, 1, 0, 0, n)),
  method: 'GET',
  path: `/r/${n}`,
  status: 200,
  duration_ms: 3,
  tenant_id: 't',
  credential_id: null,
  correlation_id: null,
  identifier: null,
  error_message: null,
  auth_failure: null,
  client_address: null,
  admin: false,
  keepalive: false,
});

/** The service over a repository holding `matching` rows, whose count answers `counted` (null: out of time). */
function service(matching: number, counted: number | null): { logs: RequestLogsService } {
  const repository = {
    findPage: (_f: LogFilters, offset: number, limit: number) => {
      const rows = Array.from({ length: Math.max(0, Math.min(limit, matching - offset)) }, (_, i) => row(offset + i));
      return Promise.resolve(rows);
    },
    countUpTo: (_f: LogFilters, cap: number) => Promise.resolve(counted === null ? null : Math.min(counted, cap)),
  } as unknown as RequestLogsRepository;
  const writer = { stats: { buffered: 0, dropped: 0 } } as unknown as RequestLogWriter;
  return { logs: new RequestLogsService(repository, writer) };
}

describe('RequestLogsService.list', () => {
  it('answers an exact total while the count stays under the cap', async () => {
    const page = await service(120, 120).logs.list({ pageSize: 50, page: 3 });
    expect(page).toMatchObject({ total: 120, page: 3, pageSize: 50, hasNext: false, totalIsLowerBound: false });
    expect(page.items).toHaveLength(20);
    expect(page.items[0]).toMatchObject({ path: '/r/100', time: '2030-01-01T00:01:40.000Z', durationMs: 3 });
  });

  it('says the total is a lower bound past the cap', async () => {
    const page = await service(50_000, 50_000).logs.list({});
    expect(page).toMatchObject({ total: COUNT_CAP + 1, hasNext: true, totalIsLowerBound: true });
  });

  it('falls back to what the page proves when counting ran out of time', async () => {
    const page = await service(50_000, null).logs.list({ page: 2, pageSize: 10 });
    expect(page).toMatchObject({ total: 21, hasNext: true, totalIsLowerBound: true });
    const last = await service(15, null).logs.list({ page: 2, pageSize: 10 });
    expect(last).toMatchObject({ total: 15, hasNext: false, totalIsLowerBound: false });
    const beyond = await service(15, null).logs.list({ page: 5, pageSize: 10 });
    expect(beyond).toMatchObject({ total: 0, items: [], totalIsLowerBound: true });
  });
});

describe('toFilters', () => {
  it('reads statuses, cases and defaults', () => {
    expect(toFilters({ status: '404' })).toMatchObject({ status: { from: 404, to: 405 } });
    expect(toFilters({ status: '5xx' })).toMatchObject({ status: { from: 500, to: 600 } });
    expect(toFilters({ method: 'patch', search: 'Alice@Example.COM', path: '/SCIM' })).toMatchObject({
      method: 'PATCH',
      search: 'alice@example.com',
      path: '/scim',
    });
    expect(toFilters({})).toEqual(
      expect.objectContaining({ includeAdmin: false, hideKeepalive: false, status: undefined, hasError: undefined }),
    );
    expect(toFilters({ since: '2030-01-01T00:00:00Z' }).since).toEqual(new Date('2030-01-01T00:00:00Z'));
  });
});
