import fc from 'fast-check';
import { URN_ENTERPRISE_USER, URN_GROUP, URN_PATCH_OP, URN_USER } from '../schemas/scim.urns';
import { ScimDocument, ScimResourceName } from '../schemas/schema.types';
import { ScimError } from '../scim.errors';
import { applyPatch, PatchResult } from './patch';
import { fuzzing } from '../../../test/support/fuzz';

// Property tests of the PATCH engine over random documents and random operation lists in the
// shapes Entra ID and Okta send. Deterministic by default; FUZZ_SEED and FUZZ_RUNS explore
// further. A failure prints the seed and the shrunk counterexample: rerun with FUZZ_SEED=N.

const { check } = fuzzing(0x9a7c);

/** The result, or the engine's typed error. Anything else (a TypeError...) is rethrown and fails the property. */
function attempt(action: () => PatchResult): { ok: true; result: PatchResult } | { ok: false; error: ScimError } {
  try {
    return { ok: true, result: action() };
  } catch (error) {
    if (error instanceof ScimError) return { ok: false, error };
    throw error;
  }
}

/** Frozen all the way down: the engine writing into its input would throw a TypeError. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const body = (Operations: unknown[]) => ({ schemas: [URN_PATCH_OP], Operations });

// ---- documents ----------------------------------------------------------------------------------

const textArb = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9.@_-]{1,10}$/) },
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', ' ', 'Ada', 'ada', 'ΟΔΟΣ', '😀', "O'Brien", '%_\\'),
);
const typeArb = fc.constantFrom('work', 'home', 'Work', 'other', 'mobile');

const emailArb = fc.record(
  { value: textArb, type: typeArb, primary: fc.boolean(), display: textArb },
  { requiredKeys: ['value'] },
);

/** As a document arrives from JSON: no -0, no undefined. */
const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const userDocArb: fc.Arbitrary<ScimDocument> = fc
  .record(
    {
      id: fc.uuid(),
      userName: textArb,
      externalId: textArb,
      displayName: textArb,
      title: textArb,
      active: fc.boolean(),
      name: fc.record({ givenName: textArb, familyName: textArb, formatted: textArb }, { requiredKeys: [] }),
      emails: fc.array(emailArb, { maxLength: 3 }),
      phoneNumbers: fc.array(fc.record({ value: textArb, type: typeArb }), { maxLength: 2 }),
      roles: fc.array(fc.record({ value: textArb }), { maxLength: 2 }),
      favouriteColour: fc.jsonValue({ maxDepth: 2 }),
      [URN_ENTERPRISE_USER]: fc.record(
        {
          employeeNumber: textArb,
          department: textArb,
          manager: fc.record({ value: textArb, displayName: textArb }, { requiredKeys: ['value'] }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['id', 'userName'] },
  )
  .map((doc) => ({
    schemas: URN_ENTERPRISE_USER in doc ? [URN_USER, URN_ENTERPRISE_USER] : [URN_USER],
    ...doc,
    meta: { resourceType: 'User', created: '2024-01-01T00:00:00.000Z', version: 'W/"1"' },
  }))
  .map(asJson);

const groupDocArb: fc.Arbitrary<ScimDocument> = fc
  .record(
    {
      id: fc.uuid(),
      displayName: textArb,
      members: fc.array(fc.record({ value: fc.uuid(), display: textArb }, { requiredKeys: ['value'] }), {
        maxLength: 3,
      }),
      externalId: textArb,
    },
    { requiredKeys: ['id', 'displayName'] },
  )
  .map((doc) => ({ schemas: [URN_GROUP], ...doc, meta: { resourceType: 'Group' } }))
  .map(asJson);

// ---- operations -------------------------------------------------------------------------------

const USER_PATHS = [
  'active',
  'displayName',
  'title',
  'userName',
  'externalId',
  'name',
  'name.givenName',
  'name.nope',
  'emails',
  'emails.value',
  'emails[type eq "work"]',
  'emails[type eq "work"].value',
  'EMAILS[TYPE EQ "WORK"].VALUE',
  'emails[value co "@"].primary',
  'emails[primary eq true]',
  'emails[type eq "work" and primary eq true].display',
  'emails[type eq "work" or value ew ".com"].type',
  'emails[not (type eq "home")]',
  'emails[primary gt 1]',
  'emails[type eq]',
  'phoneNumbers[type eq "mobile"].value',
  'addresses[type eq "work"].locality',
  'roles',
  'favouriteColour',
  'favouriteColour.shade',
  `${URN_USER}:displayName`,
  `${URN_ENTERPRISE_USER}:employeeNumber`,
  `${URN_ENTERPRISE_USER}:manager`,
  `${URN_ENTERPRISE_USER}:manager.value`,
  `${URN_ENTERPRISE_USER}:manager.displayName`,
  URN_ENTERPRISE_USER,
  'urn:ietf:params:scim:schemas:extension:other:2.0:User:x',
  'id',
  'meta',
  'meta.created',
  'schemas',
  'groups',
  ' ',
];

const GROUP_PATHS = [
  'displayName',
  'externalId',
  'members',
  'Members',
  'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
  'members[value eq "a" or value eq "b"]',
  'members[display eq "x"]',
  'members[value eq "a"].display',
  'members.value',
  `${URN_GROUP}:members`,
  'id',
  'meta',
];

const entraBooleanArb = fc.constantFrom('True', 'False', 'true', 'false', 'TRUE', ' False ', 'yes');
const memberValueArb = fc.oneof(
  fc.array(
    fc.oneof(
      fc.record({ value: fc.oneof(fc.uuid(), textArb), display: textArb }, { requiredKeys: ['value'] }),
      fc.uuid(),
    ),
    { maxLength: 3 },
  ),
  fc.record({ value: fc.uuid() }),
);

const valueArb = fc.oneof(
  { weight: 2, arbitrary: textArb },
  entraBooleanArb,
  fc.boolean(),
  fc.integer(),
  fc.constantFrom(null, [], {}, '', 'm-1'),
  fc.array(emailArb, { maxLength: 2 }),
  emailArb,
  fc.record({ value: textArb, displayName: textArb }, { requiredKeys: [] }),
  memberValueArb,
  // No-path values: attributes as keys, the way Entra ID sends them.
  fc.record(
    {
      active: entraBooleanArb,
      displayName: textArb,
      'name.givenName': textArb,
      [`${URN_ENTERPRISE_USER}:employeeNumber`]: fc.oneof(textArb, fc.integer()),
      [`${URN_ENTERPRISE_USER}:manager`]: fc.oneof(textArb, fc.record({ value: textArb })),
      'emails[type eq "work"].value': textArb,
      userName: textArb,
      members: memberValueArb,
      id: fc.uuid(),
      schemas: fc.constant([URN_USER]),
      nope: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

const operationArb = (paths: string[]) =>
  fc.record(
    {
      op: fc.constantFrom('add', 'replace', 'remove', 'Add', 'REPLACE', 'Remove', ' add ', 'merge'),
      path: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...paths) },
        fc.string({ maxLength: 12 }),
        fc.constant(null),
      ),
      value: valueArb,
    },
    { requiredKeys: ['op'] },
  );

const cases: [ScimResourceName, fc.Arbitrary<ScimDocument>, string[]][] = [
  ['User', userDocArb, USER_PATHS],
  ['Group', groupDocArb, GROUP_PATHS],
];

// ---- properties -------------------------------------------------------------------------------

describe.each(cases)('applyPatch on a %s (property)', (resource, documentArb, paths) => {
  const operationsArb = fc.array(operationArb(paths), { minLength: 1, maxLength: 5 });
  const required = resource === 'User' ? 'userName' : 'displayName';

  it('returns a result or throws ScimError, and never changes its input', () => {
    check(
      fc.property(documentArb, operationsArb, (document, operations) => {
        const request = body(operations);
        const [documentBefore, requestBefore] = [structuredClone(document), structuredClone(request)];
        attempt(() => applyPatch(resource, deepFreeze(document), deepFreeze(request)));
        expect(document).toEqual(documentBefore);
        expect(request).toEqual(requestBefore);
      }),
      1500,
    );
  });

  it('throws only ScimError for any request body at all', () => {
    check(
      fc.property(
        documentArb,
        fc.oneof(fc.jsonValue(), fc.record({ schemas: fc.jsonValue(), Operations: fc.jsonValue() })),
        (document, request) => {
          attempt(() => applyPatch(resource, document, request));
        },
      ),
      500,
    );
  });

  it('answers a canonical document: its core schema first, the required attribute, plain JSON', () => {
    check(
      fc.property(documentArb, operationsArb, (document, operations) => {
        const outcome = attempt(() => applyPatch(resource, document, body(operations)));
        if (!outcome.ok) {
          expect(outcome.error.status).toBeGreaterThanOrEqual(400);
          return;
        }
        const { document: patched, members } = outcome.result;
        expect((patched.schemas as string[])[0]).toBe(resource === 'User' ? URN_USER : URN_GROUP);
        expect(typeof patched[required] === 'string' && patched[required].trim() !== '').toBe(true);
        expect(JSON.parse(JSON.stringify(patched))).toEqual(patched);
        if (resource === 'User') expect(members).toEqual([]);
        // Members are never part of a group's document: they come back as changes to apply in SQL.
        if (resource === 'Group') expect(Object.keys(patched).map((key) => key.toLowerCase())).not.toContain('members');
        for (const change of members) {
          if (change.op === 'removeAll') continue;
          for (const value of change.values) expect(typeof value === 'string' && value.trim() !== '').toBe(true);
          expect(new Set(change.values).size).toBe(change.values.length);
        }
      }),
      1500,
    );
  });

  it('is idempotent for replace: replacing again with the same value changes nothing', () => {
    // Left out: a value path without a sub-attribute (`emails[type eq "work"]`), see the known bug below.
    const replaceArb = operationArb(paths)
      .map((operation) => ({ ...operation, op: 'replace' }))
      .filter((operation) => !(typeof operation.path === 'string' && /\]\s*$/.test(operation.path)));
    check(
      fc.property(documentArb, replaceArb, (document, operation) => {
        const once = attempt(() => applyPatch(resource, document, body([operation])));
        if (!once.ok) return;
        const twice = attempt(() => applyPatch(resource, once.result.document, body([operation])));
        if (!twice.ok) {
          // Unless the replace rewrote what its own value filter tests (`emails[type eq "work"].type`):
          // then the filter selects nothing any more, which RFC 7644 §3.5.2.3 answers with noTarget.
          expect({ path: operation.path, scimType: twice.error.scimType }).toEqual({
            path: expect.stringContaining('['),
            scimType: 'noTarget',
          });
          return;
        }
        expect(twice.result).toEqual(once.result);
      }),
      1500,
    );
  });

  it('applies a request as its operations one at a time would, when both succeed', () => {
    check(
      fc.property(documentArb, operationsArb, (document, operations) => {
        const together = attempt(() => applyPatch(resource, document, body(operations)));
        let current = document;
        const members: unknown[] = [];
        for (const operation of operations) {
          const step = attempt(() => applyPatch(resource, current, body([operation])));
          if (!step.ok) return;
          current = step.result.document;
          members.push(...step.result.members);
        }
        expect(together).toEqual({ ok: true, result: { document: current, members } });
      }),
      1000,
    );
  });

  it('reaches its canonical form at once: a no-op PATCH of a patched document changes nothing', () => {
    // "An add of [] changes nothing" (patch.ts).
    const noop = body([{ op: 'add', path: resource === 'User' ? 'emails' : 'members', value: [] }]);
    // Left out: a blank manager.value, see the known bug below.
    const blankManager = (operation: { path?: string | null; value?: unknown }) =>
      /manager\.value$/i.test(operation.path ?? '') &&
      typeof operation.value === 'string' &&
      operation.value.trim() === '';
    check(
      fc.property(
        documentArb,
        operationsArb.filter((operations) => !operations.some(blankManager)),
        (document, operations) => {
          const once = attempt(() => applyPatch(resource, document, body(operations)));
          if (!once.ok) return;
          expect(applyPatch(resource, once.result.document, noop)).toEqual({
            document: once.result.document,
            members: [],
          });
        },
      ),
      800,
    );
  });
});

describe('applyPatch with the string booleans Entra ID sends (property)', () => {
  it('stores "True"/"False" in any case and padding as the boolean, with or without a path', () => {
    const caseArb = fc.tuple(
      fc.boolean(),
      fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      fc.constantFrom('', ' ', '\t'),
    );
    check(
      fc.property(
        userDocArb,
        caseArb,
        fc.boolean(),
        fc.constantFrom('add', 'replace', 'Replace'),
        (document, [truth, flips, pad], withPath, op) => {
          const word = [...String(truth)].map((char, i) => (flips[i] ? char.toUpperCase() : char)).join('');
          const value = `${pad}${word}${pad}`;
          const operation = withPath ? { op, path: 'active', value } : { op, value: { active: value } };
          const outcome = attempt(() => applyPatch('User', document, body([operation])));
          // Only a blank userName can make this request fail.
          if (!outcome.ok) {
            expect(outcome.error.message).toMatch(/userName/);
            return;
          }
          expect(outcome.result.document.active).toBe(truth);
        },
      ),
      500,
    );
  });

  it('refuses any other string for a boolean with invalidValue', () => {
    check(
      fc.property(
        userDocArb.filter((document) => typeof document.userName === 'string' && document.userName.trim() !== ''),
        fc.string({ maxLength: 8 }).filter((text) => !/^\s*(true|false)\s*$/i.test(text)),
        (document, value) => {
          const outcome = attempt(() => applyPatch('User', document, body([{ op: 'replace', path: 'active', value }])));
          expect(outcome).toMatchObject({ ok: false, error: { status: 400, scimType: 'invalidValue' } });
        },
      ),
      300,
    );
  });
});

describe('bugs found by fuzzing', () => {
  // A replace on a value path without a sub-attribute that matched an element replaced it with the
  // value alone, dropping the filter's `type: "work"` that a new element gets: the same request sent
  // twice (a retry) lost the type, and a third one added a second element.
  it('replaces emails[type eq "work"] idempotently', () => {
    const user = { schemas: [URN_USER], id: 'u-1', userName: 'ada' };
    const request = body([{ op: 'replace', path: 'emails[type eq "work"]', value: { value: 'ada@example.com' } }]);
    const once = applyPatch('User', user, request).document;
    expect(once.emails).toEqual([{ type: 'work', value: 'ada@example.com' }]);
    expect(applyPatch('User', once, request).document).toEqual(once);
  });

  // Setting `manager.value` to "" stored `manager: {value: ""}`, where a POST, a PUT or any later
  // PATCH (which canonicalise it) take {"value": ""} as "no manager" and drop it.
  it('clears the manager when manager.value is set to ""', () => {
    const user = {
      schemas: [URN_USER],
      id: 'u-1',
      userName: 'ada',
      [URN_ENTERPRISE_USER]: { manager: { value: 'm-1' } },
    };
    const request = body([{ op: 'replace', path: `${URN_ENTERPRISE_USER}:manager.value`, value: '' }]);
    expect(applyPatch('User', user, request).document[URN_ENTERPRISE_USER]).toBeUndefined();
  });
});
