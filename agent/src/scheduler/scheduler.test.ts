import { describe, expect, it } from 'vitest';
import { missedRun, nextRunAt } from './next-run.ts';
import { createScheduler, type SchedulerClock } from './scheduler.ts';

const at = (iso: string): Date => new Date(iso);

describe('nextRunAt across DST', () => {
  it('Europe/Berlin spring forward: 02:30 does not exist, the run is at 03:00 local (01:00Z)', () => {
    expect(nextRunAt('30 2 * * *', 'Europe/Berlin', at('2026-03-28T12:00:00Z'))).toEqual(
      at('2026-03-29T01:00:00Z'),
    );
    expect(nextRunAt('30 2 * * *', 'Europe/Berlin', at('2026-03-29T01:00:00Z'))).toEqual(
      at('2026-03-30T00:30:00Z'),
    );
  });

  it('Europe/Berlin fall back: 02:30 happens twice, the run happens once', () => {
    const first = nextRunAt('30 2 * * *', 'Europe/Berlin', at('2026-10-24T12:00:00Z'))!;
    expect(first).toEqual(at('2026-10-25T00:30:00Z'));
    expect(nextRunAt('30 2 * * *', 'Europe/Berlin', first)).toEqual(at('2026-10-26T01:30:00Z'));
  });

  it('America/New_York spring forward and fall back', () => {
    expect(nextRunAt('30 2 * * *', 'America/New_York', at('2026-03-08T00:00:00Z'))).toEqual(
      at('2026-03-08T07:00:00Z'),
    );
    const fallBack = nextRunAt('30 1 * * *', 'America/New_York', at('2026-11-01T00:00:00Z'))!;
    expect(fallBack).toEqual(at('2026-11-01T05:30:00Z'));
    expect(nextRunAt('30 1 * * *', 'America/New_York', fallBack)).toEqual(at('2026-11-02T06:30:00Z'));
  });

  // Hours given as a list or range are times of day too: none is skipped, none runs twice.
  it('a list or range of hours runs once at each local time, also in the gap and the repeated hour', () => {
    const runs = (schedule: string, from: string): string[] => {
      let time = at(from);
      return Array.from({ length: 3 }, () =>
        (time = nextRunAt(schedule, 'Europe/Berlin', time)!).toISOString(),
      );
    };
    expect(runs('0 2,14 * * *', '2026-03-28T20:00:00Z')).toEqual([
      '2026-03-29T01:00:00.000Z', // 02:00 does not exist: 03:00 CEST
      '2026-03-29T12:00:00.000Z',
      '2026-03-30T00:00:00.000Z',
    ]);
    expect(runs('0,30 2 * * *', '2026-03-28T20:00:00Z')).toEqual([
      '2026-03-29T01:00:00.000Z', // both fall in the gap: one run at 03:00 CEST, not none
      '2026-03-30T00:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(runs('0 2,14 * * *', '2026-10-24T20:00:00Z')).toEqual([
      '2026-10-25T00:00:00.000Z', // 02:00 CEST, and not again at 02:00 CET
      '2026-10-25T13:00:00.000Z',
      '2026-10-26T01:00:00.000Z',
    ]);
    expect(runs('0 1-3 * * *', '2026-10-24T20:00:00Z')).toEqual([
      '2026-10-24T23:00:00.000Z',
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T02:00:00.000Z', // 03:00 CET: 02:00 ran once
    ]);
  });

  it('hourly schedules keep firing every real hour through both transitions', () => {
    let time = at('2026-10-24T22:00:00Z');
    const runs: string[] = [];
    for (let i = 0; i < 6; i++) {
      time = nextRunAt('0 * * * *', 'Europe/Berlin', time)!;
      runs.push(time.toISOString().slice(11, 16));
    }
    expect(runs).toEqual(['23:00', '00:00', '01:00', '02:00', '03:00', '04:00']);
  });

  it('knows whether a scheduled time passed since a backup began', () => {
    expect(missedRun('*/15 * * * *', 'UTC', at('2026-11-26T03:00:00Z'), at('2026-11-26T03:14:59Z'))).toBe(
      false,
    );
    expect(missedRun('*/15 * * * *', 'UTC', at('2026-11-26T03:00:00Z'), at('2026-11-26T03:15:00Z'))).toBe(
      true,
    );
    // 1 March comes 28 days after 1 February, and the gap after it is 31 days: the run is missed all the same.
    expect(
      missedRun('0 2 1 * *', 'Europe/Berlin', at('2026-02-01T01:00:05Z'), at('2026-03-01T02:00:00Z')),
    ).toBe(true);
    expect(
      missedRun('0 2 1 * *', 'Europe/Berlin', at('2026-03-01T01:00:05Z'), at('2026-03-31T02:00:00Z')),
    ).toBe(false);
  });
});

