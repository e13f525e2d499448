/** Node's longest timer delay: a longer one fires at once (after 1 ms, with a warning). */
export const maxTimerMs = 2 ** 31 - 1;

/**
 * `ms` as a timer can wait it: durations of the config reach a month or a year (`timeout: 1mo`),
 * which Node would fire at once. Capped at 24.8 days: a process that lives longer is rare, and
 * waiting 24.8 days for a month's timeout is right for every run shorter than that.
 */
export function timerDelay(ms: number): number {
  return Math.min(ms, maxTimerMs);
}
