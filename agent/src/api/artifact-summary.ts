import type { ArtifactSummary } from '@port-yard/shared';
import { isPinned, type Catalog, type CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';
import { readVerificationSidecar } from '../verify/verification-sidecar.ts';

export interface ArtifactSummaryDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
}

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

/** true: passed; false: failed; undefined: never verified, or no sidecar could be read. */
async function verificationOutcome(
  deps: ArtifactSummaryDeps,
  entry: CatalogEntry,
): Promise<boolean | undefined> {
  const known = entry.locations.find((location) => location.verificationOk !== undefined);
  if (known) return known.verificationOk;
  for (const location of entry.locations) {
    const key = location.sidecars?.verification;
    const storage = deps.storages.get(location.storage);
    if (key === undefined || !storage) continue;
    const result = await readVerificationSidecar(storage, key);
    if (!result) continue;
    deps.catalog.rememberVerification(entry.manifest.artifactId, location.storage, result.ok);
    return result.ok;
  }
  return undefined;
}
