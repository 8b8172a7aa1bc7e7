import fc from 'fast-check';
import { attributeInfo } from '../schemas/schema.lookup';
import { URN_ENTERPRISE_USER, URN_USER } from '../schemas/scim.urns';
import { groupResolver, userResolver } from '../scim-sql.resolvers';
import { codePointOrder, foldCase, matchesFilter } from './filter.evaluate';
import { MAX_FILTER_DEPTH, MAX_FILTER_LENGTH, parseFilter, parsePatchPath } from './filter.parser';
import { compileFilter } from './filter.sql';
import {
  AttributePath,
  CompareOperator,
  Filter,
  FilterValue,
  PatchPath,
  ScimFilterError,
  SqlResolver,
} from './filter.types';
import { fuzzing } from '../../../test/support/fuzz';

// Property tests of the filter parser, the SQL compiler and the evaluator. Deterministic by
// default; FUZZ_SEED and FUZZ_RUNS explore further. A failure prints the seed and the shrunk
// counterexample (`{ seed: N, path: "..." }`): rerun with FUZZ_SEED=N to replay it.

const { check } = fuzzing(0x5c1f);

/** The outcome of `action`: its value, or the typed error. Anything else is rethrown and fails the property. */
function attempt<T>(action: () => T): { ok: true; value: T } | { ok: false; error: ScimFilterError } {
  try {
    return { ok: true, value: action() };
  } catch (error) {
    if (error instanceof ScimFilterError) return { ok: false, error };
    throw error;
  }
}

// ---- arbitraries: valid filter ASTs ---------------------------------------------------------------

const COMPARE_OPERATORS: CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const ATTR_NAME = /^[A-Za-z$][A-Za-z0-9_\-$]*$/;

const nameArb = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z$][A-Za-z0-9_$-]{0,7}$/) },
  // Names that are also keywords of the grammar.
  fc.constantFrom('not', 'NOT', 'and', 'or', 'pr', 'eq', 'true', 'null', 'urn', '$ref'),
);

const uriArb = fc.oneof(
  fc.constantFrom(URN_USER, URN_ENTERPRISE_USER, URN_USER.toUpperCase()),
  fc
    .tuple(
      fc.constantFrom('urn', 'URN', 'Urn'),
      fc.array(fc.stringMatching(/^[A-Za-z0-9_$.-]{1,6}$/), { minLength: 1, maxLength: 4 }),
    )
    .map(([urn, segments]) => [urn, ...segments].join(':')),
);

function pathOf(uri: string | undefined, name: string, subAttr: string | undefined): AttributePath {
  return {
    ...(uri === undefined ? {} : { uri }),
    name,
    ...(subAttr === undefined ? {} : { subAttr }),
  };
}

const pathArb = (withSubAttr: boolean): fc.Arbitrary<AttributePath> =>
  fc
    .tuple(
      fc.option(uriArb, { freq: 4, nil: undefined }),
      nameArb,
      withSubAttr ? fc.option(nameArb, { freq: 2, nil: undefined }) : fc.constant(undefined),
    )
    .map(([uri, name, subAttr]) => pathOf(uri, name, subAttr));

/** A bare word the parser keeps as the string it is (not a number, not true/false/null). */
const bareWordArb = fc
  .stringMatching(/^[A-Za-z0-9@._+/:'(-]{1,10}$/)
  .filter((word) => !/^(true|false|null)$/i.test(word) && !JSON_NUMBER.test(word));

const valueArb: fc.Arbitrary<{ value: FilterValue; quoted: boolean }> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).map((value) => ({ value, quoted: true })) },
  { weight: 2, arbitrary: bareWordArb.map((value) => ({ value, quoted: false })) },
  // An integer too large for a double stays the string it was written as.
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 22n }).map((big) => ({ value: String(big), quoted: false })),
  fc
    .oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
    .filter((n) => !(Number.isInteger(n) && !Number.isSafeInteger(n) && !/e/.test(String(n))))
    .map((value) => ({ value, quoted: false })),
  fc.constantFrom<FilterValue>(true, false, null).map((value) => ({ value, quoted: false })),
);

function leafArb(path: fc.Arbitrary<AttributePath>, value = valueArb): fc.Arbitrary<Filter> {
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...COMPARE_OPERATORS), path, value) },
      { weight: 1, arbitrary: path },
    )
    .map((leaf): Filter => {
      if (!Array.isArray(leaf)) return { kind: 'present', path: leaf };
      const [op, attr, { value: v, quoted }] = leaf;
      return { kind: 'compare', op, path: attr, value: v, quoted };
    });
}

