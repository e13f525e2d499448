import { PortYardError } from '@port-yard/shared';

/** The `code` of an OS error (`ENOENT`, `ENOSPC`, ...), or undefined for anything else. */
export function errnoOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || error instanceof PortYardError || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Nothing is there: the path, or one of its folders, does not exist (or is a file). */
export function isGone(error: unknown): boolean {
  const code = errnoOf(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Classifies an OS error where it arises: STORAGE_FAILED, with a message naming the storage, what
 * was attempted on which path and the OS code, so an operator can act on it without a stack trace
 * (`storage "nas": cannot write "/mnt/nas/x/.y.tmp": ENOSPC: no space left on device, write`).
 * PortYardErrors pass through unchanged: they are classified already.
 */
export function storageFailed(name: string, attempt: string, path: string, error: unknown): PortYardError {
  if (error instanceof PortYardError) return error;
  const code = errnoOf(error) ?? 'UNKNOWN';
  const detail = error instanceof Error ? error.message : String(error);
  const reason = detail.startsWith(code) ? detail : `${code}: ${detail}`;
  return new PortYardError('STORAGE_FAILED', `storage "${name}": cannot ${attempt} "${path}": ${reason}`, {
    phase: 'store',
    cause: error,
  });
}
