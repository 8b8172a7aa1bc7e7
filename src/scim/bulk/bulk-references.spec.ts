import { referencesIn, resolveReferences, splitReferences } from './bulk-references';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('bulkId references', () => {
  it('finds them at any depth, whole string values only', () => {
    const data = {
      members: [{ value: 'bulkId:a' }, { value: 'plain' }],
      [ENTERPRISE]: { manager: { value: 'bulkId:b' } },
      Operations: [{ op: 'add', value: ['bulkId:c'] }],
      title: 'a bulkId:d in the middle',
    };
    expect([...referencesIn(data)].sort()).toEqual(['a', 'b', 'c']);
  });

  it('replaces the ones created and leaves the others', () => {
    const ids = new Map([['a', 'id-a']]);
    expect(resolveReferences({ members: [{ value: 'bulkId:a' }, { value: 'bulkId:z' }], n: 1 }, ids)).toEqual({
      members: [{ value: 'id-a' }, { value: 'bulkId:z' }],
      n: 1,
    });
  });

  it('sets aside what refers to a POST not run yet: elements, single values, extension attributes', () => {
    const data = {
      displayName: 'A',
      members: [{ value: 'bulkId:later' }, { value: 'bulkId:known' }],
      nickName: 'bulkId:later',
      [ENTERPRISE]: { manager: { value: 'bulkId:later' }, department: 'Sales' },
    };
    expect(splitReferences(data, new Set(['later']))).toEqual({
      now: {
        displayName: 'A',
        members: [{ value: 'bulkId:known' }],
        [ENTERPRISE]: { department: 'Sales' },
      },
      deferred: {
        members: [{ value: 'bulkId:later' }],
        nickName: 'bulkId:later',
        [ENTERPRISE]: { manager: { value: 'bulkId:later' } },
      },
    });
    expect(splitReferences(data, new Set(['other']))).toEqual({ now: data });
  });
});
