import { Controller, Get, HttpCode, Module, Post, UseGuards } from '@nestjs/common';
import { AuthModule } from '../src/auth/auth.module';
import { ProvisioningAuthGuard } from '../src/auth/provisioning-auth.guard';
import { RequireRoles } from '../src/auth/roles.decorator';
import {
  MemoryRateLimitStore,
  RATE_LIMIT_STORE,
  RateLimit,
  RateLimitGuard,
  RateLimitModule,
  RedisRateLimitStore,
} from '../src/common/rate-limit';
import { EMBEDDED_POSTGRES } from '../src/database/database.module';
import type { EmbeddedPostgres } from '../src/database/embedded-postgres';
import { AppStore, createAppStore, startAppOn, startTestApp, TestApp } from './support/test-app';

const BASE = '/api/provisioning/iam/_rate-limit';
const CLASS_BASE = '/api/provisioning/iam/_rate-limit-class';

/** Routes that exist only in this test, guarded the way route owners guard theirs. */
@Controller('api/provisioning/iam/_rate-limit')
class RateLimitProbeController {
  @Post('checkpoint')
  @HttpCode(200)
  @UseGuards(ProvisioningAuthGuard, RateLimitGuard)
  @RequireRoles('PROVISIONING_UPDATE')
  @RateLimit('checkpoint')
  checkpoint(): { ok: true } {
    return { ok: true };
  }

  @Get('transactions')
  @UseGuards(ProvisioningAuthGuard, RateLimitGuard)
  @RequireRoles('PROVISIONING_SEARCH')
  @RateLimit('list')
  list(): { ok: true } {
    return { ok: true };
  }

  @Post('sync')
  @HttpCode(200)
  @UseGuards(ProvisioningAuthGuard, RateLimitGuard)
  @RequireRoles('PROVISIONING_UPDATE')
  @RateLimit('sync')
  sync(): { ok: true } {
    return { ok: true };
  }
}

/** The other style: both guards on the class, buckets on the routes that have one. */
@Controller('api/provisioning/iam/_rate-limit-class')
@UseGuards(ProvisioningAuthGuard, RateLimitGuard)
class ClassGuardedProbeController {
  @Post('checkpoint')
  @HttpCode(200)
  @RateLimit('checkpoint')
  checkpoint(): { ok: true } {
    return { ok: true };
  }

  @Get('status')
  status(): { ok: true } {
    return { ok: true };
  }
}

// RateLimitModule is imported here until AppModule imports it; importing it twice is harmless.
@Module({
  imports: [AuthModule, RateLimitModule],
  controllers: [RateLimitProbeController, ClassGuardedProbeController],
})
class RateLimitProbeModule {}

const api = (token: string): Record<string, string> => ({ 'auth-tenant-id': 'default', 'auth-token': token });

async function issueToken(t: TestApp, name: string): Promise<string> {
  const res = await t.http
    .post('/api/admin/tenants/default/credentials')
    .set('Authorization', `Bearer ${t.secrets.adminToken}`)
    .send({ kind: 'API_TOKEN', name })
    .expect(201);
  return res.body.secret;
}

function expectRefusal(res: { status: number; headers: Record<string, string>; body: unknown }, bucket: string): void {
  const limit = { checkpoint: 10, list: 100, sync: 50 }[bucket];
  expect(res.status).toBe(429);
  const retryAfter = res.headers['retry-after'];
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  expect(res.headers['x-ratelimit-limit']).toBe(String(limit));
  expect(res.headers['x-ratelimit-remaining']).toBe('0');
  const unit = retryAfter === '1' ? 'second' : 'seconds';
  expect(res.body).toMatchObject({
    status: false,
    message: 'Too many requests',
    error: `Rate limit of ${limit} requests per minute exceeded for ${bucket}; retry after ${retryAfter} ${unit}`,
  });
  expect(Object.keys(res.headers).filter((name) => name.startsWith('retry-after-'))).toEqual([]);
}

