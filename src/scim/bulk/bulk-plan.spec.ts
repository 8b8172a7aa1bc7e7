import { planBulk } from './bulk-plan';
import { parseBulkRequest, URN_BULK_REQUEST } from './bulk-request';

const post = (bulkId: string, refs: string[] = [], resource = 'Groups') => ({
  method: 'POST',
  path: `/${resource}`,
  bulkId,
  data: { members: refs.map((ref) => ({ value: `bulkId:${ref}` })) },
});
const planOf = (operations: unknown[]) => {
  const request = parseBulkRequest({ schemas: [URN_BULK_REQUEST], Operations: operations });
  return { plan: planBulk(request.operations), operations: request.operations };
};

describe('planBulk', () => {
  it('waits for referenced POSTs outside cycles, and sets cycle references aside', () => {
    const { plan, operations } = planOf([
      post('a', ['b']),
      post('b', ['a', 'c']),
      post('c'),
      post('self', ['self']),
      { method: 'PATCH', path: '/Groups/bulkId:a', data: { v: 'bulkId:c' } },
    ]);
    const [a, b, c, self, patch] = operations;
    expect([plan.waitsFor(a), plan.cyclicFor(a)]).toEqual([[], ['b']]);
    expect([plan.waitsFor(b), plan.cyclicFor(b)]).toEqual([['c'], ['a']]);
    expect([plan.waitsFor(c), plan.cyclicFor(c)]).toEqual([[], []]);
    expect(plan.cyclicFor(self)).toEqual(['self']);
    expect([...plan.waitsFor(patch)].sort()).toEqual(['a', 'c']);
    expect(plan.cycleOf('a')?.map((op) => op.bulkId)).toEqual(['a', 'b']);
    expect(plan.cycleOf('c')).toBeUndefined();
  });

  it('makes an operation that refers to no POST of the request invalid', () => {
    const { operations } = planOf([post('a', ['nobody']), { method: 'DELETE', path: '/Users/bulkId:ghost' }]);
    expect(operations.map((op) => op.invalid?.scimType)).toEqual(['invalidValue', 'invalidValue']);
    expect(operations[1].invalid?.message).toContain('ghost');
  });

  it('handles a chain of a thousand references without deep recursion', () => {
    const chain = Array.from({ length: 1000 }, (_, i) => post(`n${i}`, [`n${(i + 1) % 1000}`]));
    const { plan, operations } = planOf(chain);
    expect(plan.cycleOf('n0')).toHaveLength(1000);
    expect(plan.waitsFor(operations[0])).toEqual([]);
  });
});
