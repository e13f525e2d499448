import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { civilFromDays, daysFromCivil, daysInMonth, isoWeekOf, weekFromDays } from './civil-date.ts';

const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / 86_400_000;

describe('civil dates', () => {
  it('agrees with Date for any day in JavaScript range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (days) => {
        const date = new Date(days * 86_400_000);
        const civil = civilFromDays(days);
        expect(civil).toEqual({
          year: date.getUTCFullYear(),
          month: date.getUTCMonth() + 1,
          day: date.getUTCDate(),
        });
        expect(daysFromCivil(civil.year, civil.month, civil.day)).toBe(days);
      }),
    );
  });

  it('knows month lengths, leap years included', () => {
    expect([2024, 2025, 2100, 2000].map((year) => daysInMonth(year, 2))).toEqual([29, 28, 28, 29]);
    expect(daysInMonth(2026, 12)).toBe(31);
  });

  it('numbers ISO weeks (Monday start, the year of the Thursday)', () => {
    const iso = (date: string) => isoWeekOf(weekFromDays(dayOf(date)));
    expect(iso('2026-11-26')).toEqual({ year: 2026, week: 48 });
    expect(iso('2026-03-29')).toEqual({ year: 2026, week: 13 }); // a Sunday
    expect(iso('2026-03-30')).toEqual({ year: 2026, week: 14 }); // the Monday after
    expect(iso('2025-12-29')).toEqual({ year: 2026, week: 1 });
    expect(iso('2021-01-03')).toEqual({ year: 2020, week: 53 });
    expect(iso('2027-01-01')).toEqual({ year: 2026, week: 53 });
  });
});
