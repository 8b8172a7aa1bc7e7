/** The operators' repair calls and the fields they read beyond api.ts (console design §2). */
import type { Api, Job, LogDetail, LogSummary, Transaction, TransactionFailure } from './api';

/** Names arrive from helper "scope"'s joins; until then (and for deleted records) the id is shown. */
export interface Named {
  createdByName?: string | null;
  credentialName?: string | null;
  tenantName?: string | null;
}

export type RepairTransaction = Transaction & Named & { correlationId?: string | null };

export interface RepairFailure extends TransactionFailure {
  /** The item as queued and stored; null for an item refused when queued (never stored). */
  payload?: Record<string, unknown> | null;
  /** The failure object of the tenant's status route. */
  failure?: Record<string, unknown>;
}

export interface RepairTransactionDetail extends RepairTransaction {
  failures: RepairFailure[];
}

export interface RetryAnswer {
  transactionId: string;
  jobId: string;
  operationsQueued: number;
}

export type RepairJob = Job & Named & { correlationId?: string | null };

export type LinkedLog = LogDetail &
  Named & {
    related?: { transactionId: string | null; jobId: string | null };
  };

export type NamedLogSummary = LogSummary & Named;

/** Statuses a transaction can end in, and those in which a retry makes sense. */
export const ENDED_TRANSACTION_STATUSES = ['COMPLETED', 'FAILED', 'ROLLED_BACK', 'EXPIRED'];
export const TRANSACTION_STATUSES = ['OPEN', 'COMMITTED', 'PROCESSING', ...ENDED_TRANSACTION_STATUSES];
/** Jobs an operator may still cancel. */
export const CANCELLABLE_JOB_STATUSES = ['NOT_STARTED', 'STARTED'];

const tx = (id: string) => `/api/admin/transactions/${encodeURIComponent(id)}`;

export const repairTransaction = (api: Api, id: string, signal?: AbortSignal) =>
  api.get<RepairTransactionDetail>(tx(id), undefined, signal);

export const rollBackTransaction = (api: Api, id: string) => api.send<RepairTransaction>('POST', `${tx(id)}/rollback`);

export const retryTransaction = (api: Api, id: string, orderIds?: number[]) =>
  api.send<RetryAnswer>('POST', `${tx(id)}/retry`, orderIds ? { orderIds } : {});

/** One job as operators see it (the admin bearer token passes the job route's guard). */
export const jobById = async (api: Api, id: string, signal?: AbortSignal): Promise<RepairJob> =>
  (await api.get<{ value: RepairJob }>(`/api/user/job/${encodeURIComponent(id)}`, undefined, signal)).value;

export const cancelJob = (api: Api, id: string) =>
  api.send<{ value: RepairJob }>('POST', `/api/user/job/${encodeURIComponent(id)}/cancel`);

export const jobsByCorrelation = (api: Api, correlationId: string, signal?: AbortSignal) =>
  api.get<{ items: RepairJob[] }>('/api/admin/jobs', { correlationId, pageSize: 10 }, signal);

export const linkedLog = (api: Api, id: string, signal?: AbortSignal) =>
  api.get<LinkedLog>(`/api/admin/logs/${encodeURIComponent(id)}`, undefined, signal);

/** Deletes every logged request, or those before `before` (an ISO instant). */
export const purgeLogs = (api: Api, before?: string) =>
  api.send<{ deleted: number }>('DELETE', '/api/admin/logs', undefined, before ? { before } : {});

/** Hash links between the records. */
export const links = {
  transaction: (id: string) => `#/transactions/${encodeURIComponent(id)}`,
  job: (id: string) => `#/jobs/${encodeURIComponent(id)}`,
  log: (id: string) => `#/logs/${encodeURIComponent(id)}`,
  /** The request log filtered by one correlation id (admin calls included). */
  correlation: (correlationId: string) => `#/logs/correlation/${encodeURIComponent(correlationId)}`,
};

/** Pretty JSON as text (the caller puts it in a text node, never markup). */
export const prettyJson = (value: unknown): string => JSON.stringify(value, null, 2);
