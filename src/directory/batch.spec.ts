import {
  chunk,
  cycleMembers,
  isRaceLoss,
  isRowDataError,
  MAX_RACE_RETRIES,
  mergeAscending,
  parentsFirst,
  PG_MAX_BIND_PARAMETERS,
  RaceRetries,
  rowsPerStatement,
  splitFirstRound,
  splitIntoRounds,
  SqlRunner,
  valuesList,
  writeIsolated,
} from './batch';

describe('rowsPerStatement', () => {
  it('caps rows at 500 for narrow rows', () => {
    expect(rowsPerStatement(4)).toBe(500);
    expect(rowsPerStatement(16)).toBe(500);
  });

  it('stays under the bind-parameter limit for wide rows', () => {
    for (const columns of [131, 200, 1000, 65_535]) {
      const rows = rowsPerStatement(columns);
      expect(rows * columns).toBeLessThanOrEqual(PG_MAX_BIND_PARAMETERS);
      expect(rows).toBeGreaterThanOrEqual(1);
    }
    expect(rowsPerStatement(200)).toBe(327);
    expect(rowsPerStatement(10, 100_000)).toBe(6553);
  });

  it('refuses a non-positive column count', () => {
    expect(() => rowsPerStatement(0)).toThrow(RangeError);
  });
});

describe('chunk', () => {
  it('splits into pieces of at most size, keeping order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
    expect(
      chunk(
        Array.from({ length: 1200 }, (_, i) => i),
        500,
      ).map((c) => c.length),
    ).toEqual([500, 500, 200]);
  });

  it('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('valuesList', () => {
  it('numbers parameters row by row, from the given start', () => {
    expect(valuesList(2, 3)).toBe('($1, $2, $3), ($4, $5, $6)');
    expect(valuesList(1, 2, 5, ['uuid'])).toBe('($5::uuid, $6)');
  });
});

describe('splitFirstRound / splitIntoRounds', () => {
  const keys: Record<number, string[]> = {
    0: ['a'],
    1: ['b'],
    2: ['a'],
    3: ['c', 'b'],
    4: ['d'],
    5: ['a', 'd'],
  };
  const keysOf = (index: number) => keys[index];

  it('puts an item whose key repeats an earlier one in a later round', () => {
    expect(splitFirstRound([0, 1, 2, 3, 4, 5], keysOf)).toEqual({
      now: [0, 1, 4],
      later: [2, 3, 5],
    });
  });

  it('keeps the input order between items sharing a key, round after round', () => {
    expect(splitIntoRounds([0, 1, 2, 3, 4, 5], keysOf)).toEqual([[0, 1, 4], [2, 3], [5]]);
  });

  it('answers one round when no key repeats', () => {
    expect(splitIntoRounds([0, 1, 4], keysOf)).toEqual([[0, 1, 4]]);
    expect(splitIntoRounds([], keysOf)).toEqual([]);
  });

  it('never shares a key inside a round', () => {
    for (const round of splitIntoRounds([0, 1, 2, 3, 4, 5], keysOf)) {
      const all = round.flatMap(keysOf);
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('merges deferred indices back in ascending order', () => {
    expect(mergeAscending([2, 7], [1, 5, 9])).toEqual([1, 2, 5, 7, 9]);
  });
});

describe('cycleMembers', () => {
  const graph = (edges: Record<string, string | null>) => (node: string) => edges[node];

  it('finds self-parents and longer cycles, not their descendants', () => {
    const parentOf = graph({ a: 'a', b: 'c', c: 'd', d: 'b', e: 'b', f: null, g: 'f' });
    expect([...cycleMembers(['a', 'b', 'e', 'f', 'g'], parentOf)].sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers nothing for a forest', () => {
    expect(cycleMembers(['x', 'y'], graph({ x: 'y', y: 'z', z: null })).size).toBe(0);
  });
});

describe('parentsFirst', () => {
  it('orders parents before children, stable otherwise', () => {
    const parents: Record<string, string | null> = {
      c: 'b',
      b: 'a',
      a: null,
      x: 'outside',
      y: null,
    };
    expect(parentsFirst(['c', 'x', 'b', 'y', 'a'], (node) => parents[node])).toEqual(['x', 'y', 'a', 'b', 'c']);
  });

  it('does not hang on a cycle', () => {
    const parents: Record<string, string> = { a: 'b', b: 'a' };
    expect(parentsFirst(['a', 'b'], (node) => parents[node])).toHaveLength(2);
  });
});

describe('writeIsolated', () => {
  const uniqueViolation = Object.assign(new Error('duplicate key'), { code: '23505' });

  function fakeDb(): SqlRunner & { log: string[] } {
    const log: string[] = [];
    return {
      log,
      query: (sql: string) => {
        log.push(sql);
        return Promise.resolve();
      },
    };
  }

  it('writes the chunk in one statement when it goes through', async () => {
    const db = fakeDb();
    const write = jest.fn((rows: readonly number[]) => Promise.resolve(rows.map((row) => row * 10)));
    expect(await writeIsolated(db, [1, 2, 3], write)).toEqual({
      written: [10, 20, 30],
      failures: [],
    });
    expect(write).toHaveBeenCalledTimes(1);
    expect(db.log).toEqual(['SAVEPOINT directory_chunk', 'RELEASE SAVEPOINT directory_chunk']);
  });

  it('retries row by row under savepoints and fails only the offending rows', async () => {
    const db = fakeDb();
    const write = (rows: readonly number[]) =>
      rows.includes(2) ? Promise.reject(uniqueViolation) : Promise.resolve(rows.map((row) => row * 10));
    const outcome = await writeIsolated(db, [1, 2, 3], write);
    expect(outcome.written).toEqual([10, 30]);
    expect(outcome.failures).toEqual([{ row: 2, error: uniqueViolation }]);
    expect(db.log.filter((sql) => sql === 'ROLLBACK TO SAVEPOINT directory_row')).toHaveLength(1);
  });

  it('lets a system fault through', async () => {
    const fault = Object.assign(new Error('connection lost'), { code: '08006' });
    await expect(writeIsolated(fakeDb(), [1], () => Promise.reject(fault))).rejects.toBe(fault);
    expect(isRowDataError(fault)).toBe(false);
    expect(isRowDataError(uniqueViolation)).toBe(true);
  });
});

describe('race retries', () => {
  it('counts a lost unique value or a vanished referenced row as a race, nothing else', () => {
    expect(isRaceLoss({ code: '23505' })).toBe(true);
    expect(isRaceLoss({ code: '23503' })).toBe(true);
    expect(isRaceLoss({ code: '22001' })).toBe(false);
    expect(isRaceLoss({ code: '40P01' })).toBe(false);
    expect(isRaceLoss(new Error('boom'))).toBe(false);
  });

  it(`allows ${MAX_RACE_RETRIES} retries per item, each item counted apart`, () => {
    const retries = new RaceRetries();
    const first = Array.from({ length: MAX_RACE_RETRIES + 2 }, () => retries.take(7));
    expect(first).toEqual([...Array(MAX_RACE_RETRIES).fill(true), false, false]);
    expect(retries.take(8)).toBe(true);
  });
});
