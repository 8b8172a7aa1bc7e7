import { DomainError } from '../../common/domain-error';
import { parseFeedQuery } from './feed-query';

const fieldsOf = (raw: Record<string, unknown>): string[] => {
  try {
    parseFeedQuery(raw);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'VALIDATION') return error.details.map((d) => d.field ?? '');
    throw error;
  }
  return [];
};

describe('parseFeedQuery', () => {
  it('defaults: from the start, 100, no wait, notice', () => {
    expect(parseFeedQuery({})).toEqual({ after: '0', limit: 100, waitSeconds: 0, form: 'notice' });
    expect(parseFeedQuery({ after: '', limit: '', wait: '', form: '', other: 'x' })).toEqual({
      after: '0',
      limit: 100,
      waitSeconds: 0,
      form: 'notice',
    });
  });

  it('reads every parameter, after as a bigint string without leading zeros', () => {
    expect(parseFeedQuery({ after: '0042', limit: '1000', wait: '30', form: 'full' })).toEqual({
      after: '42',
      limit: 1000,
      waitSeconds: 30,
      form: 'full',
    });
    expect(parseFeedQuery({ after: '9223372036854775807' }).after).toBe('9223372036854775807');
  });

  it.each([
    [{ after: '-1' }, ['after']],
    [{ after: '1.5' }, ['after']],
    [{ after: '9223372036854775808' }, ['after']],
    [{ after: ['1', '2'] }, ['after']],
    [{ limit: '0' }, ['limit']],
    [{ limit: '1001' }, ['limit']],
    [{ limit: 'ten' }, ['limit']],
    [{ wait: '31' }, ['wait']],
    [{ wait: '-1' }, ['wait']],
    [{ wait: '0.5' }, ['wait']],
    [{ form: 'FULL' }, ['form']],
    [{ form: { a: 'b' } }, ['form']],
    [{ after: 'x', limit: '0', wait: '99', form: 'y' }, ['after', 'limit', 'wait', 'form']],
  ])('refuses %j naming %j', (raw, fields) => {
    expect(fieldsOf(raw)).toEqual(fields);
  });
});