/** Filters built from `leaf`, with value paths over `valuePathOf` when given (never nested: the grammar forbids it). */
function filterArb(leaf: fc.Arbitrary<Filter>, valuePath?: fc.Arbitrary<Filter>): fc.Arbitrary<Filter> {
  return fc.letrec<{ filter: Filter }>((tie) => ({
    filter: fc.oneof(
      { maxDepth: 4, depthSize: 'small', withCrossShrink: true },
      leaf,
      fc
        .tuple(fc.constantFrom<'and' | 'or'>('and', 'or'), tie('filter'), tie('filter'))
        .map(([op, left, right]): Filter => ({ kind: 'logical', op, left, right })),
      tie('filter').map((filter): Filter => ({ kind: 'not', filter })),
      ...(valuePath ? [valuePath] : []),
    ),
  })).filter;
}

const innerFilterArb = filterArb(leafArb(pathArb(false)));
const validFilterArb = filterArb(
  leafArb(pathArb(true)),
  fc.tuple(pathArb(false), innerFilterArb).map(([path, filter]): Filter => ({ kind: 'valuePath', path, filter })),
);

// ---- printing -------------------------------------------------------------------------------

/** Where the printer may vary what it writes: whitespace, keyword case, redundant parentheses. */
interface Style {
  space(): string;
  optionalSpace(): string;
  keyword(word: string): string;
  extraParens(): boolean;
}

const PLAIN: Style = { space: () => ' ', optionalSpace: () => '', keyword: (word) => word, extraParens: () => false };

function randomStyle(g: fc.GeneratorValue): Style {
  const spaces = [' ', ' ', '  ', '\t', '\n', '\r\n', '\u00a0'];
  return {
    space: () => g(fc.constantFrom, ...spaces),
    optionalSpace: () => g(fc.constantFrom, '', '', ...spaces),
    keyword: (word) =>
      g(fc.constantFrom, 'lower', 'upper', 'mixed') === 'lower'
        ? word
        : g(fc.boolean)
          ? word.toUpperCase()
          : [...word].map((char, i) => (i % 2 === 0 ? char.toUpperCase() : char)).join(''),
    extraParens: () => g(fc.integer, { min: 0, max: 5 }) === 0,
  };
}

function printPath(path: AttributePath): string {
  const local = path.subAttr === undefined ? path.name : `${path.name}.${path.subAttr}`;
  return path.uri === undefined ? local : `${path.uri}:${local}`;
}

function printValue(value: FilterValue, quoted: boolean, style: Style): string {
  if (quoted) return JSON.stringify(value);
  if (value === null || typeof value === 'boolean') return style.keyword(String(value));
  return Object.is(value, -0) ? '-0' : String(value);
}

/** A filter as text that parses back to the same AST: parentheses only where precedence needs them (or at random). */
function printFilter(filter: Filter, style: Style = PLAIN): string {
  const text = printBare(filter, style);
  return style.extraParens() ? `(${style.optionalSpace()}${text}${style.optionalSpace()})` : text;
}

function printBare(filter: Filter, style: Style): string {
  switch (filter.kind) {
    case 'logical': {
      // `and` binds tighter than `or`, and both associate to the left.
      const left = filter.left.kind === 'logical' && filter.op === 'and' && filter.left.op === 'or';
      const right = filter.right.kind === 'logical' && (filter.op === 'and' || filter.right.op === 'or');
      return [group(filter.left, left, style), style.keyword(filter.op), group(filter.right, right, style)].join(
        style.space(),
      );
    }
    case 'not':
      return `${style.keyword('not')}${style.optionalSpace()}(${printFilter(filter.filter, style)})`;
    case 'present':
      return `${printPath(filter.path)}${style.space()}${style.keyword('pr')}`;
    case 'compare':
      return [printPath(filter.path), style.keyword(filter.op), printValue(filter.value, filter.quoted, style)].join(
        style.space(),
      );
    case 'valuePath':
      return `${printPath(filter.path)}${style.optionalSpace()}[${style.optionalSpace()}${printFilter(filter.filter, style)}${style.optionalSpace()}]`;
  }
}

