import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { Storage } from '../storage/storage.ts';

/** How a failed backup stream's errors are classified, for both of streamDump's paths. */

export function asStorageError(error: unknown, storage: Storage): unknown {
  if (isPortYardError(error)) return error;
  return new PortYardError(
    'STORAGE_FAILED',
    `writing to storage ${storage.name} failed: ${(error as Error).message}`,
    {
      phase: 'store',
      cause: error,
    },
  );
}

export function allFailed(errors: ReadonlyMap<string, unknown>): unknown {
  if (errors.size === 1) return [...errors.values()][0];
  const reasons = [...errors.values()].map((error) => (error as Error).message).join('; ');
  return new PortYardError('STORAGE_FAILED', `every destination failed: ${reasons}`, { phase: 'store' });
}

export function normalizeFailure(error: unknown): PortYardError {
  if (isPortYardError(error)) return error;
  return new PortYardError('INTERNAL', (error as Error)?.message ?? String(error), { cause: error });
}
