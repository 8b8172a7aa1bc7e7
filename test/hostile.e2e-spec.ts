import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as jwt from 'jsonwebtoken';
import { Response, Test } from 'supertest';
import { DataSource } from 'typeorm';
import { ServerKey } from '../src/auth/server-key';
import { JsonLogger } from '../src/common/json-logger';
import { RequestLogWriter } from '../src/request-log/request-log.writer';
import { oauthToken, randomSecret, startTestApp, TestApp } from './support/test-app';

// The hostile-input suite (issue 14): every front door gets deep, NUL, surrogate, invalid UTF-8,
// oversized and overlong input, a secrets spray, cross-tenant attempts with every credential kind
// and forged tokens. Problems are collected, not thrown at the first one, so one run lists every
// door, input and status that broke; each test then asserts its list is empty, and the last one
// prints the counts the issue asks for.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ORG_A = 'hostile-org-a';
const ORG_B = 'hostile-org-b';
const TENANT_B = 'hostile-b';
const DEEP = 10_000;

type Envelope = 'scim' | 'provisioning' | 'partner' | 'oauth' | 'none';
type Headers = Record<string, string>;
const unique = (label: string): string => `${label}-${randomBytes(6).toString('hex')}`;

/** Whether a 4xx answer is in the door's own error format. */
const ENVELOPES: Record<Envelope, (body: any) => boolean> = {
  scim: (body) => Array.isArray(body?.schemas) && body.schemas.includes(SCIM_ERROR) && typeof body.status === 'string',
  provisioning: (body) => body?.status === false,
  partner: (body) => body?.success === false,
  oauth: (body) => typeof body?.error === 'string',
  none: () => true,
};

/**
 * A JSON body with one hostile member. `wrap(key, value)` builds a valid body of the door with
 * `key: value` merged in; the marks are then replaced by raw JSON text, so the value can be what
 * JSON.stringify would never write (10,000 levels, a raw lone-surrogate escape, invalid UTF-8).
 */
interface BodyDoor {
  door: string;
  envelope: Envelope;
  method: 'post' | 'put' | 'patch';
  path: () => string;
  auth: () => Headers;
  wrap: (key: string, value: string) => unknown;
  /** The member holding an identifier (userName, externalId, name). */
  idField: string;
  /** A per-item door: a 2xx is right when every item answered is a failed operation. */
  perItem?: 'operations' | 'partner';
  /** Also gets the 9 MB attribute (it costs a second per request). */
  huge?: boolean;
}

