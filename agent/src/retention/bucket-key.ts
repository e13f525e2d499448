import type { Duration } from '@port-yard/shared';
import {
  civilFromDays,
  formatCivilDate,
  formatYear,
  isoWeekOf,
  msPerDay,
  pad2,
  weekFromDays,
} from './civil-date.ts';
import type { ZoneClock } from './zone-clock.ts';

/** Splits time into a tier's buckets (DESIGN §5 "Buckets"). */
export interface Bucketer {
  /** The bucket of an instant, as a number; a later bucket has a larger number. */
  keyOf(utcMs: number): number;
  /** The bucket as people read it: `2026-11-26T03:15Z`, `2026-11-25 Europe/Berlin`, `2026-W48 …`. */
  label(key: number): string;
}

const fixedUnitMs: Partial<Record<Duration['unit'], number>> = { m: 60_000, h: 3_600_000 };

/**
 * Minutes and hours are aligned to the UTC epoch (bucket = floor(epoch / every)), so no time
 * zone or DST change can merge or split them. `1d`, `1w` (ISO, Monday), `1mo` and `1y` are
 * calendar periods on the clock's local time. Anything else was rejected by the schema.
 */
export function createBucketer(every: Duration, clock: ZoneClock): Bucketer {
  const unitMs = fixedUnitMs[every.unit];
  if (unitMs !== undefined) {
    const size = every.count * unitMs;
    return {
      keyOf: (utcMs) => Math.floor(utcMs / size),
      label: (key) => `${new Date(key * size).toISOString().slice(0, 16)}Z`,
    };
  }
  if (every.count !== 1) throw new Error(`unsupported bucket size ${every.count}${every.unit}`);
  const zone = clock.timeZone;
  const localDay = (utcMs: number): number => Math.floor((utcMs + clock.offsetAt(utcMs)) / msPerDay);
  switch (every.unit) {
    case 'd':
      return { keyOf: localDay, label: (key) => `${formatCivilDate(civilFromDays(key))} ${zone}` };
    case 'w':
      return {
        keyOf: (utcMs) => weekFromDays(localDay(utcMs)),
        label: (key) => {
          const iso = isoWeekOf(key);
          return `${formatYear(iso.year)}-W${pad2(iso.week)} ${zone}`;
        },
      };
    case 'mo':
      return {
        keyOf: byLocalDate(localDay, (date) => date.year * 12 + date.month - 1),
        label: (key) => {
          const year = Math.floor(key / 12);
          return `${formatYear(year)}-${pad2(key - year * 12 + 1)} ${zone}`;
        },
      };
    case 'y':
      return {
        keyOf: byLocalDate(localDay, (date) => date.year),
        label: (key) => `${formatYear(key)} ${zone}`,
      };
    default:
      throw new Error(`unsupported bucket unit ${every.unit}`);
  }
}

/** Month and year keys from the local day, remembering the last day: artifacts arrive in runs. */
function byLocalDate(
  localDay: (utcMs: number) => number,
  keyOfDate: (date: ReturnType<typeof civilFromDays>) => number,
): (utcMs: number) => number {
  let lastDay = Number.NaN;
  let lastKey = 0;
  return (utcMs) => {
    const day = localDay(utcMs);
    if (day !== lastDay) {
      lastDay = day;
      lastKey = keyOfDate(civilFromDays(day));
    }
    return lastKey;
  };
}
