import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { byteSize, ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('gives the contract defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      logLevel: 'info',
      shutdownDelayMs: 3000,
      publicBaseUrl: undefined,
      databaseUrl: undefined,
      redisUrl: undefined,
      appRole: 'all',
      jobConcurrency: 2,
      dataDir: path.resolve('./.data'),
      bodyLimitBytes: 10 * 1024 * 1024,
      rateLimits: true,
      jwtSecret: undefined,
      jwtSecretPrevious: undefined,
      serverKeyWarnings: [],
      trustProxy: false,
      defaultTenantId: 'default',
      provisioningApiToken: undefined,
      scimSharedSecret: undefined,
      oauthClient: undefined,
      partner: undefined,
      adminToken: undefined,
      requestLog: {
        enabled: true,
        bodyLimitBytes: 64 * 1024,
        bodyRateBytes: 512 * 1024,
        bufferRows: 10_000,
        retentionDays: 30,
        maxRows: 1_000_000,
      },
      retention: { transactionDays: 90, jobDays: 30, eventDays: 90, openTransactionMinutes: 1440 },
      fairShare: {
        scim: { limit: 1000, windowMs: 10_000 },
        admin: { limit: 600, windowMs: 60_000 },
        oauthClientFailures: { limit: 10, windowMs: 60_000 },
        oauthAddressFailures: { limit: 30, windowMs: 60_000 },
        tenantConcurrency: 1,
        tenantBurst: undefined,
        tenantQueue: 64,
        tenantQueueWaitMs: 5000,
      },
      metrics: { token: undefined, port: undefined, host: '0.0.0.0' },
    });
  });

  it('reads the metrics token, port and host', () => {
    expect(
      loadConfig({ METRICS_TOKEN: 'm'.repeat(16), METRICS_PORT: '9464', METRICS_HOST: '10.0.0.5' }).metrics,
    ).toEqual({
      token: 'm'.repeat(16),
      port: 9464,
      host: '10.0.0.5',
    });
    expect(loadConfig({ PORT: '8080', METRICS_PORT: '3000', METRICS_HOST: 'metrics.internal' }).metrics).toEqual({
      token: undefined,
      port: 3000,
      host: 'metrics.internal',
    });
  });

  it('reads rate limits as requests per window, a bare number per minute', () => {
    const { fairShare } = loadConfig({
      RATE_LIMIT_SCIM: '600/10s',
      RATE_LIMIT_ADMIN: '50',
      RATE_LIMIT_OAUTH_CLIENT_FAILURES: '5 / min',
      RATE_LIMIT_OAUTH_ADDRESS_FAILURES: '100/1h',
      TENANT_CONCURRENCY: '0',
      TENANT_BURST: '4',
      TENANT_QUEUE: '8',
      TENANT_QUEUE_WAIT_MS: '250',
    });
    expect(fairShare).toEqual({
      scim: { limit: 600, windowMs: 10_000 },
      admin: { limit: 50, windowMs: 60_000 },
      oauthClientFailures: { limit: 5, windowMs: 60_000 },
      oauthAddressFailures: { limit: 100, windowMs: 3_600_000 },
      tenantConcurrency: 0,
      tenantBurst: 4,
      tenantQueue: 8,
      tenantQueueWaitMs: 250,
    });
  });

  it.each([
    ['RATE_LIMIT_SCIM', { RATE_LIMIT_SCIM: '0/10s' }],
    ['RATE_LIMIT_SCIM', { RATE_LIMIT_SCIM: '10/500ms' }],
    ['RATE_LIMIT_ADMIN', { RATE_LIMIT_ADMIN: 'lots' }],
    ['RATE_LIMIT_OAUTH_CLIENT_FAILURES', { RATE_LIMIT_OAUTH_CLIENT_FAILURES: '10/day' }],
    ['TENANT_CONCURRENCY', { TENANT_CONCURRENCY: '-1' }],
    ['TENANT_QUEUE_WAIT_MS', { TENANT_QUEUE_WAIT_MS: '61000' }],
    ['EVENT_RETENTION_DAYS', { EVENT_RETENTION_DAYS: '-1' }],
    ['EVENT_RETENTION_DAYS', { EVENT_RETENTION_DAYS: '36501' }],
  ])('refuses a bad %s', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('reads retention in days, off or 0 keeping data forever', () => {
    expect(
      loadConfig({ TRANSACTION_RETENTION_DAYS: '365', JOB_RETENTION_DAYS: '7', EVENT_RETENTION_DAYS: '14' }).retention,
    ).toEqual({
      transactionDays: 365,
      jobDays: 7,
      eventDays: 14,
      openTransactionMinutes: 1440,
    });
    expect(
      loadConfig({ TRANSACTION_RETENTION_DAYS: 'OFF', JOB_RETENTION_DAYS: '0', EVENT_RETENTION_DAYS: 'off' }).retention,
    ).toEqual({
      transactionDays: null,
      jobDays: null,
      eventDays: null,
      openTransactionMinutes: 1440,
    });
  });

  it('expires OPEN transactions after TRANSACTION_OPEN_TTL_MINUTES, 0 never', () => {
    expect(loadConfig({ TRANSACTION_OPEN_TTL_MINUTES: '30' }).retention.openTransactionMinutes).toBe(30);
    expect(loadConfig({ TRANSACTION_OPEN_TTL_MINUTES: '0' }).retention.openTransactionMinutes).toBeNull();
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_BASE_URL: 'https://idp.example.com/',
      DATABASE_URL: 'postgres://u:p@db:5432/idp',
      REDIS_URL: 'redis://cache:6379',
      APP_ROLE: 'worker',
      DATA_DIR: '/var/lib/idp',
      BODY_LIMIT: '512kb',
      RATE_LIMITS: 'OFF',
      JWT_SECRET: 'x'.repeat(32),
      DEFAULT_TENANT_ID: 'acme',
      PROVISIONING_API_TOKEN: 'a'.repeat(16),
      SCIM_SHARED_SECRET: 'b'.repeat(16),
      OAUTH_CLIENT_ID: 'client',
      OAUTH_CLIENT_SECRET: 'c'.repeat(16),
      WRAPPER_SECRET_KEY: 'd'.repeat(16),
      WRAPPER_ORG_CODE: 'ACME',
      ADMIN_TOKEN: 'e'.repeat(16),
      REQUEST_LOG: 'Off',
      REQUEST_LOG_BODY_LIMIT: '1mb',
      REQUEST_LOG_BUFFER: '500',
      REQUEST_LOG_RETENTION_DAYS: '7',
      REQUEST_LOG_MAX_ROWS: '5000',
    });
    expect(config).toMatchObject({
      port: 8080,
      publicBaseUrl: 'https://idp.example.com',
      appRole: 'worker',
      dataDir: '/var/lib/idp',
      bodyLimitBytes: 512 * 1024,
      rateLimits: false,
      defaultTenantId: 'acme',
      oauthClient: { clientId: 'client', clientSecret: 'c'.repeat(16) },
      partner: { secretKey: 'd'.repeat(16), orgCode: 'ACME' },
      requestLog: { enabled: false, bodyLimitBytes: 1024 * 1024, bufferRows: 500, retentionDays: 7, maxRows: 5000 },
    });
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://x' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://x/y' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['APP_ROLE', { APP_ROLE: 'both' }],
    ['JOB_CONCURRENCY', { JOB_CONCURRENCY: '0' }],
    ['BODY_LIMIT', { BODY_LIMIT: 'lots' }],
    ['BODY_LIMIT', { BODY_LIMIT: '10' }],
    ['RATE_LIMITS', { RATE_LIMITS: 'maybe' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['DEFAULT_TENANT_ID', { DEFAULT_TENANT_ID: 'has spaces' }],
    ['PROVISIONING_API_TOKEN', { PROVISIONING_API_TOKEN: 'short' }],
    ['OAUTH_CLIENT_SECRET', { OAUTH_CLIENT_ID: 'client' }],
    ['OAUTH_CLIENT_ID', { OAUTH_CLIENT_SECRET: 'c'.repeat(16) }],
    ['WRAPPER_ORG_CODE', { WRAPPER_SECRET_KEY: 'd'.repeat(16) }],
    ['ADMIN_TOKEN', { ADMIN_TOKEN: 'tiny' }],
    ['REQUEST_LOG', { REQUEST_LOG: 'yes' }],
    ['REQUEST_LOG_BODY_LIMIT', { REQUEST_LOG_BODY_LIMIT: 'big' }],
    ['REQUEST_LOG_BODY_LIMIT', { REQUEST_LOG_BODY_LIMIT: '100b' }],
    ['REQUEST_LOG_BUFFER', { REQUEST_LOG_BUFFER: '0' }],
    ['REQUEST_LOG_BUFFER', { REQUEST_LOG_BUFFER: '-5' }],
    ['REQUEST_LOG_RETENTION_DAYS', { REQUEST_LOG_RETENTION_DAYS: 'month' }],
    ['REQUEST_LOG_RETENTION_DAYS', { REQUEST_LOG_RETENTION_DAYS: '0' }],
    ['REQUEST_LOG_MAX_ROWS', { REQUEST_LOG_MAX_ROWS: '1e6' }],
    ['TRANSACTION_RETENTION_DAYS', { TRANSACTION_RETENTION_DAYS: 'forever' }],
    ['TRANSACTION_RETENTION_DAYS', { TRANSACTION_RETENTION_DAYS: '36501' }],
    ['JOB_RETENTION_DAYS', { JOB_RETENTION_DAYS: '-1' }],
    ['TRANSACTION_OPEN_TTL_MINUTES', { TRANSACTION_OPEN_TTL_MINUTES: '1h' }],
    ['TRANSACTION_OPEN_TTL_MINUTES', { TRANSACTION_OPEN_TTL_MINUTES: '525601' }],
    ['JOB_RETENTION_DAYS', { JOB_RETENTION_DAYS: '1.5' }],
    ['JWT_SECRET', { DATABASE_URL: 'postgres://db/idp' }],
    ['JWT_SECRET', { JWT_SECRET_PREVIOUS: 'p'.repeat(32) }],
    ['JWT_SECRET_PREVIOUS', { JWT_SECRET: 'x'.repeat(32), JWT_SECRET_PREVIOUS: 'short' }],
    ['JWT_SECRET_FILE', { JWT_SECRET_FILE: '/nonexistent/server.key' }],
    ['JWT_SECRET_FILE', { JWT_SECRET_FILE: '/etc/hostname', JWT_SECRET: 'x'.repeat(32) }],
    ['TRUST_PROXY', { TRUST_PROXY: 'true' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/99' }],
    ['TRUST_PROXY', { TRUST_PROXY: '11' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'trace' }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '3s' }],
    ['SHUTDOWN_DELAY_MS', { SHUTDOWN_DELAY_MS: '120001' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['METRICS_PORT', { METRICS_PORT: 'prometheus' }],
    ['METRICS_PORT', { METRICS_PORT: '0' }],
    ['METRICS_PORT', { METRICS_PORT: '3000' }],
    ['METRICS_PORT', { PORT: '9464', METRICS_PORT: '9464' }],
    ['METRICS_HOST', { METRICS_HOST: 'not a host' }],
  ])('refuses a bad %s, naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });

  it('never echoes a secret it refuses', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'hunter2' })).toThrow(/^(?!.*hunter2)/);
  });

  it('refuses PostgreSQL without a server key from outside the database, and says how to make one', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/idp' })).toThrow(/openssl rand -base64 48/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/idp' })).toThrow(/key:export/);
    // Tools that touch no key (migrations, the key export) may run without one.
    expect(loadConfig({ DATABASE_URL: 'postgres://db/idp' }, { requireServerKey: false }).jwtSecret).toBeUndefined();
  });

  describe('key files', () => {
    let dir: string;
    beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idp-config-'))));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
    const keyFile = (name: string, content: string, mode: number): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, content, { mode });
      fs.chmodSync(file, mode);
      return file;
    };

    it('reads the current and the previous key from files, trimmed, and warns about a wide mode', () => {
      const config = loadConfig({
        DATABASE_URL: 'postgres://db/idp',
        JWT_SECRET_FILE: keyFile('current', `${'k'.repeat(40)}\n`, 0o600),
        JWT_SECRET_PREVIOUS_FILE: keyFile('previous', 'p'.repeat(40), 0o644),
      });
      expect(config.jwtSecret).toBe('k'.repeat(40));
      expect(config.jwtSecretPrevious).toBe('p'.repeat(40));
      expect(config.serverKeyWarnings).toEqual([expect.stringMatching(/^JWT_SECRET_PREVIOUS_FILE: .*\(mode 644\)/)]);
    });

    it('refuses a key file holding a short key without echoing it', () => {
      const env = { JWT_SECRET_FILE: keyFile('short', 'hunter2', 0o600) };
      expect(() => loadConfig(env)).toThrow(
        /^Invalid configuration: JWT_SECRET_FILE must name a file holding at least 32/,
      );
      expect(() => loadConfig(env)).toThrow(/^(?!.*hunter2)/);
    });
  });

  it('reads TRUST_PROXY as off, a hop count or a list of proxies', () => {
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8,::1' }).trustProxy).toEqual([
      'loopback',
      '10.0.0.0/8',
      '::1',
    ]);
  });

  it('reads LOG_LEVEL in any case, `log` as `info`', () => {
    expect(loadConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug');
    expect(loadConfig({ LOG_LEVEL: 'log' }).logLevel).toBe('info');
    expect(loadConfig({ LOG_LEVEL: 'fatal' }).logLevel).toBe('fatal');
  });

  it('reads SHUTDOWN_DELAY_MS, 0 meaning drain at once', () => {
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '0' }).shutdownDelayMs).toBe(0);
    expect(loadConfig({ SHUTDOWN_DELAY_MS: '15000' }).shutdownDelayMs).toBe(15000);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '  ' })).toMatchObject({ port: 3000, databaseUrl: undefined });
  });
});

describe('byteSize', () => {
  it('reads the units body-parser reads', () => {
    expect(byteSize('X', '10mb')).toBe(10485760);
    expect(byteSize('X', '1.5KB')).toBe(1536);
    expect(byteSize('X', '2048')).toBe(2048);
  });
});
