import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from '../../auth/principal';
import { loadConfig } from '../../config/app-config';
import { ApiError } from '../api-error';
import { MemoryRateLimitStore } from './memory-rate-limit.store';
import type { RateLimitBucket } from './rate-limit.constants';
import { RateLimit, RateLimitCost } from './rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import type { RateLimitStore } from './rate-limit.store';

class Routes {
  @RateLimit('checkpoint')
  checkpoint(): void {}

  @RateLimit('sync')
  sync(): void {}

  unlabelled(): void {}
}

@RateLimit('list')
class ListRoutes {
  list(): void {}

  @RateLimit('sync')
  write(): void {}
}

const principal = (credentialId: string): Principal => ({
  credentialId,
  tenantId: 'default',
  kind: 'API_TOKEN',
  roles: ['PROVISIONING_UPDATE'],
  credentialName: 'test',
  via: 'secret',
});

interface Call {
  context: ExecutionContext;
  headers: Record<string, string>;
}

function call(target: object, method: string, who?: Principal, body?: unknown): Call {
  const headers: Record<string, string> = {};
  const req = { principal: who, body };
  const res = { setHeader: (name: string, value: string) => (headers[name] = value) };
  const handler = (target as Record<string, unknown>)[method] as () => void;
  const context = {
    getType: () => 'http',
    getHandler: () => handler,
    getClass: () => target.constructor,
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
  return { context, headers };
}

const guardWith = (store: RateLimitStore, rateLimits = 'on', env: Record<string, string> = {}): RateLimitGuard =>
  new RateLimitGuard(new Reflector(), loadConfig({ RATE_LIMITS: rateLimits, ...env }), store);

class ScimRoutes {
  @RateLimit('scim')
  list(): void {}
}

const operations = (req: { body?: unknown }): number => (req.body as { Operations: unknown[] }).Operations.length;

class CostedRoutes {
  @RateLimit('scim')
  @RateLimitCost(operations)
  bulk(): void {}

  @RateLimit('scim')
  @RateLimitCost(() => 2)
  pair(): void {}
}

@RateLimit('scim')
@RateLimitCost(() => 3)
class CostedClass {
  triple(): void {}

  @RateLimitCost(() => 0.5)
  fraction(): void {}
}

describe('RateLimitGuard', () => {
  const routes = new Routes();

  it('sets the limit headers, then refuses with 429, Retry-After and the envelope text', async () => {
    let now = 1_000_000;
    const guard = guardWith(new MemoryRateLimitStore({ now: () => now }));
    for (let i = 0; i < 10; i++) {
      const { context, headers } = call(routes, 'checkpoint', principal('c1'));
      await expect(guard.canActivate(context)).resolves.toBe(true);
      expect(headers).toEqual({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': String(9 - i) });
    }
    now += 15_500;
    const { context, headers } = call(routes, 'checkpoint', principal('c1'));
    const refusal = await guard.canActivate(context).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({
      httpStatus: 429,
      message: 'Too many requests',
      error: 'Rate limit of 10 requests per minute exceeded for checkpoint; retry after 45 seconds',
    });
    expect(headers).toEqual({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '0', 'Retry-After': '45' });
  });

  it('counts per credential and per bucket', async () => {
    const guard = guardWith(new MemoryRateLimitStore());
    for (let i = 0; i < 10; i++) await guard.canActivate(call(routes, 'checkpoint', principal('c1')).context);
    await expect(guard.canActivate(call(routes, 'checkpoint', principal('c1')).context)).rejects.toThrow(ApiError);
    await expect(guard.canActivate(call(routes, 'checkpoint', principal('c2')).context)).resolves.toBe(true);
    const sync = call(routes, 'sync', principal('c1'));
    await expect(guard.canActivate(sync.context)).resolves.toBe(true);
    expect(sync.headers['X-RateLimit-Limit']).toBe('50');
  });

  it('reads the bucket from the class, a method bucket winning', async () => {
    const guard = guardWith(new MemoryRateLimitStore());
    const list = call(new ListRoutes(), 'list', principal('c1'));
    await guard.canActivate(list.context);
    expect(list.headers['X-RateLimit-Limit']).toBe('100');
    const write = call(new ListRoutes(), 'write', principal('c1'));
    await guard.canActivate(write.context);
    expect(write.headers['X-RateLimit-Limit']).toBe('50');
  });

  it('does nothing without a principal or with RATE_LIMITS=off', async () => {
    const store = { hit: jest.fn(), peek: jest.fn() };
    const anonymous = call(routes, 'checkpoint');
    await expect(guardWith(store).canActivate(anonymous.context)).resolves.toBe(true);
    for (let i = 0; i < 30; i++) {
      const off = call(routes, 'checkpoint', principal('c1'));
      await expect(guardWith(store, 'off').canActivate(off.context)).resolves.toBe(true);
      expect(off.headers).toEqual({});
    }
    expect(store.hit).not.toHaveBeenCalled();
  });

  it('lets the request through, without headers, when the store cannot answer or fails', async () => {
    const unavailable = call(routes, 'checkpoint', principal('c1'));
    await expect(
      guardWith({ hit: () => Promise.resolve(null), peek: () => Promise.resolve(null) }).canActivate(
        unavailable.context,
      ),
    ).resolves.toBe(true);
    expect(unavailable.headers).toEqual({});

    const broken = guardWith({ hit: () => Promise.reject(new Error('boom')), peek: () => Promise.resolve(null) });
    const warn = jest.spyOn((broken as unknown as { logger: { warn: () => void } }).logger, 'warn');
    warn.mockImplementation(() => undefined);
    for (let i = 0; i < 3; i++) {
      await expect(broken.canActivate(call(routes, 'checkpoint', principal('c1')).context)).resolves.toBe(true);
    }
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('does not limit a route under the guard without @RateLimit (guard on the class, buckets per method)', async () => {
    const store = { hit: jest.fn(), peek: jest.fn() };
    const unlabelled = call(routes, 'unlabelled', principal('c1'));
    await expect(guardWith(store).canActivate(unlabelled.context)).resolves.toBe(true);
    expect(unlabelled.headers).toEqual({});
    expect(store.hit).not.toHaveBeenCalled();
  });

  it('refuses loudly a bucket that does not exist (untyped callers)', async () => {
    class Typo {
      @RateLimit('checkpiont' as RateLimitBucket)
      route(): void {}
    }
    const guard = guardWith(new MemoryRateLimitStore());
    await expect(guard.canActivate(call(new Typo(), 'route', principal('c1')).context)).rejects.toThrow(
      "@RateLimit('checkpiont'): unknown bucket; use checkpoint, list, sync, scim, admin",
    );
  });

  it('takes the SCIM budget from RATE_LIMIT_SCIM, counted per credential', async () => {
    const guard = guardWith(new MemoryRateLimitStore(), 'on', { RATE_LIMIT_SCIM: '3/10s' });
    const routes = new ScimRoutes();
    for (let i = 0; i < 3; i++) {
      await expect(guard.canActivate(call(routes, 'list', principal('idp')).context)).resolves.toBe(true);
    }
    const refused = call(routes, 'list', principal('idp'));
    await expect(guard.canActivate(refused.context)).rejects.toMatchObject({ httpStatus: 429 });
    expect(refused.headers['X-RateLimit-Limit']).toBe('3');
    expect(Number(refused.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['Retry-After'])).toBeLessThanOrEqual(10);
    await expect(guard.canActivate(call(routes, 'list', principal('other')).context)).resolves.toBe(true);
  });

  describe('@RateLimitCost', () => {
    const bulk = (n: number) => ({ Operations: Array.from({ length: n }, () => ({})) });

    it('draws the cost in units at once: passes while it fits, then 429 drawing nothing', async () => {
      const store = new MemoryRateLimitStore();
      const hit = jest.spyOn(store, 'hit');
      const guard = guardWith(store, 'on', { RATE_LIMIT_SCIM: '10/60s' });
      const routes = new CostedRoutes();
      const first = call(routes, 'bulk', principal('c1'), bulk(7));
      await expect(guard.canActivate(first.context)).resolves.toBe(true);
      expect(first.headers).toEqual({ 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '3' });
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), 10, 60_000, 7);

      const tooMany = call(routes, 'bulk', principal('c1'), bulk(4));
      await expect(guard.canActivate(tooMany.context)).rejects.toMatchObject({ httpStatus: 429 });
      expect(tooMany.headers).toMatchObject({ 'X-RateLimit-Remaining': '0', 'Retry-After': '60' });

      // The refused bulk drew nothing: three single units still fit, a fourth does not.
      const pair = call(routes, 'pair', principal('c1'));
      await expect(guard.canActivate(pair.context)).resolves.toBe(true);
      expect(pair.headers['X-RateLimit-Remaining']).toBe('1');
      await expect(guard.canActivate(call(routes, 'bulk', principal('c1'), bulk(1)).context)).resolves.toBe(true);
      await expect(guard.canActivate(call(routes, 'bulk', principal('c1'), bulk(1)).context)).rejects.toMatchObject({
        httpStatus: 429,
      });
    });

    it('reads the cost from the method, then the class; at least one whole unit', async () => {
      const store = new MemoryRateLimitStore();
      const hit = jest.spyOn(store, 'hit');
      const guard = guardWith(store);
      await guard.canActivate(call(new CostedClass(), 'triple', principal('c1')).context);
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), expect.any(Number), expect.any(Number), 3);
      await guard.canActivate(call(new CostedClass(), 'fraction', principal('c1')).context);
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), expect.any(Number), expect.any(Number), 1);
      await guard.canActivate(call(new CostedRoutes(), 'bulk', principal('c1'), bulk(0)).context);
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), expect.any(Number), expect.any(Number), 1);
      await guard.canActivate(call(routes, 'checkpoint', principal('c1')).context);
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), expect.any(Number), expect.any(Number), 1);
    });

    it('counts one unit when the cost cannot be read from the body', async () => {
      const store = new MemoryRateLimitStore();
      const hit = jest.spyOn(store, 'hit');
      const guard = guardWith(store);
      const unreadable = call(new CostedRoutes(), 'bulk', principal('c1'), 'not an object');
      await expect(guard.canActivate(unreadable.context)).resolves.toBe(true);
      expect(hit).toHaveBeenLastCalledWith(expect.any(String), expect.any(Number), expect.any(Number), 1);
    });
  });
});
