import { MAX_FILTER_DEPTH, parseFilter, parsePatchPath } from './filter.parser';
import { FilterValue, ScimFilterError } from './filter.types';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

const eq = (name: string, value: FilterValue, quoted = true) =>
  ({ kind: 'compare', op: 'eq', path: { name }, value, quoted }) as const;
const pr = (name: string) => ({ kind: 'present', path: { name } }) as const;

function parseError(text: string): ScimFilterError {
  try {
    parseFilter(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimFilterError);
    return error as ScimFilterError;
  }
  throw new Error(`expected ${JSON.stringify(text.slice(0, 80))} not to parse`);
}

describe('parseFilter', () => {
  describe('operators', () => {
    it.each(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const)('parses %s', (op) => {
      expect(parseFilter(`userName ${op} "bjensen"`)).toEqual({
        kind: 'compare',
        op,
        path: { name: 'userName' },
        value: 'bjensen',
        quoted: true,
      });
    });

    it('parses pr', () => {
      expect(parseFilter('title pr')).toEqual(pr('title'));
    });

    it('reads operators and logical words in any case', () => {
      expect(parseFilter('userName EQ "a" And title Pr OR NOT (x Ne "b")')).toEqual({
        kind: 'logical',
        op: 'or',
        left: { kind: 'logical', op: 'and', left: eq('userName', 'a'), right: pr('title') },
        right: { kind: 'not', filter: { kind: 'compare', op: 'ne', path: { name: 'x' }, value: 'b', quoted: true } },
      });
    });
  });

  describe('logical structure', () => {
    it('binds and tighter than or', () => {
      expect(parseFilter('a pr or b pr and c pr')).toEqual({
        kind: 'logical',
        op: 'or',
        left: pr('a'),
        right: { kind: 'logical', op: 'and', left: pr('b'), right: pr('c') },
      });
      expect(parseFilter('a pr and b pr or c pr')).toEqual({
        kind: 'logical',
        op: 'or',
        left: { kind: 'logical', op: 'and', left: pr('a'), right: pr('b') },
        right: pr('c'),
      });
    });

    it('associates and/or to the left', () => {
      expect(parseFilter('a pr or b pr or c pr')).toEqual({
        kind: 'logical',
        op: 'or',
        left: { kind: 'logical', op: 'or', left: pr('a'), right: pr('b') },
        right: pr('c'),
      });
      expect(parseFilter('a pr and b pr and c pr')).toEqual({
        kind: 'logical',
        op: 'and',
        left: { kind: 'logical', op: 'and', left: pr('a'), right: pr('b') },
        right: pr('c'),
      });
    });

    it('lets parentheses override precedence', () => {
      expect(parseFilter('(a pr or b pr) and c pr')).toEqual({
        kind: 'logical',
        op: 'and',
        left: { kind: 'logical', op: 'or', left: pr('a'), right: pr('b') },
        right: pr('c'),
      });
    });

    it('binds not tighter than and', () => {
      expect(parseFilter('not (a pr) and b pr')).toEqual({
        kind: 'logical',
        op: 'and',
        left: { kind: 'not', filter: pr('a') },
        right: pr('b'),
      });
    });

    it('parses nested not and groups', () => {
      expect(parseFilter('not(not ((a pr)))')).toEqual({ kind: 'not', filter: { kind: 'not', filter: pr('a') } });
    });

    it('accepts any whitespace between tokens', () => {
      expect(parseFilter('  (\tuserName   eq\t"a"  )\n and\ttitle  pr  ')).toEqual({
        kind: 'logical',
        op: 'and',
        left: eq('userName', 'a'),
        right: pr('title'),
      });
    });

    it('accepts nesting up to the depth limit', () => {
      const text = `${'('.repeat(MAX_FILTER_DEPTH)}a pr${')'.repeat(MAX_FILTER_DEPTH)}`;
      expect(parseFilter(text)).toEqual(pr('a'));
    });

    it('parses long and-chains without recursion', () => {
      const filter = parseFilter(Array.from({ length: 1000 }, () => 'a pr').join(' and '));
      expect(filter).toMatchObject({ kind: 'logical', op: 'and', right: pr('a') });
    });

    it('still reads an attribute called not', () => {
      expect(parseFilter('not eq 1')).toEqual(eq('not', 1, false));
      expect(parseFilter('notes pr')).toEqual(pr('notes'));
    });
  });

  describe('attribute paths', () => {
    it('keeps a sub-attribute', () => {
      expect(parseFilter('name.familyName co "O\'Malley"')).toEqual({
        kind: 'compare',
        op: 'co',
        path: { name: 'name', subAttr: 'familyName' },
        value: "O'Malley",
        quoted: true,
      });
    });

    it('splits a core URN at its last colon', () => {
      expect(parseFilter(`${CORE_USER}:userName eq "a"`)).toEqual({
        ...eq('userName', 'a'),
        path: { uri: CORE_USER, name: 'userName' },
      });
    });

    it('splits an enterprise URN with a sub-attribute', () => {
      expect(parseFilter(`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`)).toEqual({
        kind: 'compare',
        op: 'eq',
        path: { uri: ENTERPRISE, name: 'manager', subAttr: 'value' },
        value: '26118915-6090-4610-87e4-49d8ca9f808d',
        quoted: true,
      });
    });

    it('keeps the case of URNs and names as written', () => {
      expect(parseFilter('URN:IETF:params:scim:schemas:extension:Enterprise:2.0:User:EmployeeNumber pr')).toEqual({
        kind: 'present',
        path: { uri: 'URN:IETF:params:scim:schemas:extension:Enterprise:2.0:User', name: 'EmployeeNumber' },
      });
    });

    it('accepts $ref, dashes, underscores and digits in names', () => {
      expect(parseFilter('members.$ref pr and x-y_2 pr')).toEqual({
        kind: 'logical',
        op: 'and',
        left: { kind: 'present', path: { name: 'members', subAttr: '$ref' } },
        right: pr('x-y_2'),
      });
    });
  });

  describe('values', () => {
    it.each([
      ['externalId eq jyoung', 'externalId', 'jyoung', false],
      ['userName eq john@x.com', 'userName', 'john@x.com', false],
      [
        'userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081"',
        'userName',
        'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
        true,
      ],
      [
        'userName eq Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
        'userName',
        'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081',
        false,
      ],
      ["displayName eq 'abc'", 'displayName', "'abc'", false],
      ['x eq a(b', 'x', 'a(b', false],
      ['active eq True', 'active', true, false],
      ['active eq FALSE', 'active', false, false],
      ['manager eq Null', 'manager', null, false],
      ['count eq 42', 'count', 42, false],
      ['count eq -1.5e2', 'count', -150, false],
      ['count eq 0', 'count', 0, false],
      ['externalId eq 0123', 'externalId', '0123', false],
      ['externalId eq 123456789012345678901', 'externalId', '123456789012345678901', false],
      ['title eq "true"', 'title', 'true', true],
      ['title eq "42"', 'title', '42', true],
      ['title eq ""', 'title', '', true],
    ] as const)('%s', (text, name, value, quoted) => {
      expect(parseFilter(text)).toEqual(eq(name, value, quoted));
    });

    it('decodes JSON escapes', () => {
      expect(parseFilter('x eq "a\\"b\\\\c\\u00e9\\n"')).toEqual(eq('x', 'a"b\\cé\n'));
    });

    it('ends a bare word at ) and ]', () => {
      expect(parseFilter('(externalId eq jyoung)')).toEqual(eq('externalId', 'jyoung', false));
      expect(parseFilter('emails[value eq a@x.com]')).toEqual({
        kind: 'valuePath',
        path: { name: 'emails' },
        filter: eq('value', 'a@x.com', false),
      });
    });
  });

  describe('value paths', () => {
    it('parses a value filter with relative inner paths', () => {
      expect(parseFilter('emails[type eq "work" and value co "@x"]')).toEqual({
        kind: 'valuePath',
        path: { name: 'emails' },
        filter: {
          kind: 'logical',
          op: 'and',
          left: eq('type', 'work'),
          right: { kind: 'compare', op: 'co', path: { name: 'value' }, value: '@x', quoted: true },
        },
      });
    });

    it('combines a value path with and/or/not', () => {
      expect(parseFilter('userType eq "Employee" and not (emails[type eq "work"]) or emails pr')).toEqual({
        kind: 'logical',
        op: 'or',
        left: {
          kind: 'logical',
          op: 'and',
          left: eq('userType', 'Employee'),
          right: { kind: 'not', filter: { kind: 'valuePath', path: { name: 'emails' }, filter: eq('type', 'work') } },
        },
        right: pr('emails'),
      });
    });

    it('keeps a URN on the outer path', () => {
      expect(parseFilter(`${ENTERPRISE}:manager[value eq "x"]`)).toEqual({
        kind: 'valuePath',
        path: { uri: ENTERPRISE, name: 'manager' },
        filter: eq('value', 'x'),
      });
    });

    it('allows groups and not inside the brackets', () => {
      expect(parseFilter('emails[not (type eq "work") and (primary eq true or value pr)]')).toMatchObject({
        kind: 'valuePath',
        filter: { kind: 'logical', op: 'and', left: { kind: 'not' }, right: { kind: 'logical', op: 'or' } },
      });
    });
  });

  describe('malformed filters', () => {
    it.each([
      ['empty string', ''],
      ['only whitespace', ' \t '],
      ['unbalanced open paren', '(userName eq "a"'],
      ['unbalanced close paren', 'userName eq "a")'],
      ['missing value', 'userName eq'],
      ['missing value before )', '(userName eq )'],
      ['missing operator', 'userName'],
      ['unknown operator', 'userName like "a"'],
      ['operator glued to a word', 'userName eqjohn'],
      ['trailing garbage', 'userName eq "a" extra'],
      ['garbage after a string', 'userName eq "a"b'],
      ['dangling and', 'userName eq "a" and'],
      ['leading or', 'or userName eq "a"'],
      ['not without parentheses', 'not userName eq "a"'],
      ['not without a filter', 'not'],
      ['[ without ]', 'emails[type eq "work"'],
      ['] without [', 'emails type eq "work"]'],
      ['empty brackets', 'emails[]'],
      ['nested [', 'emails[type[value eq "x"]]'],
      ['mismatched bracket and paren', '(emails[type eq "work")]'],
      ['[ after a sub-attribute', 'emails.value[type eq "work"]'],
      ['subAttr after a value path', 'emails[type eq "work"].value eq "x"'],
      ['unterminated string', 'userName eq "abc'],
      ['bad escape', 'userName eq "a\\x"'],
      ['two sub-attributes', 'name.given.x eq "a"'],
      ['colon outside a URN', 'foo:bar eq "a"'],
      ['URN without attribute', 'urn:ietf:params:scim:schemas:core:2.0:User: eq "a"'],
      ['name starting with a digit', '1abc eq "a"'],
      ['value alone', '"a"'],
      ['60 nested parentheses', `${'('.repeat(60)}a pr${')'.repeat(60)}`],
      ['60 nested nots', `${'not ('.repeat(60)}a pr${')'.repeat(60)}`],
      ['20k-character input', `userName eq "${'x'.repeat(20_000)}"`],
    ])('%s', (_name, text) => {
      expect(parseError(text).message.length).toBeGreaterThan(0);
    });

    it('refuses input that is not a string', () => {
      expect(() => parseFilter(['a pr', 'b pr'] as unknown as string)).toThrow(ScimFilterError);
      expect(() => parsePatchPath(undefined as unknown as string)).toThrow(ScimFilterError);
    });

    it('says what was expected and where', () => {
      expect(parseError('userName xx "a"').message).toBe(
        'Invalid filter: expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) at position 10, found \'xx "a"\'',
      );
      expect(parseError('(userName eq "a"').message).toBe(
        "Invalid filter: expected ')' at position 17, found the end of the input",
      );
      expect(parseError('userName eq "a" extra').message).toContain('at position 17');
      expect(parseError(`${'('.repeat(60)}a pr${')'.repeat(60)}`).message).toContain('nesting deeper than 50');
      expect(parseError('x'.repeat(10_001)).message).toContain('maximum of 10000');
    });

    it('never throws anything but ScimFilterError on random input', () => {
      const alphabet = ['(', ')', '[', ']', '"', '\\', ' ', 'a', 'eq', 'and', 'or', 'not', 'pr', '.', ':', 'urn:', '1'];
      let seed = 42;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      for (let i = 0; i < 2000; i++) {
        const text = Array.from(
          { length: Math.floor(random() * 20) },
          () => alphabet[Math.floor(random() * alphabet.length)],
        ).join('');
        try {
          parseFilter(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ScimFilterError);
        }
      }
    });
  });
});

