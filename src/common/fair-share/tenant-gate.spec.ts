import { MAX_REST_MS, RECENT_MS, TenantBusyError, TenantGate } from './tenant-gate';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('TenantGate', () => {
  afterEach(() => jest.useRealTimers());

  it('lets `concurrency` requests of one tenant in, queues the next ones in order, and hands slots over', async () => {
    const gate = new TenantGate({ concurrency: 2, burst: 2, queue: 10, waitMs: 1000 });
    const first = await gate.acquire('a');
    const second = await gate.acquire('a');
    const admitted: number[] = [];
    const third = gate.acquire('a').then((release) => (admitted.push(3), release));
    const fourth = gate.acquire('a').then((release) => (admitted.push(4), release));
    await tick();
    expect(admitted).toEqual([]);
    expect(gate.load('a')).toEqual({ running: 2, waiting: 2 });

    first();
    first(); // a second call must not free a second slot
    await tick();
    expect(admitted).toEqual([3]);
    expect(gate.load('a')).toEqual({ running: 2, waiting: 1 });
    second();
    await tick();
    expect(admitted).toEqual([3, 4]);
    (await third)();
    (await fourth)();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('tryAcquire admits at once while a slot is free and nobody waits, and otherwise takes nothing', async () => {
    const gate = new TenantGate({ concurrency: 1, burst: 1, queue: 10, waitMs: 1000 });
    const first = gate.tryAcquire('a');
    expect(first).toBeInstanceOf(Function);
    expect(gate.tryAcquire('a')).toBeUndefined();
    expect(gate.load('a')).toEqual({ running: 1, waiting: 0 });
    const queued = gate.acquire('a');
    first!();
    // The freed slot went to the request already waiting: a newcomer does not overtake it.
    expect(gate.tryAcquire('a')).toBeUndefined();
    (await queued)();
    const again = gate.tryAcquire('a');
    expect(again).toBeInstanceOf(Function);
    again!();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it("never makes another tenant wait for one tenant's full lane", async () => {
    const gate = new TenantGate({ concurrency: 1, burst: 1, queue: 100, waitMs: 1000 });
    await gate.acquire('noisy');
    const queued = Array.from({ length: 50 }, () => gate.acquire('noisy'));
    const quiet = await gate.acquire('quiet');
    expect(gate.load('quiet')).toEqual({ running: 1, waiting: 0 });
    quiet();
    expect(gate.load('noisy').waiting).toBe(50);
    for (const pending of queued) void pending.catch(() => undefined);
  });

  it('refuses at once when the queue is full', async () => {
    const gate = new TenantGate({ concurrency: 1, burst: 1, queue: 1, waitMs: 1000 });
    const release = await gate.acquire('a');
    const waiting = gate.acquire('a');
    await expect(gate.acquire('a')).rejects.toEqual(expect.objectContaining({ reason: 'queue-full' }));
    await expect(gate.acquire('a')).rejects.toBeInstanceOf(TenantBusyError);
    release();
    (await waiting)();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a request that waited longer than waitMs, and the slot it never got goes to the next', async () => {
    jest.useFakeTimers();
    const gate = new TenantGate({ concurrency: 1, burst: 1, queue: 5, waitMs: 200 });
    const release = await gate.acquire('a');
    const late = gate.acquire('a');
    const lateOutcome = late.then(
      () => 'admitted',
      (error: TenantBusyError) => error.reason,
    );
    jest.advanceTimersByTime(150);
    const next = gate.acquire('a');
    jest.advanceTimersByTime(60);
    await expect(lateOutcome).resolves.toBe('timeout');
    expect(gate.load('a')).toEqual({ running: 1, waiting: 1 });
    release();
    (await next)();
    expect(gate.load('a')).toEqual({ running: 0, waiting: 0 });
  });

  it('with a queue of 0 answers at once', async () => {
    const gate = new TenantGate({ concurrency: 1, burst: 1, queue: 0, waitMs: 1000 });
    await gate.acquire('a');
    await expect(gate.acquire('a')).rejects.toMatchObject({ reason: 'queue-full' });
  });

  it('lets a tenant alone run `burst` at once, and only `concurrency` once another tenant is active', async () => {
    let now = 0;
    const gate = new TenantGate({ concurrency: 1, burst: 3, queue: 10, waitMs: 1000 }, () => now);
    const alone = [await gate.acquire('noisy'), await gate.acquire('noisy'), await gate.acquire('noisy')];
    const fourth = gate.acquire('noisy');
    expect(gate.load('noisy')).toEqual({ running: 3, waiting: 1 });

    const quiet = await gate.acquire('quiet');
    quiet();
    // Another tenant is active: the noisy lane shrinks to one as its requests finish.
    alone[0]();
    alone[1]();
    await tick();
    expect(gate.load('noisy')).toEqual({ running: 1, waiting: 1 });
    alone[2]();
    (await fourth)();
    expect(gate.load('noisy')).toEqual({ running: 0, waiting: 0 });

    // A second later the quiet tenant no longer counts, and the burst is back.
    now += RECENT_MS + 1;
    const again = [await gate.acquire('noisy'), await gate.acquire('noisy'), await gate.acquire('noisy')];
    expect(gate.load('noisy')).toEqual({ running: 3, waiting: 0 });
    for (const release of again) release();
  });

  it('under contention, rests a slot as long as it was held (at most MAX_REST_MS) before the same tenant gets it again', async () => {
    jest.useFakeTimers();
    let now = 0;
    const gate = new TenantGate({ concurrency: 1, burst: 2, queue: 10, waitMs: 5000 }, () => now);
    (await gate.acquire('quiet'))();
    const held = await gate.acquire('noisy');
    let admitted = false;
    const next = gate.acquire('noisy').then((release) => ((admitted = true), release));
    now += 30;
    held();
    await Promise.resolve();
    expect(admitted).toBe(false);
    jest.advanceTimersByTime(29);
    await Promise.resolve();
    expect(admitted).toBe(false);
    jest.advanceTimersByTime(1);
    (await next)();
    expect(admitted).toBe(true);

    // Held for longer than MAX_REST_MS: the rest is capped.
    const long = await gate.acquire('noisy');
    const after = gate.acquire('noisy');
    now += 10 * MAX_REST_MS;
    long();
    jest.advanceTimersByTime(MAX_REST_MS);
    (await after)();
    expect(gate.load('noisy')).toEqual({ running: 0, waiting: 0 });
  });
});
