import { DomainError } from '../common/domain-error';
import { partnerError } from '../common/error-envelope';
import type { UserRecord } from '../directory/directory.types';
import { PartnerUserDto, validateUser } from './dto/partner-sync.dto';
import { buildAnswer, indexKeys, toUserInput } from './partner-sync.rules';

const dto = (fields: Partial<PartnerUserDto> = {}): PartnerUserDto =>
  Object.assign(new PartnerUserDto(), { externalId: 'e1', email: 'A@x.io', orgCode: 'o', ...fields });

describe('partner sync rules', () => {
  it('matches on a single email holder, else on externalId, and creates with email as userName', () => {
    const one = indexKeys([{ id: '1', externalId: 'other', email: 'a@X.io' }]);
    expect(toUserInput(dto(), one)).toMatchObject({ matchOnField: 'EMAIL', role: undefined });
    expect(toUserInput(dto(), one).userName).toBeUndefined();
    const two = indexKeys([
      { id: '1', externalId: null, email: 'a@x.io' },
      { id: '2', externalId: 'e1', email: 'A@x.io' },
    ]);
    expect(toUserInput(dto(), two)).toMatchObject({ matchOnField: 'EXTERNAL_ID' });
    expect(toUserInput(dto({ firstName: '' }), indexKeys([]))).toMatchObject({
      matchOnField: 'EXTERNAL_ID',
      userName: 'A@x.io',
      role: 'user',
      givenName: undefined,
    });
  });

  it('validates a user on its own', () => {
    expect(validateUser({ externalId: 'e', email: 'e@x.io', orgCode: 'o', extra: 1 })).toBeInstanceOf(PartnerUserDto);
    expect((validateUser({ email: 'e@x.io', orgCode: 'o' }) as DomainError).message).toBe(
      'Missing required field: externalId',
    );
    expect(validateUser('nope')).toBeInstanceOf(DomainError);
  });

  it('validates a user holding a `constructor` key instead of throwing (was a 500 for the whole sync)', () => {
    const user = JSON.parse(
      '{"externalId": "e", "email": "e@x.io", "orgCode": "o", "metadata": {"constructor": "x", "a": 1}}',
    );
    expect(validateUser(user)).toMatchObject({ metadata: { a: 1 } });
    expect(validateUser({ ...user, firstName: JSON.parse('{"constructor": 1}') })).toBeInstanceOf(DomainError);
  });

  it("answers in seed 002's shape", () => {
    const value = { id: 'u1' } as UserRecord;
    const answer = buildAnswer(
      'full-reconcile',
      true,
      [{ externalId: 'a', email: 'a@x.io' }, { email: 'b@x.io' }],
      [{ ok: true, action: 'CREATE', value }, DomainError.validation('Missing required field: externalId')],
      [{ id: 'u9', externalId: 'z', email: 'z@x.io' }],
      new Date('2025-08-19T14:08:30.000Z'),
    );
    expect(answer).toEqual({
      success: true,
      message: 'Dry run completed successfully; nothing was changed',
      data: {
        mode: 'full-reconcile',
        dryRun: true,
        summary: {
          total: 2,
          created: 1,
          updated: 0,
          failed: 1,
          errors: ['b@x.io: Missing required field: externalId'],
        },
        results: [
          { userId: 'a', email: 'a@x.io', status: 'created', crmUserId: 'u1' },
          { userId: null, email: 'b@x.io', status: 'failed', error: 'Missing required field: externalId' },
        ],
        deactivated: [{ userId: 'z', email: 'z@x.io', crmUserId: 'u9' }],
        timestamp: '2025-08-19T14:08:30.000Z',
      },
    });
  });

  it('renders failures as {success, error}; a 500 without internals', () => {
    const failure = { httpStatus: 500, code: 'SYSTEM' as const, message: 'x', error: 'stack', details: [] };
    expect(partnerError(failure)).toEqual({ success: false, error: 'Internal server error during sync' });
    expect(partnerError({ ...failure, httpStatus: 403, error: 'Invalid or expired token' })).toEqual({
      success: false,
      error: 'Invalid or expired token',
    });
  });
});