function group(filter: Filter, needed: boolean, style: Style): string {
  return needed ? `(${printFilter(filter, style)})` : printFilter(filter, style);
}

// ---- arbitrary and mutated text ---------------------------------------------------------------

const TOKENS = [
  ' ',
  '(',
  ')',
  '[',
  ']',
  '"',
  '\\',
  '.',
  ':',
  'not',
  'not (',
  'and',
  'or',
  'pr',
  'eq',
  'co',
  'gt',
  'true',
  'null',
  'userName',
  'emails',
  'value',
  'urn:',
  `${URN_ENTERPRISE_USER}:`,
  '"x"',
  '\\u00',
  '\\"',
  '12',
  '-1e5',
  '\u0000',
  '\ud800',
  '😀',
];

const tokenSoupArb = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((tokens) => tokens.join(''));

type Mutation = {
  kind: 'insert' | 'delete' | 'replace' | 'duplicate' | 'truncate';
  at: number;
  size: number;
  text: string;
};

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'duplicate', 'truncate'),
  at: fc.nat(),
  size: fc.integer({ min: 1, max: 6 }),
  text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 3 })),
});

function mutate(text: string, mutations: Mutation[]): string {
  return mutations.reduce((current, { kind, at, size, text: inserted }) => {
    const index = current.length === 0 ? 0 : at % (current.length + 1);
    switch (kind) {
      case 'insert':
        return current.slice(0, index) + inserted + current.slice(index);
      case 'delete':
        return current.slice(0, index) + current.slice(index + size);
      case 'replace':
        return current.slice(0, index) + inserted + current.slice(index + inserted.length);
      case 'duplicate':
        return current.slice(0, index + size) + current.slice(index);
      case 'truncate':
        return current.slice(0, index);
    }
  }, text);
}

const mutatedFilterArb = fc
  .tuple(validFilterArb, fc.array(mutationArb, { minLength: 1, maxLength: 4 }))
  .map(([filter, mutations]) => mutate(printFilter(filter), mutations));

/** Text a client might send: anything, token soup, and valid filters with a few characters changed. */
const filterTextArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(...'()[]" \\.:andotreqpr'.split('')), maxLength: 60 }),
  tokenSoupArb,
  mutatedFilterArb,
);

// ---- well-formed ASTs ---------------------------------------------------------------------------

/** Whatever the parser returns is a Filter of the documented shape. */
function assertWellFormed(filter: Filter, inBrackets = false): void {
  const path = (p: AttributePath) => {
    expect(p.name).toMatch(ATTR_NAME);
    if (p.subAttr !== undefined) expect(p.subAttr).toMatch(ATTR_NAME);
    if (p.uri !== undefined) expect(p.uri).toMatch(/^urn(:[^:]+)+$/i);
  };
  switch (filter.kind) {
    case 'logical':
      expect(['and', 'or']).toContain(filter.op);
      assertWellFormed(filter.left, inBrackets);
      assertWellFormed(filter.right, inBrackets);
      return;
    case 'not':
      return assertWellFormed(filter.filter, inBrackets);
    case 'present':
      return path(filter.path);
    case 'compare':
      path(filter.path);
      expect(COMPARE_OPERATORS).toContain(filter.op);
      expect(['string', 'number', 'boolean', 'object']).toContain(typeof filter.value);
      if (typeof filter.value === 'object') expect(filter.value).toBeNull();
      if (typeof filter.value === 'number') expect(Number.isFinite(filter.value)).toBe(true);
      return;
    case 'valuePath':
      expect(inBrackets).toBe(false);
      path(filter.path);
      expect(filter.path.subAttr).toBeUndefined();
      return assertWellFormed(filter.filter, true);
  }
}

