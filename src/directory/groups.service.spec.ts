import { foldMembership } from './groups.service';

const a = '00000000-0000-4000-8000-00000000000a';
const b = '00000000-0000-4000-8000-00000000000b';
const c = '00000000-0000-4000-8000-00000000000c';
const sorted = (set: Set<string>) => [...set].sort();
const fold = (...changes: Parameters<typeof foldMembership>[0]) => {
  const net = foldMembership(changes);
  return { removeAll: net.removeAll, remove: sorted(net.remove), add: sorted(net.add) };
};

describe('foldMembership: many member changes as one net change', () => {
  it('adds and removes as the operations say, in order', () => {
    expect(fold({ op: 'add', ids: [a, b] }, { op: 'remove', ids: [b, c] })).toEqual({
      removeAll: false,
      remove: [b, c],
      add: [a],
    });
  });

  it('keeps a member removed and then added in both sets: its old assignments go, a member one comes', () => {
    expect(fold({ op: 'remove', ids: [a] }, { op: 'add', ids: [a] })).toEqual({
      removeAll: false,
      remove: [a],
      add: [a],
    });
  });

  it('starts over at a replace or a remove of all members', () => {
    expect(fold({ op: 'add', ids: [a] }, { op: 'replace', ids: [b] }, { op: 'remove', ids: [c] })).toEqual({
      removeAll: true,
      remove: [],
      add: [b],
    });
    expect(fold({ op: 'replace', ids: [a, b] }, { op: 'removeAll' }, { op: 'add', ids: [c] })).toEqual({
      removeAll: true,
      remove: [],
      add: [c],
    });
  });

  it('drops ids that cannot name a member', () => {
    expect(fold({ op: 'add', ids: ['not-an-id', a] })).toEqual({ removeAll: false, remove: [], add: [a] });
  });
});
