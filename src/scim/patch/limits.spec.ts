import fc from 'fast-check';
import { fuzzing } from '../../../test/support/fuzz';
import { URN_ENTERPRISE_USER, URN_GROUP, URN_PATCH_OP, URN_USER } from '../schemas/scim.urns';
import { ScimDocument } from '../schemas/schema.types';
import { ScimError } from '../scim.errors';
import { SCIM_LIMITS } from '../scim-limits';
import { matchesRemoval, mergeElements, onePrimary, sameElement, withoutRemovals } from './elements';
import { normaliseResource } from './normalise';
import { applyPatch } from './patch';

const { check } = fuzzing(0x11a175);
const patch = (Operations: unknown[]) => ({ schemas: [URN_PATCH_OP], Operations });
const user = (): ScimDocument => ({ schemas: [URN_USER], id: 'u-1', userName: 'ada@example.com' });
const group = (): ScimDocument => ({ schemas: [URN_GROUP], id: 'g-1', displayName: 'Engineering' });
const many = <T>(count: number, make: (index: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

function refusal(action: () => unknown): { status: number; scimType?: string; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, message: error.message };
    throw error;
  }
  throw new Error('expected a ScimError');
}

describe('PATCH counts', () => {
  it('takes 1,000 operations and refuses 1,001 with tooMany, naming the limit', () => {
    const ops = (count: number) => many(count, (i) => ({ op: 'add', path: `custom${i}`, value: i }));
    expect(applyPatch('User', user(), patch(ops(1000))).document.custom999).toBe(999);
    expect(refusal(() => applyPatch('User', user(), patch(ops(1001))))).toEqual({
      status: 400,
      scimType: 'tooMany',
      message: 'Operations in one PATCH: 1001 given, at most 1000 are allowed',
    });
  });

  it('refuses an operation with more than 1,000 values, whether an array or the keys of a no-path value', () => {
    const emails = many(1001, (i) => ({ value: `e${i}@example.com` }));
    const keys = Object.fromEntries(many(1001, (i) => [`k${i}`, i]));
    for (const operation of [
      { op: 'add', path: 'emails', value: emails },
      { op: 'add', value: keys },
    ]) {
      expect(refusal(() => applyPatch('User', user(), patch([operation])))).toMatchObject({
        scimType: 'tooMany',
        message: expect.stringContaining('1001 given, at most 1000'),
      });
    }
  });

  it('refuses more than 10,000 values across one PATCH', () => {
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const ops = many(11, (k) => ({
      op: 'add',
      path: 'members',
      value: many(1000, (i) => ({ value: id(k * 1000 + i) })),
    }));
    expect(refusal(() => applyPatch('Group', group(), patch(ops)))).toMatchObject({
      scimType: 'tooMany',
      message: 'Values across one PATCH: 11000 given, at most 10000 are allowed',
    });
    expect(applyPatch('Group', group(), patch(ops.slice(0, 10))).members).toHaveLength(10);
  });

  it('refuses a members filter naming more than 10,000 ids (the path length limit already does)', () => {
    const path = `members[${many(10_001, (i) => `value eq "${i}"`).join(' or ')}]`;
    expect(refusal(() => applyPatch('Group', group(), patch([{ op: 'remove', path }])))).toMatchObject({
      status: 400,
      message: expect.stringMatching(/longer than the maximum|at most 10000/),
    });
  });

  it('takes 10,000 members in one operation (path, core URN path or no-path value) and refuses 10,001', () => {
    const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const members = (count: number) => many(count, (i) => ({ value: id(i) }));
    const shapes = (value: unknown[]) => [
      { op: 'add', path: 'members', value },
      { op: 'Remove', path: `${URN_GROUP}:Members`, value },
      { op: 'add', value: { members: value } },
    ];
    for (const operation of shapes(members(10_000))) {
      const [change] = applyPatch('Group', group(), patch([operation])).members;
      expect(change).toMatchObject({ values: expect.arrayContaining([id(0), id(9_999)]) });
    }
    for (const operation of shapes(members(10_001))) {
      expect(refusal(() => applyPatch('Group', group(), patch([operation])))).toEqual({
        status: 400,
        scimType: 'tooMany',
        message: 'Members in Operations[0]: 10001 given, at most 10000 are allowed',
      });
    }
  });

  it('counts the other keys of a no-path value beside its members at 1,000', () => {
    const keys = Object.fromEntries(many(1001, (i) => [`k${i}`, i]));
    expect(
      refusal(() => applyPatch('Group', group(), patch([{ op: 'add', value: { ...keys, members: [] } }]))),
    ).toMatchObject({
      scimType: 'tooMany',
      message: 'Values in Operations[0]: 1001 given, at most 1000 are allowed',
    });
  });

  it('refuses a multi-valued attribute grown past 1,000 values by several operations', () => {
    const ops = many(3, (k) => ({ op: 'add', path: 'emails', value: many(400, (i) => ({ value: `${k}-${i}@e.io` })) }));
    expect(refusal(() => applyPatch('User', user(), patch(ops)))).toMatchObject({
      scimType: 'tooMany',
      message: expect.stringContaining("'emails' would hold 1200 values"),
    });
  });

  it('refuses a Group POST or PUT with more than 10,000 members', () => {
    const body = { ...group(), members: many(10_001, (i) => ({ value: `${i}` })) };
    expect(refusal(() => normaliseResource('Group', body, { requireSchemas: true }))).toMatchObject({
      scimType: 'tooMany',
      message: 'Members in one request: 10001 given, at most 10000 are allowed',
    });
  });
});

