import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { LOG_LEVEL_NAMES, LogLevelName } from '../common/json-logger';

export type AppRole = 'api' | 'worker' | 'all';

/** The whole environment, read and validated once at boot. Nothing else reads `process.env`. */
export interface AppConfig {
  port: number;
  /** LOG_LEVEL: the least severe level written to stdout. */
  logLevel: LogLevelName;
  /**
   * SHUTDOWN_DELAY_MS: after SIGTERM, how long the instance keeps serving with /health/ready at 503
   * before it drains, so that load balancers see it leave before its listener closes.
   */
  shutdownDelayMs: number;
  publicBaseUrl?: string;
  databaseUrl?: string;
  redisUrl?: string;
  appRole: AppRole;
  /** Jobs one worker process runs at once. */
  jobConcurrency: number;
  dataDir: string;
  bodyLimitBytes: number;
  rateLimits: boolean;
  /** The current server key: JWT_SECRET or JWT_SECRET_FILE; unset only on the embedded default. */
  jwtSecret?: string;
  /** During a rotation, the key before it: still accepted, never used for anything new. */
  jwtSecretPrevious?: string;
  /** Key-file problems that do not stop the start; logged when the server key is loaded. */
  serverKeyWarnings: string[];
  /** Express `trust proxy` (TRUST_PROXY): whose X-Forwarded-* headers are believed. */
  trustProxy: false | number | string[];
  defaultTenantId: string;
  provisioningApiToken?: string;
  scimSharedSecret?: string;
  oauthClient?: { clientId: string; clientSecret: string };
  partner?: { secretKey: string; orgCode: string };
  adminToken?: string;
  requestLog: RequestLogConfig;
  retention: RetentionConfig;
  fairShare: FairShareConfig;
  metrics: MetricsConfig;
}

/** Prometheus metrics (src/metrics); off, and nothing collected, unless one of the two is set. */
export interface MetricsConfig {
  /** METRICS_TOKEN: `GET /metrics` on the main port answers to `Authorization: Bearer <token>`. */
  token?: string;
  /** METRICS_PORT: a separate plain listener serving only /metrics, without a token. */
  port?: number;
  /** METRICS_HOST: the address that listener binds (default 0.0.0.0). */
  host: string;
}

/** How long finished provisioning data is kept (src/provisioning, src/jobs); `null` keeps it forever. */
export interface RetentionConfig {
  /** TRANSACTION_RETENTION_DAYS: ended transactions and their operations, counted from their end. */
  transactionDays: number | null;
  /** JOB_RETENTION_DAYS: finished jobs, counted from their end. */
  jobDays: number | null;
  /**
   * EVENT_RETENTION_DAYS: change events (the feed, the history), counted from when they occurred;
   * an event a stream of its tenant has not passed yet is kept.
   */
  eventDays: number | null;
  /**
   * TRANSACTION_OPEN_TTL_MINUTES: an OPEN transaction idle this long (since its checkpoint or its
   * last queued operation) ends EXPIRED; null (0) leaves it open forever.
   */
  openTransactionMinutes: number | null;
}

/** At most `limit` requests in any sliding window of `windowMs`. */
export interface RateWindow {
  limit: number;
  windowMs: number;
}

/** Rate limits and per-tenant concurrency (issue 14, "fair share"); off with RATE_LIMITS=off except the gate. */
export interface FairShareConfig {
  /** RATE_LIMIT_SCIM: SCIM requests per credential. */
  scim: RateWindow;
  /** RATE_LIMIT_ADMIN: admin API requests per credential. */
  admin: RateWindow;
  /** RATE_LIMIT_OAUTH_CLIENT_FAILURES: failed `/oauth/token` attempts per client id. */
  oauthClientFailures: RateWindow;
  /** RATE_LIMIT_OAUTH_ADDRESS_FAILURES: failed `/oauth/token` attempts per client address. */
  oauthAddressFailures: RateWindow;
  /** TENANT_CONCURRENCY: requests of one tenant handled at once per instance while other tenants are active; 0 = off. */
  tenantConcurrency: number;
  /** TENANT_BURST: requests of a tenant handled at once while it is alone; `undefined` = the pool size. */
  tenantBurst?: number;
  /** TENANT_QUEUE: requests of one tenant waiting for a slot at most; beyond, 429 at once. */
  tenantQueue: number;
  /** TENANT_QUEUE_WAIT_MS: longest wait for a slot before 429. */
  tenantQueueWaitMs: number;
}

