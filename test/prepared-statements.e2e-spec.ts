import request from 'supertest';
import { DataSource, QueryFailedError } from 'typeorm';
import { preparedQuery } from '../src/database/prepared-statements';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The hottest reads run as named prepared statements on a PostgreSQL server (planned once per
 * connection, not per request), and unnamed on the embedded server, whose pool connections share
 * one session. Either way a caller sees the same answers and the same errors.
 */
describe('prepared statements', () => {
  let t: TestApp;
  const onServer = process.env.DATABASE_URL !== undefined;
  const db = (): DataSource => t.app.get(DataSource);
  const scim = (path: string) =>
    request(t.app.getHttpServer()).get(`/scim/v2${path}`).set('Authorization', `Bearer ${t.secrets.scimSecret}`);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off' });
  });
  afterAll(() => t.close());

  it(`are ${onServer ? 'named on a PostgreSQL server' : 'left unnamed on the embedded server'}`, async () => {
    const text = `SELECT $1::int + 1 AS n /* ${Math.random()} */`;
    await db().transaction(async (em) => {
      expect(await preparedQuery(em, text, [41])).toEqual([{ n: 42 }]);
      // Again on the same connection: a named statement is executed without being parsed again.
      expect(await preparedQuery(em, text, [1])).toEqual([{ n: 2 }]);
      const named: { statement: string }[] = await em.query(
        'SELECT statement FROM pg_prepared_statements WHERE statement = $1',
        [text],
      );
      expect(named.length).toBe(onServer ? 1 : 0);
    });
  });

  it('fail as em.query fails, with the SQLSTATE', async () => {
    const failure = preparedQuery(db().manager, 'SELECT 1 / $1::int AS n', [0]);
    await expect(failure).rejects.toBeInstanceOf(QueryFailedError);
    await expect(failure).rejects.toMatchObject({ code: '22012' });
  });

  it('answer SCIM reads alike on every pool connection, request after request', async () => {
    const created: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(t.app.getHttpServer())
        .post('/scim/v2/Users')
        .set('Authorization', `Bearer ${t.secrets.scimSecret}`)
        .set('Content-Type', 'application/scim+json')
        .send({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: `prepared.${i}.${Date.now()}@example.com`,
        });
      expect(res.status).toBe(201);
      created.push(res.body.id as string);
    }
    // More requests at once than the pool has connections: each connection prepares and reuses.
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, k) => {
        const id = created[k % created.length];
        return k % 2 === 0 ? scim(`/Users/${id}`) : scim(`/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`);
      }),
    );
    answers.forEach((res, k) => {
      expect(res.status).toBe(200);
      const id = created[k % created.length];
      expect(k % 2 === 0 ? res.body.id : res.body.Resources[0].id).toBe(id);
    });
  });
});
