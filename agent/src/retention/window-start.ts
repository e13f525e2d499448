import type { Duration } from '@port-yard/shared';
import { civilFromDays, daysFromCivil, daysInMonth, msPerDay } from './civil-date.ts';
import type { ZoneClock } from './zone-clock.ts';

const fixedUnitMs: Partial<Record<Duration['unit'], number>> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Beyond this a local time has no instant in JavaScript's range (±8.64e15 ms): the window reaches everything. */
const earliestLocalMs = -8.64e15 + 2 * msPerDay;

/**
 * Where a tier's window starts: the window is `(start, anchor]`, so an artifact is in it when
 * `startedAt > start` (strict, as in DESIGN §5 and restic).
 *
 * Seconds, minutes and hours are a fixed length. Days, weeks, months and years are calendar
 * arithmetic on the anchor's LOCAL wall time (1w = 7 days; a month or year back clamps the day,
 * so 31 Mar − 1mo = 28/29 Feb, unlike Go's AddDate, which gives 3 Mar), turned back into an
 * instant; a local time that occurs twice or never takes the earlier instant.
 */
export function windowStart(anchorMs: number, span: Duration, clock: ZoneClock): number {
  const unitMs = fixedUnitMs[span.unit];
  if (unitMs !== undefined) return anchorMs - span.count * unitMs;

  const local = anchorMs + clock.offsetAt(anchorMs);
  const day = Math.floor(local / msPerDay);
  const timeOfDay = local - day * msPerDay;
  let startDay: number;
  if (span.unit === 'd' || span.unit === 'w') {
    startDay = day - span.count * (span.unit === 'w' ? 7 : 1);
  } else {
    const date = civilFromDays(day);
    const months = date.year * 12 + (date.month - 1) - span.count * (span.unit === 'y' ? 12 : 1);
    const year = Math.floor(months / 12);
    const month = months - year * 12 + 1;
    startDay = daysFromCivil(year, month, Math.min(date.day, daysInMonth(year, month)));
  }
  const startLocal = startDay * msPerDay + timeOfDay;
  if (startLocal < earliestLocalMs) return Number.NEGATIVE_INFINITY;
  return clock.utcFromLocal(startLocal);
}
