import { BoundedBuffer } from './request-log.buffer';

const buffer = (maxRows: number, maxBytes = Infinity) =>
  new BoundedBuffer<string>(maxRows, maxBytes, (row) => row.length);

describe('BoundedBuffer', () => {
  it('hands rows out oldest first, in batches', () => {
    const rows = buffer(10);
    for (const row of ['a', 'b', 'c', 'd', 'e']) rows.add(row);
    expect(rows.take(2)).toEqual(['a', 'b']);
    expect(rows.take(10)).toEqual(['c', 'd', 'e']);
    expect(rows.take(10)).toEqual([]);
    expect(rows.length).toBe(0);
  });

  it('drops and counts what arrives when it is full, keeping what it has', () => {
    const rows = buffer(3);
    expect(['a', 'b', 'c', 'd', 'e'].map((row) => rows.add(row))).toEqual([true, true, true, false, false]);
    expect(rows.dropped).toBe(2);
    expect(rows.take(10)).toEqual(['a', 'b', 'c']);
    expect(rows.add('f')).toBe(true);
  });

  it('is bounded in bytes too', () => {
    const rows = buffer(100, 10);
    expect(rows.add('x'.repeat(6))).toBe(true);
    expect(rows.add('y'.repeat(6))).toBe(false);
    expect(rows.add('z'.repeat(4))).toBe(true);
    expect(rows.dropped).toBe(1);
    rows.take(1);
    expect(rows.add('w'.repeat(6))).toBe(true);
  });

  it('takes rows back after a failed write, ahead of newer ones, as far as there is room', () => {
    const rows = buffer(4);
    ['a', 'b', 'c'].forEach((row) => rows.add(row));
    const batch = rows.take(3);
    ['d', 'e'].forEach((row) => rows.add(row));
    expect(rows.putBack(batch)).toBe(1);
    expect(rows.dropped).toBe(1);
    expect(rows.take(10)).toEqual(['a', 'b', 'd', 'e']);
  });

  it('counts rows lost elsewhere', () => {
    const rows = buffer(1);
    rows.countDropped(3);
    expect(rows.dropped).toBe(3);
  });
});
