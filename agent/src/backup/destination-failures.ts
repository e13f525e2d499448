import { PortYardError, type FailurePhase } from '@port-yard/shared';
import type { DestinationOutcome } from '../pipeline/stream-dump.ts';

/** The outcomes, with each storage in `failures` (by name) marked not committed, and why. */
export function withFailures(
  outcomes: readonly DestinationOutcome[],
  failures: ReadonlyMap<string, string>,
): DestinationOutcome[] {
  return outcomes.map((outcome) => {
    const error = failures.get(outcome.storage);
    return error === undefined ? outcome : { storage: outcome.storage, committed: false, error };
  });
}

/** The backup's failure when no storage is left: each one's reason, by name. */
export function noStorageLeft(failures: ReadonlyMap<string, string>, phase: FailurePhase): PortYardError {
  return new PortYardError(
    'STORAGE_FAILED',
    [...failures].map(([name, reason]) => `${name}: ${reason}`).join('; '),
    { phase },
  );
}
