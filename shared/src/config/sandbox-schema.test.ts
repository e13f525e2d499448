import { describe, expect, it } from 'vitest';
import { sandboxSchema } from './config-schema.ts';

describe('sandbox settings', () => {
  it('default to an 8h ttl and a 30d maxTtl', () => {
    expect(sandboxSchema.parse({ server: 'scratch' })).toEqual({
      server: 'scratch',
      ttl: '8h',
      maxTtl: '30d',
    });
  });

  it('refuse a ttl longer than maxTtl, naming the field', () => {
    const result = sandboxSchema.safeParse({ server: 'scratch', ttl: '2w', maxTtl: '7d' });
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['ttl'], message: 'is longer than maxTtl (7d)' }),
    ]);
  });
});
