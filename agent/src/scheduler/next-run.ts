import { Cron } from 'croner';

/**
 * When a cron schedule fires next, strictly after `after`, in an IANA time zone. Pure: the "when"
 * apart from the "do" (STYLE.md habit 5).
 *
 * DST, as croner resolves it and our tests pin: a local time that does not exist on a
 * spring-forward day (02:30 in Europe/Berlin on the last Sunday of March) runs at the first
 * instant after the gap (03:00); a local time that occurs twice on a fall-back day runs once, at
 * its first occurrence. That holds for hours and minutes given as lists or ranges too
 * (`0 2,14 * * *`): croner's default treats those as intervals, which skipped the 02:00 run on a
 * spring-forward day and ran it twice on a fall-back day. A `*` or a step is an interval: it runs
 * in both repeated hours.
 */
export function nextRunAt(schedule: string, timeZone: string, after: Date): Date | undefined {
  const cron = new Cron(schedule, { timezone: timeZone, paused: true, fixedTimeRule: 'no-wildcard' });
  return cron.nextRun(after) ?? undefined;
}

/**
 * Whether the schedule had a time after `since` and at or before `now`: a run came due after the
 * newest backup began, so it was missed while the agent was down. (Not "the newest backup is older
 * than the interval from now": the gaps of a schedule vary, and a monthly run missed on 1 March
 * (28 days after 1 February, the next gap 31) or a weekday run missed on Thursday (3 days to
 * Monday) went uncaught.)
 */
export function missedRun(schedule: string, timeZone: string, since: Date, now: Date): boolean {
  const next = nextRunAt(schedule, timeZone, since);
  return next !== undefined && next.getTime() <= now.getTime();
}