/** Capture of API requests for operators (src/request-log). */
export interface RequestLogConfig {
  /** REQUEST_LOG: off disables capture; the admin API and retention still work. */
  enabled: boolean;
  /** Bodies beyond this many bytes are stored truncated. */
  bodyLimitBytes: number;
  /** REQUEST_LOG_BODY_RATE: body bytes one tenant may have logged per second, on average. */
  bodyRateBytes: number;
  /** Rows waiting for their INSERT at most; beyond, new rows are dropped and counted. */
  bufferRows: number;
  retentionDays: number;
  maxRows: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const MIN_SECRET_LENGTH = 16;
const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface LoadOptions {
  /**
   * The service itself refuses PostgreSQL without a server key from outside the database; tools
   * that never touch a key (migrations, the key export) do not need one.
   */
  requireServerKey?: boolean;
}

/** Parses the environment into a typed config; throws a `ConfigError` naming the first bad variable. */
export function loadConfig(env: Env = process.env, options: LoadOptions = {}): AppConfig {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const oauthClientId = read('OAUTH_CLIENT_ID');
  const oauthClientSecret = secret(read, 'OAUTH_CLIENT_SECRET');
  requirePair('OAUTH_CLIENT_ID', oauthClientId, 'OAUTH_CLIENT_SECRET', oauthClientSecret);
  const partnerSecret = secret(read, 'WRAPPER_SECRET_KEY');
  const partnerOrgCode = read('WRAPPER_ORG_CODE');
  requirePair('WRAPPER_SECRET_KEY', partnerSecret, 'WRAPPER_ORG_CODE', partnerOrgCode);
  const databaseUrl = connectionUrl('DATABASE_URL', read('DATABASE_URL'), ['postgres:', 'postgresql:']);
  const serverKeyWarnings: string[] = [];
  const jwtSecret = serverSecret(read, 'JWT_SECRET', serverKeyWarnings);
  const jwtSecretPrevious = serverSecret(read, 'JWT_SECRET_PREVIOUS', serverKeyWarnings);
  if (jwtSecretPrevious !== undefined && jwtSecret === undefined) {
    throw new ConfigError('JWT_SECRET', 'must be set when JWT_SECRET_PREVIOUS is set (the new key of the rotation)');
  }
  if (databaseUrl && !jwtSecret && options.requireServerKey !== false) {
    throw new ConfigError(
      'JWT_SECRET',
      'or JWT_SECRET_FILE must be set when DATABASE_URL is set: the server key must not live in the database. ' +
        'Make one with `openssl rand -base64 48`. Upgrading from a version that stored it in server_settings? ' +
        'Run `npm run key:export -- --out FILE` and set JWT_SECRET_FILE=FILE.',
    );
  }

  return {
    port: port(read('PORT')),
    logLevel: logLevel(read('LOG_LEVEL')),
    shutdownDelayMs: wholeNumber('SHUTDOWN_DELAY_MS', read('SHUTDOWN_DELAY_MS'), 3000, 0, 120_000),
    publicBaseUrl: httpUrl('PUBLIC_BASE_URL', read('PUBLIC_BASE_URL'))?.replace(/\/+$/, ''),
    databaseUrl,
    redisUrl: connectionUrl('REDIS_URL', read('REDIS_URL'), ['redis:', 'rediss:']),
    appRole: oneOf('APP_ROLE', read('APP_ROLE') ?? 'all', ['api', 'worker', 'all'] as const),
    jobConcurrency: wholeNumber('JOB_CONCURRENCY', read('JOB_CONCURRENCY'), 2, 1, 32),
    dataDir: path.resolve(read('DATA_DIR') ?? './.data'),
    bodyLimitBytes: byteSize('BODY_LIMIT', read('BODY_LIMIT') ?? '10mb'),
    rateLimits: oneOf('RATE_LIMITS', (read('RATE_LIMITS') ?? 'on').toLowerCase(), ['on', 'off'] as const) === 'on',
    jwtSecret,
    jwtSecretPrevious: jwtSecretPrevious === jwtSecret ? undefined : jwtSecretPrevious,
    serverKeyWarnings,
    trustProxy: trustProxy(read('TRUST_PROXY')),
    defaultTenantId: tenantId(read('DEFAULT_TENANT_ID') ?? 'default'),
    provisioningApiToken: secret(read, 'PROVISIONING_API_TOKEN'),
    scimSharedSecret: secret(read, 'SCIM_SHARED_SECRET'),
    oauthClient:
      oauthClientId && oauthClientSecret ? { clientId: oauthClientId, clientSecret: oauthClientSecret } : undefined,
    partner: partnerSecret && partnerOrgCode ? { secretKey: partnerSecret, orgCode: partnerOrgCode } : undefined,
    adminToken: secret(read, 'ADMIN_TOKEN'),
    requestLog: {
      enabled: oneOf('REQUEST_LOG', (read('REQUEST_LOG') ?? 'on').toLowerCase(), ['on', 'off'] as const) === 'on',
      bodyLimitBytes: byteSize('REQUEST_LOG_BODY_LIMIT', read('REQUEST_LOG_BODY_LIMIT') ?? '64kb'),
      bodyRateBytes: byteSize('REQUEST_LOG_BODY_RATE', read('REQUEST_LOG_BODY_RATE') ?? '512kb'),
      bufferRows: wholeNumber('REQUEST_LOG_BUFFER', read('REQUEST_LOG_BUFFER'), 10_000, 1, 1_000_000),
      retentionDays: wholeNumber('REQUEST_LOG_RETENTION_DAYS', read('REQUEST_LOG_RETENTION_DAYS'), 30, 1, 36_500),
      maxRows: wholeNumber('REQUEST_LOG_MAX_ROWS', read('REQUEST_LOG_MAX_ROWS'), 1_000_000, 1, 1_000_000_000),
    },
    retention: {
      transactionDays: retentionDays('TRANSACTION_RETENTION_DAYS', read('TRANSACTION_RETENTION_DAYS'), 90),
      jobDays: retentionDays('JOB_RETENTION_DAYS', read('JOB_RETENTION_DAYS'), 30),
      eventDays: retentionDays('EVENT_RETENTION_DAYS', read('EVENT_RETENTION_DAYS'), 90),
      openTransactionMinutes:
        wholeNumber('TRANSACTION_OPEN_TTL_MINUTES', read('TRANSACTION_OPEN_TTL_MINUTES'), 1440, 0, 525_600) || null,
    },
    fairShare: {
      scim: rateWindow('RATE_LIMIT_SCIM', read('RATE_LIMIT_SCIM') ?? '1000/10s'),
      admin: rateWindow('RATE_LIMIT_ADMIN', read('RATE_LIMIT_ADMIN') ?? '600/min'),
      oauthClientFailures: rateWindow(
        'RATE_LIMIT_OAUTH_CLIENT_FAILURES',
        read('RATE_LIMIT_OAUTH_CLIENT_FAILURES') ?? '10/min',
      ),
      oauthAddressFailures: rateWindow(
        'RATE_LIMIT_OAUTH_ADDRESS_FAILURES',
        read('RATE_LIMIT_OAUTH_ADDRESS_FAILURES') ?? '30/min',
      ),
      tenantConcurrency: wholeNumber('TENANT_CONCURRENCY', read('TENANT_CONCURRENCY'), 1, 0, 1000),
      tenantBurst: optionalWholeNumber('TENANT_BURST', read('TENANT_BURST'), 1, 1000),
      tenantQueue: wholeNumber('TENANT_QUEUE', read('TENANT_QUEUE'), 64, 0, 100_000),
      tenantQueueWaitMs: wholeNumber('TENANT_QUEUE_WAIT_MS', read('TENANT_QUEUE_WAIT_MS'), 5000, 0, 60_000),
    },
    metrics: metricsConfig(read),
  };
}

function metricsConfig(read: (name: string) => string | undefined): MetricsConfig {
  const token = secret(read, 'METRICS_TOKEN');
  const metricsPort = read('METRICS_PORT');
  const host = read('METRICS_HOST') ?? '0.0.0.0';
  if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/.test(host)) {
    throw new ConfigError('METRICS_HOST', `must be an IP address or a host name, got "${host}"`);
  }
  const port = metricsPort === undefined ? undefined : wholeNumber('METRICS_PORT', metricsPort, 0, 1, 65535);
  if (port !== undefined && port === portOf(read('PORT'))) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port}): it opens a listener of its own`);
  }
  return { token, port, host };
}

const WINDOW_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * `600/10s`, `10/min`, `5/2m`, or a bare number meaning per minute (seed 004 counts per minute).
 * The window is between 1 s and 1 h: a sliding log keeps one entry per request in it.
 */
export function rateWindow(name: string, value: string): RateWindow {
  const match = /^(\d+)(?:\s*\/\s*(\d*)\s*(ms|s|sec|m|min|h))?$/i.exec(value);
  const limit = match ? Number(match[1]) : NaN;
  const windowMs = match?.[3] ? Number(match[2] || '1') * WINDOW_UNITS_MS[match[3].toLowerCase()] : 60_000;
  if (!(limit >= 1 && limit <= 1_000_000) || !(windowMs >= 1000 && windowMs <= 3_600_000)) {
    throw new ConfigError(
      name,
      `must be "<requests>/<window>" such as "600/10s" or "10/min" (1 to 1000000 requests, window 1s to 1h), got "${value}"`,
    );
  }
  return { limit, windowMs };
}

function optionalWholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined {
  return value === undefined ? undefined : wholeNumber(name, value, min, min, max);
}

/** Days from 1 to 36500, or `off` (or 0): keep forever. */
function retentionDays(name: string, value: string | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  const days = Number(value);
  if (value.toLowerCase() === 'off' || (/^\d+$/.test(value) && days === 0)) return null;
  if (!/^\d+$/.test(value) || days > 36_500) {
    throw new ConfigError(name, `must be off or a number of days from 1 to 36500, got "${value}"`);
  }
  return days;
}

/** `info` by default; `log` is accepted for it (Nest's name). */
function logLevel(value: string | undefined): LogLevelName {
  const name = (value ?? 'info').toLowerCase();
  return oneOf('LOG_LEVEL', name === 'log' ? 'info' : name, LOG_LEVEL_NAMES);
}

/** PORT as `port` reads it, or undefined when that is invalid (reported there). */
function portOf(value: string | undefined): number | undefined {
  try {
    return port(value);
  } catch {
    return undefined;
  }
}

function port(value: string | undefined): number {
  if (value === undefined) return 3000;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 65535) {
    throw new ConfigError('PORT', `must be a whole number from 1 to 65535, got "${value}"`);
  }
  return parsed;
}

function wholeNumber(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < min || parsed > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${value}"`);
  }
  return parsed;
}