describe('rate limits per credential (RATE_LIMITS=on)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, [RateLimitProbeModule]);
  });
  afterAll(() => t.close());

  it('counts in Redis when REDIS_URL is set, else in memory', () => {
    const expected = process.env.REDIS_URL ? RedisRateLimitStore : MemoryRateLimitStore;
    expect(t.app.get(RATE_LIMIT_STORE)).toBeInstanceOf(expected);
  });

  it('allows 10 checkpoints a minute, counting down, and refuses the 11th with 429 and Retry-After', async () => {
    const token = await issueToken(t, 'checkpoint');
    for (let i = 0; i < 10; i++) {
      const res = await t.http.post(`${BASE}/checkpoint`).set(api(token)).expect(200, { ok: true });
      expect(res.headers['x-ratelimit-limit']).toBe('10');
      expect(res.headers['x-ratelimit-remaining']).toBe(String(9 - i));
      expect(res.headers['retry-after']).toBeUndefined();
    }
    expectRefusal(await t.http.post(`${BASE}/checkpoint`).set(api(token)), 'checkpoint');
    // Still refused: refusals do not open the window.
    expectRefusal(await t.http.post(`${BASE}/checkpoint`).set(api(token)), 'checkpoint');
  });

  it('counts per credential: another credential of the same tenant is not affected', async () => {
    const first = t.secrets.apiToken;
    for (let i = 0; i < 10; i++) await t.http.post(`${BASE}/checkpoint`).set(api(first)).expect(200);
    expectRefusal(await t.http.post(`${BASE}/checkpoint`).set(api(first)), 'checkpoint');

    const second = await issueToken(t, 'second');
    const res = await t.http.post(`${BASE}/checkpoint`).set(api(second)).expect(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('9');
    // Buckets are separate too: the exhausted credential can still list and sync.
    await t.http.get(`${BASE}/transactions`).set(api(first)).expect(200);
    await t.http.post(`${BASE}/sync`).set(api(first)).expect(200);
  });

  it('authenticates first: a bad token gets 401, never 429, and uses no budget', async () => {
    const token = await issueToken(t, 'auth-first');
    for (let i = 0; i < 12; i++) {
      await t.http.post(`${BASE}/checkpoint`).set(api('not-a-token')).expect(401);
    }
    const res = await t.http.post(`${BASE}/checkpoint`).set(api(token)).expect(200);
    expect(res.headers['x-ratelimit-remaining']).toBe('9');
  });

  it('with the guards on the class: limits the routes with a bucket, shared by bucket, and no others', async () => {
    const token = await issueToken(t, 'class-guarded');
    for (let i = 0; i < 5; i++) await t.http.post(`${BASE}/checkpoint`).set(api(token)).expect(200);
    for (let i = 0; i < 5; i++) await t.http.post(`${CLASS_BASE}/checkpoint`).set(api(token)).expect(200);
    expectRefusal(await t.http.post(`${CLASS_BASE}/checkpoint`).set(api(token)), 'checkpoint');
    for (let i = 0; i < 30; i++) {
      const res = await t.http.get(`${CLASS_BASE}/status`).set(api(token)).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
    await t.http.get(`${CLASS_BASE}/status`).set(api('not-a-token')).expect(401);
  });

  it('allows 50 sync requests, then 429', async () => {
    const token = await issueToken(t, 'sync');
    for (let i = 0; i < 50; i++) {
      const res = await t.http.post(`${BASE}/sync`).set(api(token)).expect(200);
      expect(res.headers['x-ratelimit-remaining']).toBe(String(49 - i));
    }
    expectRefusal(await t.http.post(`${BASE}/sync`).set(api(token)), 'sync');
  });

  it('allows 100 list requests, then 429', async () => {
    const token = await issueToken(t, 'list');
    for (let i = 0; i < 100; i++) await t.http.get(`${BASE}/transactions`).set(api(token)).expect(200);
    expectRefusal(await t.http.get(`${BASE}/transactions`).set(api(token)), 'list');
  });
});

describe('RATE_LIMITS=off', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' }, [RateLimitProbeModule]);
  });
  afterAll(() => t.close());

  it('limits nothing: 30 checkpoints from one credential all pass, without limit headers', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await t.http.post(`${BASE}/checkpoint`).set(api(t.secrets.apiToken)).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });
});

// Two instances sharing one counter only means something on a shared store: declared when
// REDIS_URL is set (in embedded mode each instance counts for itself by design).
if (process.env.REDIS_URL) {
  describe('a fleet on one Redis', () => {
    let store: AppStore;
    let a: TestApp;
    let b: TestApp;

    beforeAll(async () => {
      store = await createAppStore();
      a = await startAppOn(store, {}, [RateLimitProbeModule]);
      // The same secrets, so starting the second instance rotates nothing. Embedded, the second
      // instance talks to the first one's PostgreSQL (a DATA_DIR serves one process).
      const embedded = store.databaseUrl ? null : a.app.get<EmbeddedPostgres | null>(EMBEDDED_POSTGRES);
      const env = {
        PROVISIONING_API_TOKEN: a.secrets.apiToken,
        SCIM_SHARED_SECRET: a.secrets.scimSecret,
        ADMIN_TOKEN: a.secrets.adminToken,
        JWT_SECRET: a.secrets.jwtSecret,
        ...(embedded ? { DATABASE_URL: embedded.url } : {}),
      };
      b = await startAppOn(store, env, [RateLimitProbeModule]);
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
      await store?.drop();
    });

    it('shares the counter: 5 checkpoints on each instance use up the credential, then both refuse', async () => {
      const token = await issueToken(a, 'fleet');
      for (let i = 0; i < 10; i++) {
        const instance = i % 2 === 0 ? a : b;
        const res = await instance.http.post(`${BASE}/checkpoint`).set(api(token)).expect(200);
        expect(res.headers['x-ratelimit-remaining']).toBe(String(9 - i));
      }
      expectRefusal(await a.http.post(`${BASE}/checkpoint`).set(api(token)), 'checkpoint');
      expectRefusal(await b.http.post(`${BASE}/checkpoint`).set(api(token)), 'checkpoint');
    });
  });
}
