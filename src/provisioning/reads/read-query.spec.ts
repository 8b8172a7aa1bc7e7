import { DomainError } from '../../common/domain-error';
import { INVALID_FORMAT_MESSAGE, INVALID_PRESET_MESSAGE } from './date-range';
import { parseReadQuery } from './read-query';

function failure(raw: Record<string, unknown>): DomainError {
  try {
    parseReadQuery(raw);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('parseReadQuery', () => {
  it('defaults to no filters, skip 0 and limit 50', () => {
    expect(parseReadQuery({})).toEqual({ active: null, createdOn: null, updatedOn: null, skip: 0, limit: 50 });
  });

  it('reads active as true, false, or no filter (absent, empty, null)', () => {
    expect(parseReadQuery({ active: 'true' }).active).toBe(true);
    expect(parseReadQuery({ active: 'false' }).active).toBe(false);
    expect(parseReadQuery({ active: 'FALSE' }).active).toBe(false);
    for (const value of [undefined, '', 'null', 'NULL']) expect(parseReadQuery({ active: value }).active).toBeNull();
  });

  it('refuses any other active value, and a repeated one', () => {
    for (const value of ['yes', '1', '0', 'truee', ['true', 'false'], { a: 'b' }]) {
      const error = failure({ active: value });
      expect(error.code).toBe('VALIDATION');
      expect(error.details).toEqual([{ path: 'active', field: 'active', message: expect.any(String) }]);
    }
  });

  it('reads date ranges, with empty and null meaning no filter', () => {
    expect(parseReadQuery({ createdOn: 'TODAY', updatedOn: '{"preset":"LAST_7_DAYS"}' })).toMatchObject({
      createdOn: { preset: 'TODAY' },
      updatedOn: { preset: 'LAST_7_DAYS' },
    });
    expect(parseReadQuery({ createdOn: '', updatedOn: 'null' })).toMatchObject({ createdOn: null, updatedOn: null });
    expect(
      parseReadQuery({ createdOn: { preset: 'CUSTOM', start: '2024-01-01', end: '2024-01-02' } }).createdOn,
    ).toEqual({ preset: 'CUSTOM', start: '2024-01-01', end: '2024-01-02' });
  });

  it("names the range's own field in seed 001's messages", () => {
    expect(failure({ createdOn: 'SOMETIME' }).details).toEqual([
      { path: 'createdOn', field: 'createdOn', message: INVALID_PRESET_MESSAGE },
    ]);
    expect(failure({ updatedOn: '{not json' }).details).toEqual([
      { path: 'updatedOn', field: 'updatedOn', message: INVALID_FORMAT_MESSAGE },
    ]);
    expect(failure({ updatedOn: ['TODAY', 'YESTERDAY'] }).details[0].field).toBe('updatedOn');
  });

  it('reads skip and limit as integers in range', () => {
    expect(parseReadQuery({ skip: '20', limit: '1000' })).toMatchObject({ skip: 20, limit: 1000 });
    expect(parseReadQuery({ skip: '', limit: '' })).toMatchObject({ skip: 0, limit: 50 });
    expect(parseReadQuery({ limit: '1' }).limit).toBe(1);
  });

  it("answers seed 001's message above 1000 and refuses other bad paging values", () => {
    for (const limit of ['1001', '99999999999999999999999']) {
      const error = failure({ limit });
      expect(error.message).toBe('Limit cannot exceed 1000');
      expect(error.details).toEqual([{ path: 'limit', field: 'limit', message: 'Limit cannot exceed 1000' }]);
    }
    for (const limit of ['0', '-1', '10.5', 'ten', ['10', '20']])
      expect(failure({ limit }).details[0].field).toBe('limit');
    for (const skip of ['-1', '1.5', 'x', '99999999999999999999', ['0', '1']]) {
      expect(failure({ skip }).details[0].field).toBe('skip');
    }
  });

  it('reports every bad parameter at once, in a fixed order', () => {
    const error = failure({ limit: '5000', active: 'maybe', createdOn: 'NOPE' });
    expect(error.details.map((detail) => detail.field)).toEqual(['active', 'createdOn', 'limit']);
    expect(error.message).toBe(error.details[0].message);
  });

  it('ignores parameters it does not know', () => {
    expect(parseReadQuery({ _: '12345', transactionId: 'x' })).toMatchObject({ skip: 0, limit: 50 });
  });
});
