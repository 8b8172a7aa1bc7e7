import type { EntityManager } from 'typeorm';
import type { TransactionRunner } from '../database/transaction-runner';
import type { UserInput } from '../directory/directory.types';
import type { UsersService } from '../directory/users.service';
import type { PartnerSyncRepository } from './partner-sync.repository';
import { PartnerSyncService } from './partner-sync.service';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Syncs of one tenant are serialised by an advisory lock taken inside their transaction. Each
 * transaction holds a pool connection, so syncs waiting for the lock used to hold one each: a
 * burst for one tenant took the whole pool, and the process answered 503 to every tenant.
 */
describe('PartnerSyncService: concurrent syncs of one tenant', () => {
  it('opens one transaction per tenant at a time; later syncs of that tenant wait without one', async () => {
    let open = 0;
    let peak = 0;
    const tenants: string[] = [];
    const pending: (() => void)[] = [];
    const transactions = {
      run: async <T>(work: (em: EntityManager) => Promise<T>): Promise<T> => {
        open++;
        peak = Math.max(peak, open);
        try {
          return await work({} as EntityManager);
        } finally {
          open--;
        }
      },
    } as unknown as TransactionRunner;
    const repository = {
      lockTenant: (_em: EntityManager, tenantId: string) => Promise.resolve(void tenants.push(tenantId)),
      findByEmailsOrExternalIds: () => Promise.resolve([]),
      deactivateAbsent: () => Promise.resolve([]),
    } as unknown as PartnerSyncRepository;
    // Each upsert holds its transaction open until the test lets it finish.
    const users = {
      upsertMany: (_em: EntityManager, _tenantId: string, inputs: UserInput[]) =>
        new Promise((resolve) =>
          pending.push(() =>
            resolve(inputs.map((input) => ({ ok: true, action: 'CREATE', value: { id: `id-${input.externalId}` } }))),
          ),
        ),
    } as unknown as UsersService;
    const service = new PartnerSyncService(transactions, users, repository);
    const request = (id: string) => ({
      mode: 'upsert' as const,
      dryRun: false,
      users: [{ externalId: id, email: `${id}@example.com`, orgCode: 'org' }],
    });

    const answers = [
      service.sync('acme', request('a1')),
      service.sync('acme', request('a2')),
      service.sync('acme', request('a3')),
      service.sync('globex', request('g1')),
    ];
    await tick();
    expect({ open, tenants }).toEqual({ open: 2, tenants: ['acme', 'globex'] });
    while (pending.length > 0 || open > 0) {
      pending.shift()?.();
      await tick();
    }
    const done = await Promise.all(answers);
    expect(done.map((answer) => answer.data.results[0].userId)).toEqual(['a1', 'a2', 'a3', 'g1']);
    expect({ peak, tenants }).toEqual({ peak: 2, tenants: ['acme', 'globex', 'acme', 'acme'] });
  });
});
