import type { VerificationResult } from '@port-yard/shared';
import type { Logger } from '../platform/logger.ts';

/** Whether a verification ran after a backup (`verify.after: each`) or on its own schedule. */
export type VerificationTrigger = 'after-backup' | 'schedule';

/** A verification's outcome: passed (info) or failed with its problems (error). */
export function logVerification(
  log: Logger,
  target: string,
  result: Pick<VerificationResult, 'ok' | 'artifactId' | 'problems'>,
  trigger: VerificationTrigger,
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
  trigger: VerificationTrigger,
): void {
  log.error('verification could not run', { target, artifactId, trigger, message: (error as Error).message });
}
