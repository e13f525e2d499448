import { describe, expect, it } from 'vitest';
import { medianInterval } from './median-interval.ts';

describe('medianInterval', () => {
  it('takes the order statistics that give at least 95% for 21 values (the 6th and 16th)', () => {
    const values = Array.from({ length: 21 }, (_, i) => 21 - i); // 21..1, unsorted on purpose
    const interval = medianInterval(values)!;
    expect(interval).toMatchObject({ low: 6, high: 16 });
    // 1 - 2 P(B <= 5), B ~ Binomial(21, 1/2) = 1 - 2 * 27896 / 2^21
    expect(interval.coverage).toBeCloseTo(1 - (2 * 27896) / 2 ** 21, 10);
  });

  it('falls back to the minimum and maximum, with their true coverage, when few values cannot give 95%', () => {
    expect(medianInterval([1.3, 0.9, 1.1, 1.0, 1.2])).toEqual({ low: 0.9, high: 1.3, coverage: 1 - 2 / 32 });
    const seven = medianInterval([7, 1, 6, 2, 5, 3, 4])!;
    expect(seven).toMatchObject({ low: 1, high: 7 });
    expect(seven.coverage).toBeCloseTo(1 - 2 / 128, 10);
  });

  it('narrows as the values grow in number', () => {
    const values = Array.from({ length: 41 }, (_, i) => i);
    const interval = medianInterval(values)!;
    expect(interval.coverage).toBeGreaterThanOrEqual(0.95);
    expect(interval.high - interval.low).toBeLessThan(20);
    expect(interval.low).toBeLessThanOrEqual(20);
    expect(interval.high).toBeGreaterThanOrEqual(20);
  });

  it('has no interval for fewer than two values', () => {
    expect(medianInterval([])).toBeUndefined();
    expect(medianInterval([1.05])).toBeUndefined();
  });
});
