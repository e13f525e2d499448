import { parseDuration } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { windowStart } from './window-start.ts';
import { createZoneClock } from './zone-clock.ts';

const berlin = createZoneClock('Europe/Berlin');
const utc = createZoneClock('UTC');
const start = (anchor: string, span: string, clock = berlin) =>
  new Date(windowStart(Date.parse(anchor), parseDuration(span)!, clock)).toISOString();

describe('windowStart', () => {
  it('subtracts minutes and hours as fixed lengths, even across a DST change', () => {
    expect(start('2026-03-29T12:00:00Z', '24h')).toBe('2026-03-28T12:00:00.000Z');
    expect(start('2026-11-26T03:15:00Z', '15m')).toBe('2026-11-26T03:00:00.000Z');
  });

  it('subtracts days on the local calendar: the day before a DST change is 23 or 25 hours back', () => {
    // 2026-03-29 12:00 CEST minus 1d = 2026-03-28 12:00 CET: 23 hours.
    expect(start('2026-03-29T10:00:00Z', '1d')).toBe('2026-03-28T11:00:00.000Z');
    // 2026-10-25 12:00 CET minus 1d = 2026-10-24 12:00 CEST: 25 hours.
    expect(start('2026-10-25T11:00:00Z', '1d')).toBe('2026-10-24T10:00:00.000Z');
    // 1w = 7 local days.
    expect(start('2026-04-01T10:00:00Z', '1w')).toBe('2026-03-25T11:00:00.000Z');
  });

  it('clamps the day for months and years: 31 Mar − 1mo = 28/29 Feb (Go AddDate would say 3 Mar)', () => {
    expect(start('2026-03-31T08:00:00Z', '1mo')).toBe('2026-02-28T09:00:00.000Z');
    expect(start('2024-03-31T08:00:00Z', '1mo')).toBe('2024-02-29T09:00:00.000Z');
    expect(start('2024-02-29T12:00:00Z', '1y', utc)).toBe('2023-02-28T12:00:00.000Z');
    expect(start('2026-05-31T12:00:00Z', '3mo', utc)).toBe('2026-02-28T12:00:00.000Z');
    expect(start('2026-01-31T12:00:00Z', '1mo', utc)).toBe('2025-12-31T12:00:00.000Z');
  });

  it('takes the earlier instant when the local start time happens twice or never', () => {
    // 2026-10-26 02:30 CET minus 1d = 2026-10-25 02:30, which happens twice: the CEST one.
    expect(start('2026-10-26T01:30:00Z', '1d')).toBe('2026-10-25T00:30:00.000Z');
    // 2026-03-30 02:30 CEST minus 1d = 2026-03-29 02:30, which never happens: 01:30 CET.
    expect(start('2026-03-30T00:30:00Z', '1d')).toBe('2026-03-29T00:30:00.000Z');
  });

  it('reaches everything when the start would be before JavaScript time begins', () => {
    expect(windowStart(Date.parse('2026-01-01T00:00:00Z'), parseDuration('9999999y')!, utc)).toBe(
      Number.NEGATIVE_INFINITY,
    );
    expect(start('2016-01-18T12:02:03Z', '9999y', utc)).toBe('-007983-01-18T12:02:03.000Z');
  });
});
