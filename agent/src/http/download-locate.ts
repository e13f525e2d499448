import type { Manifest } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { copyManifest, type CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';

export interface LocatedArtifact {
  readonly manifest: Manifest;
  readonly storage: Storage;
  readonly dataKey: string;
}

/**
 * The copy to serve: the named storage's, or the first whose data object is there with the size
 * the manifest says (a `stat` first: Content-Length and the sha256 ETag must be true before the
 * first byte is sent). Copies that are missing, the wrong size or unreachable are passed over.
 */
export async function locateArtifact(
  entry: CatalogEntry,
  storages: ReadonlyMap<string, Storage>,
  storageName: string | undefined,
): Promise<LocatedArtifact> {
  const { manifest } = entry;
  const candidates = entry.locations.filter(
    (location) => storageName === undefined || location.storage === storageName,
  );
  if (candidates.length === 0) {
    const held = entry.locations.map((location) => location.storage).join(', ');
    throw new PortYardError(
      'NOT_FOUND',
      `artifact ${manifest.artifactId} is not in storage ${JSON.stringify(storageName)} (it is in: ${held})`,
    );
  }
  const problems: PortYardError[] = [];
  for (const location of candidates) {
    const storage = storages.get(location.storage);
    if (!storage) continue;
    // Checked against this copy's own manifest: another storage's may be the damaged one.
    const own = copyManifest(entry, location);
    try {
      const info = await storage.stat(location.dataKey);
      if (info?.size === own.storedBytes) return { manifest: own, storage, dataKey: location.dataKey };
      problems.push(
        info === undefined
          ? new PortYardError('NOT_FOUND', `storage "${storage.name}" no longer holds ${location.dataKey}`)
          : new PortYardError(
              'INTEGRITY_FAILED',
              `storage "${storage.name}": ${location.dataKey} has ${info.size} bytes, the manifest says ${own.storedBytes}`,
            ),
      );
    } catch (error) {
      problems.push(
        error instanceof PortYardError
          ? error
          : new PortYardError('STORAGE_FAILED', (error as Error).message, { cause: error }),
      );
    }
  }
  // Prefer reporting a broken medium or a damaged copy over "gone": that is what needs a human.
  const worst =
    problems.find((problem) => problem.code !== 'NOT_FOUND') ??
    problems[0] ??
    new PortYardError('NOT_FOUND', `no storage in the config holds artifact ${manifest.artifactId}`);
  throw worst;
}
