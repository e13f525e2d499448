import { describe, expect, it } from 'vitest';
import { createAlertTracker } from './alert-tracker.ts';

const hour = 3_600_000;
const at = (hours: number): Date => new Date(Date.UTC(2026, 10, 26, 0) + hours * hour);

describe('createAlertTracker', () => {
  it('notifies the first time, stays quiet within the reminder interval, then reminds once per interval', () => {
    const alerts = createAlertTracker({ reminderIntervalMs: () => 24 * hour });
    const seen = [0, 1, 12, 23.5, 24, 25, 47.5, 48].map((hours) =>
      alerts.problem('shop', 'backup.failed', at(hours)),
    );
    expect(seen.map((decision) => decision.notify)).toEqual([
      true,
      false,
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(seen.map((decision) => decision.reminder)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(seen.at(-1)).toMatchObject({ since: at(0), count: 8 });
  });

  it('takes a reminder a few minutes early as due, so a daily schedule failing daily reminds daily', () => {
    const alerts = createAlertTracker({ reminderIntervalMs: () => 24 * hour });
    const second = 1000;
    alerts.problem('shop', 'backup.failed', new Date(at(3).getTime() + 5 * second));
    expect(alerts.problem('shop', 'backup.failed', new Date(at(27).getTime() + 3 * second)).reminder).toBe(
      true,
    );
    expect(alerts.problem('shop', 'backup.failed', new Date(at(51).getTime() - 6 * 60 * second)).notify).toBe(
      false,
    );
  });

  it('counts the interval from the last notification, not from the first failure', () => {
    const alerts = createAlertTracker({ reminderIntervalMs: () => 10 * hour });
    alerts.problem('shop', 'backup.failed', at(0));
    expect(alerts.problem('shop', 'backup.failed', at(15)).notify).toBe(true);
    expect(alerts.problem('shop', 'backup.failed', at(20)).notify).toBe(false);
    expect(alerts.problem('shop', 'backup.failed', at(25)).notify).toBe(true);
  });

  it('notifies at once when the problem changes kind, keeping when it began', () => {
    const alerts = createAlertTracker({ reminderIntervalMs: () => 24 * hour });
    alerts.problem('shop', 'backup.failed', at(0));
    const changed = alerts.problem('shop', 'destination.failed', at(1));
    expect(changed).toMatchObject({ notify: true, reminder: false, since: at(0), count: 2 });
    expect(alerts.problem('shop', 'destination.failed', at(2)).notify).toBe(false);
  });

  it('clear ends the problem once and says what it was; the next failure is a first one again', () => {
    const alerts = createAlertTracker({ reminderIntervalMs: () => 24 * hour });
    expect(alerts.clear('shop')).toBeUndefined();
    alerts.problem('shop', 'backup.failed', at(0));
    alerts.problem('shop', 'backup.failed', at(1));
    expect(alerts.active('shop')).toEqual({ kind: 'backup.failed', since: at(0), count: 2 });
    expect(alerts.clear('shop')).toEqual({ kind: 'backup.failed', since: at(0), count: 2 });
    expect(alerts.clear('shop')).toBeUndefined();
    expect(alerts.problem('shop', 'backup.failed', at(2))).toMatchObject({
      notify: true,
      since: at(2),
      count: 1,
    });
  });

  it('keeps targets apart and reads the interval each time (a reload changes it)', () => {
    let interval = 24 * hour;
    const alerts = createAlertTracker({ reminderIntervalMs: () => interval });
    alerts.problem('shop', 'backup.failed', at(0));
    expect(alerts.problem('warehouse', 'backup.failed', at(0.5)).notify).toBe(true);
    interval = hour;
    expect(alerts.problem('shop', 'backup.failed', at(1)).notify).toBe(true);
  });
});
