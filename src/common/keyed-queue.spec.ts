import { KeyedQueue } from './keyed-queue';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A task that records when it runs and ends when `release` is called. */
function gate(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const task = async (): Promise<string> => {
    log.push(`start ${name}`);
    await done;
    log.push(`end ${name}`);
    return name;
  };
  return { task, release };
}

describe('KeyedQueue', () => {
  it('runs the tasks of one key one at a time, in arrival order', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => gate(log, name));
    const results = [queue.run('t1', a.task), queue.run('t1', b.task), queue.run('t1', c.task)];
    await tick();
    expect(log).toEqual(['start a']);
    b.release(); // b is waiting for a: releasing it early changes nothing yet
    a.release();
    await tick();
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c']);
    c.release();
    await expect(Promise.all(results)).resolves.toEqual(['a', 'b', 'c']);
    expect(queue.size).toBe(0);
  });

  it('runs tasks of different keys side by side', async () => {
    const queue = new KeyedQueue();
    const log: string[] = [];
    const [a, b] = ['a', 'b'].map((name) => gate(log, name));
    const results = [queue.run('t1', a.task), queue.run('t2', b.task)];
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    a.release();
    b.release();
    await Promise.all(results);
  });

  it('goes on after a task that fails, and answers each caller its own outcome', async () => {
    const queue = new KeyedQueue();
    const failing = queue.run('t1', () => Promise.reject(new Error('boom')));
    const next = queue.run('t1', () => Promise.resolve('next'));
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    await tick();
    expect(queue.size).toBe(0);
  });
});
