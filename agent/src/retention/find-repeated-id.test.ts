import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findRepeatedId } from './find-repeated-id.ts';

describe('findRepeatedId', () => {
  it('finds a repeated id exactly when a Set would', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3 }), { maxLength: 200 }), (ids) => {
        const repeated = findRepeatedId(ids);
        if (new Set(ids).size === ids.length) expect(repeated).toBeUndefined();
        else expect(ids.indexOf(repeated!)).not.toBe(ids.lastIndexOf(repeated!));
      }),
    );
  });

  it('reports the first id seen again', () => {
    expect(findRepeatedId(['a', 'b', 'c', 'b', 'a'])).toBe('b');
    expect(findRepeatedId([])).toBeUndefined();
  });
});
