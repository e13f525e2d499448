import { daysFromCivil, msPerDay } from './civil-date.ts';

/**
 * Wall-clock time in one IANA time zone, from `Intl.DateTimeFormat` alone (no tz library, and
 * Temporal needs a flag in Node 24). "Local ms" is the wall clock read as if it were UTC:
 * `localMs = utcMs + offsetAt(utcMs)`, so calendar math on it is plain integer math.
 *
 * Cost: Intl is slow (~5 µs a call), so offsets are sampled once per UTC day and the exact
 * second of a change is found by bisection only in a day whose two ends differ. Contract (true
 * of the tz database): a zone's offset changes at most once within one UTC day.
 */
export interface ZoneClock {
  readonly timeZone: string;
  /** local − UTC, in ms, at an instant. */
  offsetAt(utcMs: number): number;
  /**
   * The instant a local wall time names. A time that occurs twice (clocks go back) or never
   * (clocks go forward) resolves to the EARLIER candidate, so a window start never moves later.
   */
  utcFromLocal(localMs: number): number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone for the whole process: creating one costs far more than using it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for a zone Intl does not know; the planner turns that into INVALID_INPUT.
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The offset Intl reports at a whole second (Intl drops milliseconds). */
function intlOffset(formatter: Intl.DateTimeFormat, utcMs: number): number {
  const fields: Record<string, number> = {};
  let beforeChrist = false;
  for (const part of formatter.formatToParts(utcMs)) {
    if (part.type === 'era') beforeChrist = part.value.startsWith('B');
    else if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = beforeChrist ? 1 - fields.year! : fields.year!;
  const local =
    daysFromCivil(year, fields.month!, fields.day!) * msPerDay +
    ((fields.hour! * 60 + fields.minute!) * 60 + fields.second!) * 1000;
  return local - utcMs;
}

interface DayOffsets {
  readonly before: number;
  readonly after: number;
  /** First instant with `after`; the whole day has `before` when the two are equal. */
  readonly changeAt: number;
}

/** A clock with its own memo of offsets; cheap to create (one per plan keeps planning pure). */
export function createZoneClock(timeZone: string): ZoneClock {
  const formatter = formatterFor(timeZone);
  const probes = new Map<number, number>();
  const probe = (utcMs: number): number => {
    let offset = probes.get(utcMs);
    if (offset === undefined) {
      offset = intlOffset(formatter, utcMs);
      probes.set(utcMs, offset);
    }
    return offset;
  };

  const days = new Map<number, DayOffsets>();
  const dayOffsets = (day: number): DayOffsets => {
    const start = day * msPerDay;
    const before = probe(start);
    const after = probe(start + msPerDay);
    if (before === after) return { before, after, changeAt: start + msPerDay };
    let lo = start; // has `before`
    let hi = start + msPerDay; // has `after`
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (intlOffset(formatter, mid) === before) lo = mid;
      else hi = mid;
    }
    return { before, after, changeAt: hi };
  };

  let lastDay = Number.NaN;
  let last: DayOffsets = { before: 0, after: 0, changeAt: 0 };
  const offsetAt = (utcMs: number): number => {
    const day = Math.floor(utcMs / msPerDay);
    if (day !== lastDay) {
      let found = days.get(day);
      if (!found) {
        found = dayOffsets(day);
        days.set(day, found);
      }
      lastDay = day;
      last = found;
    }
    return utcMs < last.changeAt ? last.before : last.after;
  };

  const utcFromLocal = (localMs: number): number => {
    // Offsets in force a day either side cover every candidate (no zone moves by a day or more twice).
    const candidates = [localMs - offsetAt(localMs - msPerDay), localMs - offsetAt(localMs + msPerDay)];
    const exact = candidates.filter((utcMs) => utcMs + offsetAt(utcMs) === localMs);
    return Math.min(...(exact.length > 0 ? exact : candidates));
  };

  return { timeZone, offsetAt, utcFromLocal };
}
