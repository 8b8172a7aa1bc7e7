/**
 * How many body bytes each tenant may have logged: a token bucket per tenant, refilled at
 * REQUEST_LOG_BODY_RATE a second and holding BURST_SECONDS of it. Logging a body is most of what
 * a request log costs (redaction, storage, the database's compression and WAL), so a tenant that
 * floods the service would otherwise take the other tenants' share of the CPU through its log
 * rows. Past its budget a tenant's rows are still written, every one of them, with their bodies
 * cut to what is left (at least MIN_BODY_BYTES each) and marked as truncated.
 */
export const BURST_SECONDS = 4;
/** Every body keeps its first bytes, so a cut row still shows what the request was. */
export const MIN_BODY_BYTES = 1024;

interface Bucket {
  tokens: number;
  at: number;
}

export class BodyBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;

  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = bytesPerSecond * BURST_SECONDS;
  }

  /**
   * The body limit for one row of `tenant` (requests with no tenant share one budget) whose
   * bodies would take `wanted` bytes under `bodyLimit`; the bytes granted are spent.
   */
  limitFor(tenant: string | null | undefined, wanted: number, bodyLimit: number): number {
    const bucket = this.refilled(tenant ?? '');
    if (wanted <= bucket.tokens) {
      bucket.tokens -= wanted;
      return bodyLimit;
    }
    // Two bodies (request and answer) share what is left.
    const limit = Math.min(bodyLimit, Math.max(MIN_BODY_BYTES, Math.floor(bucket.tokens / 2)));
    bucket.tokens = Math.max(0, bucket.tokens - 2 * limit);
    return limit;
  }

  private refilled(key: string): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.capacity, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.bytesPerSecond);
    bucket.at = now;
    return bucket;
  }
}