function httpUrl(name: string, value: string | undefined): string | undefined {
  return connectionUrl(name, value, ['http:', 'https:']);
}

function connectionUrl(name: string, value: string | undefined, protocols: string[]): string | undefined {
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `is not a valid URL (expected ${protocols.join(' or ')}//...)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Accepts the forms body-parser accepts for its `limit`: `10mb`, `512kb`, `1048576`. */
export function byteSize(name: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(value);
  const bytes = match ? Math.floor(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1024) {
    throw new ConfigError(name, `must be a size of at least 1kb such as "10mb" or "512kb", got "${value}"`);
  }
  return bytes;
}

function tenantId(value: string): string {
  if (!TENANT_ID_PATTERN.test(value)) {
    throw new ConfigError(
      'DEFAULT_TENANT_ID',
      `must be 1-64 letters, digits, ".", "_" or "-" starting with a letter or digit, got "${value}"`,
    );
  }
  return value;
}

function secret(
  read: (name: string) => string | undefined,
  name: string,
  minLength = MIN_SECRET_LENGTH,
): string | undefined {
  const value = read(name);
  if (value !== undefined && value.length < minLength) {
    // The value itself is never echoed: it is a secret.
    throw new ConfigError(name, `must be at least ${minLength} characters long`);
  }
  return value;
}

const MIN_SERVER_KEY_LENGTH = 32;

/**
 * NAME or NAME_FILE (a path to a file holding it, as Docker and Kubernetes secrets are mounted).
 * A key file readable by group or others is only warned about: container secret mounts are 0444
 * or 0644 by default and the container is their boundary.
 */
function serverSecret(
  read: (name: string) => string | undefined,
  name: string,
  warnings: string[],
): string | undefined {
  const fileName = `${name}_FILE`;
  const file = read(fileName);
  if (file !== undefined && read(name) !== undefined) {
    throw new ConfigError(fileName, `and ${name} are both set: set one of them`);
  }
  if (file === undefined) return secret(read, name, MIN_SERVER_KEY_LENGTH);
  let value: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new Error('not a file');
    if ((stat.mode & 0o077) !== 0) {
      warnings.push(
        `${fileName}: ${file} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
    value = fs.readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(fileName, `names a file that cannot be read: ${file}`);
  }
  if (value.length < MIN_SERVER_KEY_LENGTH) {
    throw new ConfigError(fileName, `must name a file holding at least ${MIN_SERVER_KEY_LENGTH} characters`);
  }
  return value;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * Off by default: X-Forwarded-Proto/-Host/-For are believed only from proxies named here, as a hop
 * count or addresses. "Trust everyone" is not offered: it would let any client forge them.
 */
function trustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined || ['off', 'false', 'none', '0'].includes(value.toLowerCase())) return false;
  if (/^\d+$/.test(value)) return wholeNumber('TRUST_PROXY', value, 0, 1, 10);
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const prefixOk =
      prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32) && family !== 0);
    if (!(PROXY_NAMES.includes(entry) || (family !== 0 && prefixOk && rest.length === 0))) {
      throw new ConfigError(
        'TRUST_PROXY',
        `must be off, a hop count from 1 to 10, or a comma-separated list of ${PROXY_NAMES.join(', ')}, IP addresses and CIDR subnets, got "${entry}"`,
      );
    }
  }
  return entries;
}

function requirePair(nameA: string, a: unknown, nameB: string, b: unknown): void {
  if (a !== undefined && b === undefined) throw new ConfigError(nameB, `must be set when ${nameA} is set`);
  if (b !== undefined && a === undefined) throw new ConfigError(nameA, `must be set when ${nameB} is set`);
}
