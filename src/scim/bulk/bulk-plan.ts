// Which bulkIds each operation of a bulk waits for, and which POSTs refer to each other in a
// cycle (RFC 7644 §3.7.1): those cannot wait for one another, so they are created without the
// references of their cycle, which are added once every POST of the cycle has run.
import { ScimError } from '../scim.errors';
import { BulkOperation } from './bulk-request';
import { referencesIn } from './bulk-references';

export interface BulkPlan {
  /** bulkIds whose POST must have run before the operation runs. */
  waitsFor(operation: BulkOperation): readonly string[];
  /** bulkIds of the operation's own cycle that it refers to (a POST only); empty outside cycles. */
  cyclicFor(operation: BulkOperation): readonly string[];
  /** The POSTs of the cycle a bulkId's POST is in; undefined outside cycles. */
  cycleOf(bulkId: string): readonly BulkOperation[] | undefined;
}

/**
 * The plan of a bulk. An operation that refers to a bulkId no POST of the request declares is
 * made invalid here (400 `invalidValue`): it fails alone when its turn comes.
 */
export function planBulk(operations: readonly BulkOperation[]): BulkPlan {
  const posts = new Map<string, BulkOperation>();
  for (const operation of operations) {
    if (operation.method === 'POST' && operation.bulkId !== undefined) posts.set(operation.bulkId, operation);
  }
  const references = new Map<number, string[]>();
  for (const operation of operations) {
    if (operation.invalid) continue;
    const found = referencesIn(operation.data);
    if (operation.target?.bulkRef !== undefined) found.add(operation.target.bulkRef);
    const unknown = [...found].find((bulkId) => !posts.has(bulkId));
    if (unknown !== undefined) {
      operation.invalid = ScimError.invalidValue(
        `'bulkId:${unknown}' refers to no POST operation of this request (no operation has bulkId '${unknown}')`,
      );
      continue;
    }
    references.set(operation.index, [...found]);
  }
  const component = cyclesOf(posts, references);
  const waits = new Map<number, string[]>();
  const cyclic = new Map<number, string[]>();
  for (const operation of operations) {
    const refs = references.get(operation.index) ?? [];
    const own = operation.method === 'POST' ? component.get(operation.index) : undefined;
    const inCycle = (bulkId: string) => own !== undefined && component.get(posts.get(bulkId)!.index) === own;
    waits.set(
      operation.index,
      refs.filter((bulkId) => !inCycle(bulkId)),
    );
    cyclic.set(operation.index, refs.filter(inCycle));
  }
  const cycles = new Map<number, BulkOperation[]>();
  for (const post of posts.values()) {
    const number = component.get(post.index);
    if (number !== undefined) cycles.set(number, [...(cycles.get(number) ?? []), post]);
  }
  return {
    waitsFor: (operation) => waits.get(operation.index) ?? [],
    cyclicFor: (operation) => cyclic.get(operation.index) ?? [],
    cycleOf: (bulkId) => {
      const post = posts.get(bulkId);
      const number = post === undefined ? undefined : component.get(post.index);
      return number === undefined ? undefined : cycles.get(number);
    },
  };
}

/**
 * Tarjan's strongly connected components over POSTs (an edge from a POST to each POST its data
 * refers to): POST index → component number, only for POSTs in a cycle (two or more POSTs, or one
 * that refers to itself). Iterative, so that a chain of a thousand references does not overflow.
 */
function cyclesOf(posts: ReadonlyMap<string, BulkOperation>, references: ReadonlyMap<number, string[]>) {
  const cache = new Map<number, number[]>();
  const edges = (index: number): number[] => {
    let targets = cache.get(index);
    if (targets === undefined) {
      targets = (references.get(index) ?? [])
        .map((bulkId) => posts.get(bulkId)!.index)
        .filter((target) => references.has(target));
      cache.set(index, targets);
    }
    return targets;
  };
  const order = new Map<number, number>();
  const low = new Map<number, number>();
  const onStack = new Set<number>();
  const stack: number[] = [];
  const result = new Map<number, number>();
  let counter = 0;
  let components = 0;
  for (const root of [...posts.values()].map((post) => post.index).filter((index) => references.has(index))) {
    if (order.has(root)) continue;
    const work: { node: number; next: number }[] = [{ node: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const targets = edges(frame.node);
      if (frame.next < targets.length) {
        const target = targets[frame.next++];
        if (!order.has(target)) {
          order.set(target, counter);
          low.set(target, counter++);
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, next: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, order.get(target)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) !== order.get(frame.node)) continue;
      const members: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== frame.node);
      const selfReference = targets.includes(frame.node);
      if (members.length > 1 || selfReference) {
        for (const index of members) result.set(index, components);
        components += 1;
      }
    }
  }
  return result;
}
