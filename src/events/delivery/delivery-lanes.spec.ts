import { compareSeq, contiguousCursor, deliverInLanes, retryDelayMs, SendResult } from './delivery-lanes';

const item = (seq: number, laneKey: string) => ({ seq: String(seq), laneKey });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deliverInLanes', () => {
  it('keeps each resource in seq order while resources go in parallel, never more than `lanes` at once', async () => {
    const items = [item(1, 'a'), item(2, 'b'), item(3, 'a'), item(4, 'c'), item(5, 'b'), item(6, 'a'), item(7, 'd')];
    const sent: string[] = [];
    let inFlight = 0;
    let peak = 0;
    const outcome = await deliverInLanes(items, 2, async (it): Promise<SendResult> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await pause(it.laneKey === 'a' ? 15 : 5);
      sent.push(`${it.laneKey}${it.seq}`);
      inFlight--;
      return { ok: true };
    });
    expect(outcome.firstError).toBeUndefined();
    expect([...outcome.delivered].sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(peak).toBe(2);
    for (const key of ['a', 'b']) {
      const order = sent.filter((s) => s.startsWith(key));
      expect(order).toEqual([...order].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))));
    }
  });

  it('stops starting events after a failure and never sends a later event of the failed resource', async () => {
    const items = [item(1, 'a'), item(2, 'a'), item(3, 'b'), item(4, 'a')];
    const sent: string[] = [];
    const outcome = await deliverInLanes(items, 1, (it): Promise<SendResult> => {
      sent.push(it.seq);
      return Promise.resolve(it.seq === '2' ? { ok: false, error: 'receiver answered 500' } : { ok: true });
    });
    expect(sent).toEqual(['1', '2']);
    expect(outcome).toEqual({ delivered: new Set(['1']), firstError: { seq: '2', error: 'receiver answered 500' } });
  });

  it('reports a thrown send as that event failing', async () => {
    const outcome = await deliverInLanes([item(9, 'x')], 4, () => Promise.reject(new Error('ECONNREFUSED')));
    expect(outcome.firstError).toEqual({ seq: '9', error: 'ECONNREFUSED' });
  });
});

describe('contiguousCursor / compareSeq', () => {
  it('advances over the delivered prefix only', () => {
    const done = new Set(['11', '12', '14']);
    expect(contiguousCursor('10', ['11', '12', '13', '14'], (s) => done.has(s))).toBe('12');
    expect(contiguousCursor('10', ['13', '14'], (s) => done.has(s))).toBe('10');
    expect(compareSeq('9', '10')).toBe(-1);
    expect(compareSeq('90071992547409930', '90071992547409929')).toBe(1);
  });
});

describe('retryDelayMs', () => {
  it('doubles from the base, caps, and jitters between half and all of it', () => {
    expect(retryDelayMs(1, 1000, 300_000, () => 0.999999)).toBe(1000);
    expect(retryDelayMs(1, 1000, 300_000, () => 0)).toBe(500);
    expect(retryDelayMs(4, 1000, 300_000, () => 0.999999)).toBe(8000);
    expect(retryDelayMs(30, 1000, 300_000, () => 0.999999)).toBe(300_000);
    expect(retryDelayMs(30, 1000, 300_000, () => 0)).toBe(150_000);
  });
});
