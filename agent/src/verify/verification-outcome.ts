import type { Catalog, CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';
import { readVerificationSidecar } from './verification-sidecar.ts';

export interface VerificationOutcomeDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
}

/**
 * The outcome of an artifact's newest verification: true passed, false failed, undefined never
 * verified or no sidecar could be read. It comes from the catalog when this agent wrote or read
 * the sidecar, else from the sidecar itself (read once, then remembered).
 */
export async function verificationOutcome(
  deps: VerificationOutcomeDeps,
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
