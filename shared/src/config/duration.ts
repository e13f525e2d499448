/**
 * Durations in the config: a whole number and a unit, e.g. `15m`, `2h`, `14d`, `1w`, `1mo`, `1y`.
 * `s` is accepted for timeouts. Months and years are calendar units; their nominal lengths
 * (30 d, 365 d) are only used to compare durations, never to compute windows.
 */
export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mo' | 'y';

export interface Duration {
  readonly count: number;
  readonly unit: DurationUnit;
}

/** Exported so the config schema can carry it as a `pattern` editors check while typing. */
export const durationPattern = /^([1-9][0-9]{0,6})(s|m|h|d|w|mo|y)$/;

const nominalSeconds: Record<DurationUnit, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  mo: 30 * 86_400,
  y: 365 * 86_400,
};

/** Parses `15m` into `{ count: 15, unit: 'm' }`; returns undefined when the text is not a duration. */
export function parseDuration(text: string): Duration | undefined {
  const match = durationPattern.exec(text);
  if (!match) return undefined;
  return { count: Number(match[1]), unit: match[2] as DurationUnit };
}

/** Nominal length in seconds (months 30 days, years 365 days): for comparisons and fixed-length units. */
export function nominalDurationSeconds(duration: Duration): number {
  return duration.count * nominalSeconds[duration.unit];
}

/** Shortest length a duration can have in the calendar (a month can be 28 days, a year 365). */
export function minimumDurationSeconds(duration: Duration): number {
  if (duration.unit === 'mo') return duration.count * 28 * 86_400;
  return nominalDurationSeconds(duration);
}

/** A duration's nominal length in milliseconds, or undefined when the text is not a duration. */
export function durationMs(text: string | undefined): number | undefined {
  const duration = text === undefined ? undefined : parseDuration(text);
  return duration ? nominalDurationSeconds(duration) * 1000 : undefined;
}

export function formatDuration(duration: Duration): string {
  return `${duration.count}${duration.unit}`;
}
