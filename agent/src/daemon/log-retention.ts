import type { Logger } from '../platform/logger.ts';
import type { AppliedRetentionGroup } from '../retention/target-retention.ts';

/**
 * One log line per retention pass that deleted or failed to delete something, naming the
 * artifacts: after a backup and on the retention schedule alike, so that no backup disappears
 * without a line saying when and why. A warning when some could not be deleted (storage fills).
 */
export function logAppliedRetention(
  log: Logger,
  target: string,
  groups: readonly AppliedRetentionGroup[],
  trigger: 'after-backup' | 'schedule',
): void {
  const deleted = groups.flatMap((group) => group.deleted);
  const failed = groups.flatMap((group) => group.failed);
  const fields = { target, trigger, deleted, failed };
  if (failed.length > 0) log.warn('retention applied', fields);
  else if (deleted.length > 0) log.info('retention applied', fields);
}

/** Retention that could not run at all (storage unreachable, say): its reason, never a silence. */
export function logRetentionFailure(
  log: Logger,
  target: string,
  error: unknown,
  trigger: 'after-backup' | 'schedule',
): void {
  log.error('retention failed', { target, trigger, message: (error as Error).message });
}
