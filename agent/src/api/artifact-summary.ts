import type { ArtifactSummary } from '@port-yard/shared';
import { isPinned, type CatalogEntry } from '../catalog/catalog.ts';
import { verificationOutcome, type VerificationOutcomeDeps } from '../verify/verification-outcome.ts';

export type ArtifactSummaryDeps = VerificationOutcomeDeps;

/**
 * Artifacts as the API lists them, with their newest verification's outcome: a failed one must
 * never look verified. The outcome comes from the catalog when this agent wrote or read the
 * sidecar, else from the sidecar itself (read once, for the artifacts asked for, then remembered).
 */
export async function summarizeArtifacts(
  deps: ArtifactSummaryDeps,
  entries: readonly CatalogEntry[],
): Promise<ArtifactSummary[]> {
  return Promise.all(
    entries.map(async (entry) => {
      const outcome = await verificationOutcome(deps, entry);
      return {
        manifest: entry.manifest,
        storages: entry.locations.map((location) => location.storage),
        pinned: isPinned(entry),
        verified: outcome === true,
        verificationFailed: outcome === false,
      };
    }),
  );
}
