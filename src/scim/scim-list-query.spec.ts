import { parseListQuery } from './scim-list-query';
import { ScimError } from './scim.errors';

describe('parseListQuery', () => {
  it('defaults to the first 100 in ascending order', () => {
    expect(parseListQuery({})).toEqual({
      filter: undefined,
      startIndex: 1,
      count: 100,
      sortBy: undefined,
      sortOrder: 'ascending',
      attributes: undefined,
      excludedAttributes: undefined,
    });
  });

  it('clamps as RFC 7644 §3.4.2.4 says: startIndex below 1 is 1, a negative count 0, at most 1000', () => {
    expect(parseListQuery({ startIndex: '-4', count: '-1' })).toMatchObject({ startIndex: 1, count: 0 });
    expect(parseListQuery({ startindex: '0', COUNT: '5000' })).toMatchObject({ startIndex: 1, count: 1000 });
  });

  it('reads a SearchRequest body: arrays of attribute names, numbers, names in any case', () => {
    expect(
      parseListQuery({
        Filter: 'userName pr',
        startIndex: 3,
        count: 2,
        attributes: ['userName', 'emails'],
        sortOrder: 'Descending',
      }),
    ).toMatchObject({
      filter: 'userName pr',
      startIndex: 3,
      count: 2,
      attributes: ['userName', 'emails'],
      sortOrder: 'descending',
    });
  });

  it.each([
    [{ startIndex: 'abc' }, 'startIndex'],
    [{ count: '1.5' }, 'count'],
    [{ sortOrder: 'sideways' }, 'sortOrder'],
    [{ filter: ['a', 'b'] }, 'filter'],
    [{ attributes: [1] }, 'attributes'],
  ])('refuses %j with invalidValue', (query, name) => {
    expect(() => parseListQuery(query)).toThrow(ScimError);
    expect(() => parseListQuery(query)).toThrow(new RegExp(name));
  });
});

describe('parseListQuery: cursor (RFC 9865)', () => {
  it('reads a cursor in any key case; given without a value, the first page in cursor mode', () => {
    expect(parseListQuery({ cursor: '' })).toMatchObject({ cursor: '', startIndex: 1 });
    expect(parseListQuery({ Cursor: 'c1.abc.def' }).cursor).toBe('c1.abc.def');
    expect(parseListQuery({ count: '10' }).cursor).toBeUndefined();
    expect(parseListQuery({ cursor: '', count: '5000' }).count).toBe(1000);
  });

  it('refuses cursor with startIndex, and a cursor given twice', () => {
    expect(() => parseListQuery({ cursor: '', startIndex: '1' })).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidValue' }),
    );
    expect(() => parseListQuery({ cursor: ['a', 'b'] })).toThrow(
      expect.objectContaining({ status: 400, scimType: 'invalidValue' }),
    );
    expect(parseListQuery({ cursor: '', startIndex: '' }).cursor).toBe('');
  });
});
