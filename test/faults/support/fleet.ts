import * as http from 'node:http';
import { randomSecret } from '../../support/test-app';
import { launchService, ServiceProcess, waitForListening } from '../../support/service-process';
import { PostgresServer, query, RedisServer, startPostgres, startRedis } from './servers';

/**
 * A fleet of real service processes on a PostgreSQL and a Redis of the test's own: what a fault
 * test breaks and then inspects. Every process gets the same secrets and database.
 */
export interface Fleet {
  postgres: PostgresServer;
  redis: RedisServer;
  /** The service's database on `postgres`. */
  databaseUrl: string;
  secrets: { apiToken: string; scimSecret: string; adminToken: string; jwtSecret: string };
  start(role: 'api' | 'worker' | 'all', env?: Record<string, string>): Promise<ServiceProcess>;
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Kills every process (SIGKILL if it is still running) and removes both servers. */
  destroy(): Promise<void>;
}

export async function startFleet(): Promise<Fleet> {
  const postgres = await startPostgres();
  const redis = await startRedis();
  await query(postgres.url, 'CREATE DATABASE idp');
  const databaseUrl = postgres.url.replace(/\/postgres$/, '/idp');
  const secrets = {
    apiToken: randomSecret('api'),
    scimSecret: randomSecret('scim'),
    adminToken: randomSecret('admin'),
    jwtSecret: randomSecret('fault-test-jwt-secret-long-enough'),
  };
  const processes: ServiceProcess[] = [];
  return {
    postgres,
    redis,
    databaseUrl,
    secrets,
    start: async (role, env = {}) => {
      const service = await launchService({
        APP_ROLE: role,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        PROVISIONING_API_TOKEN: secrets.apiToken,
        SCIM_SHARED_SECRET: secrets.scimSecret,
        ADMIN_TOKEN: secrets.adminToken,
        JWT_SECRET: secrets.jwtSecret,
        RATE_LIMITS: 'off',
        ...env,
      });
      processes.push(service);
      await waitForListening(service);
      return service;
    },
    sql: (text, params) => query(databaseUrl, text, params),
    destroy: async () => {
      for (const service of processes) if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await Promise.all(processes.map((service) => service.exited));
      await redis.destroy();
      postgres.destroy();
    },
  };
}

/** What one request came to: a status and body, or the network error's code. */
export interface Outcome {
  status?: number;
  body?: string;
  error?: string;
  ms: number;
  startedAt: number;
}

export interface Request {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
  agent?: http.Agent;
  timeoutMs?: number;
}

/** One HTTP request over node:http, so a reset, a refusal and a timeout are told apart by code. */
export function send(base: string, request: Request): Promise<Outcome> {
  const startedAt = Date.now();
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  return new Promise((resolve) => {
    const done = (outcome: Omit<Outcome, 'ms' | 'startedAt'>) =>
      resolve({ ...outcome, ms: Date.now() - startedAt, startedAt });
    const req = http.request(
      `${base}${request.path}`,
      {
        method: request.method ?? 'GET',
        agent: request.agent,
        headers: {
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...request.headers,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => done({ status: res.statusCode, body }));
        res.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
      },
    );
    req.setTimeout(request.timeoutMs ?? 15_000, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })),
    );
    req.on('error', (error: NodeJS.ErrnoException) => done({ error: error.code ?? error.message }));
    req.end(payload);
  });
}

/** `send` that expects a 2xx and answers the parsed body. */
export async function call<T = any>(base: string, request: Request): Promise<T> {
  const outcome = await send(base, request);
  if (outcome.status === undefined || outcome.status >= 300) {
    throw new Error(
      `${request.method ?? 'GET'} ${request.path}: ${outcome.status ?? outcome.error} ${outcome.body ?? ''}`,
    );
  }
  return (outcome.body ? JSON.parse(outcome.body) : undefined) as T;
}

/** A SCIM User resource as an identity provider POSTs it. */
export const scimUser = (userName: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  ...extra,
});

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `read` until `done` holds; fails naming `what` after `timeoutMs`. */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached in ${timeoutMs} ms (last: ${JSON.stringify(value)})`);
    await pause(100);
  }
}

/** Stages `users` user operations in a new transaction of the default tenant and commits it. */
export async function commitUsers(base: string, apiToken: string, prefix: string, users: number): Promise<string> {
  const headers = { 'auth-tenant-id': 'default', 'auth-token': apiToken };
  const iam = '/api/provisioning/iam';
  const { transactionId } = await call<{ transactionId: string }>(base, {
    method: 'POST',
    path: `${iam}/checkpoint`,
    headers,
  });
  for (let start = 0; start < users; start += 1000) {
    const items = Array.from({ length: Math.min(1000, users - start) }, (_, k) => ({
      externalId: `${prefix}-${start + k}`,
      email: `${prefix}.${start + k}@example.com`,
      firstName: 'Fault',
    }));
    await call(base, { method: 'POST', path: `${iam}/${transactionId}/user`, headers, body: items });
  }
  await call(base, { method: 'POST', path: `${iam}/${transactionId}/commit`, headers });
  return transactionId;
}

/** What the database says of a committed transaction's users and operations. */
export async function appliedOnce(fleet: Fleet, transactionId: string, prefix: string) {
  const [tx] = await fleet.sql<{ status: string; job_id: string }>(
    'SELECT status, job_id FROM provisioning_transactions WHERE id = $1',
    [transactionId],
  );
  const [users] = await fleet.sql(
    `SELECT count(*)::int AS users, count(DISTINCT external_id)::int AS distinct_ids, max(version)::int AS max_version
       FROM users WHERE external_id LIKE $1`,
    [`${prefix}-%`],
  );
  const operations = await fleet.sql(
    'SELECT status, count(*)::int AS n FROM provisioning_operations WHERE transaction_id = $1 GROUP BY status',
    [transactionId],
  );
  const [job] = await fleet.sql('SELECT status, attempts FROM backend_jobs WHERE id = $1', [tx.job_id]);
  return { transaction: tx.status, users, operations, job };
}
