import { ServerKey } from '../../auth/server-key';
import { ScimError } from '../scim.errors';
import { CursorBinding, CursorCodec } from './scim-cursor';

const SECRET = 'a-server-secret-of-at-least-32-characters';
const binding: CursorBinding = {
  tenantId: 'default',
  resourceType: 'User',
  filter: 'userName sw "a"',
  sortBy: 'userName',
  sortOrder: 'ascending',
};
const position = {
  key: ['alice', '2026-12-07T09:50:10.123456+00:00', '6f1c2a34-0d5e-4f6a-8b7c-9d0e1f2a3b4c'],
  backward: false,
};

function scimType(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return `${error.status} ${error.scimType}`;
    throw error;
  }
  return undefined;
}

describe('CursorCodec', () => {
  let now = Date.UTC(2026, 11, 7, 10, 0, 0);
  const codec = new CursorCodec(new ServerKey(SECRET), 3600, () => now);

  beforeEach(() => {
    now = Date.UTC(2026, 11, 7, 10, 0, 0);
  });

  it('gives back the position it encoded, in a URL-safe text', () => {
    const cursor = codec.encode(position, binding);
    expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/);
    expect(codec.decode(cursor, binding)).toEqual(position);
    expect(codec.decode(codec.encode({ ...position, backward: true }, binding), binding).backward).toBe(true);
  });

  it('refuses a tampered cursor: payload, signature or shape', () => {
    const cursor = codec.encode(position, binding);
    const [version, payload, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ k: ['zed', ...position.key.slice(1)], b: 0, t: now / 1000 })).toString(
      'base64url',
    );
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of [
      `${version}.${forged}.${signature}`,
      `${version}.${payload}.${flipped}`,
      `c0.${payload}.${signature}`,
      `${cursor}.extra`,
      'not-a-cursor',
      '',
    ]) {
      expect(scimType(() => codec.decode(bad, binding))).toBe('400 invalidCursor');
    }
  });

  it('refuses a cursor of another query, tenant or resource type', () => {
    const cursor = codec.encode(position, binding);
    for (const other of [
      { ...binding, tenantId: 'other' },
      { ...binding, resourceType: 'Group' },
      { ...binding, filter: 'userName sw "b"' },
      { ...binding, filter: undefined },
      { ...binding, sortBy: 'displayName' },
      { ...binding, sortOrder: 'descending' as const },
    ]) {
      expect(scimType(() => codec.decode(cursor, other))).toBe('400 invalidCursor');
    }
    // sortBy names an attribute, whose case does not matter.
    expect(codec.decode(cursor, { ...binding, sortBy: 'USERNAME' })).toEqual(position);
  });

  it('refuses a cursor signed with another key, and accepts one of the previous key during a rotation', () => {
    const other = new CursorCodec(new ServerKey('another-server-secret-of-32-characters!!'), 3600, () => now);
    const cursor = other.encode(position, binding);
    expect(scimType(() => codec.decode(cursor, binding))).toBe('400 invalidCursor');
    const rotated = new CursorCodec(new ServerKey('the-new-server-secret-of-32-characters!!', SECRET), 3600, () => now);
    expect(rotated.decode(codec.encode(position, binding), binding)).toEqual(position);
  });

  it('expires a cursor after the timeout (expiredCursor), not before', () => {
    const cursor = codec.encode(position, binding);
    now += 3600 * 1000;
    expect(codec.decode(cursor, binding)).toEqual(position);
    now += 1000;
    expect(scimType(() => codec.decode(cursor, binding))).toBe('400 expiredCursor');
  });
});
