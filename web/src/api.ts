/** The admin API as the page uses it (contract: ADMIN-API, "Admin (operators)"). */

export interface Page<T> {
  total: number;
  page: number;
  pageSize: number;
  items: T[];
  hasNext: boolean;
}

export interface LogSummary {
  id: string;
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  tenantId: string | null;
  credentialId: string | null;
  correlationId: string;
  identifier: string | null;
  errorMessage: string | null;
  authFailure: string | null;
  clientAddress: string | null;
  admin: boolean;
  keepalive: boolean;
}

export interface LogDetail extends LogSummary {
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  requestBodyTruncated: boolean;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  responseBodyTruncated: boolean;
  /** The full row was refused by the database: it was written without its bodies (or bare). */
  detailsOmitted: boolean;
}

export interface LogStats {
  rows: number;
  buffered: number;
  dropped: number;
  detailsOmitted: number;
  oldest: string | null;
}

export interface Transaction {
  id: string;
  tenantId: string;
  status: string;
  operationCount: number;
  completedCount: number;
  failedCount: number;
  donePercentage: number;
  jobId: string | null;
  atomic: boolean;
  createdBy: string;
  createdOn: string;
  committedOn: string | null;
  completedOn: string | null;
}

export interface TransactionFailure {
  orderId: number;
  entityType: string;
  externalId: string | null;
  entityName: string | null;
  errorType: string;
  errorMessage: string;
  failedOn: string;
}

export interface TransactionDetail extends Transaction {
  failures: TransactionFailure[];
}

export interface Job {
  id: string;
  tenantId: string;
  status: string;
  createdBy: string;
  createdOn: string;
  startedOn: string | null;
  finishedOn: string | null;
  job: { type: string; [key: string]: unknown };
  errorMessage: string | null;
  stackTrace: string | null;
  donePercentage: number;
  updates: { timestamp: string; message: string }[];
  results: Record<string, unknown> | null;
}

export interface Tenant {
  id: string;
  name?: string;
}

/** Who is signed in (`GET /api/admin/me`): the page shows only what this credential may see. */
export interface Me {
  credentialId: string;
  name: string;
  kind: string;
  roles: string[];
  scope: 'all' | 'tenant';
  tenantId: string | null;
  tenantName: string | null;
}

export type Query = Record<string, string | number | boolean | undefined>;

/** A failed call, with the message of the error envelope when there is one. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `?a=1&b=2` without the empty values; '' when nothing is left. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '' || value === false) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * Every call carries the admin token in the Authorization header, never in the URL. A 401 signs
 * the page out (the token was revoked, or the server restarted with another one).
 */
export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  headers(accept = 'application/json'): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, Accept: accept };
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    const res = await fetch(path + queryString(query), { headers: this.headers(), cache: 'no-store', signal });
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw new ApiFailure(res.status, await failureMessage(res));
    return (await res.json()) as T;
  }

  /** A call that changes something: JSON body in, JSON (or nothing, 204) out. */
  async send<T>(method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, query?: Query): Promise<T> {
    const headers: Record<string, string> = this.headers();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path + queryString(query), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
    if (res.status === 401) this.onUnauthorized();
    if (!res.ok) throw new ApiFailure(res.status, await failureMessage(res));
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  unauthorized(): void {
    this.onUnauthorized();
  }

  logs = (query: Query, signal?: AbortSignal) => this.get<Page<LogSummary>>('/api/admin/logs', query, signal);
  log = (id: string, signal?: AbortSignal) =>
    this.get<LogDetail>(`/api/admin/logs/${encodeURIComponent(id)}`, undefined, signal);
  logStats = (signal?: AbortSignal) => this.get<LogStats>('/api/admin/logs/stats', undefined, signal);
  transactions = (query: Query, signal?: AbortSignal) =>
    this.get<Page<Transaction>>('/api/admin/transactions', query, signal);
  transaction = (id: string, signal?: AbortSignal) =>
    this.get<TransactionDetail>(`/api/admin/transactions/${encodeURIComponent(id)}`, undefined, signal);
  jobs = (query: Query, signal?: AbortSignal) => this.get<Page<Job>>('/api/admin/jobs', query, signal);
  me = (signal?: AbortSignal) => this.get<Me>('/api/admin/me', undefined, signal);
  tenants = (signal?: AbortSignal) => this.get<{ items: Tenant[] }>('/api/admin/tenants', undefined, signal);
}

/** Checks a token before keeping it: null when accepted, else what to tell the operator. */
export async function checkToken(token: string): Promise<string | null> {
  let res: Response;
  try {
    res = await fetch('/api/admin/tenants', {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    return 'The service did not answer. Check that it is running, then try again.';
  }
  if (res.ok) return null;
  if (res.status === 401) return 'This token was refused (401): it is not a valid admin token.';
  if (res.status === 403) return 'This token is valid but does not hold the ADMIN role (403).';
  return `Sign-in failed: ${await failureMessage(res)}`;
}

export async function failureMessage(res: Response): Promise<string> {
  const fallback = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown };
    const text = typeof body.error === 'string' ? body.error : typeof body.message === 'string' ? body.message : '';
    return text ? `${fallback}: ${text}` : fallback;
  } catch {
    return fallback;
  }
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
