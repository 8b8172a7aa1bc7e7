/** One SET to push, in the stream's seq order. */
export interface LaneItem {
  seq: string;
  /** Events of one resource are sent one after the other, in seq order. */
  laneKey: string;
}

/** What pushing one SET came to: delivered, or why not. */
export type SendResult = { ok: true } | { ok: false; error: string };

export interface LanesOutcome {
  /** Seqs the receiver accepted. */
  delivered: Set<string>;
  /** The failure of the earliest (lowest seq) event that failed, if any. */
  firstError?: { seq: string; error: string };
}

/**
 * Pushes `items` (in seq order) in up to `lanes` parallel lanes keyed by laneKey: the events of one
 * key go one after the other in seq order, different keys at once. After the first failure no
 * new event is started (those in flight finish), so a receiver that is down gets few requests;
 * the events of a failed key after the failure are never sent before it.
 */
export async function deliverInLanes<T extends LaneItem>(
  items: T[],
  lanes: number,
  send: (item: T) => Promise<SendResult>,
): Promise<LanesOutcome> {
  const queues = new Map<string, T[]>();
  for (const item of items) {
    const queue = queues.get(item.laneKey);
    if (queue) queue.push(item);
    else queues.set(item.laneKey, [item]);
  }
  const pending = [...queues.values()];
  const delivered = new Set<string>();
  const failures: { seq: string; error: string }[] = [];
  let failed = false;

  const lane = async (): Promise<void> => {
    for (let queue = pending.shift(); queue && !failed; queue = pending.shift()) {
      for (const item of queue) {
        if (failed) return;
        let result: SendResult;
        try {
          result = await send(item);
        } catch (error) {
          result = { ok: false, error: error instanceof Error ? error.message : String(error) };
        }
        if (!result.ok) {
          failed = true;
          failures.push({ seq: item.seq, error: result.error });
          return;
        }
        delivered.add(item.seq);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, queues.size)) }, lane));
  failures.sort((a, b) => compareSeq(a.seq, b.seq));
  return { delivered, firstError: failures[0] };
}

/** Seqs are bigint strings: compared as numbers. */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The new cursor: the last seq of the longest run of `seqs` (all the batch's events after the
 * cursor, ascending) that were all delivered (or need no delivery); `cursor` when the first was not.
 */
export function contiguousCursor(cursor: string, seqs: string[], done: (seq: string) => boolean): string {
  let last = cursor;
  for (const seq of seqs) {
    if (!done(seq)) break;
    last = seq;
  }
  return last;
}

/**
 * How long to wait after the `attempts`-th failure in a row (1 = the first): base * 2^(attempts-1),
 * at most `capMs`, times a random factor in [0.5, 1) so that streams failing together spread out.
 */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number, random = Math.random): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const delay = Math.min(capMs, baseMs * 2 ** exponent);
  return Math.round(delay * (0.5 + random() / 2));
}
