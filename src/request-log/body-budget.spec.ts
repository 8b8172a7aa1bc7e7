import { BodyBudget, BURST_SECONDS, MIN_BODY_BYTES } from './body-budget';

describe('BodyBudget', () => {
  const limit = 64 * 1024;

  it('grants full bodies within the budget, then cuts one tenant alone, and refills with time', () => {
    let now = 0;
    // A second's budget is one full row; BURST_SECONDS of them can be spent at once.
    const budget = new BodyBudget(limit, () => now);
    for (let i = 0; i < BURST_SECONDS; i++) expect(budget.limitFor('noisy', limit, limit)).toBe(limit);
    expect(budget.limitFor('noisy', limit, limit)).toBe(MIN_BODY_BYTES);
    // Other tenants, and requests without one, keep their own budget.
    expect(budget.limitFor('quiet', limit, limit)).toBe(limit);
    expect(budget.limitFor(undefined, limit, limit)).toBe(limit);
    now += 1000;
    expect(budget.limitFor('noisy', limit, limit)).toBe(limit);
  });

  it('splits what is left between the two bodies of a row', () => {
    let now = 0;
    const budget = new BodyBudget(16 * 1024, () => now);
    expect(budget.limitFor('t', 16 * 1024 * BURST_SECONDS - 8 * 1024, limit)).toBe(limit);
    expect(budget.limitFor('t', limit, limit)).toBe(4 * 1024);
    now += 0;
    expect(budget.limitFor('t', 2048, limit)).toBe(MIN_BODY_BYTES);
  });
});
