import { parseBulkRequest, URN_BULK_REQUEST } from './bulk-request';
import { ScimError } from '../scim.errors';

const refusal = (body: unknown): { status: number; scimType?: string } => {
  try {
    parseBulkRequest(body);
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType };
    throw error;
  }
  throw new Error('not refused');
};

const one = (operation: unknown) =>
  parseBulkRequest({ schemas: [URN_BULK_REQUEST], Operations: [operation] }).operations[0];

describe('parseBulkRequest', () => {
  it('refuses the envelope whole: schemas, Operations, failOnErrors, repeated bulkIds', () => {
    expect(refusal(null)).toEqual({ status: 400, scimType: 'invalidSyntax' });
    expect(refusal({ Operations: [{}] })).toEqual({ status: 400, scimType: 'invalidSyntax' });
    expect(refusal({ schemas: [URN_BULK_REQUEST], Operations: [] })).toEqual({
      status: 400,
      scimType: 'invalidSyntax',
    });
    expect(refusal({ schemas: [URN_BULK_REQUEST], Operations: {} })).toEqual({
      status: 400,
      scimType: 'invalidSyntax',
    });
    for (const failOnErrors of [0, -1, 1.5, '2', null]) {
      expect(refusal({ schemas: [URN_BULK_REQUEST], failOnErrors, Operations: [{}] })).toEqual({
        status: 400,
        scimType: 'invalidValue',
      });
    }
    const post = (bulkId: string) => ({ method: 'POST', path: '/Users', bulkId, data: {} });
    expect(refusal({ schemas: [URN_BULK_REQUEST], Operations: [post('a'), post('a')] })).toEqual({
      status: 400,
      scimType: 'invalidValue',
    });
  });

  it('reads keys and methods in any case', () => {
    const request = parseBulkRequest({
      Schemas: [URN_BULK_REQUEST.toUpperCase()],
      FAILONERRORS: 3,
      operations: [{ Method: 'patch', Path: '/groups/bulkId:g', Version: 'W/"2"', Data: { a: 1 } }],
    });
    expect(request.failOnErrors).toBe(3);
    expect(request.operations[0]).toEqual({
      index: 0,
      method: 'PATCH',
      version: 'W/"2"',
      data: { a: 1 },
      target: { resource: 'Groups', bulkRef: 'g' },
    });
  });

  it('fails a malformed operation alone, saying why', () => {
    const scimTypeOf = (operation: unknown) => one(operation).invalid?.scimType;
    expect(scimTypeOf('x')).toBe('invalidSyntax');
    expect(scimTypeOf({ method: 'GET', path: '/Users' })).toBe('invalidValue');
    expect(scimTypeOf({ method: 'POST', path: '/Users/1', bulkId: 'a', data: {} })).toBe('invalidPath');
    expect(scimTypeOf({ method: 'POST', path: '/Devices', bulkId: 'a', data: {} })).toBe('invalidPath');
    expect(scimTypeOf({ method: 'PUT', path: '/Users', data: {} })).toBe('invalidPath');
    expect(scimTypeOf({ method: 'DELETE', path: 7 })).toBe('invalidPath');
    expect(scimTypeOf({ method: 'POST', path: '/Users', data: {} })).toBe('invalidValue');
    expect(scimTypeOf({ method: 'POST', path: '/Users', bulkId: ' ', data: {} })).toBe('invalidValue');
    expect(scimTypeOf({ method: 'PATCH', path: '/Users/1', version: 2, data: {} })).toBe('invalidValue');
    expect(scimTypeOf({ method: 'PUT', path: '/Users/1', data: [] })).toBe('invalidSyntax');
    expect(scimTypeOf({ method: 'DELETE', path: '/Users/%E0%A4%A' })).toBe('invalidPath');
    expect(one({ method: 'delete', path: '/Users/abc' })).toEqual({
      index: 0,
      method: 'DELETE',
      target: { resource: 'Users', id: 'abc' },
    });
  });
});
