import fc from 'fast-check';
import * as jwt from 'jsonwebtoken';
import { Response } from 'supertest';
import { fuzzing } from './support/fuzz';
import { randomSecret, startTestApp, TestApp } from './support/test-app';

// Arbitrary JSON shapes against the doors that take JSON bodies: random depth (up to 20,000 levels),
// NUL, lone surrogates, invalid UTF-8 bytes, huge strings and odd keys, in the body itself, in a
// member of an otherwise valid body, or in one item of a batch. Property: never a 5xx, and every
// refusal is in the door's own error format. Deterministic by default; FUZZ_SEED and FUZZ_RUNS
// explore further. A failure prints the seed and the shrunk counterexample: rerun with FUZZ_SEED=N.

const { seed: SEED, runs } = fuzzing(0x15a9e5);

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const ORG = 'fuzz-org';

/** Strings that have broken JSON handling, PostgreSQL text or the request log before. */
const nastyStringArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('\u0000', 'a\u0000b', '\ud800', 'x\udfff', '\udc00\ud800', '\u202e', '\u0007', '\ufeff', ''),
  fc.constantFrom(300, 33 * 1024, 200 * 1024).map((length) => 'h'.repeat(length)),
);

const jsonShapeArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    nastyStringArb,
    fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(1e308)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(nastyStringArb, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/**
 * A value as JSON text, wrapped in `depth` levels of objects or arrays. The depth stays a number in
 * the property's arguments, so a counterexample prints short.
 */
function jsonText(value: unknown, depth: number, asArrays: boolean): string {
  const inner = JSON.stringify(value) ?? 'null';
  return asArrays ? '['.repeat(depth) + inner + ']'.repeat(depth) : '{"a":'.repeat(depth) + inner + '}'.repeat(depth);
}
const depthArb = fc.constantFrom(0, 0, 64, 1_000, 10_000, 20_000);

/** Where the shape goes: the whole body, a member of a valid body (maybe under an odd key), or a batch item. */
const placementArb = fc.oneof(
  fc.constant({ at: 'body' as const }),
  fc.record({
    at: fc.constant('member' as const),
    key: fc.oneof(
      // Mostly a name the door takes, so that the value is what gets tested.
      { weight: 3, arbitrary: fc.constantFrom('nickName', 'title', 'favouriteThing', 'metadata', 'department') },
      nastyStringArb,
    ),
  }),
  fc.constant({ at: 'item' as const }),
);

/** One body in five gets bytes that are not UTF-8, inside its last string (the hostile part, mostly). */
const corruptArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80]),
);

function toBytes(text: string, corrupt: readonly number[] | null): Buffer {
  const bytes = Buffer.from(text);
  const quote = bytes.lastIndexOf(0x22);
  if (!corrupt || quote < 0) return bytes;
  return Buffer.concat([bytes.subarray(0, quote), Buffer.from(corrupt), bytes.subarray(quote)]);
}

type Envelope = (body: any) => boolean;
const scimEnvelope: Envelope = (body) =>
  Array.isArray(body?.schemas) && body.schemas.includes(SCIM_ERROR) && typeof body.status === 'string';

interface Door {
  name: string;
  method: 'post' | 'patch';
  path: () => string;
  auth: () => Record<string, string>;
  contentType: string;
  /** A valid body with `member` in it (raw JSON text of `key: value`), or the batch around `item`. */
  withMember: (member: string) => string;
  withItem: (item: string) => string;
  envelope: Envelope;
}