describe('parseFilter (property)', () => {
  it('answers any text with a well-formed AST or ScimFilterError, nothing else', () => {
    check(
      fc.property(filterTextArb, (text) => {
        const result = attempt(() => parseFilter(text));
        if (result.ok) assertWellFormed(result.value);
        else expect(result.error.message).toMatch(/^Invalid filter: /);
      }),
      1500,
    );
  });

  it('refuses deep nesting and overlong input with ScimFilterError, never a stack overflow', () => {
    check(
      fc.property(
        fc.constantFrom('(', 'not (', 'emails[', 'not(('),
        fc.integer({ min: MAX_FILTER_DEPTH - 2, max: 3000 }),
        fc.boolean(),
        (open, depth, closed) => {
          const text = `${open.repeat(depth)}a pr${closed ? ')'.repeat(depth) : ''}`;
          const result = attempt(() => parseFilter(text));
          if (result.ok) expect(depth).toBeLessThanOrEqual(MAX_FILTER_DEPTH);
        },
      ),
      60,
    );
    expect(() => parseFilter(`a eq "${'x'.repeat(MAX_FILTER_LENGTH)}"`)).toThrow(ScimFilterError);
    // A repeated `filter=` arrives as an array.
    expect(() => parseFilter(['a pr', 'b pr'] as unknown as string)).toThrow(ScimFilterError);
  });

  it('parses the longest chains of and/or the length limit allows; compiler and evaluator follow', () => {
    const term = 'userName eq "x" or ';
    const chain = `${term.repeat(Math.floor((MAX_FILTER_LENGTH - 10) / term.length))}active pr`;
    const filter = parseFilter(chain);
    expect(compileFilter(filter, userResolver, [])).toContain('OR');
    expect(matchesFilter(filter, { active: true })).toBe(true);
  });

  it('parses printed valid filters back to the same AST (any keyword case, whitespace, redundant parentheses)', () => {
    check(
      fc.property(validFilterArb, fc.gen(), (filter, g) => {
        const text = printFilter(filter, randomStyle(g));
        expect(parseFilter(text)).toEqual(filter);
      }),
      1500,
    );
  });

  it('prints a parsed filter to text that parses to the same AST (text -> AST -> text is stable)', () => {
    check(
      fc.property(mutatedFilterArb, (text) => {
        const parsed = attempt(() => parseFilter(text));
        if (!parsed.ok) return;
        const printed = printFilter(parsed.value);
        expect(parseFilter(printed)).toEqual(parsed.value);
      }),
      800,
    );
  });
});

describe('parsePatchPath (property)', () => {
  const patchPathArb = fc
    .tuple(pathArb(true), fc.option(innerFilterArb, { nil: undefined }), fc.option(nameArb, { nil: undefined }))
    .map(([path, filter, subAttr]): PatchPath => {
      if (filter === undefined) return { path };
      const base = { path: pathOf(path.uri, path.name, undefined), filter };
      return subAttr === undefined ? base : { ...base, subAttr };
    });

  it('parses printed paths back, and answers mutated ones with a path or ScimFilterError', () => {
    check(
      fc.property(patchPathArb, fc.array(mutationArb, { maxLength: 3 }), (patchPath, mutations) => {
        const filterText = patchPath.filter === undefined ? '' : `[${printFilter(patchPath.filter)}]`;
        const sub = patchPath.subAttr === undefined ? '' : `.${patchPath.subAttr}`;
        const text = `${printPath(patchPath.path)}${filterText}${sub}`;
        expect(parsePatchPath(text)).toEqual(patchPath);
        const result = attempt(() => parsePatchPath(mutate(text, mutations)));
        if (!result.ok) expect(result.error.message).toMatch(/^Invalid path: /);
        else if (result.value.filter) assertWellFormed(result.value.filter, true);
      }),
      800,
    );
  });

  it('answers any text with a path or ScimFilterError', () => {
    check(
      fc.property(filterTextArb, (text) => {
        attempt(() => parsePatchPath(text));
      }),
      800,
    );
  });
});

// ---- the SQL compiler and the evaluator over the real resolvers ------------------------------

/** Paths of the User and Group resource types (and some they do not have), in random case. */
const KNOWN_PATHS = [
  'id',
  'externalId',
  'userName',
  'displayName',
  'title',
  'nickName',
  'active',
  'password',
  'name.givenName',
  'name.familyName',
  'name.formatted',
  'name',
  'emails',
  'emails.value',
  'emails.type',
  'emails.primary',
  'emails.display',
  'emails.nope',
  'phoneNumbers.value',
  'addresses.country',
  'addresses',
  'x509Certificates.value',
  'groups',
  'groups.value',
  'groups.display',
  'members.value',
  'members.type',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'meta.version',
  'meta',
  'schemas',
  'favouriteColour',
  'custom.sub',
  `${URN_ENTERPRISE_USER}:employeeNumber`,
  `${URN_ENTERPRISE_USER}:manager.value`,
  `${URN_ENTERPRISE_USER}:manager`,
  `${URN_USER}:userName`,
  `${URN_USER}:emails.type`,
  'urn:example:custom:1.0:thing',
];