describe('sizes', () => {
  const big = 'x'.repeat(SCIM_LIMITS.attributeBytes);

  it('refuses an attribute over 32 KB as JSON: known, unknown or extension, by POST or PATCH', () => {
    for (const extra of [{ title: big }, { custom: { deep: big } }, { [URN_ENTERPRISE_USER]: { department: big } }]) {
      expect(refusal(() => normaliseResource('User', { ...user(), ...extra }, { requireSchemas: true }))).toMatchObject(
        { scimType: 'invalidValue', message: expect.stringContaining('one attribute may hold at most 32 KB') },
      );
    }
    const add = { op: 'add', path: 'urn:example:custom:1.0:User:blob', value: big };
    expect(refusal(() => applyPatch('User', user(), patch([add])))).toMatchObject({ scimType: 'invalidValue' });
    // Just under the limit is accepted: the JSON quotes are part of the 32 KB.
    const fits = 'x'.repeat(SCIM_LIMITS.attributeBytes - 2);
    expect(normaliseResource('User', { ...user(), title: fits }, { requireSchemas: true }).document.title).toBe(fits);
  });

  it('counts bytes, not characters', () => {
    const wide = 'é'.repeat(SCIM_LIMITS.attributeBytes / 2);
    expect(
      refusal(() => normaliseResource('User', { ...user(), title: wide }, { requireSchemas: true })),
    ).toMatchObject({ scimType: 'invalidValue' });
  });

  it('refuses a resource over 128 KB, even when each attribute fits', () => {
    const part = 'x'.repeat(30 * 1024);
    const current = { ...user(), a: part, b: part, c: part };
    const grow = [
      { op: 'add', path: 'd', value: part },
      { op: 'add', path: 'e', value: part },
    ];
    expect(refusal(() => applyPatch('User', current, patch(grow)))).toMatchObject({
      scimType: 'invalidValue',
      message: expect.stringContaining('a resource may hold at most 128 KB'),
    });
    // A PATCH that shrinks an oversized resource is what lets a client repair it.
    const oversized = { ...current, d: part, e: part };
    expect(applyPatch('User', oversized, patch([{ op: 'remove', path: 'e' }])).document.e).toBeUndefined();
  });
});

