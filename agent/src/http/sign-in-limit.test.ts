import { describe, expect, it } from 'vitest';
import { createSignInLimit } from './sign-in-limit.ts';

describe('the sign-in limit', () => {
  const settings = { perUser: 3, perAddress: 5, windowMs: 60_000 };

  it('counts an address whatever the names, and a success clears only the user', () => {
    const limit = createSignInLimit(settings);
    const from = (username?: string) => limit.begin({ address: '203.0.113.9', username });
    from('olga')!('failed');
    from('olga')!('succeeded');
    for (const name of ['a', 'b', undefined, 'c']) from(name)!('failed');
    expect(from('d')).toBeUndefined();
    expect(from(undefined)).toBeUndefined();
    expect(limit.begin({ address: '203.0.113.10', username: 'd' })).toBeDefined();
  });

  it('lets a credential verified minutes ago past the address count, not past its user count', () => {
    const limit = createSignInLimit(settings);
    for (let attempt = 0; attempt < 5; attempt++)
      limit.begin({ address: '::1', username: `u${attempt}` })!('failed');
    expect(limit.begin({ address: '::1', username: 'olga', vouched: true })).toBeDefined();
    for (let attempt = 0; attempt < 3; attempt++)
      limit.begin({ address: '::2', username: 'olga', vouched: true })!('failed');
    expect(limit.begin({ address: '::2', username: 'olga', vouched: true })).toBeUndefined();
  });

  it('does not count an attempt that was never checked (busy), and counts pending ones', () => {
    let now = 0;
    const limit = createSignInLimit({ ...settings, clock: () => now });
    for (let attempt = 0; attempt < 10; attempt++)
      limit.begin({ address: '::1', username: 'olga' })!('unchecked');
    const pending = [0, 1, 2].map(() => limit.begin({ address: '::1', username: 'olga' }));
    expect(pending.every(Boolean)).toBe(true);
    expect(limit.begin({ address: '::1', username: 'olga' })).toBeUndefined();
    now = 60_000;
    expect(limit.begin({ address: '::1', username: 'olga' })).toBeDefined();
  });
});
