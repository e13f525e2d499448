import { daysFromCivil, daysInMonth, msPerDay } from './civil-date.ts';

/** Offsets or `Z` are required: a zone-less time would be read in the host's zone. */
const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

/**
 * Epoch ms of a Date or an ISO 8601 time with a zone (`Z` or `±hh:mm`); undefined for anything
 * else. The form `Date.toISOString()` writes is read by hand: Date.parse costs most of the time
 * of planning 100,000 artifacts.
 */
export function instantOf(value: unknown): number | undefined {
  if (value instanceof Date) return orUndefined(value.getTime());
  if (typeof value !== 'string') return undefined;
  if (value.length === 24 || value.length === 20) {
    const fast = canonicalUtc(value);
    if (fast !== undefined) return fast;
  }
  return isoInstant.test(value) ? orUndefined(Date.parse(value)) : undefined;
}

function orUndefined(ms: number): number | undefined {
  return Number.isNaN(ms) ? undefined : ms;
}

/** The day number of the last date read: artifacts come in runs of the same day. */
let lastDate = -1;
let lastDays = 0;

/** `2026-10-25T01:05:00Z` or `2026-10-25T01:05:00.000Z`; undefined for anything else. */
function canonicalUtc(text: string): number | undefined {
  const long = text.length === 24;
  const punctuationOk =
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    text.charCodeAt(10) === 84 && // T
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(long ? 23 : 19) === 90 && // Z
    (!long || text.charCodeAt(19) === 46); // .
  if (!punctuationOk) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  const millis = long ? digits(text, 20, 3) : 0;
  if (year < 0 || hour < 0 || minute < 0 || second < 0 || millis < 0) return undefined;
  if (month < 1 || month > 12 || day < 1 || (day > 28 && day > daysInMonth(year, month))) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = (year * 100 + month) * 100 + day;
  if (date !== lastDate) {
    lastDate = date;
    lastDays = daysFromCivil(year, month, day);
  }
  return lastDays * msPerDay + ((hour * 60 + minute) * 60 + second) * 1000 + millis;
}

/** The number written by `length` ASCII digits at `from`; -1 when one is not a digit. */
function digits(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i += 1) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}
