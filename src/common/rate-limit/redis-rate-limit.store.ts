import { Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { units } from './rate-limit.constants';
import type { RateLimitDecision, RateLimitStore } from './rate-limit.store';

/**
 * One atomic step of a sliding log kept in a sorted set (score = time in ms): drop the entries
 * that left the window, then either add this request's `cost` entries or answer when enough
 * entries leave for it to fit (the whole window when the cost exceeds the limit).
 * Time is Redis's own (TIME), so instances whose clocks disagree still share one window.
 * KEYS[1] log; ARGV[1] limit; ARGV[2] window ms; ARGV[3] a unique prefix for this request's
 * members; ARGV[4] cost. Returns {allowed 1|0, remaining, retryAfterMs}.
 */
const SLIDING_LOG_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count + cost <= limit then
  -- ZADD in slices: unpack() of thousands of arguments would overflow Lua's C stack.
  local i = 1
  while i <= cost do
    local args = {}
    for j = i, math.min(cost, i + 499) do
      args[#args + 1] = now
      args[#args + 1] = ARGV[3] .. ':' .. j
    end
    redis.call('ZADD', KEYS[1], unpack(args))
    i = i + 500
  end
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - cost, 0}
end
if cost > limit then return {0, 0, window} end
local freeing = redis.call('ZRANGE', KEYS[1], count + cost - limit - 1, count + cost - limit - 1, 'WITHSCORES')
local retry = tonumber(freeing[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

/** The same decision as SLIDING_LOG_SCRIPT, recording nothing. KEYS[1] log; ARGV[1] limit; ARGV[2] window ms. */
const PEEK_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local count = redis.call('ZCOUNT', KEYS[1], '(' .. (now - window), '+inf')
if count < limit then return {1, limit - count, 0} end
local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now - window), '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
local retry = tonumber(oldest[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

const COMMAND = 'idpRateLimitHit';
const PEEK_COMMAND = 'idpRateLimitPeek';

type ScriptedRedis = Redis & {
  [COMMAND](
    key: string,
    limit: number,
    windowMs: number,
    member: string,
    cost: number,
  ): Promise<[number, number, number]>;
  [PEEK_COMMAND](key: string, limit: number, windowMs: number): Promise<[number, number, number]>;
};

export interface RedisRateLimitStoreOptions {
  /** Longest wait for Redis at start-up before serving without it (it keeps reconnecting). */
  startupWaitMs?: number;
  /** Longest wait for one answer before the request is let through. */
  commandTimeoutMs?: number;
  /** Least time between two warnings about Redis being unavailable. */
  warnIntervalMs?: number;
  logger?: Pick<Logger, 'warn' | 'log'>;
}

/**
 * Counters shared through Redis, so every instance of a fleet enforces one budget per
 * credential. Fails open: while Redis is unreachable or slow, `hit` answers `null` at once (no
 * offline queue, a short command timeout) and a warning is logged at most once per interval.
 */
export class RedisRateLimitStore implements RateLimitStore, OnModuleInit, OnModuleDestroy {
  private readonly client: ScriptedRedis;
  private readonly startupWaitMs: number;
  private readonly warnIntervalMs: number;
  private readonly logger: Pick<Logger, 'warn' | 'log'>;
  private lastWarnAt = -Infinity;
  private degraded = false;
  private closed = false;

  constructor(url: string, options: RedisRateLimitStoreOptions = {}) {
    this.startupWaitMs = options.startupWaitMs ?? 2000;
    this.warnIntervalMs = options.warnIntervalMs ?? 60_000;
    this.logger = options.logger ?? new Logger('RateLimit');
    const client = new Redis(url, {
      lazyConnect: true,
      // Never queue a command while disconnected: the request would wait instead of passing.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      commandTimeout: options.commandTimeoutMs ?? 500,
      // Keep reconnecting in the background, at most every 5 s.
      retryStrategy: (attempt) => Math.min(attempt * 250, 5000),
      connectionName: 'idp-rate-limit',
    });
    client.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDING_LOG_SCRIPT });
    client.defineCommand(PEEK_COMMAND, { numberOfKeys: 1, lua: PEEK_SCRIPT });
    client.on('error', (error: Error) => this.unavailable(error.message));
    client.on('ready', () => {
      if (this.degraded) this.logger.log('Rate-limit store: Redis answers again; limits are enforced');
      this.degraded = false;
    });
    this.client = client as ScriptedRedis;
  }

  /** Waits briefly for Redis so the first requests are counted; never fails the start. */
  async onModuleInit(): Promise<void> {
    const connecting = this.client.connect().then(
      () => true,
      (error: unknown) => {
        this.unavailable(error instanceof Error ? error.message : String(error));
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.startupWaitMs);
      timer.unref();
    });
    const ready = await Promise.race([connecting, timeout]);
    clearTimeout(timer);
    if (!ready) this.unavailable(`not connected after ${this.startupWaitMs} ms`);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // Fall through: drop the connection.
      }
    }
    this.client.disconnect();
  }

  hit(key: string, limit: number, windowMs: number, cost = 1): Promise<RateLimitDecision | null> {
    return this.decide(limit, () => this.client[COMMAND](key, limit, windowMs, randomUUID(), units(cost)));
  }

  peek(key: string, limit: number, windowMs: number): Promise<RateLimitDecision | null> {
    return this.decide(limit, () => this.client[PEEK_COMMAND](key, limit, windowMs));
  }

  private async decide(limit: number, run: () => Promise<[number, number, number]>): Promise<RateLimitDecision | null> {
    if (this.client.status !== 'ready') {
      this.unavailable(`connection ${this.client.status}`);
      return null;
    }
    try {
      const [allowed, remaining, retryAfterMs] = await run();
      return {
        allowed: allowed === 1,
        limit,
        remaining: Math.max(0, Number(remaining)),
        retryAfterMs: Number(retryAfterMs),
      };
    } catch (error) {
      this.unavailable(error instanceof Error ? error.message : String(error));
      return null;
    }
  }

  private unavailable(reason: string): void {
    if (this.closed) return;
    this.degraded = true;
    const now = Date.now();
    if (now - this.lastWarnAt < this.warnIntervalMs) return;
    this.lastWarnAt = now;
    this.logger.warn(`Rate-limit store: Redis unavailable (${reason}); requests pass unlimited until it answers`);
  }
}