describe('silent no-ops are refused', () => {
  it('refuses an email without an address instead of dropping it on the way to storage', () => {
    const current = { ...user(), emails: [{ value: 'ada@example.com', type: 'work' }] };
    for (const operation of [
      { op: 'add', path: 'emails[type eq "home"].display', value: 'Home' },
      { op: 'add', path: 'emails', value: [{ type: 'home' }] },
    ]) {
      expect(refusal(() => applyPatch('User', current, patch([operation])))).toMatchObject({
        scimType: 'invalidValue',
        message: "Each of 'emails' needs a 'value' (the address)",
      });
    }
  });

  it('refuses read-only attributes by any path with mutability', () => {
    for (const path of ['id', 'meta', 'meta.lastModified', 'groups']) {
      expect(refusal(() => applyPatch('User', user(), patch([{ op: 'replace', path, value: 'x' }])))).toMatchObject({
        scimType: 'mutability',
      });
    }
  });
});

describe('keyed merge and removal', () => {
  const element = fc.oneof(
    fc.record(
      {
        value: fc.constantFrom('a', 'A', 'b', 1),
        type: fc.constantFrom('work', 'WORK', 'home'),
        primary: fc.boolean(),
      },
      { requiredKeys: ['value'] },
    ),
    fc.record({ streetAddress: fc.constantFrom('x', 'y'), primary: fc.boolean() }, { requiredKeys: [] }),
    fc.constantFrom('a', 'A', 'b'),
  );

  /** The scans the keyed versions replace, as the reference they must agree with. */
  function mergeByScan(existing: unknown[], additions: unknown[]): unknown[] {
    const result = [...existing];
    const touched = new Set<unknown>();
    for (const addition of additions) {
      const index = result.findIndex((current) => sameElement(current, addition));
      const current = index < 0 ? undefined : result[index];
      const next =
        typeof current === 'object' && typeof addition === 'object'
          ? { ...(current as object), ...(addition as object) }
          : addition;
      touched.add(next);
      if (index < 0) result.push(next);
      else result[index] = next;
    }
    return onePrimary(result, touched);
  }

  it('merge agrees with a scan for sameElement', () => {
    check(
      fc.property(fc.array(element, { maxLength: 8 }), fc.array(element, { maxLength: 8 }), (existing, additions) => {
        expect(mergeElements(existing, additions)).toEqual(mergeByScan(existing, additions));
      }),
      300,
    );
  });

  it('removal agrees with a scan for matchesRemoval', () => {
    const removal = fc.oneof(element, fc.record({ value: fc.constantFrom('a', 'b') }));
    check(
      fc.property(fc.array(element, { maxLength: 8 }), fc.array(removal, { maxLength: 4 }), (elements, removals) => {
        const expected = elements.filter((current) => !removals.some((r) => matchesRemoval(current, r)));
        expect(withoutRemovals(elements, removals)).toEqual(expected);
      }),
      300,
    );
  });

  it('reads each element a bounded number of times, however many there are (linear, not quadratic)', () => {
    let reads = 0;
    const counted = (value: string) => {
      const object = { type: 'work' } as Record<string, unknown>;
      Object.defineProperty(object, 'value', { enumerable: true, get: () => (reads++, value) });
      return object;
    };
    const readsFor = (count: number): number => {
      reads = 0;
      const existing = many(count, (i) => counted(`old${i}`));
      const additions = many(count, (i) => counted(i % 2 === 0 ? `OLD${i}` : `new${i}`));
      mergeElements(existing, additions);
      withoutRemovals(existing, additions);
      return reads;
    };
    const small = readsFor(500);
    // A scan per addition would read about 500 × more for 1,000 as for 500... quadrupled, at least.
    expect(readsFor(1000)).toBeLessThanOrEqual(small * 2 + 10);
    expect(small).toBeLessThan(500 * 12);
  });
});
