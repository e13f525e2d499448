import { describe, expect, it } from 'vitest';
import { durationMs, parseDuration } from './duration.ts';

describe('durations', () => {
  it('parses a count and a unit', () => {
    expect(parseDuration('15m')).toEqual({ count: 15, unit: 'm' });
    expect(parseDuration('15 m')).toBeUndefined();
  });

  it('gives nominal milliseconds, or undefined for what is not a duration', () => {
    expect(durationMs('90s')).toBe(90_000);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('1mo')).toBe(30 * 86_400_000);
    expect(durationMs('soon')).toBeUndefined();
    expect(durationMs(undefined)).toBeUndefined();
  });
});
