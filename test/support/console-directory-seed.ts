import { DataSource } from 'typeorm';
import { RequestLogWriter } from '../../src/request-log/request-log.writer';
import { TestApp } from './test-app';

const BASE = '/api/provisioning/iam';

/** What seedDirectory made: ids by external id, and the tenant's SCIM secret. */
export interface SeededDirectory {
  tenantId: string;
  departments: Record<string, string>;
  users: Record<string, string>;
  scimSecret: string;
  scimCredentialId: string;
}

/**
 * A tenant with a small tree, through the APIs an integrator uses:
 * Acme (root) > Engineering > Platform, Acme > Sales, and a second root Archive;
 * three users by the batch API (assigned), one by SCIM (a request-log row names it).
 */
export async function seedDirectory(t: TestApp, tenantId: string): Promise<SeededDirectory> {
  const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
  await t.http
    .post('/api/admin/tenants')
    .set(admin)
    .send({ id: tenantId, name: `${tenantId} Ltd` })
    .expect(201);
  const issue = async (body: Record<string, unknown>): Promise<{ id: string; secret: string }> =>
    (await t.http.post(`/api/admin/tenants/${tenantId}/credentials`).set(admin).send(body).expect(201)).body;
  const api = await issue({
    kind: 'API_TOKEN',
    name: 'HR nightly',
    roles: ['PROVISIONING_UPDATE', 'PROVISIONING_SEARCH'],
  });
  const scim = await issue({ kind: 'SCIM_SECRET', name: 'Entra ID', roles: ['SCIM'] });
  const headers = { 'auth-tenant-id': tenantId, 'auth-token': api.secret };
  const tx = (await t.http.post(`${BASE}/checkpoint`).set(headers).expect(200)).body.transactionId as string;
  await t.http
    .post(`${BASE}/${tx}/department`)
    .set(headers)
    .send([
      { externalId: `${tenantId}-root`, departmentName: 'Acme' },
      { externalId: `${tenantId}-eng`, departmentName: 'Engineering', parentExternalId: `${tenantId}-root` },
      { externalId: `${tenantId}-sales`, departmentName: 'Sales', parentExternalId: `${tenantId}-root` },
      { externalId: `${tenantId}-platform`, departmentName: 'Platform', parentExternalId: `${tenantId}-eng` },
      { externalId: `${tenantId}-archive`, departmentName: 'Archive' },
    ])
    .expect(200);
  const person = (first: string, last: string, department: string) => ({
    firstName: first,
    lastName: last,
    email: `${first.toLowerCase()}.${last.toLowerCase()}@${tenantId}.example`,
    externalId: `${tenantId}-${first.toLowerCase()}`,
    active: true,
    matchOnField: 'EXTERNAL_ID',
    userTypes: [{ departmentExternalId: `${tenantId}-${department}`, userTypeId: '1' }],
  });
  await t.http
    .post(`${BASE}/${tx}/user`)
    .set(headers)
    .send([person('Ada', 'Lovelace', 'eng'), person('Grace', 'Hopper', 'eng'), person('Linus', 'Pauling', 'sales')])
    .expect(200);
  await t.http.post(`${BASE}/${tx}/commit?wait=true`).set(headers).expect(200);
  const created = await t.http
    .post(`/scim/endpoints/${tenantId}/Users`)
    .set('Authorization', `Bearer ${scim.secret}`)
    .send({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: `margaret@${tenantId}.example`,
      externalId: `${tenantId}-margaret`,
      name: { givenName: 'Margaret', familyName: 'Hamilton' },
      displayName: 'Margaret Hamilton',
      emails: [{ value: `margaret@${tenantId}.example`, type: 'work', primary: true }],
      active: false,
      title: 'Director',
    })
    .expect(201);
  await t.app.get(RequestLogWriter).flush();

  const db = t.app.get(DataSource);
  const byExternalId = async (table: 'departments' | 'users'): Promise<Record<string, string>> => {
    const rows = await db.query<{ id: string; external_id: string }[]>(
      `SELECT id, external_id FROM ${table} WHERE tenant_id = $1`,
      [tenantId],
    );
    return Object.fromEntries(rows.map((row) => [row.external_id.slice(tenantId.length + 1), row.id]));
  };
  const departments = await byExternalId('departments');
  const users = await byExternalId('users');
  if (users.margaret !== created.body.id) throw new Error('the SCIM user was not found by its external id');
  return { tenantId, departments, users, scimSecret: scim.secret, scimCredentialId: scim.id };
}
