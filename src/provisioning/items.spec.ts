import { classifyItem } from './items';

describe('classifyItem', () => {
  it('accepts the quick start items as sent', () => {
    expect(
      classifyItem('DEPARTMENT', {
        externalId: 'dept-engineering',
        departmentName: 'Engineering',
        active: true,
        parentExternalId: null,
      }),
    ).toEqual({
      valid: true,
      entityType: 'DEPARTMENT',
      action: 'UPSERT',
      payload: { externalId: 'dept-engineering', departmentName: 'Engineering', active: true, parentExternalId: null },
      externalId: 'dept-engineering',
      entityName: 'Engineering',
    });
    const user = classifyItem('USER', {
      firstName: 'Jane',
      lastName: 'Smith',
      email: 'jane.smith@company.com',
      externalId: 'user-jane-001',
      active: true,
      matchOnField: 'EXTERNAL_ID',
      userTypes: [{ departmentExternalId: 'dept-engineering', userTypeId: '1' }],
    });
    expect(user).toMatchObject({
      valid: true,
      entityType: 'USER',
      externalId: 'user-jane-001',
      entityName: 'Jane Smith',
    });
  });

  it('names an unknown field and the field that was meant (DATA_FORMAT)', () => {
    expect(classifyItem('USER', { externalId: 'u1', emailAddress: 'a@b.c' })).toMatchObject({
      valid: false,
      errorType: 'DATA_FORMAT',
      exceptionType: 'UnrecognizedPropertyException',
      message: "Invalid user data format: Unrecognized field 'emailAddress' (expected 'email')",
      field: 'emailAddress',
    });
    expect(classifyItem('DEPARTMENT', { externalId: 'd1', name: 'x' })).toMatchObject({
      message: "Invalid department data format: Unrecognized field 'name' (expected 'departmentName')",
    });
    expect(
      classifyItem('USER', { externalId: 'u1', userTypes: [{ departmentId: 'd', userTypeId: '1' }] }),
    ).toMatchObject({
      errorType: 'DATA_FORMAT',
      message:
        "Invalid user data format: Unrecognized field 'userTypes.0.departmentId' (expected 'departmentExternalId')",
    });
    expect(classifyItem('USER', { externalId: 'u1', zzzzzz: 1 })).toMatchObject({
      message: "Invalid user data format: Unrecognized field 'zzzzzz'",
    });
  });

  it('refuses wrong types as DATA_FORMAT and missing required fields as VALIDATION', () => {
    expect(classifyItem('DEPARTMENT', { externalId: 'd1', active: 'yes' })).toMatchObject({
      errorType: 'DATA_FORMAT',
      exceptionType: 'InvalidFormatException',
      field: 'active',
      message: "Invalid department data format: field 'active' must be a boolean (true or false)",
    });
    expect(classifyItem('USER', { externalId: 7 })).toMatchObject({ errorType: 'DATA_FORMAT', field: 'externalId' });
    expect(classifyItem('USER', 'text')).toMatchObject({
      errorType: 'DATA_FORMAT',
      message: 'Invalid user data format: each item must be a JSON object',
    });
    expect(classifyItem('DEPARTMENT', { departmentName: 'No id' })).toMatchObject({
      errorType: 'VALIDATION',
      exceptionType: 'ValidationError',
      field: 'externalId',
      message: 'externalId is required',
    });
    expect(classifyItem('USER', { email: 'a@example.com' })).toMatchObject({
      errorType: 'VALIDATION',
      field: 'externalId',
      message: 'externalId is required when matchOnField is EXTERNAL_ID',
    });
    expect(classifyItem('USER', { externalId: 'u1', matchOnField: 'EMAIL' })).toMatchObject({
      errorType: 'VALIDATION',
      field: 'email',
    });
    expect(classifyItem('USER', { externalId: 'u1', email: 'not-an-email' })).toMatchObject({
      errorType: 'VALIDATION',
      field: 'email',
    });
    expect(classifyItem('USER', { externalId: 'u1', matchOnField: 'PHONE' })).toMatchObject({
      errorType: 'DATA_FORMAT',
      field: 'matchOnField',
    });
  });

  it('reads action DELETE and a numeric user type id', () => {
    expect(classifyItem('DEPARTMENT', { externalId: 'd1', action: 'DELETE' })).toMatchObject({
      valid: true,
      action: 'DELETE',
      payload: { externalId: 'd1' },
    });
    expect(
      classifyItem('USER', { externalId: 'u1', userTypes: [{ departmentExternalId: 'd', userTypeId: 2 }] }),
    ).toMatchObject({
      valid: true,
      payload: { userTypes: [{ departmentExternalId: 'd', userTypeId: '2' }] },
    });
  });
});

describe('classifyItem: text no column can hold', () => {
  const user = { email: 'a@example.com', externalId: 'u-1' };

  it('fails an item with a NUL or an unpaired surrogate (DATA_FORMAT, naming the field), with clean identity columns', () => {
    const verdict = classifyItem('DEPARTMENT', { externalId: 'd\u0000x', departmentName: 'N\ud800' });
    expect(verdict).toMatchObject({
      valid: false,
      errorType: 'DATA_FORMAT',
      exceptionType: 'InvalidFormatException',
      field: 'externalId',
      externalId: 'dx',
      entityName: 'N\ufffd',
    });
    expect(
      classifyItem('USER', { ...user, userTypes: [{ departmentExternalId: '\udc00', userTypeId: '1' }] }),
    ).toMatchObject({
      valid: false,
      errorType: 'DATA_FORMAT',
      field: 'userTypes.0.departmentExternalId',
    });
  });

  it('fails an overlong value (VALIDATION) and keeps the stored externalId within its column', () => {
    const verdict = classifyItem('USER', { ...user, externalId: 'x'.repeat(10_000) });
    expect(verdict).toMatchObject({ valid: false, errorType: 'VALIDATION', field: 'externalId' });
    expect(verdict.externalId).toHaveLength(255);
    expect(classifyItem('USER', { ...user, phoneNumber: '1'.repeat(65) })).toMatchObject({
      valid: false,
      errorType: 'VALIDATION',
      field: 'phoneNumber',
    });
  });

  it('fails identifiers and names with control or bidirectional characters', () => {
    expect(classifyItem('USER', { ...user, email: 'a\u202e@example.com' })).toMatchObject({
      valid: false,
      errorType: 'VALIDATION',
      field: 'email',
    });
    expect(classifyItem('DEPARTMENT', { externalId: 'd', departmentName: 'Sales\u0007' })).toMatchObject({
      valid: false,
      field: 'departmentName',
    });
    expect(classifyItem('USER', { ...user, firstName: 'Evil\u202etxt' })).toMatchObject({
      valid: false,
      field: 'firstName',
    });
    expect(classifyItem('USER', { ...user, firstName: 'Zoë', lastName: 'עברית' })).toMatchObject({ valid: true });
  });
});
