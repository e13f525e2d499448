import type { VerificationResult } from '@port-yard/shared';
import type { Logger } from '../platform/logger.ts';
import type { AppliedRetentionGroup } from '../retention/target-retention.ts';

/**
 * The log lines of the passes that follow backups: retention and verification. Each runs after a
 * backup (retention always, verification with `verify.after: each`) or on its own schedule, and
 * logs the same lines either way, so that no backup disappears, and no verification passes or
 * fails, without a line saying when and why.
 */
export type PassTrigger = 'after-backup' | 'schedule';

/** A retention pass that deleted, or failed to delete, something (a warning then: storage fills). */
export function logAppliedRetention(
  log: Logger,
  target: string,
  groups: readonly AppliedRetentionGroup[],
  trigger: PassTrigger,
): void {
  // An artifact is deleted once per storage that held it: its id once, and where in `byStorage`.
  const deleted = [...new Set(groups.flatMap((group) => group.deleted))];
  const failed = groups.flatMap((group) =>
    group.failed.map((failure) => ({ ...failure, storage: group.storage })),
  );
  const byStorage: Record<string, string[]> = {};
  for (const group of groups)
    if (group.deleted.length > 0) (byStorage[group.storage] ??= []).push(...group.deleted);
  const fields = { target, trigger, deleted, byStorage, failed };
  if (failed.length > 0) log.warn('retention applied', fields);
  else if (deleted.length > 0) log.info('retention applied', fields);
}

/** Retention that could not run at all (storage unreachable, say): its reason, never a silence. */
export function logRetentionFailure(log: Logger, target: string, error: unknown, trigger: PassTrigger): void {
  log.error('retention failed', { target, trigger, message: (error as Error).message });
}

/** A verification's outcome: passed (info) or failed with its problems (error). */
export function logVerification(
  log: Logger,
  target: string,
  result: Pick<VerificationResult, 'ok' | 'artifactId' | 'problems'>,
  trigger: PassTrigger,
): void {
  const fields = { target, artifactId: result.artifactId, trigger, problems: result.problems };
  if (result.ok) log.info('verification passed', fields);
  else log.error('verification failed', fields);
}

/** A verification that could not run (test server down, say): its reason, never a silence. */
export function logVerificationError(
  log: Logger,
  target: string,
  artifactId: string,
  error: unknown,
  trigger: PassTrigger,
): void {
  log.error('verification could not run', { target, artifactId, trigger, message: (error as Error).message });
}
