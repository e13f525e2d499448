import type { CatalogEntry } from '../catalog/catalog.ts';
import { verificationOutcome, type VerificationOutcomeDeps } from '../verify/verification-outcome.ts';

/** The reason retention gives for keeping a database's newest artifact that passed verification. */
export const newestVerifiedReason = 'newest verified';

/**
 * For each database among `entries`, its newest artifact whose newest verification passed, held
 * by retention: newer ones may not restore (one failed its verification, or none ran yet), and a
 * `keepLast: 1` must not delete the last backup known to restore before its successor is proven.
 * Only artifacts with a verification sidecar are asked (the catalog knows the outcome, or the
 * sidecar is read once); a database never verified holds nothing.
 */
export async function newestVerifiedHolds(
  deps: VerificationOutcomeDeps,
  /** Newest first, as `Catalog.list` gives them. */
  entries: readonly CatalogEntry[],
): Promise<Map<string, string>> {
  const holds = new Map<string, string>();
  const settled = new Set<string>();
  for (const entry of entries) {
    const { database, artifactId } = entry.manifest;
    if (settled.has(database)) continue;
    if (!entry.locations.some((location) => location.sidecars?.verification !== undefined)) continue;
    if ((await verificationOutcome(deps, entry)) !== true) continue;
    holds.set(artifactId, newestVerifiedReason);
    settled.add(database);
  }
  return holds;
}
