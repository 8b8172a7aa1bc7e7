import type { TransactionRunner } from '../database/transaction-runner';
import type { CredentialRevocations } from './credential-revocations';
import type { CredentialsRepository } from './credentials.repository';
import { CredentialsService, LAST_USE_INTERVAL_MS } from './credentials.service';
import type { ServerKey } from './server-key';

/** The service with a repository that records (or fails) each last-use write. */
function serviceWith(touch: (id: string, door: string) => Promise<void>): CredentialsService {
  const repository = { touch: (_em: unknown, id: string, door: string) => touch(id, door) };
  return new CredentialsService(
    repository as unknown as CredentialsRepository,
    { manager: {} } as unknown as TransactionRunner,
    {} as ServerKey,
    {} as CredentialRevocations,
  );
}

describe('last use of a credential', () => {
  afterEach(() => jest.useRealTimers());

  it('writes at most once a minute per credential, each credential on its own', () => {
    jest.useFakeTimers({ now: Date.parse('2026-12-01T10:00:00Z') });
    const writes: string[] = [];
    const service = serviceWith((id, door) => {
      writes.push(`${id}:${door}`);
      return Promise.resolve();
    });
    service.noteUse('a', 'scim');
    service.noteUse('a', 'admin');
    service.noteUse('b', 'provisioning');
    expect(writes).toEqual(['a:scim', 'b:provisioning']);
    jest.advanceTimersByTime(LAST_USE_INTERVAL_MS);
    service.noteUse('a', 'oauth');
    expect(writes).toEqual(['a:scim', 'b:provisioning', 'a:oauth']);
  });

  it('never throws into the request, not even when the write fails', async () => {
    let failed = false;
    const service = serviceWith(() => {
      failed = true;
      return Promise.reject(new Error('database down'));
    });
    expect(() => service.noteUse('a', 'scim')).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(failed).toBe(true);
  });
});
