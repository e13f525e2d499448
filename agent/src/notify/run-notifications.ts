import type { RunRecord } from '@port-yard/shared';
import type { AlertTracker } from './alert-tracker.ts';
import { backupFailed, backupRecovered, destinationFailed, restorePerformed } from './event-messages.ts';
import type { Notification } from './notification.ts';

const ended = new Set(['succeeded', 'partial', 'failed', 'skipped', 'cancelled', 'refused']);

/** The alert key of a target's backups: failed and partial runs are one problem that changes kind. */
export const backupAlertKey = (target: string): string => `${target}:backup`;

/**
 * The notifications of finished runs (the run registry's events, every change of every run):
 * - a backup run `failed` → backup.failed, `partial` → destination.failed: the first time, when
 *   one turns into the other, then once per reminder interval while it goes on;
 * - `succeeded` after failures → backup.recovered; `skipped` (the database was reached and is
 *   unchanged) ends a backup.failed problem too, not a destination.failed one (no destination
 *   was written);
 * - a restore run that ended (succeeded, failed or cancelled) → restore.performed.
 * Cancelled and refused backup runs change nothing.
 */
export function createRunNotifications(deps: {
  readonly alerts: AlertTracker;
  readonly emit: (notification: Notification) => void;
  readonly now: () => Date;
}): (run: RunRecord) => void {
  const { alerts, emit, now } = deps;
  const seen = new Set<string>();
  const once = (run: RunRecord): boolean => {
    if (seen.has(run.id)) return false;
    seen.add(run.id);
    if (seen.size > 2000) seen.delete(seen.values().next().value!);
    return true;
  };

  return (run) => {
    if (!ended.has(run.status) || !once(run)) return;
    if (run.kind === 'restore') {
      emit(restorePerformed(run, now()));
      return;
    }
    const key = backupAlertKey(run.target);
    if (run.status === 'failed' || run.status === 'partial') {
      const kind = run.status === 'failed' ? 'backup.failed' : 'destination.failed';
      const decision = alerts.problem(key, kind, now());
      if (!decision.notify) return;
      emit(
        kind === 'backup.failed'
          ? backupFailed(run, decision, now())
          : destinationFailed(run, decision, now()),
      );
    } else if (
      run.status === 'succeeded' ||
      (run.status === 'skipped' && alerts.active(key)?.kind === 'backup.failed')
    ) {
      const over = alerts.clear(key);
      if (over) emit(backupRecovered(run, over, now()));
    }
  };
}
