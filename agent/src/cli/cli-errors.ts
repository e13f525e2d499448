import { isPortYardError } from '@port-yard/shared';

/**
 * Exit codes: 0 success, 1 the operation failed, 2 bad usage or config (nothing was started),
 * 3 partial (every database backed up, but not to every destination).
 */
export const exitCodes = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

/** Thrown by commands for a bad command line: printed as is, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function describeError(error: unknown): string {
  if (isPortYardError(error)) {
    const tail = error.stderrTail ? `\n  ${error.stderrTail.split('\n').join('\n  ')}` : '';
    return `${error.code}${error.phase ? ` (${error.phase})` : ''}: ${error.message}${tail}`;
  }
  return (error as Error)?.message ?? String(error);
}
