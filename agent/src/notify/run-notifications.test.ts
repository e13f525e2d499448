import type { RunRecord, RunStatus } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { createAlertTracker } from './alert-tracker.ts';
import type { Notification } from './notification.ts';
import { createRunNotifications } from './run-notifications.ts';

/** The first failure, reminders and recovery of backup runs, with an injected clock. */
const hour = 3_600_000;
let runCount = 0;

function harness(reminderHours = 24) {
  let clock = new Date('2026-11-26T00:00:00Z');
  const sent: Notification[] = [];
  const onRun = createRunNotifications({
    alerts: createAlertTracker({ reminderIntervalMs: () => reminderHours * hour }),
    emit: (notification) => sent.push(notification),
    now: () => clock,
  });
  const run = (status: RunStatus, patch: Partial<RunRecord> = {}): RunRecord => {
    const record: RunRecord = {
      id: `00000000-0000-4000-8000-${String(++runCount).padStart(12, '0')}`,
      target: 'shop',
      trigger: 'schedule',
      status,
      queuedAt: clock.toISOString(),
      message: status === 'failed' ? 'CONNECTION_FAILED: Unknown database' : undefined,
      ...patch,
    };
    onRun({ ...record, status: 'running' });
    onRun(record);
    return record;
  };
  return {
    sent,
    run,
    onRun,
    advance: (hours: number) => void (clock = new Date(clock.getTime() + hours * hour)),
    events: () =>
      sent.map((notification) => `${notification.event}${notification.reminder ? ' (reminder)' : ''}`),
  };
}

describe('createRunNotifications', () => {
  it('first failure, quiet repeats, a reminder after the interval, then one recovery', () => {
    const h = harness(24);
    for (let index = 0; index < 5; index += 1) {
      h.run('failed');
      h.advance(1);
    }
    expect(h.events()).toEqual(['backup.failed']);
    h.advance(20);
    h.run('failed'); // 25 h after the first
    h.run('failed');
    expect(h.events()).toEqual(['backup.failed', 'backup.failed (reminder)']);
    expect(h.sent[1]!.title).toBe('Backup of shop failed again');
    expect(h.sent[1]!.details).toMatchObject({ failedRuns: 6, failingSince: '2026-11-26T00:00:00.000Z' });
    h.run('succeeded');
    h.run('succeeded');
    expect(h.events()).toEqual(['backup.failed', 'backup.failed (reminder)', 'backup.recovered']);
    expect(h.sent[2]!.message).toContain('after 7 failed runs since 2026-11-26T00:00:00.000Z');
    expect(h.sent[2]!.severity).toBe('ok');
  });

  it('a success without failures before it says nothing; a failure after a recovery is a first one again', () => {
    const h = harness();
    h.run('succeeded');
    expect(h.events()).toEqual([]);
    h.run('failed');
    h.run('succeeded');
    h.run('failed');
    expect(h.events()).toEqual(['backup.failed', 'backup.recovered', 'backup.failed']);
  });

  it('partial runs are destination.failed, and a change between failed and partial is news', () => {
    const h = harness();
    const partial = {
      result: {
        runId: 'r',
        target: 'shop',
        status: 'partial' as const,
        startedAt: '2026-11-26T00:00:00Z',
        finishedAt: '2026-11-26T00:00:01Z',
        artifacts: [
          {
            id: 'a',
            database: 'shop',
            rawBytes: 1,
            storedBytes: 1,
            sha256: 'x',
            destinations: [
              { storage: 'local', committed: true },
              { storage: 'offsite', committed: false, error: 'STORAGE_FAILED: access denied' },
            ],
          },
        ],
        skipped: [],
        failures: [],
      },
    };
    h.run('partial', partial);
    h.run('partial', partial);
    h.run('failed');
    h.run('succeeded');
    expect(h.events()).toEqual(['destination.failed', 'backup.failed', 'backup.recovered']);
    expect(h.sent[0]!.message).toBe('shop → offsite: STORAGE_FAILED: access denied');
    expect(h.sent[0]!.details['failedDestinations']).toBe('offsite');
  });

  it('a skipped run ends a failed backup (the database was reached), not a partial one', () => {
    const h = harness();
    h.run('failed');
    h.run('skipped');
    expect(h.events()).toEqual(['backup.failed', 'backup.recovered']);
    h.run('partial');
    h.run('skipped');
    expect(h.events()).toEqual(['backup.failed', 'backup.recovered', 'destination.failed']);
  });

  it('cancelled and refused runs change nothing', () => {
    const h = harness();
    h.run('failed');
    h.run('cancelled');
    h.run('refused');
    h.run('failed');
    expect(h.events()).toEqual(['backup.failed']);
  });

  it('every finished restore run is restore.performed, once, whatever its status', () => {
    const h = harness();
    const restore = {
      artifactId: 'x',
      database: 'shop',
      mode: 'replace' as const,
      warnings: [],
      requestedBy: 'alice',
    };
    h.run('succeeded', { kind: 'restore', restore, message: 'restored x into shop' });
    h.run('failed', { kind: 'restore', restore, message: 'RESTORE_FAILED: boom' });
    expect(h.events()).toEqual(['restore.performed', 'restore.performed']);
    expect(h.sent[0]).toMatchObject({
      severity: 'info',
      details: { status: 'succeeded', requestedBy: 'alice' },
    });
    expect(h.sent[1]).toMatchObject({ severity: 'error', title: 'Restore of shop into shop: failed' });
    // Restores never count as backup failures or recoveries.
    h.run('succeeded');
    expect(h.events()).toHaveLength(2);
  });

  it('reports a run once even when its finished record is published again', () => {
    const h = harness(1);
    const record = h.run('failed');
    h.advance(48);
    h.onRun(record);
    h.onRun({ ...record, message: 'changed later' });
    expect(h.events()).toEqual(['backup.failed']);
  });
});
