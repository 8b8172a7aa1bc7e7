import { ProbeModule } from './support/probe.module';
import { startTestApp, TestApp } from './support/test-app';

describe('the HTTP application', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT: '4kb' }, [ProbeModule]);
  });
  afterAll(() => t.close());

  it('answers /health with 200 when the database and the queue are ready', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body).toEqual({
      status: 'ok',
      database: { status: 'up' },
      queue: { status: 'up', mode: process.env.REDIS_URL ? 'redis' : 'in-process' },
      requestLog: { buffered: expect.any(Number), dropped: 0, detailsOmitted: 0 },
    });
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const echoed = await t.http.get('/health').set('X-Request-Id', 'trace-123');
    expect(echoed.headers['x-request-id']).toBe('trace-123');
    const made = await t.http.get('/health').set('X-Request-Id', 'bad id with spaces <script>');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers an unknown route with 404 in the provisioning envelope', async () => {
    const res = await t.http.get('/api/nope').expect(404);
    expect(res.body).toMatchObject({ status: false, message: expect.any(String), error: expect.any(String) });
    expect(res.body.errors[0]).toMatchObject({ code: 'NOT_FOUND', type: 'NOT_FOUND' });
    expect(res.body.correlationId).toBe(res.headers['x-request-id']);
  });

  it('turns an unexpected error into a 500 that leaks nothing', async () => {
    const res = await t.http.get('/api/_probe/boom').expect(500);
    expect(res.body).toMatchObject({ status: false, message: 'Internal server error' });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('secret.ts');
    expect(res.body.correlationId).toBe(res.headers['x-request-id']);
  });

  it('maps a database connection failure to 503, not 500', async () => {
    const res = await t.http.get('/api/_probe/database-down').expect(503);
    expect(res.body).toMatchObject({ status: false, message: 'Service unavailable' });
    expect(JSON.stringify(res.body)).not.toContain('5432');
  });

  it('parses application/scim+json and plain JSON alike', async () => {
    const scim = await t.http
      .post('/api/_probe/echo')
      .set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ userName: 'a' }))
      .expect(201);
    expect(scim.body).toEqual({ received: { userName: 'a' } });
    await t.http
      .post('/api/_probe/echo')
      .send([1, 2])
      .expect(201, { received: [1, 2] });
  });

  it('refuses malformed JSON with 400 and a body over BODY_LIMIT with 413, in the envelope', async () => {
    const bad = await t.http.post('/api/_probe/echo').set('Content-Type', 'application/json').send('{"a":').expect(400);
    expect(bad.body).toMatchObject({ status: false, error: 'Request body is not valid JSON' });
    const big = await t.http
      .post('/api/_probe/echo')
      .send({ blob: 'x'.repeat(5000) })
      .expect(413);
    expect(big.body).toMatchObject({ status: false, message: 'Payload too large' });
  });

  it('answers body failures on SCIM routes as SCIM errors', async () => {
    const res = await t.http
      .post('/scim/v2/Users')
      .set('Content-Type', 'application/scim+json')
      .send('{"userName":')
      .expect(400);
    expect(JSON.parse(res.text)).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
    });
  });

  it('accepts a body over the 100 KB Express default when BODY_LIMIT allows it', async () => {
    const roomy = await startTestApp({ BODY_LIMIT: '1mb' }, [ProbeModule]);
    try {
      const res = await roomy.http
        .post('/api/_probe/echo')
        .send({ blob: 'x'.repeat(300_000) })
        .expect(201);
      expect(res.body.received.blob).toHaveLength(300_000);
    } finally {
      await roomy.close();
    }
  });

  it('serves the OpenAPI document at /api/docs', async () => {
    const res = await t.http.get('/api/docs/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/health', '/oauth/token', '/api/admin/tenants']),
    );
    await t.http.get('/api/docs').expect(200);
  });
});
