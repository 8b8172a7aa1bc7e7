import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { rateLimitKey } from './rate-limit.constants';
import { RedisRateLimitStore } from './redis-rate-limit.store';

const quietLogger = (): { warn: jest.Mock; log: jest.Mock } => ({ warn: jest.fn(), log: jest.fn() });

describe('RedisRateLimitStore', () => {
  describe('with Redis unreachable', () => {
    it('fails open at once and warns once, and closes cleanly', async () => {
      const logger = quietLogger();
      const store = new RedisRateLimitStore('redis://127.0.0.1:1', { logger, startupWaitMs: 500 });
      try {
        const init = Date.now();
        await store.onModuleInit();
        expect(Date.now() - init).toBeLessThan(1000);
        for (let i = 0; i < 20; i++) {
          const started = Date.now();
          await expect(store.hit(`idp:rl:checkpoint:c${i}:60s`, 10, 60_000)).resolves.toBeNull();
          expect(Date.now() - started).toBeLessThan(1000);
        }
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(logger.warn.mock.calls[0][0]).toMatch(/Redis unavailable/);
      } finally {
        await store.onModuleDestroy();
      }
    });
  });

  // Only meaningful against a real Redis: declared when REDIS_URL is set (tests never skip).
  const url = process.env.REDIS_URL;
  if (url) {
    describe('on REDIS_URL', () => {
      let store: RedisRateLimitStore;
      let admin: Redis;
      const logger = quietLogger();
      const key = (): string => rateLimitKey('spec', randomUUID(), 1000);

      beforeAll(async () => {
        store = new RedisRateLimitStore(url, { logger });
        await store.onModuleInit();
        admin = new Redis(url, { maxRetriesPerRequest: 1 });
      });
      afterAll(async () => {
        await store.onModuleDestroy();
        await admin.quit();
      });

      it('keeps a sliding log: allows the limit, refuses with the time until a slot frees, then frees it', async () => {
        const k = key();
        for (let i = 0; i < 3; i++) {
          expect(await store.hit(k, 3, 1000)).toEqual({ allowed: true, limit: 3, remaining: 2 - i, retryAfterMs: 0 });
        }
        const refused = await store.hit(k, 3, 1000);
        expect(refused).toMatchObject({ allowed: false, limit: 3, remaining: 0 });
        expect(refused!.retryAfterMs).toBeGreaterThan(0);
        expect(refused!.retryAfterMs).toBeLessThanOrEqual(1000);
        // Refused requests are not logged; the key expires with its window.
        expect(await admin.zcard(k)).toBe(3);
        const ttl = await admin.pttl(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(1000);

        await new Promise((resolve) => setTimeout(resolve, refused!.retryAfterMs + 20));
        expect(await store.hit(k, 3, 1000)).toMatchObject({ allowed: true });
        expect(logger.warn).not.toHaveBeenCalled();
      });

      it('is atomic: of 40 concurrent requests exactly the limit pass', async () => {
        const k = key();
        const decisions = await Promise.all(Array.from({ length: 40 }, () => store.hit(k, 7, 1000)));
        expect(decisions.filter((d) => d?.allowed)).toHaveLength(7);
        expect(
          decisions
            .filter((d) => d?.allowed)
            .map((d) => d!.remaining)
            .sort(),
        ).toEqual([0, 1, 2, 3, 4, 5, 6]);
      });

      it('peeks without recording, and sees what hits recorded', async () => {
        const k = key();
        for (let i = 0; i < 4; i++) expect(await store.peek(k, 2, 1000)).toMatchObject({ allowed: true, remaining: 2 });
        expect(await admin.exists(k)).toBe(0);
        await store.hit(k, 2, 1000);
        await store.hit(k, 2, 1000);
        const refused = await store.peek(k, 2, 1000);
        expect(refused).toMatchObject({ allowed: false, remaining: 0 });
        expect(refused!.retryAfterMs).toBeGreaterThan(0);
        expect(refused!.retryAfterMs).toBeLessThanOrEqual(1000);
        expect(await admin.zcard(k)).toBe(2);
      });

      it('draws a cost of N as N entries at once, or none; the answer counts units', async () => {
        const k = key();
        expect(await store.hit(k, 10, 1000, 7)).toEqual({ allowed: true, limit: 10, remaining: 3, retryAfterMs: 0 });
        expect(await admin.zcard(k)).toBe(7);
        const refused = await store.hit(k, 10, 1000, 4);
        expect(refused).toMatchObject({ allowed: false, limit: 10, remaining: 0 });
        expect(refused!.retryAfterMs).toBeGreaterThan(0);
        expect(refused!.retryAfterMs).toBeLessThanOrEqual(1000);
        expect(await admin.zcard(k)).toBe(7);
        expect(await store.hit(k, 10, 1000, 3)).toMatchObject({ allowed: true, remaining: 0 });
        expect(await admin.zcard(k)).toBe(10);
        await new Promise((resolve) => setTimeout(resolve, refused!.retryAfterMs + 20));
        expect(await store.hit(k, 10, 1000, 4)).toMatchObject({ allowed: true });
      });

      it('answers the time until enough entries leave for the cost', async () => {
        const k = key();
        await store.hit(k, 4, 1000, 2);
        await new Promise((resolve) => setTimeout(resolve, 400));
        await store.hit(k, 4, 1000, 2);
        // Needs 3 units: the two newest must go too, about 600 ms after the first pair.
        const wide = await store.hit(k, 4, 1000, 3);
        expect(wide!.retryAfterMs).toBeGreaterThan(850);
        const narrow = await store.hit(k, 4, 1000, 1);
        expect(narrow!.retryAfterMs).toBeLessThanOrEqual(600);
        expect(await store.hit(k, 4, 1000, 5)).toEqual({ allowed: false, limit: 4, remaining: 0, retryAfterMs: 1000 });
      });

      it('records a thousand units in one request', async () => {
        const k = key();
        expect(await store.hit(k, 1000, 1000, 1000)).toMatchObject({ allowed: true, remaining: 0 });
        expect(await admin.zcard(k)).toBe(1000);
      });

      it('is atomic with costs: of 20 concurrent requests of 3 units within 10, exactly 3 pass', async () => {
        const k = key();
        const decisions = await Promise.all(Array.from({ length: 20 }, () => store.hit(k, 10, 1000, 3)));
        expect(decisions.filter((d) => d?.allowed)).toHaveLength(3);
        expect(await admin.zcard(k)).toBe(9);
      });

      it('shares counters between stores (instances of a fleet)', async () => {
        const other = new RedisRateLimitStore(url, { logger });
        await other.onModuleInit();
        try {
          const k = key();
          expect(await store.hit(k, 2, 1000)).toMatchObject({ allowed: true, remaining: 1 });
          expect(await other.hit(k, 2, 1000)).toMatchObject({ allowed: true, remaining: 0 });
          expect(await store.hit(k, 2, 1000)).toMatchObject({ allowed: false });
        } finally {
          await other.onModuleDestroy();
        }
      });
    });
  }
});
