import { createPublicKey, verify } from 'node:crypto';
import { eventIdOfJti, SetEvent, setClaims, setJti, signSet, SetStream } from './set-token';
import { generateStreamKey, signingKeyFrom } from './stream-keys';

const stream: SetStream = {
  id: '7d4f1c2e-0000-4000-8000-000000000001',
  tenantId: 'acme',
  delivery: 'push',
  endpointUrl: 'https://receiver.example/events',
  form: 'notice',
};

function event(overrides: Partial<SetEvent> = {}): SetEvent {
  return {
    eventId: '0b7e6a52-3c1d-4a8e-9f00-123456789abc',
    seq: '42',
    resourceType: 'user',
    resourceId: '11111111-2222-4333-8444-555555555555',
    memberId: null,
    externalId: 'jdoe',
    version: 3,
    eventType: 'patch',
    attributes: ['givenName', 'title'],
    data: { givenName: 'John', attributes: { title: null } },
    correlationId: 'req-1',
    transactionId: null,
    occurredOn: new Date('2026-12-07T10:00:00Z'),
    ...overrides,
  };
}

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [header, body] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>,
  };
}

describe('SETs', () => {
  it('are ES256 JWS that verify with the published JWK, typed secevent+jwt', () => {
    const key = generateStreamKey();
    const token = signSet(
      setClaims(stream, event(), 'https://idp.example/scim/endpoints/acme'),
      signingKeyFrom(key.privateJwk),
      key.kid,
    );
    const [header, body, signature] = token.split('.');
    const publicKey = createPublicKey({ key: key.publicJwk, format: 'jwk' });
    expect(
      verify(
        'sha256',
        Buffer.from(`${header}.${body}`),
        { key: publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(signature, 'base64url'),
      ),
    ).toBe(true);
    expect(decode(token).header).toEqual({ alg: 'ES256', typ: 'secevent+jwt', kid: key.kid });
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('name the subject by sub_id and carry the changed SCIM attribute names in notice form', () => {
    const claims = setClaims(stream, event({ attributes: ['givenName', 'phoneNumber', 'title'] }), 'iss');
    expect(claims).toMatchObject({
      iss: 'iss',
      aud: 'https://receiver.example/events',
      txn: 'req-1',
      sub_id: { format: 'scim', uri: '/Users/11111111-2222-4333-8444-555555555555', externalId: 'jdoe' },
      events: {
        'urn:ietf:params:scim:event:prov:patch:notice': {
          attributes: ['name.givenName', 'phoneNumbers', 'title'],
          version: 'W/"3"',
        },
      },
    });
    expect(claims).not.toHaveProperty('sub');
  });

  it('carry a PatchOp in full form, removals as remove operations', () => {
    const claims = setClaims({ ...stream, form: 'full' }, event(), 'iss');
    expect(claims.events).toEqual({
      'urn:ietf:params:scim:event:prov:patch:full': {
        data: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [
            { op: 'replace', path: 'name.givenName', value: 'John' },
            { op: 'remove', path: 'title' },
          ],
        },
        version: 'W/"3"',
      },
    });
  });

  it('give a created user in full as a SCIM User and a created department as a Group', () => {
    const user = setClaims(
      { ...stream, form: 'full' },
      event({
        eventType: 'create',
        data: {
          id: 'u1',
          userName: 'jdoe',
          givenName: 'John',
          familyName: 'Doe',
          emails: [{ value: 'j@x' }],
          active: true,
          attributes: { title: 'Boss' },
        },
      }),
      'iss',
    );
    expect(user.events).toEqual({
      'urn:ietf:params:scim:event:prov:create:full': {
        data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          id: 'u1',
          userName: 'jdoe',
          name: { givenName: 'John', familyName: 'Doe' },
          emails: [{ value: 'j@x' }],
          active: true,
          title: 'Boss',
        },
      },
    });
    const group = setClaims(
      { ...stream, form: 'full' },
      event({
        resourceType: 'department',
        eventType: 'create',
        data: { id: 'd1', name: 'Sales', active: true },
      }),
      'iss',
    );
    expect(group.sub_id).toMatchObject({ uri: '/Groups/11111111-2222-4333-8444-555555555555' });
    expect(group.events).toEqual({
      'urn:ietf:params:scim:event:prov:create:full': {
        data: {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
          id: 'd1',
          active: true,
          displayName: 'Sales',
        },
      },
    });
  });

  it('make a membership a patch of the group members, and deactivation its own event', () => {
    const membership = event({
      resourceType: 'assignment',
      eventType: 'delete',
      memberId: 'u9',
      version: null,
      externalId: null,
    });
    expect(setClaims(stream, membership, 'iss').events).toEqual({
      'urn:ietf:params:scim:event:prov:patch:notice': { attributes: ['members'] },
    });
    expect(setClaims({ ...stream, form: 'full' }, membership, 'iss').events).toEqual({
      'urn:ietf:params:scim:event:prov:patch:full': {
        data: {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
          Operations: [{ op: 'remove', path: 'members[value eq "u9"]' }],
        },
      },
    });
    expect(setClaims(stream, event({ eventType: 'deactivate' }), 'iss').events).toEqual({
      'urn:ietf:params:scim:event:prov:deactivate': {},
    });
  });

  it('keep one jti per event and stream, and read the event back from it', () => {
    const jti = setJti(event().eventId, stream.id);
    expect(setClaims(stream, event(), 'iss').jti).toBe(jti);
    expect(setJti(event().eventId, '99999999-0000-4000-8000-000000000001')).not.toBe(jti);
    expect(eventIdOfJti(jti)).toBe(event().eventId);
    expect(eventIdOfJti('nonsense')).toBeUndefined();
  });
});