function parsePathText(text: string): AttributePath {
  const colon = text.lastIndexOf(':');
  const uri = colon < 0 ? undefined : text.slice(0, colon);
  const [name, subAttr] = text.slice(colon + 1).split('.');
  return pathOf(uri, name, subAttr);
}

const randomCase = (text: string, flips: boolean[]): string =>
  [...text].map((char, i) => (flips[i % flips.length] ? char.toUpperCase() : char.toLowerCase())).join('');

const schemaPathArb = fc
  .tuple(fc.constantFrom(...KNOWN_PATHS), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), fc.boolean())
  .map(([text, flips, keepCase]) => parsePathText(keepCase ? text : randomCase(text, flips)));

/** Paths inside `emails[...]`: sub-attributes, known or not, in random case. */
const elementPathArb = fc.oneof(
  fc
    .constantFrom('value', 'type', 'primary', 'display', 'Value', 'TYPE', 'Primary', 'country', 'nope')
    .map((name) => ({ name })),
  pathArb(true),
);

/** Text that must never reach the SQL string: every string value carries it. */
const MARKER = 'QZXV';

const markedValueArb: fc.Arbitrary<{ value: FilterValue; quoted: boolean }> = fc.oneof(
  fc
    .tuple(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }))
    .map(([before, after]) => ({ value: `${before}${MARKER}${after}`, quoted: true })),
  fc.constantFrom("'; DROP TABLE users; --", "x' OR '1'='1", '%_\\', '$1', "E'\\\\'").map((text) => ({
    value: `${text}${MARKER}`,
    quoted: true,
  })),
  fc
    .constantFrom(
      '2024-01-31T12:00:00Z',
      '2024-02-30',
      '0000-01-01T00:00:00Z',
      '2819c223-7f76-453a-919d-413861904646',
      '2819C223-7F76-453A-919D-413861904646',
      'True',
      '12.50',
      '1e400',
    )
    .map((value) => ({ value, quoted: true })),
  valueArb.filter(({ value }) => typeof value !== 'string'),
);

const userFilterArb = filterArb(
  leafArb(schemaPathArb, markedValueArb),
  fc
    .tuple(schemaPathArb, filterArb(leafArb(elementPathArb, markedValueArb)))
    .map(([path, filter]): Filter => ({ kind: 'valuePath', path: pathOf(path.uri, path.name, undefined), filter })),
);

const SAFE_LITERAL = /^[A-Za-z0-9_$:.{}[\]\\ -]*$/;

/** The SQL keeps request values out of its text: only parameters, and literals of our own. */
function assertParameterised(sql: string, params: unknown[], prefilled: number): void {
  expect(sql.toUpperCase()).not.toContain(MARKER);
  for (const [literal] of sql.matchAll(/'[^']*'/g)) expect(literal.slice(1, -1)).toMatch(SAFE_LITERAL);
  // Outside the literals (a made-up attribute may be called `a$3` or `a--`): every placeholder
  // has its parameter, every parameter is used, and nothing can end the condition early.
  const code = sql.replace(/'[^']*'/g, "''");
  const referenced = new Set([...code.matchAll(/\$(\d+)/g)].map(([, index]) => Number(index)));
  for (const index of referenced) expect(index).toBeLessThanOrEqual(params.length);
  for (let index = prefilled + 1; index <= params.length; index++) expect(referenced).toContain(index);
  expect(code).not.toMatch(/;|--|\/\*/);
}

const RESOLVERS: [string, SqlResolver][] = [
  ['User', userResolver],
  ['Group', groupResolver],
];

const userInfo = (path: AttributePath) => attributeInfo('User', path);

describe('compileFilter over the real resolvers (property)', () => {
  it.each(RESOLVERS)(
    '%s: compiles any parsed filter to parameterised SQL or refuses it with ScimFilterError',
    (_, resolve) => {
      check(
        fc.property(fc.oneof(userFilterArb, validFilterArb), (filter) => {
          const params: unknown[] = ['tenant'];
          const result = attempt(() => compileFilter(filter, resolve, params));
          if (result.ok) assertParameterised(result.value, params, 1);
        }),
        1500,
      );
    },
  );

  it('compiles mutated filter text that still parses, or refuses it with ScimFilterError', () => {
    check(
      fc.property(mutatedFilterArb, (text) => {
        const parsed = attempt(() => parseFilter(text));
        if (!parsed.ok) return;
        for (const [, resolve] of RESOLVERS) attempt(() => compileFilter(parsed.value, resolve, []));
      }),
      800,
    );
  });

  it('refuses every filter the evaluator refuses (the compiler also refuses attributes it cannot find)', () => {
    check(
      fc.property(userFilterArb, (filter) => {
        const evaluated = attempt(() => matchesFilter(filter, {}, userInfo));
        const compiled = attempt(() => compileFilter(filter, userResolver, []));
        if (!evaluated.ok) expect(compiled).toMatchObject({ ok: false });
      }),
      1500,
    );
  });
});

// ---- the evaluator over random documents ----------------------------------------------------

const scalarArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('True', 'false', '2024-01-31T12:00:00Z', '12.5', ''),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const elementArb = fc.oneof(
  fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'Value', 'TYPE', 'display'), scalarArb, { maxKeys: 4 }),
  scalarArb,
  fc.jsonValue({ maxDepth: 2 }),
);

