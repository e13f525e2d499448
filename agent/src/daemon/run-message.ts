import type { BackupRunResult, PortYardError } from '@port-yard/shared';

/**
 * A backup run's message: why it did not simply succeed (stopped, failed, partial, incomplete,
 * skipped), then what the run warns of (an exclude that names no database), which must not be
 * lost behind the first.
 */
export function runMessage(result: BackupRunResult, stopped: PortYardError | undefined): string | undefined {
  const outcome =
    stopped?.message ??
    result.failures[0]?.message ??
    destinationFailure(result) ??
    incompleteArtifacts(result) ??
    (result.skipped.length > 0
      ? `skipped, unchanged: ${result.skipped.map((skip) => `${skip.database} since ${skip.since}`).join(', ')}`
      : undefined);
  const parts = [...(outcome === undefined ? [] : [outcome]), ...(result.warnings ?? [])];
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * Why a partial run is partial: the first destination that did not store an artifact, and how
 * many more did not (the run's result has them all).
 */
function destinationFailure(result: BackupRunResult): string | undefined {
  const failed = result.artifacts.flatMap((artifact) =>
    artifact.destinations
      .filter((destination) => !destination.committed)
      .map(
        (destination) =>
          `${artifact.database} not stored in ${destination.storage}: ${destination.error ?? 'failed'}`,
      ),
  );
  if (failed.length === 0) return undefined;
  return failed.length === 1 ? failed[0] : `${failed[0]} (and ${failed.length - 1} more)`;
}

/** What a succeeded run's artifacts lack (a dump user that may not read routines), for its message. */
function incompleteArtifacts(result: BackupRunResult): string | undefined {
  const lacking = result.artifacts.filter((artifact) => artifact.incomplete);
  if (lacking.length === 0) return undefined;
  return lacking.map((artifact) => `${artifact.database}: ${artifact.incomplete}`).join('; ');
}