describe('createScheduler', () => {
  function manualClock(start: string) {
    let now = at(start);
    const clock: SchedulerClock = { now: () => now, setTimer: () => () => undefined };
    return { clock, set: (iso: string) => (now = at(iso)) };
  }

  it('fires due targets once and plans their next time', () => {
    const time = manualClock('2026-11-26T03:00:30Z');
    const fired: [string, string][] = [];
    const scheduler = createScheduler({
      targets: [
        { name: 'a', schedule: '*/15 * * * *', timeZone: 'UTC' },
        { name: 'b', schedule: '0 4 * * *', timeZone: 'UTC' },
      ],
      onDue: (target, dueAt) => fired.push([target, dueAt.toISOString()]),
      clock: time.clock,
    });
    expect(scheduler.nextRuns().get('a')).toEqual(at('2026-11-26T03:15:00Z'));
    expect(scheduler.tick(at('2026-11-26T03:14:59Z'))).toEqual([]);
    expect(scheduler.tick(at('2026-11-26T03:15:00Z'))).toEqual(['a']);
    expect(scheduler.nextRuns().get('a')).toEqual(at('2026-11-26T03:30:00Z'));
    expect(fired).toEqual([['a', '2026-11-26T03:15:00.000Z']]);
  });

  it('fires an overdue target once after a clock jump, not once per missed slot', () => {
    const time = manualClock('2026-11-26T03:00:30Z');
    const fired: string[] = [];
    const scheduler = createScheduler({
      targets: [{ name: 'a', schedule: '*/15 * * * *', timeZone: 'UTC' }],
      onDue: (target) => fired.push(target),
      clock: time.clock,
    });
    scheduler.tick(at('2026-11-26T09:00:00Z'));
    expect(fired).toEqual(['a']);
    expect(scheduler.nextRuns().get('a')).toEqual(at('2026-11-26T09:15:00Z'));
  });

  // Booted with the clock a year ahead, then corrected: the next run must follow the real clock.
  it('plans again from the new time after a clock jump backward', () => {
    const time = manualClock('2027-11-26T03:00:30Z');
    const fired: string[] = [];
    const scheduler = createScheduler({
      targets: [{ name: 'a', schedule: '0 4 * * *', timeZone: 'UTC' }],
      onDue: (target) => fired.push(target),
      clock: time.clock,
    });
    expect(scheduler.nextRuns().get('a')).toEqual(at('2027-11-26T04:00:00Z'));
    expect(scheduler.tick(at('2026-11-26T03:30:00Z'))).toEqual([]);
    expect(scheduler.nextRuns().get('a')).toEqual(at('2026-11-26T04:00:00Z'));
    expect(scheduler.tick(at('2026-11-26T04:00:00Z'))).toEqual(['a']);
    expect(fired).toEqual(['a']);
  });

  // A clock 5 minutes ahead fires the 04:00 run at 03:55; corrected, 04:00 comes round again.
  it('does not fire the same due time twice after a clock jump backward', () => {
    const time = manualClock('2026-11-26T03:58:00Z');
    const fired: string[] = [];
    const scheduler = createScheduler({
      targets: [{ name: 'a', schedule: '0 4 * * *', timeZone: 'UTC' }],
      onDue: (target, dueAt) => fired.push(dueAt.toISOString()),
      clock: time.clock,
    });
    expect(scheduler.tick(at('2026-11-26T04:00:00Z'))).toEqual(['a']);
    expect(scheduler.tick(at('2026-11-26T03:56:00Z'))).toEqual([]);
    expect(scheduler.tick(at('2026-11-26T04:00:00Z'))).toEqual([]);
    expect(scheduler.nextRuns().get('a')).toEqual(at('2026-11-27T04:00:00Z'));
    expect(fired).toEqual(['2026-11-26T04:00:00.000Z']);
  });

  it('reports a start that threw and keeps firing the other targets and later times', () => {
    let wake: (() => void) | undefined;
    let now = at('2026-11-26T03:14:59Z');
    const clock: SchedulerClock = {
      now: () => now,
      setTimer: (callback) => ((wake = callback), () => undefined),
    };
    const fired: string[] = [];
    const errors: [string, string][] = [];
    const scheduler = createScheduler({
      targets: [
        { name: 'a', schedule: '*/15 * * * *', timeZone: 'UTC' },
        { name: 'b', schedule: '*/15 * * * *', timeZone: 'UTC' },
      ],
      onDue: (target) => {
        fired.push(target);
        if (target === 'a') throw new Error('a listener failed');
      },
      onError: (target, error) => errors.push([target, (error as Error).message]),
      clock,
    });
    scheduler.start();
    now = at('2026-11-26T03:15:00Z');
    wake!(); // as the timer would: no exception may escape it
    now = at('2026-11-26T03:30:00Z');
    wake!();
    expect(fired).toEqual(['a', 'b', 'a', 'b']);
    expect(errors).toEqual([
      ['a', 'a listener failed'],
      ['a', 'a listener failed'],
    ]);
    scheduler.stop();
  });
});
