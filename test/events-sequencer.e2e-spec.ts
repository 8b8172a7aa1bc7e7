import { DataSource, EntityManager } from 'typeorm';
import { withLogContext } from '../src/common/log-context';
import { ADVISORY_LOCKS } from '../src/database/advisory-lock';
import { TransactionRunner } from '../src/database/transaction-runner';
import { ChangeEventsRepository } from '../src/events/change-events.repository';
import { EventSequencer } from '../src/events/feed/event-sequencer';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The capture triggers and the sequencer on the real database: events are written with the
 * change, in its transaction, and numbered per tenant after commit so that a reader that resumes
 * after the last seq it saw misses nothing and sees nothing twice, whatever commits concurrently.
 */
describe('change events: capture and sequencing', () => {
  let t: TestApp;
  let db: DataSource;
  let transactions: TransactionRunner;
  let sequencer: EventSequencer;

  beforeAll(async () => {
    t = await startTestApp();
    db = t.app.get(DataSource);
    transactions = t.app.get(TransactionRunner);
    sequencer = t.app.get(EventSequencer);
    await db.query(
      `INSERT INTO tenants (id, name) VALUES ('seq-a', 'A'), ('seq-b', 'B'), ('seq-c', 'C'), ('seq-r', 'R')`,
    );
  });
  afterAll(() => t.close());

  const insertUser = (tenant: string, userName: string): Promise<unknown> =>
    transactions.run((em) =>
      em.query(`INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ($1, $2, 'scim', 'scim')`, [
        tenant,
        userName,
      ]),
    );

  async function read(
    tenant: string,
    after: string,
  ): Promise<{ seq: string; resource_id: string; event_type: string }[]> {
    await sequencer.catchUp();
    return db.query(
      `SELECT seq, resource_id, event_type FROM change_feed WHERE tenant_id = $1 AND seq > $2 ORDER BY seq LIMIT 500`,
      [tenant, after],
    );
  }

  it('labels an event with the door, credential and correlation id of the request that wrote it', async () => {
    await withLogContext(
      {
        correlationId: 'corr-label-1',
        actor: { door: 'scim', credentialId: 'cred-1', credentialName: 'Entra ID' },
      },
      () => insertUser('seq-a', 'label@example.com'),
    );
    await sequencer.catchUp();
    const [row] = await db.query(
      `SELECT door, credential_id, credential_name, correlation_id, event_type FROM change_feed
        WHERE tenant_id = 'seq-a' ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toEqual({
      door: 'scim',
      credential_id: 'cred-1',
      credential_name: 'Entra ID',
      correlation_id: 'corr-label-1',
      event_type: 'create',
    });
  });

  it('writes nothing for a change that rolls back', async () => {
    const [{ count: before }] = await db.query(`SELECT count(*) FROM change_events`);
    await expect(
      transactions.run(async (em) => {
        await em.query(
          `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('seq-a', 'gone@x', 'scim', 'scim')`,
        );
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const [{ count: after }] = await db.query(`SELECT count(*) FROM change_events`);
    expect(after).toBe(before);
  });

  it('keeps the label when a savepoint that set it rolls back', async () => {
    await withLogContext(
      { correlationId: 'corr-savepoint', actor: { door: 'batch', credentialId: 'c', credentialName: 'n' } },
      () =>
        transactions.run(async (em) => {
          await em
            .transaction(async (inner) => {
              await inner.query(
                `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('seq-a', 'sp1@x', 'batch', 'batch')`,
              );
              throw new Error('roll back the savepoint');
            })
            .catch(() => undefined);
          await em.query(
            `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('seq-a', 'sp2@x', 'batch', 'batch')`,
          );
        }),
    );
    const rows = await db.query(
      `SELECT door, correlation_id, data->>'userName' AS name FROM change_events WHERE correlation_id = 'corr-savepoint'`,
    );
    expect(rows).toEqual([{ door: 'batch', correlation_id: 'corr-savepoint', name: 'sp2@x' }]);
  });

  it('numbers each tenant 1, 2, 3... and a reader resuming after its last seq sees every event once', async () => {
    const writers = 6;
    const perWriter = 40;
    const seen: string[] = [];
    const ids = new Set<string>();
    let after = (await read('seq-b', '0')).at(-1)?.seq ?? '0';
    let writing = true;
    const load = Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < perWriter; i++) await insertUser(i % 2 ? 'seq-b' : 'seq-a', `w${w}-${i}@example.com`);
      }),
    ).finally(() => (writing = false));
    while (writing || (await read('seq-b', after)).length > 0) {
      for (const row of await read('seq-b', after)) {
        seen.push(row.seq);
        ids.add(row.resource_id);
        after = row.seq;
      }
    }
    await load;
    const expected = (writers * perWriter) / 2;
    expect(ids.size).toBe(expected);
    expect(seen.length).toBe(expected);
    // Consecutive: no gap a later commit could fill, no repeat.
    seen.forEach((seq, i) => expect(BigInt(seq)).toBe(BigInt(seen[0]) + BigInt(i)));
    const [{ last }] = await db.query(`SELECT last_seq AS last FROM change_sequences WHERE tenant_id = 'seq-b'`);
    expect(last).toBe(after);
  });

  // A server: on the embedded database an open transaction holds every other connection back.
  (process.env.DATABASE_URL ? it : it.skip)(
    'numbers an event whose transaction was open during a pass once it commits, after what that pass numbered',
    async () => {
      const early = db.createQueryRunner();
      await early.connect();
      try {
        await early.startTransaction();
        const [{ id: late }] = await early.query(
          `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('seq-a', 'open-long@example.com', 'scim', 'scim') RETURNING id`,
        );
        const after = (await read('seq-a', '0')).at(-1)?.seq ?? '0';
        await insertUser('seq-a', 'open-later@example.com');
        // This pass sees the later writer's event only; the open transaction keeps its own.
        const first = await read('seq-a', after);
        expect(first).toHaveLength(1);
        await early.commitTransaction();
        const both = await read('seq-a', after);
        expect(both).toHaveLength(2);
        expect(BigInt(both[1].seq)).toBe(BigInt(both[0].seq) + 1n);
        expect(both[1].resource_id).toBe(late);
      } finally {
        await early.release();
      }
    },
  );

  it('numbers a set-based write as one run, and gives every event of it its own seq', async () => {
    const runs = async (tenant: string): Promise<number> =>
      Number((await db.query(`SELECT count(*) AS n FROM change_runs WHERE tenant_id = $1`, [tenant]))[0].n);
    const after = (await read('seq-r', '0')).at(-1)?.seq ?? '0';
    const before = await runs('seq-r');
    await db.query(
      `INSERT INTO users (tenant_id, user_name, created_by, changed_by)
       SELECT 'seq-r', 'run-' || g || '@example.com', 'scim', 'scim' FROM generate_series(1, 300) g`,
    );
    const events = await read('seq-r', after);
    expect(events).toHaveLength(300);
    expect(events.map((event) => BigInt(event.seq) - BigInt(after))).toEqual(
      Array.from({ length: 300 }, (_, i) => BigInt(i + 1)),
    );
    expect(new Set(events.map((event) => event.resource_id)).size).toBe(300);
    expect((await runs('seq-r')) - before).toBe(1);
  });

  it('reads only the runs above the watermark, however many runs there are', async () => {
    const repository = t.app.get(ChangeEventsRepository);
    const runsRead = (em: EntityManager): Promise<number> =>
      em
        .query<{ n: string }[]>(
          `SELECT sum(pg_stat_get_xact_tuples_returned(oid)) AS n FROM pg_class
            WHERE oid = 'change_runs'::regclass
               OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'change_runs'::regclass)`,
        )
        .then(([row]) => Number(row.n));
    // 20,000 numbered events of two tenants by turns, so 20,000 runs of one event; counted by a
    // VACUUM but with no statistics yet (a restored or fast-growing table), when the planner guesses
    // a third of the events above the watermark and would join them to every run by merge or hash.
    await db.query(
      `INSERT INTO change_events (tenant_id, resource_type, resource_id, event_type, door)
       SELECT CASE WHEN g % 2 = 0 THEN 'seq-b' ELSE 'seq-c' END, 'user', gen_random_uuid(), 'delete', 'system'
         FROM generate_series(1, 20000) g`,
    );
    await sequencer.catchUp();
    await db.query('VACUUM change_events, change_runs');
    for (let i = 0; i < 5; i++) await insertUser('seq-b', `bounded-${i}@example.com`);
    const read = await transactions.run(async (em) => {
      await repository.lockSequencer(em, ADVISORY_LOCKS.changeSequencer);
      // The five new events above the watermark, whether a pass has numbered them yet or not.
      await em.query(`UPDATE change_sequencer SET watermark = (SELECT max(id) - 5 FROM change_events)`);
      const before = await runsRead(em);
      await repository.sequencePending(em, 5_000);
      return (await runsRead(em)) - before;
    });
    expect(read).toBeLessThan(100);
  });

  it('records activation, a patch, cascaded membership removal and the delete, in order', async () => {
    await db.query(`INSERT INTO user_types (id, tenant_id, name) VALUES ('seq-staff', 'seq-a', 'Staff')`);
    const [{ id: user }] = await db.query(
      `INSERT INTO users (tenant_id, user_name, created_by, changed_by) VALUES ('seq-a', 'order@x', 'scim', 'scim') RETURNING id`,
    );
    const [{ id: department }] = await db.query(
      `INSERT INTO departments (tenant_id, name) VALUES ('seq-a', 'Ops') RETURNING id`,
    );
    await db.query(
      `INSERT INTO assignments (user_id, department_id, user_type_id, tenant_id) VALUES ($1, $2, 'seq-staff', 'seq-a')`,
      [user, department],
    );
    await db.query(`UPDATE users SET active = false, display_name = 'Order' WHERE id = $1`, [user]);
    await db.query(`UPDATE users SET version = version + 1, updated_on = now() WHERE id = $1`, [user]);
    await db.query(`DELETE FROM users WHERE id = $1`, [user]);
    await sequencer.catchUp();
    const rows = await db.query(
      `SELECT resource_type, event_type, attributes, data FROM change_feed
        WHERE tenant_id = 'seq-a' AND (resource_id = $1 OR member_id = $1) ORDER BY seq`,
      [user],
    );
    expect(
      rows.map((r: { resource_type: string; event_type: string }) => `${r.resource_type} ${r.event_type}`),
    ).toEqual([
      'user create',
      'assignment create',
      'user patch',
      'user deactivate',
      'user delete',
      'assignment delete',
    ]);
    expect(rows[2]).toMatchObject({ attributes: ['displayName'], data: { displayName: 'Order' } });
    expect(rows[3]).toMatchObject({ attributes: ['active'], data: { active: false } });
  });
});
