import Redis from 'ioredis';

/** Fails loudly when the configured Redis does not answer: tests never skip. */
export async function assertRedisAnswers(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000 });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw new Error(`REDIS_URL is set but Redis does not answer: ${String(error)}`);
  } finally {
    client.disconnect();
  }
}
