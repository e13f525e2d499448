import { nextRunAt } from './next-run.ts';

export interface ScheduledTarget {
  readonly name: string;
  readonly schedule: string;
  readonly timeZone: string;
}

export interface SchedulerClock {
  now(): Date;
  /** Calls `wake` after about `ms`; returns a function that cancels it. */
  setTimer(wake: () => void, ms: number): () => void;
}

export const systemClock: SchedulerClock = {
  now: () => new Date(),
  setTimer(wake, ms) {
    const timer = setTimeout(wake, ms);
    timer.unref?.();
    return () => clearTimeout(timer);
  },
};

export interface Scheduler {
  /** The next due time per target (undefined for targets without a schedule). */
  nextRuns(): ReadonlyMap<string, Date>;
  /** Fires every target due at `now` and plans its next time; returns the names fired. */
  tick(now?: Date): string[];
  start(): void;
  stop(): void;
}

/** Longest sleep between checks, so a wall-clock jump (NTP, suspend) is noticed within a minute. */
const maxSleepMs = 60_000;

/**
 * Fires `onDue(target, dueAt)` when a target's cron schedule comes due. One timer for all targets,
 * re-armed after every wake. A clock jump forward fires each overdue target once (never a burst of
 * missed runs); a jump backward of more than a minute plans every target again from the new time
 * (never firing again the due time it last fired for).
 * `tick` is exposed so tests can drive time directly.
 */
export function createScheduler(options: {
  readonly targets: readonly ScheduledTarget[];
  readonly onDue: (target: string, dueAt: Date) => void;
  /** An `onDue` that threw: reported here, and the other targets and later times still fire. */
  readonly onError?: (target: string, error: unknown) => void;
  readonly clock?: SchedulerClock;
}): Scheduler {
  const clock = options.clock ?? systemClock;
  const due = new Map<string, Date>();
  /** The due time each target last fired for. */
  const fired = new Map<string, number>();
  const plan = (target: ScheduledTarget, after: Date): void => {
    let next = nextRunAt(target.schedule, target.timeZone, after);
    // Planned again after a jump backward, the time that just fired (a clock 5 minutes ahead ran
    // the 04:00 run at 03:55) comes round again: it is not run twice.
    if (next && next.getTime() === fired.get(target.name))
      next = nextRunAt(target.schedule, target.timeZone, next);
    if (next) due.set(target.name, next);
    else due.delete(target.name);
  };
  for (const target of options.targets) plan(target, clock.now());

  let cancelTimer: (() => void) | undefined;
  let running = false;
  let lastNow = clock.now();

  const tick = (now = clock.now()): string[] => {
    // A jump backward (a clock that ran ahead, corrected) plans every target again from now:
    // else each waits for its time on the wrong clock (a year, for a clock a year ahead).
    if (now.getTime() < lastNow.getTime() - maxSleepMs)
      for (const target of options.targets) plan(target, now);
    lastNow = now;
    const names: string[] = [];
    for (const target of options.targets) {
      const dueAt = due.get(target.name);
      if (!dueAt || dueAt > now) continue;
      names.push(target.name);
      fired.set(target.name, dueAt.getTime());
      plan(target, now);
      try {
        options.onDue(target.name, dueAt);
      } catch (error) {
        // Thrown out of a timer, it would end the process, and no schedule would fire again.
        options.onError?.(target.name, error);
      }
    }
    return names;
  };

  const arm = (): void => {
    cancelTimer?.();
    if (!running) return;
    const now = clock.now().getTime();
    const earliest = Math.min(...[...due.values()].map((date) => date.getTime()), now + maxSleepMs);
    cancelTimer = clock.setTimer(
      () => {
        tick();
        arm();
      },
      Math.max(0, earliest - now),
    );
  };

  return {
    nextRuns: () => new Map(due),
    tick,
    start() {
      running = true;
      arm();
    },
    stop() {
      running = false;
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}
