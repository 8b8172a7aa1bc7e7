import {
  describeWindow,
  RATE_LIMIT_BUCKETS,
  rateLimitExceededText,
  rateLimitKey,
  retryAfterSeconds,
} from './rate-limit.constants';

describe('rate-limit constants and math', () => {
  it("holds seed 004's limits, all per minute", () => {
    expect(RATE_LIMIT_BUCKETS).toEqual({
      checkpoint: { limit: 10, windowMs: 60_000 },
      list: { limit: 100, windowMs: 60_000 },
      sync: { limit: 50, windowMs: 60_000 },
    });
  });

  it('keys a counter by bucket, credential and window length', () => {
    const credentialId = '3f2b8c1e-0d5a-4f7e-9a61-2c4b7d9e0f11';
    expect(rateLimitKey('checkpoint', credentialId, 60_000)).toBe(`idp:rl:checkpoint:${credentialId}:60s`);
    expect(rateLimitKey('sync', 'c1', 1500)).toBe('idp:rl:sync:c1:1500ms');
    expect(rateLimitKey('list', 'c1', 60_000)).not.toBe(rateLimitKey('list', 'c2', 60_000));
    expect(rateLimitKey('list', 'c1', 60_000)).not.toBe(rateLimitKey('sync', 'c1', 60_000));
  });

  it.each([
    [1, 1],
    [999, 1],
    [1000, 1],
    [1001, 2],
    [59_001, 60],
    [60_000, 60],
  ])('rounds %i ms up to Retry-After %i s', (ms, seconds) => {
    expect(retryAfterSeconds(ms, 60_000)).toBe(seconds);
  });

  it('keeps Retry-After between 1 s and one window', () => {
    expect(retryAfterSeconds(0, 60_000)).toBe(1);
    expect(retryAfterSeconds(-5, 60_000)).toBe(1);
    expect(retryAfterSeconds(90_000, 60_000)).toBe(60);
    expect(retryAfterSeconds(Number.NaN, 60_000)).toBe(60);
    expect(retryAfterSeconds(Number.POSITIVE_INFINITY, 60_000)).toBe(60);
    expect(retryAfterSeconds(400, 500)).toBe(1);
  });

  it('describes the limit in the 429 text', () => {
    expect(rateLimitExceededText('checkpoint', 10, 60_000, 42)).toBe(
      'Rate limit of 10 requests per minute exceeded for checkpoint; retry after 42 seconds',
    );
    expect(rateLimitExceededText('sync', 50, 60_000, 1)).toBe(
      'Rate limit of 50 requests per minute exceeded for sync; retry after 1 second',
    );
    expect(describeWindow(30_000)).toBe('per 30 seconds');
    expect(describeWindow(1000)).toBe('per second');
    expect(describeWindow(250)).toBe('per 250 ms');
  });
});