describe('JSON shapes against the JSON doors (property)', () => {
  let t: TestApp;
  let userId = '';
  let transactionId = '';
  let counter = 0;
  const partnerSecret = randomSecret('fuzz-partner');
  const next = (): number => ++counter;

  const doors = (): Door[] => [
    {
      name: 'SCIM POST /scim/v2/Users',
      method: 'post',
      path: () => '/scim/v2/Users',
      auth: () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` }),
      contentType: 'application/scim+json',
      withMember: (member) => `{"schemas":["${USER}"],"userName":"fuzz-${next()}@example.com",${member}}`,
      withItem: (item) => `{"schemas":["${USER}"],"userName":"fuzz-${next()}@example.com","emails":[${item}]}`,
      envelope: scimEnvelope,
    },
    {
      name: 'SCIM PATCH /scim/v2/Users/{id}',
      method: 'patch',
      path: () => `/scim/v2/Users/${userId}`,
      auth: () => ({ Authorization: `Bearer ${t.secrets.scimSecret}` }),
      contentType: 'application/scim+json',
      withMember: (member) => `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{${member}}}]}`,
      withItem: (item) => `{"schemas":["${PATCH_OP}"],"Operations":[${item}]}`,
      envelope: scimEnvelope,
    },
    {
      name: 'provisioning queue users',
      method: 'post',
      path: () => `/api/provisioning/iam/${transactionId}/user`,
      auth: () => ({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken }),
      contentType: 'application/json',
      withMember: (member) =>
        `[{"email":"q${next()}@example.com","firstName":"F","lastName":"L","externalId":"q${counter}",${member}}]`,
      withItem: (item) => `[{"email":"q${next()}@example.com","firstName":"F","lastName":"L"},${item}]`,
      envelope: (body) => body?.status === false,
    },
    {
      name: 'partner POST /api/admin/users/sync',
      method: 'post',
      path: () => '/api/admin/users/sync',
      auth: () => ({
        Authorization: `Bearer ${jwt.sign({ orgCode: ORG }, partnerSecret, { algorithm: 'HS256', expiresIn: 300 })}`,
      }),
      contentType: 'application/json',
      withMember: (member) =>
        `{"mode":"upsert","users":[{"externalId":"p${next()}","email":"p${counter}@example.com",` +
        `"firstName":"F","lastName":"L","role":"user","isActive":true,"orgCode":"${ORG}",${member}}]}`,
      withItem: (item) => `{"mode":"upsert","users":[${item}]}`,
      envelope: (body) => body?.success === false,
    },
  ];

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMITS: 'off', WRAPPER_SECRET_KEY: partnerSecret, WRAPPER_ORG_CODE: ORG });
    const user = await t.http
      .post('/scim/v2/Users')
      .set({ Authorization: `Bearer ${t.secrets.scimSecret}` })
      .send({ schemas: [USER], userName: 'fuzz-target@example.com' })
      .expect(201);
    userId = user.body.id;
    const checkpoint = await t.http
      .post('/api/provisioning/iam/checkpoint')
      .set({ 'auth-tenant-id': 'default', 'auth-token': t.secrets.apiToken });
    expect(checkpoint.status).toBeLessThan(300);
    transactionId = checkpoint.body.transactionId;
  });
  afterAll(() => t?.close());

  const sendTo = (door: Door, body: Buffer): Promise<Response> =>
    t.http[door.method](door.path())
      .set(door.auth())
      .set('Content-Type', door.contentType)
      // The bytes as they are: superagent would otherwise serialise a Buffer as JSON.
      .serialize((bytes: Buffer) => bytes as unknown as string)
      .send(body);

  it.each([
    'SCIM POST /scim/v2/Users',
    'SCIM PATCH /scim/v2/Users/{id}',
    'provisioning queue users',
    'partner POST /api/admin/users/sync',
  ])(
    '%s: never a 5xx, and every refusal in the door’s error format',
    async (name) => {
      const door = doors().find((candidate) => candidate.name === name)!;
      await fc.assert(
        fc.asyncProperty(
          jsonShapeArb,
          depthArb,
          fc.boolean(),
          placementArb,
          corruptArb,
          async (shape, depth, asArrays, placement, corrupt) => {
            const text = jsonText(shape, depth, asArrays);
            const json =
              placement.at === 'body'
                ? text
                : placement.at === 'member'
                  ? door.withMember(`${JSON.stringify(placement.key)}:${text}`)
                  : door.withItem(text);
            const res = await sendTo(door, toBytes(json, corrupt));
            const verdict = {
              door: door.name,
              body: json.length > 300 ? `${json.slice(0, 150)}…(${json.length} chars)…${json.slice(-60)}` : json,
              corrupt,
              status: res.status,
              inEnvelope: res.status < 400 || door.envelope(res.body),
            };
            // The whole verdict is printed on failure: door, body, bytes, status.
            expect({ ...verdict, fine: res.status < 500 && verdict.inEnvelope }).toEqual({ ...verdict, fine: true });
          },
        ),
        { seed: SEED, numRuns: runs(50) },
      );
    },
    60_000,
  );
});
