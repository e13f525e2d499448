import { describe, expect, it } from 'vitest';
import { createStreamLimits } from './stream-slots.ts';

describe('stream limits', () => {
  it('counts per connection and in total, and a release frees one slot once', () => {
    const limits = createStreamLimits({ perConnection: 2, perHolder: 10, total: 3 });
    const a = limits.forConnection();
    const b = limits.forConnection();
    const releaseA1 = a.take();
    a.take();
    expect(() => a.take()).toThrow(/at most 2 live subscriptions per connection/);
    b.take();
    expect(() => b.take()).toThrow(/holds 3 live subscriptions/);
    releaseA1();
    releaseA1();
    b.take();
    expect(() => b.take()).toThrow(/at most 2/);
    expect(() => a.take()).toThrow(/holds 3/);
  });

  // One viewer with many connections took all 512, and everyone's live updates were refused.
  it("counts each holder's subscriptions over all its connections", () => {
    const limits = createStreamLimits({ perConnection: 2, perHolder: 3, total: 100 });
    const [first, second] = [limits.forConnection('user:vic'), limits.forConnection('user:vic')];
    first.take();
    first.take();
    const release = second.take();
    expect(() => second.take()).toThrow(/at most 3 live subscriptions per user over all connections/);
    limits.forConnection('user:olga').take();
    release();
    second.take();
  });
});
