import { describe, expect, it } from 'vitest';
import { createStreamLimits } from './stream-slots.ts';

describe('stream limits', () => {
  it('counts per connection and in total, and a release frees one slot once', () => {
    const limits = createStreamLimits({ perConnection: 2, total: 3 });
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
});