const documentArb = fc.dictionary(
  fc.constantFrom(
    'userName',
    'USERNAME',
    'displayName',
    'title',
    'active',
    'emails',
    'name',
    'meta',
    'id',
    URN_ENTERPRISE_USER,
    'x',
  ),
  fc.oneof(
    scalarArb,
    fc.array(elementArb, { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('givenName', 'created', 'value', 'employeeNumber', 'manager'), scalarArb, {
      maxKeys: 3,
    }),
    fc.jsonValue({ maxDepth: 3 }),
  ),
  { maxKeys: 8 },
);

describe('matchesFilter (property)', () => {
  it('answers a boolean or ScimFilterError for any filter and any document', () => {
    check(
      fc.property(fc.oneof(userFilterArb, validFilterArb), documentArb, (filter, document) => {
        const result = attempt(() => matchesFilter(filter, document, userInfo));
        if (result.ok) expect(typeof result.value).toBe('boolean');
      }),
      1500,
    );
  });

  it('refuses a filter whatever the data: the same filter throws on every document or on none', () => {
    check(
      fc.property(fc.oneof(userFilterArb, validFilterArb), documentArb, documentArb, (filter, first, second) => {
        const outcomes = [{}, first, second].map(
          (document) => attempt(() => matchesFilter(filter, document, userInfo)).ok,
        );
        expect(new Set(outcomes).size).toBe(1);
      }),
      800,
    );
  });

  it('is a boolean algebra: not, and, or behave as in logic over the same document', () => {
    check(
      fc.property(userFilterArb, userFilterArb, documentArb, (left, right, document) => {
        const eval_ = (filter: Filter) => attempt(() => matchesFilter(filter, document, userInfo));
        const a = eval_(left);
        const b = eval_(right);
        if (!a.ok || !b.ok) return;
        expect(eval_({ kind: 'not', filter: left })).toEqual({ ok: true, value: !a.value });
        expect(eval_({ kind: 'logical', op: 'and', left, right })).toEqual({ ok: true, value: a.value && b.value });
        expect(eval_({ kind: 'logical', op: 'or', left, right })).toEqual({ ok: true, value: a.value || b.value });
      }),
      800,
    );
  });
});

// ---- what fuzzing found -----------------------------------------------------------------------

describe('regressions found by fuzzing', () => {
  const sqlOf = (text: string, resolve: SqlResolver = userResolver) => {
    const params: unknown[] = [];
    return { sql: compileFilter(parseFilter(text), resolve, params), params };
  };

  it('parses a value path on an attribute called `not` with whitespace before "[", as on any other', () => {
    expect(parseFilter('not [x pr]')).toEqual({
      kind: 'valuePath',
      path: { name: 'not' },
      filter: { kind: 'present', path: { name: 'x' } },
    });
  });

  it('keeps a number beyond the range of a double as the word written, never Infinity or 0', () => {
    for (const word of ['1e400', '-1e999', '1e-400', '-2.5E-999']) {
      expect(parseFilter(`count gt ${word}`)).toMatchObject({ value: word, quoted: false });
    }
    expect(parseFilter('count gt 0e5')).toMatchObject({ value: 0 });
    expect(parseFilter('count gt -0')).toMatchObject({ value: -0 });
    // A string attribute compares the text as written, not "Infinity".
    expect(sqlOf(`${URN_USER}:title eq 1e400`).params).toEqual(['1e400']);
  });

  it('folds case as PostgreSQL lower() does: a word-final Σ is σ, İ is i', () => {
    expect(foldCase('ΟΔΟΣ')).toBe('οδοσ');
    expect(foldCase('İSTANBUL')).toBe('istanbul');
    expect(foldCase('ÉCOLE \u212a')).toBe('école k');
    expect(sqlOf('displayName eq "ΟΔΟΣ"').params).toEqual(['οδοσ']);
    expect(matchesFilter(parseFilter('displayName eq "οδοσ"'), { displayName: 'ΟΔΟΣ' }, userInfo)).toBe(true);
  });

  it('orders strings by code point, as COLLATE "C" does, not by UTF-16 code unit', () => {
    expect(codePointOrder('😀', 'ｆ')).toBeGreaterThan(0);
    expect(codePointOrder('a', 'ab')).toBeLessThan(0);
    expect(matchesFilter(parseFilter('title gt "ｆ"'), { title: '😀' }, userInfo)).toBe(true);
    expect(matchesFilter(parseFilter('externalId lt "😀"'), { externalId: '\uffee' }, userInfo)).toBe(true);
  });

  it('lets an absent multi-valued attribute satisfy `eq null` and `ne "v"`, never `ne null`', () => {
    expect(sqlOf('emails.type ne null').sql).not.toContain('NOT EXISTS');
    expect(sqlOf('emails.type eq null').sql).toContain('NOT EXISTS');
    expect(sqlOf('emails.type ne "work"').sql).toContain('NOT EXISTS');
    expect(matchesFilter(parseFilter('emails.type ne null'), {}, userInfo)).toBe(false);
  });

  it('compares groups.value and members.value case-insensitively, as the schemas define them', () => {
    // Ids are UUIDs: `eq` compares as uuid (capitals or not), text operators the lower-cased text.
    const id = 'A1B2C3D4-0000-4000-8000-00000000000F';
    for (const resolve of [userResolver, groupResolver]) {
      const attribute = resolve === userResolver ? 'groups' : 'members';
      const eq = sqlOf(`${attribute}.value eq "${id}"`, resolve);
      expect(eq.sql).toMatch(/\(e1a?\.(value|department_id) = \$1::uuid\)/);
      expect(eq.params).toEqual([id.toLowerCase()]);
      expect(sqlOf(`${attribute}.value eq "ABC"`, resolve).sql).toContain('(FALSE)');
      expect(sqlOf(`${attribute}.value co "ABC"`, resolve).sql).toMatch(
        /lower\(\(e1a?\.(value|department_id)\)::text\)/,
      );
    }
  });

  it('finds a client attribute written with the core URN or in another case', () => {
    expect(userResolver({ uri: URN_USER, name: 'favouriteThing' })).toBeDefined();
    expect(userResolver({ uri: URN_USER.toUpperCase(), name: 'favouriteThing' })).toBeDefined();
    expect(userResolver({ uri: 'urn:example:other:1.0', name: 'favouriteThing' })).toBeUndefined();
    const { sql } = sqlOf('FAVOURITETHING.Sub pr');
    expect(sql).toContain("lower(f.key) = 'favouritething'");
    expect(sql).toContain("lower(f.key) = 'sub'");
  });

  it('compares meta.created as the millisecond SCIM shows it with', () => {
    expect(sqlOf('meta.created eq "2024-03-01T10:00:00.123Z"').sql).toBe(
      "(u.created_on >= $1::timestamptz AND u.created_on < $1::timestamptz + interval '1 millisecond')",
    );
  });

  it('matches no id written in capitals: id is caseExact (RFC 7643 §3.1)', () => {
    const id = '2819c223-7f76-453a-919d-413861904646';
    expect(sqlOf(`id eq "${id}"`)).toEqual({ sql: '(u.id = $1::uuid)', params: [id] });
    expect(sqlOf(`id eq "${id.toUpperCase()}"`).sql).toBe('(FALSE)');
    expect(sqlOf(`id ne "${id.toUpperCase()}"`).sql).toBe('(TRUE)');
    expect(matchesFilter(parseFilter(`id eq "${id.toUpperCase()}"`), { id }, userInfo)).toBe(false);
  });
});
