import { BackendJobEntity } from './backend-job.entity';
import { JobRegistry } from './job-registry';
import { toJobView } from './job-view';

function job(overrides: Partial<BackendJobEntity> = {}): BackendJobEntity {
  return Object.assign(new BackendJobEntity(), {
    id: '6f1c3c1e-8f0e-4a57-9a51-0d6f7d3c2b10',
    tenantId: 'tenant-123',
    type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
    status: 'FAILED',
    createdBy: 'user-456',
    priority: 5,
    payload: { transactionId: '550e8400-e29b-41d4-a716-446655440000' },
    startOn: new Date('2024-01-15T10:35:00Z'),
    startedOn: new Date('2024-01-15T10:35:30Z'),
    finishedOn: null,
    errorMessage: 'boom',
    stackTrace: 'Error: boom\n    at handler.ts:1:1',
    donePercentage: 40,
    updates: [{ timestamp: '2024-01-15T10:40:00.000Z', message: 'Processing departments: 50/100 completed' }],
    results: null,
    leaseOwner: 'host:1:abcd',
    leaseExpiresAt: new Date('2024-01-15T10:41:00Z'),
    attempts: 1,
    cancelRequested: false,
    createdOn: new Date('2024-01-15T10:35:00Z'),
    updatedOn: new Date('2024-01-15T10:41:00Z'),
    ...overrides,
  });
}

describe('toJobView', () => {
  it("is seed 001's document: ISO dates, nulls where unset, the payload under job, no lease internals", () => {
    expect(toJobView(job(), { includeStackTrace: false })).toEqual({
      id: '6f1c3c1e-8f0e-4a57-9a51-0d6f7d3c2b10',
      version: 'V1',
      tenantId: 'tenant-123',
      status: 'FAILED',
      createdBy: 'user-456',
      createdOn: '2024-01-15T10:35:00.000Z',
      startedOn: '2024-01-15T10:35:30.000Z',
      startOn: '2024-01-15T10:35:00.000Z',
      finishedOn: null,
      priority: 5,
      job: {
        type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
        userId: 'user-456',
        tenantId: 'tenant-123',
        transactionId: '550e8400-e29b-41d4-a716-446655440000',
      },
      errorMessage: 'boom',
      stackTrace: null,
      donePercentage: 40,
      updates: [{ timestamp: '2024-01-15T10:40:00.000Z', message: 'Processing departments: 50/100 completed' }],
      results: null,
    });
  });

  it('shows the stack trace only when asked (operators)', () => {
    expect(toJobView(job(), { includeStackTrace: true }).stackTrace).toBe('Error: boom\n    at handler.ts:1:1');
  });

  it('never lets the payload overwrite the type, user or tenant', () => {
    const view = toJobView(job({ payload: { type: 'X', userId: 'mallory', tenantId: 'elsewhere', extra: 1 } }), {
      includeStackTrace: false,
    });
    expect(view.job).toEqual({
      type: 'EXECUTE_IAM_COMMIT_TRANSACTION_JOB',
      userId: 'user-456',
      tenantId: 'tenant-123',
      extra: 1,
    });
  });
});

describe('JobRegistry', () => {
  it('refuses a second handler for one type', () => {
    const registry = new JobRegistry();
    const handler = { type: 'T', run: () => Promise.resolve({ status: 'DONE' as const }) };
    registry.register(handler);
    expect(registry.get('T')).toBe(handler);
    expect(() => registry.register({ ...handler })).toThrow('already registered');
    expect(registry.get('OTHER')).toBeUndefined();
  });
});
