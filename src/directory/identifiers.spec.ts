import { DomainError } from '../common/domain-error';
import { characterCount, checkIdentifier, checkLength, normaliseUserName, userNameKey } from './identifiers';

const detail = (error: DomainError | undefined) => error?.details[0];

describe('checkIdentifier', () => {
  it.each([
    ['a\u0000b'],
    ['tab\t'],
    ['new\nline'],
    ['del\u007f'],
    ['c1\u0085'],
    ['\u200eltr'],
    ['\u200frtl'],
    ['evil\u202etxt.exe'],
    ['\u202ax'],
    ['\u2066isolate\u2069'],
  ])('refuses %j, naming the field', (value) => {
    const error = checkIdentifier('userName', value, 320);
    expect(error).toBeInstanceOf(DomainError);
    expect(error?.code).toBe('VALIDATION');
    expect(detail(error)).toMatchObject({ field: 'userName', path: 'userName' });
  });

  it('accepts ordinary identifiers in any script, and values that are not strings', () => {
    for (const value of ['jane@example.com', 'Amélie', '山田', 'O’Brien', '😀 emoji', 'zero\u200bwidth']) {
      expect(checkIdentifier('userName', value, 320)).toBeUndefined();
    }
    expect(checkIdentifier('externalId', null, 255)).toBeUndefined();
    expect(checkIdentifier('externalId', undefined, 255)).toBeUndefined();
  });
});

describe('checkLength', () => {
  it('counts characters as PostgreSQL does (code points), and refuses one past the column', () => {
    expect(checkLength('externalId', 'x'.repeat(255), 255)).toBeUndefined();
    expect(detail(checkLength('externalId', 'x'.repeat(256), 255))?.message).toBe(
      'externalId must be at most 255 characters',
    );
    expect(checkLength('externalId', '😀'.repeat(255), 255)).toBeUndefined();
    expect(characterCount('😀a')).toBe(2);
  });

  it('refuses text PostgreSQL cannot store, controls allowed', () => {
    expect(checkLength('displayName', 'a\u0000', 512)?.code).toBe('VALIDATION');
    expect(checkLength('displayName', '\ud800', 512)?.code).toBe('VALIDATION');
    expect(checkLength('displayName', 'line\nbreak', 512)).toBeUndefined();
  });
});

describe('userName normalisation', () => {
  it('stores NFC and matches NFC, ignoring case', () => {
    expect(normaliseUserName('Ame\u0301lie')).toBe('Amélie');
    expect(userNameKey('AME\u0301LIE')).toBe(userNameKey('amélie'));
  });
});
