import { MemoryRateLimitStore } from './memory-rate-limit.store';

const WINDOW = 60_000;

describe('MemoryRateLimitStore', () => {
  let now: number;
  let store: MemoryRateLimitStore;
  const clock = (): number => now;

  beforeEach(() => {
    now = Date.UTC(2026, 0, 1, 12, 0, 59, 900); // 100 ms before a minute boundary
    store = new MemoryRateLimitStore({ now: clock });
  });

  it('allows the limit, counting down what remains, then refuses with the time until a slot frees', async () => {
    for (let i = 0; i < 10; i++) {
      expect(await store.hit('k', 10, WINDOW)).toEqual({ allowed: true, limit: 10, remaining: 9 - i, retryAfterMs: 0 });
      now += 100;
    }
    // The first hit was 1000 ms ago: it leaves the window 59 000 ms from now.
    expect(await store.hit('k', 10, WINDOW)).toEqual({ allowed: false, limit: 10, remaining: 0, retryAfterMs: 59_000 });
  });

  it('slides: a minute boundary frees nothing, each hit frees its slot one window after it was made', async () => {
    const start = now;
    for (let i = 0; i < 3; i++) {
      await store.hit('k', 3, WINDOW);
      now += 10_000;
    }
    // Past the wall-clock minute, still within 60 s of every hit: refused.
    expect(now - start).toBe(30_000);
    expect((await store.hit('k', 3, WINDOW)).allowed).toBe(false);

    now = start + WINDOW - 1;
    expect(await store.hit('k', 3, WINDOW)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    now = start + WINDOW; // the first hit leaves the window
    expect(await store.hit('k', 3, WINDOW)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await store.hit('k', 3, WINDOW)).toMatchObject({ allowed: false, retryAfterMs: 10_000 });

    now = start + 3 * 10_000 + WINDOW; // every hit so far has left
    expect(await store.hit('k', 3, WINDOW)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('does not count refused requests, so waiting Retry-After is enough', async () => {
    await store.hit('k', 1, WINDOW);
    for (let i = 0; i < 50; i++) {
      now += 1000;
      expect((await store.hit('k', 1, WINDOW)).allowed).toBe(false);
    }
    const refused = await store.hit('k', 1, WINDOW);
    now += refused.retryAfterMs;
    expect((await store.hit('k', 1, WINDOW)).allowed).toBe(true);
  });

  it('keeps keys apart', async () => {
    await store.hit('a', 1, WINDOW);
    expect((await store.hit('a', 1, WINDOW)).allowed).toBe(false);
    expect((await store.hit('b', 1, WINDOW)).allowed).toBe(true);
  });

  it('sweeps expired keys on a later request, without a timer', async () => {
    store = new MemoryRateLimitStore({ now: clock, sweepIntervalMs: 1000 });
    for (let i = 0; i < 100; i++) await store.hit(`k${i}`, 5, 500);
    expect(store.size).toBe(100);
    now += 1000;
    await store.hit('fresh', 5, 500);
    expect(store.size).toBe(1);
  });

  it('stays bounded: at maxKeys the least recently used key is forgotten', async () => {
    store = new MemoryRateLimitStore({ now: clock, maxKeys: 3 });
    await store.hit('a', 1, WINDOW);
    await store.hit('b', 1, WINDOW);
    await store.hit('c', 1, WINDOW);
    await store.hit('a', 2, WINDOW); // a is now the most recently used
    await store.hit('d', 1, WINDOW); // evicts b
    expect(store.size).toBe(3);
    expect((await store.hit('b', 1, WINDOW)).allowed).toBe(true); // forgotten, so allowed again (evicts c)
    expect((await store.hit('a', 2, WINDOW)).allowed).toBe(false); // kept
  });

  it('never holds more timestamps than the limit for a key', async () => {
    for (let i = 0; i < 1000; i++) await store.hit('k', 5, WINDOW);
    const logs = (store as unknown as { logs: Map<string, { hits: number[] }> }).logs;
    expect(logs.get('k')?.hits).toHaveLength(5);
  });

  it('peeks without recording: only hits fill the window', async () => {
    let now = 1_000_000;
    const store = new MemoryRateLimitStore({ now: () => now });
    for (let i = 0; i < 5; i++)
      await expect(store.peek('k', 2, 1000)).resolves.toMatchObject({ allowed: true, remaining: 2 });
    await store.hit('k', 2, 1000);
    now += 400;
    await store.hit('k', 2, 1000);
    await expect(store.peek('k', 2, 1000)).resolves.toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      retryAfterMs: 600,
    });
    now += 600;
    await expect(store.peek('k', 2, 1000)).resolves.toMatchObject({ allowed: true, remaining: 1 });
  });

  describe('with a cost', () => {
    it('records a request of cost N as N units when used + N fits the limit, else nothing', async () => {
      expect(await store.hit('k', 10, WINDOW, 4)).toEqual({ allowed: true, limit: 10, remaining: 6, retryAfterMs: 0 });
      now += 1000;
      expect(await store.hit('k', 10, WINDOW, 6)).toEqual({ allowed: true, limit: 10, remaining: 0, retryAfterMs: 0 });
      now += 1000;
      // Three units must leave: the first request's four leave together, 58 s from now.
      expect(await store.hit('k', 10, WINDOW, 3)).toEqual({
        allowed: false,
        limit: 10,
        remaining: 0,
        retryAfterMs: 58_000,
      });
      now += 58_000;
      expect(await store.hit('k', 10, WINDOW, 5)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
      expect(await store.hit('k', 10, WINDOW, 4)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('answers the time until enough units leave, one request at a time', async () => {
      for (let i = 0; i < 5; i++) {
        await store.hit('k', 5, WINDOW);
        now += 1000;
      }
      // Used 5 (at 0 s .. 4 s), now 5 s: a cost of 3 needs the third oldest gone, at 62 s.
      expect(await store.hit('k', 5, WINDOW, 3)).toMatchObject({ allowed: false, retryAfterMs: 57_000 });
      expect(await store.hit('k', 5, WINDOW, 1)).toMatchObject({ allowed: false, retryAfterMs: 55_000 });
    });

    it('never allows a cost above the limit, answering the whole window', async () => {
      expect(await store.hit('k', 3, WINDOW, 4)).toEqual({
        allowed: false,
        limit: 3,
        remaining: 0,
        retryAfterMs: WINDOW,
      });
      expect(await store.hit('k', 3, WINDOW, 3)).toMatchObject({ allowed: true, remaining: 0 });
    });

    it('counts a cost below one, or not a number, as one unit', async () => {
      expect(await store.hit('k', 3, WINDOW, 0)).toMatchObject({ allowed: true, remaining: 2 });
      expect(await store.hit('k', 3, WINDOW, Number.NaN)).toMatchObject({ allowed: true, remaining: 1 });
      expect(await store.hit('k', 3, WINDOW, 1.9)).toMatchObject({ allowed: true, remaining: 0 });
    });
  });
});
