import { isPortYardError } from '@port-yard/shared';

/**
 * Failures that another storage's copy of the artifact would meet alike, so a restore does not
 * try the next copy: the local staging folder (no room, not writable), a half-loaded database
 * that could not be dropped, and bytes that passed their check but do not decrypt or decompress
 * (a wrong age key; a mismatch of the stored bytes is INTEGRITY_FAILED, see `explainFailure`).
 */
const marked = new WeakSet<object>();

/** Marks `error` as the same for every copy, and returns it. */
export function sameForEveryCopy<T extends object>(error: T): T {
  marked.add(error);
  return error;
}

export function isSameForEveryCopy(error: unknown): boolean {
  if (isPortYardError(error) && (error.code === 'ENCRYPT_FAILED' || error.code === 'COMPRESS_FAILED'))
    return true;
  return typeof error === 'object' && error !== null && marked.has(error);
}
