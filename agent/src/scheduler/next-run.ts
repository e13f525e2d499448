import { Cron } from 'croner';

/**
 * When a cron schedule fires next, strictly after `after`, in an IANA time zone. Pure: the "when"
 * apart from the "do" (STYLE.md habit 5).
 *
 * DST, as croner resolves it and our tests pin: a local time that does not exist on a
 * spring-forward day (02:30 in Europe/Berlin on the last Sunday of March) runs at the first
 * instant after the gap (03:00); a local time that occurs twice on a fall-back day runs once, at
 * its first occurrence.
 */
export function nextRunAt(schedule: string, timeZone: string, after: Date): Date | undefined {
  return new Cron(schedule, { timezone: timeZone, paused: true }).nextRun(after) ?? undefined;
}

/**
 * The schedule's interval around `at`: the gap between its next two runs. Used to decide whether a
 * run was missed while the agent was down (the newest artifact is older than one interval).
 */
export function scheduleIntervalMs(schedule: string, timeZone: string, at: Date): number | undefined {
  const first = nextRunAt(schedule, timeZone, at);
  const second = first && nextRunAt(schedule, timeZone, first);
  return first && second ? second.getTime() - first.getTime() : undefined;
}