interface HostileValue {
  input: string;
  /** `id`: goes into the door's idField; `key`: the hostile text is the member's name. */
  at: 'id' | 'attr' | 'key';
  /** JSON text (or bytes) of the value, or of the key when `at` is `key`. */
  json: string | Buffer;
  onlyHuge?: boolean;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const KEY_MARK = '__hostile_key__';
const VALUE_MARK = '__hostile_value__';
const deepJson = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const utf8Invalid = Buffer.concat([Buffer.from('"bad'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), Buffer.from('"')]);

const HOSTILE_VALUES: HostileValue[] = [
  { input: `JSON nested ${DEEP} deep`, at: 'attr', json: deepJson(DEEP) },
  { input: 'JSON arrays nested 10,000 deep', at: 'attr', json: '['.repeat(DEEP) + ']'.repeat(DEEP) },
  { input: 'NUL in an identifier', at: 'id', json: JSON.stringify('nul\u0000inside') },
  { input: 'NUL in an attribute value', at: 'attr', json: JSON.stringify('nul\u0000value') },
  { input: 'NUL in a key', at: 'key', json: JSON.stringify('k\u0000ey') },
  { input: 'lone surrogate \\ud800 in an identifier', at: 'id', json: '"lone\\ud800"' },
  { input: 'lone surrogate \\udc00 in a key', at: 'key', json: '"\\udc00key"' },
  { input: 'invalid UTF-8 bytes in an identifier', at: 'id', json: utf8Invalid },
  { input: 'overlong identifier (400 chars)', at: 'id', json: JSON.stringify('x'.repeat(400)) },
  { input: 'U+202E (bidi override) in an identifier', at: 'id', json: JSON.stringify('evil\u202etxt.exe') },
  { input: 'control character U+0007 in an identifier', at: 'id', json: JSON.stringify('bell\u0007name') },
  { input: 'attribute value of 33 KB (limit 32 KB)', at: 'attr', json: JSON.stringify('v'.repeat(33 * 1024)) },
  { input: 'attribute value of 9 MB', at: 'attr', json: JSON.stringify('m'.repeat(9 * 1024 * 1024)), onlyHuge: true },
];

/**
 * The body of one hostile request, as bytes. An identifier gets a unique prefix, so that a 409 for
 * a value an earlier case already took cannot pass for a refusal of the input.
 */
function hostileBody(door: BodyDoor, value: HostileValue): Buffer {
  const key = value.at === 'id' ? door.idField : value.at === 'attr' ? 'hostileAttribute' : KEY_MARK;
  const template = JSON.stringify(door.wrap(key, VALUE_MARK));
  const [before, after] = template.split(JSON.stringify(VALUE_MARK));
  const json = Buffer.from(value.json);
  const tagged = value.at === 'id' ? Buffer.concat([Buffer.from(`"${unique('id')}-`), json.subarray(1)]) : json;
  const parts: (string | Buffer)[] = value.at === 'key' ? [before, '"x"', after] : [before, tagged, after];
  if (value.at === 'key') {
    const text = parts.join('');
    const [head, tail] = text.split(JSON.stringify(KEY_MARK));
    return Buffer.concat([Buffer.from(head), Buffer.from(value.json), Buffer.from(tail)]);
  }
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}

/** A query or path that is hostile: `%00`, a lone surrogate's UTF-8 (`%ED%A0%80`), invalid UTF-8. */
const HOSTILE_URL_TEXT: { input: string; text: string }[] = [
  { input: 'NUL (%00)', text: 'a%00b' },
  { input: 'lone surrogate (%ED%A0%80)', text: 'a%ED%A0%80b' },
  { input: 'invalid UTF-8 (%FF%FE)', text: 'a%FF%FEb' },
];

interface UrlDoor {
  door: string;
  envelope: Envelope;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** The URL with `text` (already percent-encoded) in the query or a path segment. */
  url: (text: string) => string;
  auth: () => Headers;
}

interface Sent {
  correlationId: string;
  door: string;
  input: string;
  status: number;
  ms?: number;
  answer?: string;
  /** Answered by Node's HTTP parser before the app saw it: no row, no envelope possible. */
  parserRefused?: boolean;
}

describe('hostile input: every door answers 4xx in its own format, stores no secret, logs every request', () => {
  let t: TestApp;
  let db: DataSource;
  let baseUrl: { host: string; port: number };
  const captured: string[] = [];
  const restores: (() => void)[] = [];
  const sent: Sent[] = [];
  const counts = { answered500: 0, secretsFound: 0, withoutLogRow: 0, crossTenantReads: 0 };
  let sequence = 0;

  const partnerSecretA = randomSecret('partner-a');
  const partnerSecretB = randomSecret('partner-b');
  const oauthA = { id: 'hostile-client-a', secret: randomSecret('oauth-a') };
  let oauthB: { clientId: string; secret: string };
  let scimSecretB = '';
  let apiTokenB = '';
  let oauthJwtA = '';
  let txA = '';
  const fixtures = { userA: '', groupA: '', userB: '', userNameB: '', externalIdB: '', groupB: '', txB: '', jobB: '' };

  const admin = (): Headers => ({ Authorization: `Bearer ${t.secrets.adminToken}` });
  const scimA = (): Headers => ({ Authorization: `Bearer ${t.secrets.scimSecret}` });
  const apiA = (): Headers => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
  const partnerJwt = (orgCode = ORG_A, secret = partnerSecretA, options: jwt.SignOptions = {}): string =>
    jwt.sign({ orgCode }, secret, { algorithm: 'HS256', expiresIn: 300, ...options });
  const partnerA = (): Headers => ({ Authorization: `Bearer ${partnerJwt()}` });
  const nextId = (): string => `hostile-${process.pid}-${++sequence}`;

  /**
   * Sends one request tagged with its own X-Request-Id and records it. `expectation` returns what
   * is wrong with the answer (or null); never-500 is checked here for every request.
   */
  async function send(
    door: string,
    input: string,
    build: (id: string) => Promise<Response> | PromiseLike<Response>,
    problems: string[],
    expectation: (res: Response) => string | null = () => null,
  ): Promise<Response> {
    const correlationId = nextId();
    const started = Date.now();
    const res = await build(correlationId);
    sent.push({ correlationId, door, input, status: res.status, ms: Date.now() - started, answer: preview(res) });
    if (res.status >= 500) counts.answered500++;
    const problem = res.status >= 500 ? `answered ${res.status}` : expectation(res);
    if (problem) problems.push(`${door} | ${input} | ${problem} | ${preview(res)}`);
    return res;
  }

  const preview = (res: Response): string => (res.text ?? '').slice(0, 160).replace(/\s+/g, ' ');

  /** A 4xx in the door's envelope. */
  const refusedIn =
    (envelope: Envelope) =>
    (res: Response): string | null => {
      if (res.status < 400 || res.status >= 500) return `answered ${res.status}, expected a 4xx`;
      return ENVELOPES[envelope](res.body) ? null : `answered ${res.status} outside the ${envelope} envelope`;
    };

  /** Per-item doors may answer 2xx, but then every item is a failed operation. */
  const refusedOrFailedItems = (door: BodyDoor) => (res: Response) => {
    if (res.status >= 300 || !door.perItem) return refusedIn(door.envelope)(res);
    if (door.perItem === 'operations') {
      // Queue answers list operations; direct mode answers `processed` and `status` for the whole batch.
      const operations: { status: boolean }[] | undefined = res.body?.operations;
      const failed = Array.isArray(operations)
        ? operations.length > 0 && operations.every((op) => op.status === false)
        : res.body?.status === false && res.body?.processed === 0;
      return failed ? null : `answered ${res.status} with an item accepted, expected a failed operation`;
    }
    const summary = res.body?.data?.summary;
    return summary && summary.created + summary.updated === 0
      ? null
      : `answered ${res.status} with a user written, expected it refused`;
  };

  function sendBody(door: BodyDoor, input: string, body: Buffer, problems: string[], extra: Headers = {}) {
    return send(
      door.door,
      input,
      (id) =>
        t.http[door.method](door.path())
          .set(door.auth())
          .set(extra)
          .set('X-Request-Id', id)
          .set('Content-Type', door.envelope === 'scim' ? 'application/scim+json' : 'application/json')
          // The bytes as they are: superagent would otherwise serialise a Buffer as JSON.
          .serialize((bytes: Buffer) => bytes as unknown as string)
          .send(body),
      problems,
      refusedOrFailedItems(door),
    );
  }

  /** A raw HTTP/1.1 request over a socket: headers Node's client would refuse to send. */
  function rawRequest(
    door: string,
    input: string,
    method: string,
    path: string,
    headers: string[],
  ): Promise<Sent & { body: unknown }> {
    const correlationId = nextId();
    return new Promise((resolve, reject) => {
      const socket = net.connect(baseUrl.port, baseUrl.host);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.on('error', reject);
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('latin1');
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
        const parserRefused = !text.toLowerCase().includes(`x-request-id: ${correlationId}`);
        const entry = { correlationId, door, input, status, parserRefused };
        sent.push(entry);
        const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4);
        if (status >= 500) counts.answered500++;
        resolve({ ...entry, body: parseJson(bodyText) });
      });
      const head = [`${method} ${path} HTTP/1.1`, `Host: ${baseUrl.host}`, `X-Request-Id: ${correlationId}`];
      head.push(...headers, 'Content-Length: 0', 'Connection: close', '', '');
      // Not end(): a half-closed socket may be dropped before an asynchronous answer is written.
      socket.write(Buffer.from(head.join('\r\n'), 'latin1'));
      socket.setTimeout(10_000, () => socket.destroy());
    });
  }

  async function scimCreateUser(headers: Headers, userName: string, extra: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/scim/v2/Users')
      .set(headers)
      .send({ schemas: [USER], userName, ...extra })
      .expect(201);
    return res.body;
  }

  beforeAll(async () => {
    // Everything the app prints, through its logger or the console, is kept for the secret scan.
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      stream.write = (chunk: unknown, ...rest: unknown[]) => {
        captured.push(String(chunk));
        return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
      };
      restores.push(() => (stream.write = write));
    }
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      const spy = jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        captured.push(args.map(String).join(' '));
      });
      restores.push(() => spy.mockRestore());
    }
    t = await startTestApp(
      {
        RATE_LIMITS: 'off',
        OAUTH_CLIENT_ID: oauthA.id,
        OAUTH_CLIENT_SECRET: oauthA.secret,
        WRAPPER_SECRET_KEY: partnerSecretA,
        WRAPPER_ORG_CODE: ORG_A,
      },
      [],
      new JsonLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']),
    );
    db = t.app.get(DataSource);
    await t.app.listen(0, '127.0.0.1');
    const address = t.app.getHttpServer().address() as AddressInfo;
    baseUrl = { host: '127.0.0.1', port: address.port };

    // Tenant B with a credential of every kind, and things of B to reach for.
    await t.http.post('/api/admin/tenants').set(admin()).send({ id: TENANT_B, name: 'Hostile B', orgCode: ORG_B });
    const issue = async (body: Record<string, unknown>) =>
      (await t.http.post(`/api/admin/tenants/${TENANT_B}/credentials`).set(admin()).send(body).expect(201)).body;
    apiTokenB = (await issue({ kind: 'API_TOKEN', name: 'b api' })).secret;
    scimSecretB = (await issue({ kind: 'SCIM_SECRET', name: 'b scim' })).secret;
    oauthB = await issue({ kind: 'OAUTH_CLIENT', name: 'b oauth', clientId: 'hostile-client-b' });
    await issue({ kind: 'PARTNER_SECRET', name: 'b partner', secret: partnerSecretB });
    oauthJwtA = await oauthToken(t, oauthA.id, oauthA.secret);
    expect(await oauthToken(t, oauthB.clientId, oauthB.secret)).toBeTruthy();

    const scimB = { Authorization: `Bearer ${scimSecretB}` };
    fixtures.userNameB = unique('b-user') + '@b.example.com';
    fixtures.externalIdB = unique('b-ext');
    fixtures.userB = (await scimCreateUser(scimB, fixtures.userNameB, { externalId: fixtures.externalIdB })).id;
    fixtures.groupB = (
      await t.http
        .post('/scim/v2/Groups')
        .set(scimB)
        .send({ schemas: [GROUP], displayName: unique('b-group'), members: [{ value: fixtures.userB }] })
        .expect(201)
    ).body.id;
    const apiB = { 'auth-tenant-id': TENANT_B, 'auth-token': apiTokenB };
    const jobTx = (await t.http.post('/api/provisioning/iam/checkpoint').set(apiB).expect(200)).body.transactionId;
    fixtures.jobB = (await t.http.post(`/api/provisioning/iam/${jobTx}/commit`).set(apiB)).body.jobId;
    fixtures.txB = (await t.http.post('/api/provisioning/iam/checkpoint').set(apiB).expect(200)).body.transactionId;
    await t.http
      .post(`/api/provisioning/iam/${fixtures.txB}/user`)
      .set(apiB)
      .send([{ email: `${unique('b-queued')}@b.example.com`, firstName: 'B', lastName: 'Q', externalId: unique('b') }])
      .expect((res) => expect(res.status).toBeLessThan(300));

    fixtures.userA = (await scimCreateUser(scimA(), `${unique('a-user')}@a.example.com`)).id;
    fixtures.groupA = (
      await t.http
        .post('/scim/v2/Groups')
        .set(scimA())
        .send({ schemas: [GROUP], displayName: unique('a-group') })
    ).body.id;
    txA = (await t.http.post('/api/provisioning/iam/checkpoint').set(apiA()).expect(200)).body.transactionId;
  }, 60_000);

  afterAll(async () => {
    restores.reverse().forEach((restore) => restore());
    if (process.env.HOSTILE_DUMP) fs.writeFileSync(process.env.HOSTILE_DUMP, JSON.stringify(sent, null, 1));
    await t?.close();
  });

  const scimUser = (key: string, value: unknown) => ({
    schemas: [USER],
    userName: `${unique('h')}@a.example.com`,
    [key]: value,
  });
  const batchUser = (key: string, value: unknown) => ({
    email: `${unique('q')}@a.example.com`,
    firstName: 'Q',
    lastName: 'User',
    externalId: unique('q'),
    [key]: value,
  });
  const batchDepartment = (key: string, value: unknown) => ({ externalId: unique('d'), name: 'Dept', [key]: value });

  const BODY_DOORS: BodyDoor[] = [
    ...['/scim/v2', '/scim', '/scim/endpoints/default'].map((root): BodyDoor => ({
      door: `SCIM POST ${root}/Users`,
      envelope: 'scim',
      method: 'post',
      path: () => `${root}/Users`,
      auth: scimA,
      wrap: scimUser,
      idField: 'userName',
      huge: root === '/scim/v2',
    })),
    {
      door: 'SCIM POST /scim/v2/Groups',
      envelope: 'scim',
      method: 'post',
      path: () => '/scim/v2/Groups',
      auth: scimA,
      wrap: (key, value) => ({ schemas: [GROUP], displayName: unique('g'), [key]: value }),
      idField: 'displayName',
      huge: true,
    },
    {
      door: 'SCIM PUT /scim/v2/Users/{id}',
      envelope: 'scim',
      method: 'put',
      path: () => `/scim/v2/Users/${fixtures.userA}`,
      auth: scimA,
      wrap: scimUser,
      idField: 'userName',
    },
    {
      door: 'SCIM PATCH /scim/v2/Users/{id}',
      envelope: 'scim',
      method: 'patch',
      path: () => `/scim/v2/Users/${fixtures.userA}`,
      auth: scimA,
      wrap: (key, value) => ({ schemas: [PATCH_OP], Operations: [{ op: 'add', value: { [key]: value } }] }),
      idField: 'userName',
      huge: true,
    },
    {
      door: 'SCIM PATCH /scim/v2/Groups/{id}',
      envelope: 'scim',
      method: 'patch',
      path: () => `/scim/v2/Groups/${fixtures.groupA}`,
      auth: scimA,
      wrap: (key, value) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [key]: value } }] }),
      idField: 'displayName',
    },
    {
      door: 'SCIM POST /scim/v2/Users/.search',
      envelope: 'scim',
      method: 'post',
      path: () => '/scim/v2/Users/.search',
      auth: scimA,
      // A SearchRequest stores nothing: its hostile "attribute" is the filter itself.
      wrap: (key, value) =>
        key === 'hostileAttribute'
          ? { schemas: [SEARCH], filter: value }
          : { schemas: [SEARCH], filter: 'userName pr', [key]: value },
      idField: 'filter',
    },
    ...[
      ['queue users', () => `/api/provisioning/iam/${txA}/user`, batchUser],
      ['queue users (alias user/sync)', () => `/api/provisioning/iam/user/sync/${txA}`, batchUser],
      ['queue users (alias ?transactionId)', () => `/api/provisioning/iam/user?transactionId=${txA}`, batchUser],
      ['queue departments', () => `/api/provisioning/iam/${txA}/department`, batchDepartment],
      ['direct users', () => '/api/provisioning/iam/user', batchUser],
      ['direct departments', () => '/api/provisioning/iam/department', batchDepartment],
    ].map(([label, path, item]): BodyDoor => ({
      door: `provisioning ${label as string}`,
      envelope: 'provisioning',
      method: 'post',
      path: path as () => string,
      auth: apiA,
      wrap: (key, value) => [(item as typeof batchUser)(key, value)],
      idField: 'externalId',
      perItem: 'operations',
      huge: label === 'queue users',
    })),
    {
      door: 'partner POST /api/admin/users/sync',
      envelope: 'partner',
      method: 'post',
      path: () => '/api/admin/users/sync',
      auth: partnerA,
      wrap: (key, value) => ({
        mode: 'upsert',
        users: [
          {
            externalId: unique('p'),
            email: `${unique('p')}@a.example.com`,
            firstName: 'P',
            lastName: 'Sync',
            role: 'user',
            isActive: true,
            orgCode: ORG_A,
            // Partner users keep no unknown fields; what a partner stores freely is its metadata.
            ...(key === 'hostileAttribute' ? { metadata: { [key]: value } } : { [key]: value }),
          },
        ],
      }),
      idField: 'externalId',
      perItem: 'partner',
      huge: true,
    },
    {
      door: 'oauth POST /oauth/token',
      envelope: 'oauth',
      method: 'post',
      path: () => '/oauth/token',
      auth: () => ({}),
      wrap: (key, value) => ({
        grant_type: 'client_credentials',
        client_id: oauthA.id,
        client_secret: 'no',
        [key]: value,
      }),
      idField: 'client_id',
    },
    {
      door: 'admin POST /api/admin/tenants',
      envelope: 'provisioning',
      method: 'post',
      path: () => '/api/admin/tenants',
      auth: admin,
      wrap: (key, value) => ({ id: unique('t'), name: 'Tenant', [key]: value }),
      idField: 'name',
    },
    {
      door: 'admin PATCH /api/admin/tenants/{id}',
      envelope: 'provisioning',
      method: 'patch',
      path: () => `/api/admin/tenants/${TENANT_B}`,
      auth: admin,
      wrap: (key, value) => ({ [key]: value }),
      idField: 'name',
    },
    {
      door: 'admin POST /api/admin/tenants/{id}/credentials',
      envelope: 'provisioning',
      method: 'post',
      path: () => `/api/admin/tenants/${TENANT_B}/credentials`,
      auth: admin,
      wrap: (key, value) => ({ kind: 'API_TOKEN', name: 'cred', [key]: value }),
      idField: 'name',
    },
    {
      door: 'admin POST /api/admin/tenants/{id}/user-types',
      envelope: 'provisioning',
      method: 'post',
      path: () => '/api/admin/tenants/default/user-types',
      auth: admin,
      wrap: (key, value) => ({ id: unique('ut').slice(0, 12), name: 'Type', [key]: value }),
      idField: 'name',
    },
  ];

  const URL_DOORS: UrlDoor[] = [
    ...['/scim/v2', '/scim', '/scim/endpoints/default'].flatMap((root): UrlDoor[] => [
      {
        door: `SCIM GET ${root}/Users?filter=`,
        envelope: 'scim',
        method: 'get',
        url: (text) => `${root}/Users?filter=userName%20eq%20%22${text}%22`,
        auth: scimA,
      },
      {
        door: `SCIM GET ${root}/Users/{id}`,
        envelope: 'scim',
        method: 'get',
        url: (x) => `${root}/Users/${x}`,
        auth: scimA,
      },
    ]),
    {
      door: 'SCIM GET /scim/v2/Groups?filter=',
      envelope: 'scim',
      method: 'get',
      url: (x) => `/scim/v2/Groups?filter=displayName%20eq%20%22${x}%22`,
      auth: scimA,
    },
    {
      door: 'SCIM PATCH /scim/v2/Groups/{id}',
      envelope: 'scim',
      method: 'patch',
      url: (x) => `/scim/v2/Groups/${x}`,
      auth: scimA,
    },
    {
      door: 'SCIM DELETE /scim/v2/Users/{id}',
      envelope: 'scim',
      method: 'delete',
      url: (x) => `/scim/v2/Users/${x}`,
      auth: scimA,
    },
    {
      door: 'SCIM /scim/endpoints/{tenantId}',
      envelope: 'scim',
      method: 'get',
      url: (x) => `/scim/endpoints/${x}/Users`,
      auth: scimA,
    },
    {
      door: 'provisioning GET user?createdBy=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/provisioning/iam/user?createdBy=${x}`,
      auth: apiA,
    },
    {
      door: 'provisioning GET department?name=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/provisioning/iam/department?name=${x}&createdOn=${x}`,
      auth: apiA,
    },
    {
      door: 'provisioning GET transactions?status=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/provisioning/iam/transactions?status=${x}`,
      auth: apiA,
    },
    {
      door: 'provisioning GET transaction/{tx}/status',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/provisioning/iam/transaction/${x}/status`,
      auth: apiA,
    },
    {
      door: 'provisioning POST {tx}/commit',
      envelope: 'provisioning',
      method: 'post',
      url: (x) => `/api/provisioning/iam/${x}/commit`,
      auth: apiA,
    },
    {
      door: 'provisioning POST commit?transactionId=',
      envelope: 'provisioning',
      method: 'post',
      url: (x) => `/api/provisioning/iam/commit?transactionId=${x}`,
      auth: apiA,
    },
    {
      door: 'provisioning POST transaction/{tx}/rollback',
      envelope: 'provisioning',
      method: 'post',
      url: (x) => `/api/provisioning/iam/transaction/${x}/rollback`,
      auth: apiA,
    },
    {
      door: 'provisioning POST {tx}/user',
      envelope: 'provisioning',
      method: 'post',
      url: (x) => `/api/provisioning/iam/${x}/user`,
      auth: apiA,
    },
    {
      door: 'jobs GET /api/user/job/{id}',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/user/job/${x}`,
      auth: apiA,
    },
    {
      door: 'jobs POST /api/user/job/{id}/cancel',
      envelope: 'provisioning',
      method: 'post',
      url: (x) => `/api/user/job/${x}/cancel`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/logs?search=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/logs?search=${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/logs/{id}',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/logs/${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/jobs?tenant=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/jobs?tenant=${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/transactions?tenant=',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/transactions?tenant=${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/transactions/{id}',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/transactions/${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/tenants/{id}',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/tenants/${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/tenants/{id}/credentials',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/tenants/${x}/credentials`,
      auth: admin,
    },
    {
      door: 'admin DELETE /api/admin/tenants/{id}/credentials/{id}',
      envelope: 'provisioning',
      method: 'delete',
      url: (x) => `/api/admin/tenants/default/credentials/${x}`,
      auth: admin,
    },
    {
      door: 'admin GET /api/admin/tenants/{id}/user-types',
      envelope: 'provisioning',
      method: 'get',
      url: (x) => `/api/admin/tenants/${x}/user-types`,
      auth: admin,
    },
    {
      door: 'partner POST /api/admin/users/sync?x=',
      envelope: 'partner',
      method: 'post',
      url: (x) => `/api/admin/users/sync?mode=${x}`,
      auth: partnerA,
    },
    {
      door: 'oauth POST /oauth/token?x=',
      envelope: 'oauth',
      method: 'post',
      url: (x) => `/oauth/token?client_id=${x}`,
      auth: () => ({}),
    },
  ];

  it('refuses hostile bodies at every door with a 4xx in its own format (per-item doors: a failed item)', async () => {
    const problems: string[] = [];
    for (const door of BODY_DOORS) {
      for (const value of HOSTILE_VALUES) {
        if (value.onlyHuge && !door.huge) continue;
        await sendBody(door, value.input, hostileBody(door, value), problems);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses bodies over BODY_LIMIT (413) and bodies that are not JSON at every body door', async () => {
    const problems: string[] = [];
    const oversized = Buffer.from(JSON.stringify({ pad: 'o'.repeat(10 * 1024 * 1024 + 1024) }));
    // One door per envelope: each of these requests moves 10 MB.
    const doors = [
      'SCIM POST /scim/v2/Users',
      'provisioning queue users',
      'partner POST /api/admin/users/sync',
      'oauth POST /oauth/token',
      'admin POST /api/admin/tenants',
    ].map((name) => BODY_DOORS.find((door) => door.door === name)!);
    for (const door of doors) {
      const tooBig = await sendBody(door, 'body over BODY_LIMIT (10 MB)', oversized, problems);
      if (tooBig.status !== 413)
        problems.push(`${door.door} | body over BODY_LIMIT | answered ${tooBig.status}, expected 413`);
      await sendBody(door, 'truncated JSON', Buffer.from('{"a": [1, 2'), problems);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses NUL, lone surrogates and invalid UTF-8 in query parameters and path segments', async () => {
    const problems: string[] = [];
    for (const door of URL_DOORS) {
      for (const { input, text } of HOSTILE_URL_TEXT) {
        await send(
          door.door,
          input,
          (id) => t.http[door.method](door.url(text)).set(door.auth()).set('X-Request-Id', id).send(),
          problems,
          refusedIn(door.envelope),
        );
      }
    }
    for (const { input, text } of HOSTILE_URL_TEXT) {
      await send('GET /health', input, (id) => t.http.get(`/health?probe=${text}`).set('X-Request-Id', id), problems);
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('refuses NUL, lone surrogates and invalid UTF-8 in headers (raw HTTP), never with a 500', async () => {
    const problems: string[] = [];
    // `mayPass`: a header the door ignores may be answered as usual; a broken credential may not.
    const headerCases: { input: string; header: (auth: string) => string[]; mayPass?: boolean }[] = [
      { input: 'NUL in an extra header', header: (auth) => [auth, 'X-Note: a\u0000b'], mayPass: true },
      { input: 'NUL in the credential header', header: (auth) => [auth.replace(/(.)$/, '\u0000$1')] },
      { input: 'lone surrogate bytes in the credential header', header: (auth) => [auth + '\xed\xa0\x80'] },
      { input: 'invalid UTF-8 in the credential header', header: (auth) => [auth + '\xff\xfe'] },
      {
        input: 'U+202E in X-Forwarded-For',
        header: (auth) => [auth, 'X-Forwarded-For: \xe2\x80\xae1.2.3.4'],
        mayPass: true,
      },
    ];
    const routes: [string, string, string, () => string, Envelope][] = [
      [
        'SCIM GET /scim/v2/Users',
        'GET',
        '/scim/v2/Users',
        () => `Authorization: Bearer ${t.secrets.scimSecret}`,
        'scim',
      ],
      [
        'provisioning GET user',
        'GET',
        '/api/provisioning/iam/user',
        () => `auth-token: ${t.secrets.apiToken}`,
        'provisioning',
      ],
      ['partner POST sync', 'POST', '/api/admin/users/sync', () => `Authorization: Bearer ${partnerJwt()}`, 'partner'],
      [
        'oauth POST token',
        'POST',
        '/oauth/token',
        () => `Authorization: Basic ${Buffer.from(`${oauthA.id}:${oauthA.secret}`).toString('base64')}`,
        'oauth',
      ],
      [
        'admin GET tenants',
        'GET',
        '/api/admin/tenants',
        () => `Authorization: Bearer ${t.secrets.adminToken}`,
        'provisioning',
      ],
      [
        'jobs GET job',
        'GET',
        `/api/user/job/${fixtures.jobB}`,
        () => `auth-token: ${t.secrets.apiToken}`,
        'provisioning',
      ],
      ['GET /health', 'GET', '/health', () => 'X-Probe: 1', 'none'],
    ];
    for (const [door, method, path, auth, envelope] of routes) {
      for (const { input, header, mayPass } of headerCases) {
        const extra = door.startsWith('provisioning') || door.startsWith('jobs') ? ['auth-tenant-id: default'] : [];
        const result = await rawRequest(door, input, method, path, [...extra, ...header(auth())]);
        const refused = result.status >= 400 && result.status < 500;
        if (result.status === 0 || result.status >= 500) {
          problems.push(`${door} | ${input} | answered ${result.status}`);
        } else if (!refused && !mayPass && envelope !== 'none') {
          problems.push(`${door} | ${input} | answered ${result.status}, expected a 4xx`);
        } else if (refused && !result.parserRefused && !ENVELOPES[envelope](result.body)) {
          problems.push(`${door} | ${input} | answered ${result.status} outside the ${envelope} envelope`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('enforces the SCIM PATCH caps: 1,001 operations, 1,001 values or 10,001 members in one operation, a resource over 128 KB', async () => {
    const problems: string[] = [];
    const patch = (input: string, operations: unknown[]) =>
      sendBody(
        BODY_DOORS.find((door) => door.door.startsWith('SCIM PATCH /scim/v2/Users'))!,
        input,
        Buffer.from(JSON.stringify({ schemas: [PATCH_OP], Operations: operations })),
        problems,
      );
    await patch(
      '1,001 operations',
      Array.from({ length: 1001 }, (_, i) => ({ op: 'replace', path: 'title', value: `t${i}` })),
    );
    await patch('1,001 values in one operation', [
      { op: 'add', path: 'emails', value: Array.from({ length: 1001 }, (_, i) => ({ value: `e${i}@a.example.com` })) },
    ]);
    const groupDoor = BODY_DOORS.find((door) => door.door === 'SCIM PATCH /scim/v2/Groups/{id}')!;
    await sendBody(
      groupDoor,
      '10,001 members in one operation',
      Buffer.from(
        JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [
            { op: 'add', path: 'members', value: Array.from({ length: 10_001 }, () => ({ value: fixtures.userA })) },
          ],
        }),
      ),
      problems,
    );
    const bigResource = Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`part${i}`, 'r'.repeat(30 * 1024)]));
    await sendBody(
      BODY_DOORS[0],
      'resource of 150 KB in attributes of 30 KB',
      Buffer.from(JSON.stringify({ ...scimUser('x', 1), ...bigResource })),
      problems,
    );
    expect(problems).toEqual([]);
  });

  it('queues the valid items of a queue request that mixes them with bad ones, and applies them on commit', async () => {
    const problems: string[] = [];
    const tx = (await t.http.post('/api/provisioning/iam/checkpoint').set(apiA()).expect(200)).body.transactionId;
    const valid = [batchUser('lastName', 'Valid'), batchUser('lastName', 'Valid')];
    const bad = [
      batchUser('externalId', 'nul\u0000id'),
      batchUser('externalId', 'e'.repeat(300)),
      batchUser('externalId', 'lone\ud800'),
      batchUser('emailAddress', 'unknown@field.example.com'),
      batchUser('firstName', 'evil\u202etxt'),
      { ...batchUser('x', 1), 'k\u0000ey': 'v' },
    ];
    const items = [valid[0], ...bad, valid[1]];
    const res = await send(
      'provisioning queue users',
      'mixed valid and bad items',
      (id) => t.http.post(`/api/provisioning/iam/${tx}/user`).set(apiA()).set('X-Request-Id', id).send(items),
      problems,
      (r) => {
        const statuses = (r.body?.operations ?? []).map((op: { status: boolean }) => op.status);
        const expected = items.map((item) => valid.includes(item));
        return r.status < 300 && JSON.stringify(statuses) === JSON.stringify(expected)
          ? null
          : `answered ${r.status} with item statuses ${JSON.stringify(statuses)}, expected ${JSON.stringify(expected)}`;
      },
    );
    if (res.status < 300) {
      await send(
        'provisioning commit',
        'commit of the mixed request',
        (id) => t.http.post(`/api/provisioning/iam/${tx}/commit?wait=true`).set(apiA()).set('X-Request-Id', id),
        problems,
        (r) => (r.status === 200 ? null : `answered ${r.status}`),
      );
      for (const item of valid) {
        const found = await t.http
          .get('/scim/v2/Users')
          .set(scimA())
          .query({ filter: `externalId eq "${item.externalId}"` });
        if (found.body.totalResults !== 1)
          problems.push(`provisioning commit | valid item ${item.externalId} | not applied`);
      }
    }
    expect(problems).toEqual([]);
  });
  it('stores and prints none of the secrets sprayed through every door', async () => {
    const problems: string[] = [];
    const values: string[] = [];
    const secret = (): string => {
      const value = `sprayed${randomBytes(12).toString('hex')}`;
      values.push(value);
      return value;
    };
    const scimBody = (): Record<string, unknown> => ({
      schemas: [USER, ENTERPRISE, 'urn:example:params:scim:schemas:extension:acme:2.0:User'],
      userName: `${unique('spray')}@a.example.com`,
      name: { givenName: 'Spray', password: secret() },
      password: secret(),
      userPassword: secret(),
      pwd: secret(),
      clientSecret: secret(),
      apiToken: secret(),
      [ENTERPRISE]: { employeeNumber: '7', password: secret(), signingKey: secret() },
      'urn:example:params:scim:schemas:extension:acme:2.0:User': { apiKey: secret(), nested: { privateKey: secret() } },
    });
    const secretHeaders = (): Headers => ({
      'X-Api-Key': secret(),
      'X-Hub-Signature': secret(),
      'X-Auth': secret(),
      'Ocp-Apim-Subscription-Key': secret(),
      'X-Functions-Key': secret(),
      'X-Session': secret(),
    });
    const secretQuery = (): string =>
      `key=${secret()}&sig=${secret()}&pass=${secret()}&code=${secret()}&session=${secret()}`;
    // An error may quote what the caller just sent; a success that shows a secret has kept it.
    const ok = (res: Response): string | null => {
      if (res.status >= 500) return `answered ${res.status}`;
      if (res.status >= 400) return null;
      const echoed = values.filter((value) => res.text.includes(value));
      return echoed.length ? `echoed ${echoed.length} secret value(s) in its answer` : null;
    };
    type Spray = [string, (id: string) => PromiseLike<Response>];
    const sprays: Spray[] = [
      [
        'SCIM POST Users (extension URNs, name.password, userPassword, pwd, clientSecret)',
        (id) =>
          t.http
            .post(`/scim/v2/Users?${secretQuery()}`)
            .set(scimA())
            .set(secretHeaders())
            .set('X-Request-Id', id)
            .send(scimBody()),
      ],
      [
        'SCIM PUT Users',
        (id) => t.http.put(`/scim/v2/Users/${fixtures.userA}`).set(scimA()).set('X-Request-Id', id).send(scimBody()),
      ],
      [
        'SCIM PATCH Users (paths, escaped key, password.value)',
        (id) =>
          t.http
            .patch(`/scim/v2/Users/${fixtures.userA}`)
            .set(scimA())
            .set('X-Request-Id', id)
            .set('Content-Type', 'application/scim+json')
            .send(
              `{"schemas":["${PATCH_OP}"],"Operations":[` +
                `{"op":"replace","p\\u0061th":"password","value":"${secret()}"},` +
                `{"op":"add","path":"${ENTERPRISE}:password","value":"${secret()}"},` +
                `{"op":"add","value":{"password":{"value":"${secret()}"},"userPassword":"${secret()}","clientSecret":"${secret()}"}},` +
                `{"op":"add","path":"urn:example:params:scim:schemas:extension:acme:2.0:User:apiToken","value":"${secret()}"}]}`,
            ),
      ],
      [
        'SCIM POST Groups (clientSecret, secretToken)',
        (id) =>
          t.http
            .post('/scim/v2/Groups')
            .set(scimA())
            .set('X-Request-Id', id)
            .send({ schemas: [GROUP], displayName: unique('spray-g'), clientSecret: secret(), secretToken: secret() }),
      ],
      [
        'SCIM PATCH Groups',
        (id) =>
          t.http
            .patch(`/scim/v2/Groups/${fixtures.groupA}`)
            .set(scimA())
            .set('X-Request-Id', id)
            .send({
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', value: { password: secret(), apiKey: secret() } }],
            }),
      ],
      [
        'SCIM GET filter=password eq',
        (id) =>
          t.http
            .get('/scim/v2/Users')
            .query({ filter: `password eq "${secret()}"` })
            .set(scimA())
            .set('X-Request-Id', id),
      ],
      [
        'SCIM POST .search filter=password eq',
        (id) =>
          t.http
            .post('/scim/v2/Users/.search')
            .set(scimA())
            .set('X-Request-Id', id)
            .send({ schemas: [SEARCH], filter: `password eq "${secret()}"` }),
      ],
      [
        'SCIM GET with secrets after ; and a second ?',
        (id) =>
          t.http
            .get(`/scim/v2/Users?count=1;token=${secret()}?password=${secret()}`)
            .set(scimA())
            .set('X-Request-Id', id),
      ],
      [
        'partner sync metadata.password, apiToken, sso.clientSecret',
        (id) =>
          t.http
            .post('/api/admin/users/sync')
            .set(partnerA())
            .set(secretHeaders())
            .set('X-Request-Id', id)
            .send({
              mode: 'upsert',
              users: [
                {
                  externalId: unique('ps'),
                  email: `${unique('ps')}@a.example.com`,
                  firstName: 'P',
                  lastName: 'S',
                  role: 'user',
                  isActive: true,
                  orgCode: ORG_A,
                  metadata: { password: secret(), apiToken: secret(), sso: { clientSecret: secret() }, team: 'kept' },
                },
              ],
            }),
      ],
      [
        'provisioning queue item fields pass, pin, apiKey',
        (id) =>
          t.http
            .post(`/api/provisioning/iam/${txA}/user?${secretQuery()}`)
            .set(apiA())
            .set(secretHeaders())
            .set('X-Request-Id', id)
            .send([
              batchUser('pass', secret()),
              batchUser('pin', secret()),
              { ...batchUser('password', secret()), apiKey: secret() },
            ]),
      ],
      [
        'provisioning direct department secretKey',
        (id) =>
          t.http
            .post('/api/provisioning/iam/department')
            .set(apiA())
            .set('X-Request-Id', id)
            .send([batchDepartment('secretKey', secret())]),
      ],
      [
        'oauth token with a wrong secret (form)',
        (id) =>
          t.http
            .post('/oauth/token')
            .type('form')
            .set('X-Request-Id', id)
            .send({ grant_type: 'client_credentials', client_id: oauthA.id, client_secret: secret() }),
      ],
      [
        'oauth token with a wrong secret (JSON, Basic)',
        (id) =>
          t.http
            .post('/oauth/token')
            .set('X-Request-Id', id)
            .set('Authorization', `Basic ${Buffer.from(`${oauthA.id}:${secret()}`).toString('base64')}`)
            .send({ grant_type: 'client_credentials' }),
      ],
      [
        'admin chosen partner secret',
        (id) =>
          t.http
            .post(`/api/admin/tenants/${TENANT_B}/credentials`)
            .set(admin())
            .set('X-Request-Id', id)
            .send({ kind: 'PARTNER_SECRET', name: 'spray', secret: secret() }),
      ],
      [
        'admin GET logs with secret query names',
        (id) =>
          t.http.get(`/api/admin/logs?${secretQuery()}`).set(admin()).set(secretHeaders()).set('X-Request-Id', id),
      ],
    ];
    for (const [input, build] of sprays) {
      // The one answer that may show a secret: a new credential's, shown once by design.
      await send('secrets spray', input, build, problems, input.startsWith('admin chosen') ? undefined : ok);
    }
    // What GET answers afterwards must not hold them either.
    for (const path of [
      `/scim/v2/Users/${fixtures.userA}`,
      `/scim/v2/Groups/${fixtures.groupA}`,
      `/scim/v2/Users?filter=${encodeURIComponent('userName sw "spray"')}`,
    ]) {
      await send(
        'secrets spray',
        `read back ${path}`,
        (id) => t.http.get(path).set(scimA()).set('X-Request-Id', id),
        problems,
        ok,
      );
    }
    await t.app.get(RequestLogWriter).flush();

    const tables: { name: string }[] = await db.query(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(tables.length).toBeGreaterThan(5);
    for (const { name } of tables) {
      // One pass over the table: every sprayed-looking value in it, then the ones actually sent.
      const found: { value: string }[] = await db.query(
        `SELECT DISTINCT m[1] AS value FROM "${name}" row, regexp_matches(row::text, '(sprayed[0-9a-f]{24})', 'g') m`,
      );
      const rows = found.filter(({ value }) => values.includes(value));
      counts.secretsFound += rows.length;
      if (rows.length) problems.push(`table ${name} | holds ${rows.length} of the ${values.length} sprayed secrets`);
    }
    const printed = captured.join('');
    const inOutput = values.filter((value) => printed.includes(value));
    counts.secretsFound += inOutput.length;
    if (inOutput.length) problems.push(`stdout/stderr | printed ${inOutput.length} of the sprayed secrets`);
    expect(values.length).toBeGreaterThan(60);
    expect(problems).toEqual([]);
  }, 60_000);

  it("reads and changes nothing of tenant B with tenant A's credentials of every kind", async () => {
    const problems: string[] = [];
    const apiB = { 'auth-tenant-id': TENANT_B, 'auth-token': apiTokenB };
    const scimB = { Authorization: `Bearer ${scimSecretB}` };
    const { userB, groupB, txB, jobB, userNameB, externalIdB } = fixtures;
    const snapshot = async () => ({
      user: (await t.http.get(`/scim/v2/Users/${userB}`).set(scimB)).body,
      group: (await t.http.get(`/scim/v2/Groups/${groupB}`).set(scimB)).body,
      tx: (await t.http.get(`/api/provisioning/iam/transaction/${txB}/status`).set(apiB)).body,
    });
    const before = await snapshot();
    expect(before.user.id).toBe(userB);
    const markers = [userB, userNameB, externalIdB, groupB, txB];
    const leakIn = (res: Response): string[] =>
      res.status < 400 ? markers.filter((marker) => res.text.includes(marker)) : [];

    // Each attempt names one of B's things (`x`); the contract's rule is that it answers exactly as
    // the same request naming something that does not exist, and shows nothing of B.
    type Attempt = [string, string, (h: Headers, x: string) => Test];
    const missingUuid = '00000000-0000-4000-8000-000000000000';
    const scimAttempts: Attempt[] = [
      ['GET Users/{B}', userB, (h, x) => t.http.get(`/scim/v2/Users/${x}`).set(h)],
      [
        'PUT Users/{B}',
        userB,
        (h, x) =>
          t.http
            .put(`/scim/v2/Users/${x}`)
            .set(h)
            .send({ schemas: [USER], userName: `${unique('s')}@a.example.com` }),
      ],
      [
        'PATCH Users/{B}',
        userB,
        (h, x) =>
          t.http
            .patch(`/scim/v2/Users/${x}`)
            .set(h)
            .send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }),
      ],
      ['DELETE Users/{B}', userB, (h, x) => t.http.delete(`/scim/v2/Users/${x}`).set(h)],
      ['GET Groups/{B}', groupB, (h, x) => t.http.get(`/scim/v2/Groups/${x}`).set(h)],
      [
        'PATCH Groups/{B}',
        groupB,
        (h, x) =>
          t.http
            .patch(`/scim/v2/Groups/${x}`)
            .set(h)
            .send({
              schemas: [PATCH_OP],
              Operations: [{ op: 'add', path: 'members', value: [{ value: fixtures.userA }] }],
            }),
      ],
      ['DELETE Groups/{B}', groupB, (h, x) => t.http.delete(`/scim/v2/Groups/${x}`).set(h)],
      [
        'filter id eq {B}',
        userB,
        (h, x) =>
          t.http
            .get('/scim/v2/Users')
            .query({ filter: `id eq "${x}"` })
            .set(h),
      ],
      [
        'filter userName eq {B}',
        userNameB,
        (h, x) =>
          t.http
            .get('/scim/v2/Users')
            .query({ filter: `userName eq "${x}"` })
            .set(h),
      ],
      [
        'filter externalId eq {B}',
        externalIdB,
        (h, x) =>
          t.http
            .get('/scim/v2/Users')
            .query({ filter: `externalId eq "${x}"` })
            .set(h),
      ],
      [
        '.search groups.value eq {B}',
        groupB,
        (h, x) =>
          t.http
            .post('/scim/v2/Users/.search')
            .set(h)
            .send({ schemas: [SEARCH], filter: `groups.value eq "${x}"` }),
      ],
      [
        'Groups filter id eq {B}',
        groupB,
        (h, x) =>
          t.http
            .get('/scim/v2/Groups')
            .query({ filter: `id eq "${x}"` })
            .set(h),
      ],
      [
        'POST Groups with member {B}',
        userB,
        (h, x) =>
          t.http
            .post('/scim/v2/Groups')
            .set(h)
            .send({ schemas: [GROUP], displayName: unique('x'), members: [{ value: x }] }),
      ],
      [
        'PATCH own Group adding member {B}',
        userB,
        (h, x) =>
          t.http
            .patch(`/scim/v2/Groups/${fixtures.groupA}`)
            .set(h)
            .send({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: x }] }] }),
      ],
      [
        'POST Groups with child group {B}',
        groupB,
        (h, x) =>
          t.http
            .post('/scim/v2/Groups')
            .set(h)
            .send({ schemas: [GROUP], displayName: unique('x'), members: [{ value: x, type: 'Group' }] }),
      ],
      ['/scim/endpoints/{B}/Users', TENANT_B, (h, x) => t.http.get(`/scim/endpoints/${x}/Users`).set(h)],
      ['/scim/endpoints/{B}/Users/{B}', TENANT_B, (h, x) => t.http.get(`/scim/endpoints/${x}/Users/${userB}`).set(h)],
      ['/scim/endpoints/default/Users/{B}', userB, (h, x) => t.http.get(`/scim/endpoints/default/Users/${x}`).set(h)],
    ];
    const apiAttempts: Attempt[] = [
      ['GET transaction/{B}/status', txB, (h, x) => t.http.get(`/api/provisioning/iam/transaction/${x}/status`).set(h)],
      [
        'POST {B}/user',
        txB,
        (h, x) =>
          t.http
            .post(`/api/provisioning/iam/${x}/user`)
            .set(h)
            .send([batchUser('title', 'x')]),
      ],
      [
        'POST {B}/department',
        txB,
        (h, x) =>
          t.http
            .post(`/api/provisioning/iam/department?transactionId=${x}`)
            .set(h)
            .send([batchDepartment('name', 'x')]),
      ],
      ['POST {B}/commit', txB, (h, x) => t.http.post(`/api/provisioning/iam/${x}/commit`).set(h)],
      [
        'POST transaction/{B}/rollback',
        txB,
        (h, x) => t.http.post(`/api/provisioning/iam/transaction/${x}/rollback`).set(h),
      ],
      ['GET job/{B}', jobB, (h, x) => t.http.get(`/api/user/job/${x}`).set(h)],
      ['GET transactions (list)', txB, (h) => t.http.get('/api/provisioning/iam/transactions').set(h)],
      ['GET user (list)', userB, (h) => t.http.get('/api/provisioning/iam/user').query({ limit: 1000 }).set(h)],
      [
        'GET department (list)',
        groupB,
        (h) => t.http.get('/api/provisioning/iam/department').query({ limit: 1000 }).set(h),
      ],
    ];
    const kinds: [string, Headers, Attempt[]][] = [
      ['SCIM secret A', scimA(), scimAttempts],
      ['OAuth JWT A', { Authorization: `Bearer ${oauthJwtA}` }, scimAttempts],
      ['API token A', apiA(), apiAttempts],
      [
        "API token A under B's tenant id",
        { 'auth-tenant-id': TENANT_B, 'auth-token': t.secrets.apiToken },
        apiAttempts,
      ],
      [
        "SCIM secret A as B's API token",
        { 'auth-tenant-id': TENANT_B, 'auth-token': t.secrets.scimSecret },
        apiAttempts,
      ],
    ];
    for (const [kind, headers, attempts] of kinds) {
      for (const [input, target, build] of attempts) {
        const missing =
          target === TENANT_B ? 'no-such-tenant' : /^[0-9a-f-]{36}$/.test(target) ? missingUuid : unique('missing');
        const baseline = await send(
          `cross-tenant ${kind}`,
          `${input} (a missing one)`,
          (id) => build(headers, missing).set('X-Request-Id', id),
          problems,
        );
        await send(
          `cross-tenant ${kind}`,
          input,
          (id) => build(headers, target).set('X-Request-Id', id),
          problems,
          (res) => {
            const leaked = leakIn(res);
            if (leaked.length) counts.crossTenantReads++;
            if (leaked.length) return `answered ${res.status} showing tenant B's ${leaked.join(', ')}`;
            return res.status === baseline.status
              ? null
              : `answered ${res.status}, but ${baseline.status} for a missing one`;
          },
        );
      }
    }
    // Partner sync with A's secret: nothing of B may be matched, changed or shown.
    const partnerUser = {
      externalId: externalIdB,
      email: userNameB,
      firstName: 'Stolen',
      lastName: 'B',
      role: 'user',
      isActive: false,
    };
    const partnerAttempts: [string, string, Record<string, unknown>][] = [
      ['upsert of org B users', partnerJwt(), { mode: 'upsert', users: [{ ...partnerUser, orgCode: ORG_B }] }],
      ["upsert of B's user under org A", partnerJwt(), { mode: 'upsert', users: [{ ...partnerUser, orgCode: ORG_A }] }],
      ['secret A claiming org B', partnerJwt(ORG_B), { mode: 'upsert', users: [{ ...partnerUser, orgCode: ORG_B }] }],
      ['full-reconcile of org A', partnerJwt(), { mode: 'full-reconcile', users: [] }],
    ];
    for (const [input, token, body] of partnerAttempts) {
      await send(
        'cross-tenant partner JWT A',
        input,
        (id) =>
          t.http
            .post('/api/admin/users/sync')
            .set('Authorization', `Bearer ${token}`)
            .set('X-Request-Id', id)
            .send(body),
        problems,
        (res) =>
          res.text.includes(userB) ? (counts.crossTenantReads++, `answered ${res.status} showing B's user id`) : null,
      );
    }
    await send(
      'cross-tenant',
      "B's own credential still reads B",
      (id) => t.http.get(`/scim/v2/Users/${userB}`).set(scimB).set('X-Request-Id', id),
      problems,
      (res) => (res.status === 200 ? null : `answered ${res.status}`),
    );

    const after = await snapshot();
    for (const key of ['user', 'group', 'tx'] as const) {
      if (JSON.stringify(after[key]) !== JSON.stringify(before[key])) {
        problems.push(
          `tenant B | its ${key} | changed by tenant A: ${JSON.stringify(before[key]).slice(0, 200)} -> ${JSON.stringify(after[key]).slice(0, 200)}`,
        );
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it('refuses forged tokens with 401/403 at SCIM, admin and partner sync', async () => {
    const problems: string[] = [];
    const [header, payload, signature] = oauthJwtA.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const serverKey = new ServerKey(t.secrets.jwtSecret).jwtSigningKey;
    const signWith = (body: Record<string, unknown>, key: Buffer | string) =>
      jwt.sign(body, key, { algorithm: 'HS256', noTimestamp: true });
    const now = Math.floor(Date.now() / 1000);
    const serviceForgeries: [string, string][] = [
      ['alg none', `${encode({ alg: 'none', typ: 'JWT' })}.${payload}.`],
      ['alg none, no signature part', `${encode({ alg: 'none', typ: 'JWT' })}.${payload}`],
      ['HS256 with a wrong key', signWith(claims, 'not-the-server-key')],
      ['expired', signWith({ ...claims, iat: now - 7200, exp: now - 3600 }, serverKey)],
      ['truncated', oauthJwtA.slice(0, -6)],
      ['payload claims ADMIN, signature kept', `${header}.${encode({ ...claims, roles: ['ADMIN'] })}.${signature}`],
      ['signed, claims ADMIN for a SCIM credential', signWith({ ...claims, roles: ['ADMIN'] }, serverKey)],
      ['signed, claims tenant B', signWith({ ...claims, tid: TENANT_B }, serverKey)],
      ['HS512 with the server key', jwt.sign(claims, serverKey, { algorithm: 'HS512', noTimestamp: true })],
      ['garbage', 'a.b.c'],
    ];
    const targets: [string, string][] = [
      ['SCIM GET /scim/v2/Users', '/scim/v2/Users'],
      [`SCIM GET /scim/endpoints/${TENANT_B}/Users`, `/scim/endpoints/${TENANT_B}/Users`],
      ['admin GET /api/admin/tenants', '/api/admin/tenants'],
    ];
    const refused = (res: Response) =>
      res.status === 401 || res.status === 403 ? null : `answered ${res.status}, expected 401/403`;
    for (const [door, path] of targets) {
      for (const [input, token] of serviceForgeries) {
        // A correctly signed token of a SCIM credential is a SCIM token whatever roles it claims.
        if (input.startsWith('signed, claims ADMIN') && !door.startsWith('admin')) continue;
        await send(
          door,
          `forged JWT: ${input}`,
          (id) => t.http.get(path).set('Authorization', `Bearer ${token}`).set('X-Request-Id', id),
          problems,
          refused,
        );
      }
    }
    const partnerForgeries: [string, string][] = [
      ['alg none', `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ orgCode: ORG_A, exp: now + 300 })}.`],
      ['HS256 with a wrong key', partnerJwt(ORG_A, 'wrong-partner-secret-0123456789')],
      ['expired', partnerJwt(ORG_A, partnerSecretA, { expiresIn: -60 })],
      ['exp: 1e308', jwt.sign({ orgCode: ORG_A, iat: now, exp: 1e308 }, partnerSecretA, { algorithm: 'HS256' })],
      [
        'exp a year ahead',
        jwt.sign({ orgCode: ORG_A, iat: now, exp: now + 365 * 86400 }, partnerSecretA, { algorithm: 'HS256' }),
      ],
      ['no exp', jwt.sign({ orgCode: ORG_A }, partnerSecretA, { algorithm: 'HS256' })],
      ['another org code', partnerJwt(ORG_B)],
      ['unknown org code', partnerJwt('no-such-org')],
      ['truncated', partnerJwt().slice(0, -6)],
      ['claims ADMIN', jwt.sign({ orgCode: ORG_A, roles: ['ADMIN'] }, 'wrong', { algorithm: 'HS256', expiresIn: 300 })],
      ['service OAuth JWT', oauthJwtA],
    ];
    for (const [input, token] of partnerForgeries) {
      await send(
        'partner POST /api/admin/users/sync',
        `forged JWT: ${input}`,
        (id) =>
          t.http
            .post('/api/admin/users/sync')
            .set('Authorization', `Bearer ${token}`)
            .set('X-Request-Id', id)
            // A valid body, so that an accepted token shows as 200, not as a complaint about the body.
            .send({
              mode: 'upsert',
              users: [
                {
                  externalId: unique('f'),
                  email: `${unique('f')}@a.example.com`,
                  firstName: 'F',
                  lastName: 'J',
                  role: 'user',
                  isActive: true,
                  orgCode: ORG_A,
                },
              ],
            }),
        problems,
        (res) => refused(res) ?? refusedIn('partner')(res),
      );
    }
    expect(problems).toEqual([]);
  });

  it('answers tenant B during the largest allowed PATCH (1,000 operations) on a user of tenant A', async () => {
    const problems: string[] = [];
    const operations = Array.from({ length: 1000 }, (_, i) =>
      i % 2 ? { op: 'replace', path: 'title', value: `t${i}` } : { op: 'add', path: 'nickName', value: `n${i}` },
    );
    let patchDone = false;
    const patch = send(
      'SCIM PATCH /scim/v2/Users/{id}',
      'largest allowed PATCH (1,000 operations)',
      (id) =>
        t.http
          .patch(`/scim/v2/Users/${fixtures.userA}`)
          .set(scimA())
          .set('X-Request-Id', id)
          .send({ schemas: [PATCH_OP], Operations: operations }),
      problems,
      (res) => (res.status === 204 || res.status === 200 ? null : `answered ${res.status}, expected 204`),
    ).finally(() => (patchDone = true));
    const scimB = { Authorization: `Bearer ${scimSecretB}` };
    let served = 0;
    do {
      await send(
        'SCIM GET /scim/v2/Users (tenant B)',
        'while the largest PATCH runs',
        (id) => t.http.get(`/scim/v2/Users/${fixtures.userB}`).set(scimB).set('X-Request-Id', id),
        problems,
        (res) => (res.status === 200 ? null : `answered ${res.status}, expected 200`),
      );
      served++;
    } while (!patchDone && served < 200);
    await patch;
    expect(problems).toEqual([]);
  });

  it('leaves a request-log row for every request the app received, and prints the counts', async () => {
    await t.app.get(RequestLogWriter).flush();
    const expected = sent.filter((entry) => !entry.parserRefused && !entry.door.includes('/health'));
    const rows: { correlation_id: string }[] = await db.query(
      'SELECT DISTINCT correlation_id FROM request_logs WHERE correlation_id = ANY($1)',
      [expected.map((entry) => entry.correlationId)],
    );
    const logged = new Set(rows.map((row) => row.correlation_id));
    const missing = expected.filter((entry) => !logged.has(entry.correlationId));
    counts.withoutLogRow = missing.length;
    const summary =
      `hostile: ${sent.length} requests, ${counts.answered500} answered 500, ${counts.secretsFound} secrets found, ` +
      `${counts.withoutLogRow} without a log row, ${counts.crossTenantReads} cross-tenant reads` +
      ` (${sent.filter((entry) => entry.parserRefused).length} refused by the HTTP parser before the app)`;
    restores.reverse().forEach((restore) => restore());
    restores.length = 0;
    console.log(summary);
    expect(
      missing.map((entry) => `${entry.door} | ${entry.input} | answered ${entry.status} | no request-log row`),
    ).toEqual([]);
    expect(counts).toEqual({ answered500: 0, secretsFound: 0, withoutLogRow: 0, crossTenantReads: 0 });
  });
});
