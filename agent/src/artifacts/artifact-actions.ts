import { Readable } from 'node:stream';
import { PortYardError } from '@port-yard/shared';
import type { ArtifactLocation, Catalog, CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';
import { sidecarKey } from './artifact-keys.ts';

export interface ArtifactActionDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
}

function entryOf(catalog: Catalog, artifactId: string): CatalogEntry {
  const entry = catalog.get(artifactId);
  if (!entry) throw new PortYardError('NOT_FOUND', `no artifact ${artifactId}`);
  return entry;
}

/**
 * Deletes one copy of an artifact: manifest first (it stops existing), then the data, then its
 * sidecars. A crash in between leaves leftovers the sweep removes, never a manifest without data.
 */
export async function deleteArtifactCopy(
  deps: ArtifactActionDeps,
  artifactId: string,
  location: ArtifactLocation,
): Promise<void> {
  const storage = deps.storages.get(location.storage);
  if (!storage) throw new PortYardError('NOT_FOUND', `storage ${location.storage} is not in the config`);
  await storage.delete(location.manifestKey);
  deps.catalog.removeLocation(artifactId, location.storage);
  await storage.delete(location.dataKey);
  await Promise.all(Object.values(location.sidecars ?? {}).map((key) => storage.delete(key)));
}

/** Deletes an artifact from one storage, or from every storage holding it. Returns where it was deleted. */
export async function deleteArtifact(
  deps: ArtifactActionDeps,
  artifactId: string,
  storageName?: string,
): Promise<string[]> {
  const entry = entryOf(deps.catalog, artifactId);
  const locations = entry.locations.filter(
    (location) => storageName === undefined || location.storage === storageName,
  );
  if (locations.length === 0)
    throw new PortYardError('NOT_FOUND', `artifact ${artifactId} is not in storage ${storageName}`);
  for (const location of locations) await deleteArtifactCopy(deps, artifactId, location);
  return locations.map((location) => location.storage);
}

/** Pins (writes `<id>.pin.json` next to every copy) or unpins an artifact; retention keeps pinned ones. */
export async function setPinned(
  deps: ArtifactActionDeps,
  artifactId: string,
  pinned: boolean,
  by: string,
  now = new Date(),
): Promise<void> {
  const entry = entryOf(deps.catalog, artifactId);
  const { target, database } = entry.manifest;
  const key = sidecarKey(target, database, artifactId, 'pin');
  const body = Buffer.from(`${JSON.stringify({ artifactId, pinnedBy: by, pinnedAt: now.toISOString() })}\n`);
  for (const location of entry.locations) {
    const storage = deps.storages.get(location.storage);
    if (!storage) continue;
    if (pinned) await storage.put(key, Readable.from([body]));
    else await storage.delete(key);
    deps.catalog.setSidecar(artifactId, location.storage, 'pin', pinned ? key : undefined);
  }
}
