import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../pipeline/test-doubles.ts';
import { confirmStoredSizes } from './confirm-stored-size.ts';

const key = 't/db/a.sql.zst';

describe('confirmStoredSizes', () => {
  it('passes a whole copy; fails and removes a short one, and names one it could not check', async () => {
    const whole = createMemoryStorage({ name: 'whole' });
    const short = createMemoryStorage({ name: 'short' });
    const missing = createMemoryStorage({ name: 'missing' });
    const unreachable = createMemoryStorage({ name: 'unreachable' });
    whole.objects.set(key, Buffer.alloc(100));
    short.objects.set(key, Buffer.alloc(60));
    unreachable.objects.set(key, Buffer.alloc(100));
    unreachable.stat = () => Promise.reject(new Error('connect ETIMEDOUT'));

    const failures = await confirmStoredSizes([whole, short, missing, unreachable], key, 100);
    expect(Object.fromEntries(failures)).toEqual({
      short: 'the storage acknowledged the data object, but holds 60 of its 100 bytes',
      missing: 'the storage acknowledged the data object, but does not hold it',
      unreachable: 'the stored data object could not be checked: connect ETIMEDOUT',
    });
    expect(whole.objects.has(key)).toBe(true);
    expect(short.objects.has(key)).toBe(false);
    // (A copy that could not be checked gets no manifest: removed too, or the sweep removes it.)
    expect(unreachable.objects.has(key)).toBe(false);
  });
});