describe('parsePatchPath', () => {
  it('parses a plain attribute', () => {
    expect(parsePatchPath('displayName')).toEqual({ path: { name: 'displayName' } });
  });

  it('parses a sub-attribute', () => {
    expect(parsePatchPath('name.givenName')).toEqual({ path: { name: 'name', subAttr: 'givenName' } });
  });

  it('parses an enterprise URN path', () => {
    expect(parsePatchPath(`${ENTERPRISE}:manager`)).toEqual({ path: { uri: ENTERPRISE, name: 'manager' } });
  });

  it('parses a value filter', () => {
    expect(parsePatchPath('members[value eq "2819c223"]')).toEqual({
      path: { name: 'members' },
      filter: eq('value', '2819c223'),
    });
  });

  it('parses a value filter with a sub-attribute', () => {
    expect(parsePatchPath('emails[type eq "work"].value')).toEqual({
      path: { name: 'emails' },
      filter: eq('type', 'work'),
      subAttr: 'value',
    });
  });

  it('parses an unquoted value inside the brackets', () => {
    expect(parsePatchPath('members[value eq 2819c223-7f76-453a-919d-413861904646]')).toEqual({
      path: { name: 'members' },
      filter: eq('value', '2819c223-7f76-453a-919d-413861904646', false),
    });
  });

  it('ignores surrounding whitespace', () => {
    expect(parsePatchPath('  title ')).toEqual({ path: { name: 'title' } });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['an operator', 'title eq "a"'],
    ['[ without ]', 'members[value eq "x"'],
    ['garbage after ]', 'emails[type eq "work"]x'],
    ['a dot without a name', 'emails[type eq "work"].'],
    ['two sub-attributes after ]', 'emails[type eq "work"].value.x'],
    ['nested brackets', 'emails[type[x eq 1]]'],
  ])('rejects %s', (_name, text) => {
    expect(() => parsePatchPath(text)).toThrow(ScimFilterError);
  });

  it('names a path, not a filter, in its messages', () => {
    expect(() => parsePatchPath('')).toThrow('Invalid path: the path is empty');
  });
});
