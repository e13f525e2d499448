import type { TargetStatus } from '@port-yard/shared';
import type { AlertTracker } from './alert-tracker.ts';
import { targetStale } from './event-messages.ts';
import type { Notification } from './notification.ts';

/**
 * target.stale from the daemon's periodic look at every target's status (stale: no artifact
 * within `maxAge`): when a target becomes stale, then once per reminder interval while it stays
 * so. A target that is fresh again ends the problem quietly (a backup that recovers says so itself).
 */
export function createStaleNotifications(deps: {
  readonly alerts: AlertTracker;
  readonly emit: (notification: Notification) => void;
  readonly now: () => Date;
}): (statuses: readonly TargetStatus[]) => void {
  return (statuses) => {
    for (const status of statuses) {
      const key = `${status.name}:stale`;
      if (!status.stale) {
        deps.alerts.clear(key);
        continue;
      }
      const decision = deps.alerts.problem(key, 'target.stale', deps.now());
      if (decision.notify) deps.emit(targetStale(status, decision, deps.now()));
    }
  };
}
