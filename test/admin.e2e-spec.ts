import { startTestApp, TestApp } from './support/test-app';

describe('admin API: tenants and user types', () => {
  let t: TestApp;
  const admin = (): Record<string, string> => ({ Authorization: `Bearer ${t.secrets.adminToken}` });

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('says who is signed in: the admin token spans all tenants', async () => {
    const me = await t.http.get('/api/admin/me').set(admin()).expect(200);
    expect(me.body).toMatchObject({ kind: 'ADMIN_TOKEN', roles: ['ADMIN'], scope: 'all', tenantId: null });
    expect(typeof me.body.name).toBe('string');
    await t.http.get('/api/admin/me').expect(401);
    await t.http
      .get('/api/admin/me')
      .set({ Authorization: `Bearer ${t.secrets.scimSecret}` })
      .expect(403);
  });

  it('has created the default tenant with the contract defaults and user type "1"', async () => {
    const tenant = await t.http.get('/api/admin/tenants/default').set(admin()).expect(200);
    expect(tenant.body).toMatchObject({ id: 'default', locale: 'en-GB', timeZone: 'Europe/London', orgCode: null });
    const types = await t.http.get('/api/admin/tenants/default/user-types').set(admin()).expect(200);
    expect(types.body.items).toEqual([expect.objectContaining({ id: '1', name: 'Member' })]);
  });

  it('creates a tenant with its own user type "1", lists and updates it', async () => {
    const created = await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'acme', name: 'Acme', orgCode: 'ACME' })
      .expect(201);
    expect(created.body).toMatchObject({
      id: 'acme',
      name: 'Acme',
      orgCode: 'ACME',
      locale: 'en-GB',
      timeZone: 'Europe/London',
    });
    const types = await t.http.get('/api/admin/tenants/acme/user-types').set(admin()).expect(200);
    expect(types.body.items.map((type: { id: string }) => type.id)).toEqual(['1']);

    const updated = await t.http
      .patch('/api/admin/tenants/acme')
      .set(admin())
      .send({ name: 'Acme plc', locale: 'en-US', timeZone: 'America/New_York', orgCode: 'ACME-2' })
      .expect(200);
    expect(updated.body).toMatchObject({
      name: 'Acme plc',
      locale: 'en-US',
      timeZone: 'America/New_York',
      orgCode: 'ACME-2',
    });
    const list = await t.http.get('/api/admin/tenants').set(admin()).expect(200);
    expect(list.body.items.map((tenant: { id: string }) => tenant.id)).toEqual(
      expect.arrayContaining(['default', 'acme']),
    );
    expect(list.body.total).toBe(list.body.items.length);
  });

  it('refuses a taken tenant id or org code with 409', async () => {
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'taken', name: 'One', orgCode: 'ONE' }).expect(201);
    const id = await t.http.post('/api/admin/tenants').set(admin()).send({ id: 'taken', name: 'Two' }).expect(409);
    expect(id.body).toMatchObject({ status: false, errors: [expect.objectContaining({ code: 'DUPLICATE' })] });
    await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'second', name: 'Two', orgCode: 'ONE' })
      .expect(409);
    await t.http.patch('/api/admin/tenants/default').set(admin()).send({ orgCode: 'ONE' }).expect(409);
  });

  it('validates input and names the field', async () => {
    const badId = await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'no spaces please', name: 'x' })
      .expect(400);
    expect(badId.body.errors[0]).toMatchObject({ code: 'VALIDATION', paths: ['id'], field: ['id'] });
    const unknown = await t.http
      .post('/api/admin/tenants')
      .set(admin())
      .send({ id: 'ok', name: 'x', colour: 'red' })
      .expect(400);
    expect(unknown.body.errors[0].message).toBe("Unrecognized field 'colour'");
    const zone = await t.http
      .patch('/api/admin/tenants/default')
      .set(admin())
      .send({ timeZone: 'Mars/Olympus' })
      .expect(400);
    expect(zone.body.errors[0]).toMatchObject({ paths: ['timeZone'] });
    await t.http.patch('/api/admin/tenants/default').set(admin()).send({ locale: 'not a locale!' }).expect(400);
    // A body that is not a JSON object is refused, not read as an empty change.
    for (const notAnObject of ['[]', 'null', '"x"']) {
      const refused = await t.http
        .patch('/api/admin/tenants/default')
        .set(admin())
        .set('Content-Type', 'application/json')
        .send(notAnObject)
        .expect(400);
      expect(refused.body).toMatchObject({ status: false, error: 'The request body must be a JSON object' });
    }
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: 42, name: 'x' }).expect(400);
  });

  it('answers 404 for a tenant that does not exist', async () => {
    await t.http.get('/api/admin/tenants/ghost').set(admin()).expect(404);
    await t.http.patch('/api/admin/tenants/ghost').set(admin()).send({ name: 'x' }).expect(404);
    await t.http.get('/api/admin/tenants/ghost/user-types').set(admin()).expect(404);
  });

  it('manages user types per tenant', async () => {
    await t.http
      .post('/api/admin/tenants/default/user-types')
      .set(admin())
      .send({ id: '2', name: 'Manager' })
      .expect(201);
    await t.http
      .post('/api/admin/tenants/default/user-types')
      .set(admin())
      .send({ id: '2', name: 'Again' })
      .expect(409);
    const renamed = await t.http
      .patch('/api/admin/tenants/default/user-types/2')
      .set(admin())
      .send({ name: 'Line manager' })
      .expect(200);
    expect(renamed.body).toMatchObject({ id: '2', name: 'Line manager' });
    await t.http.patch('/api/admin/tenants/default/user-types/99').set(admin()).send({ name: 'x' }).expect(404);
    await t.http.post('/api/admin/tenants/default/user-types').set(admin()).send({ id: '', name: 'x' }).expect(400);
    const other = await t.http.get('/api/admin/tenants/acme/user-types').set(admin()).expect(200);
    expect(other.body.items.map((type: { id: string }) => type.id)).toEqual(['1']);
  });
});
