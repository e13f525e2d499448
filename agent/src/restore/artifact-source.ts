import type { Manifest, TargetConfig } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { copyManifest, type CatalogEntry } from '../catalog/catalog.ts';
import { createAgeDecryption } from '../pipeline/age-encryption.ts';
import { startChained } from '../pipeline/chain-codecs.ts';
import { createCodec, type CodecStream } from '../pipeline/compression.ts';
import type { Storage } from '../storage/storage.ts';

/** Where an artifact's bytes come from, and how they turn back into a dump. */
export interface ArtifactSource {
  readonly storage: Storage;
  readonly dataKey: string;
  /** The manifest this copy is checked against (`copyManifest`). */
  readonly manifest: Manifest;
  /** Decrypt (if encrypted), then decompress: stored bytes in, raw dump out. */
  decoder(): CodecStream;
}

/**
 * The first configured storage holding the artifact, its codec and its decryption. Fails with
 * NOT_FOUND or a clear codec/identity error before anything is read.
 */
export async function openArtifactSource(
  entry: CatalogEntry,
  storages: ReadonlyMap<string, Storage>,
  target: TargetConfig,
): Promise<ArtifactSource> {
  return (await openArtifactSources(entry, storages, target))[0]!;
}

/**
 * Every configured storage holding a copy of the artifact, in the catalog's order: a restore
 * tries the next one when a copy is damaged or its storage cannot be read (a recovery is exactly
 * when one of them is down). Fails with NOT_FOUND or a clear codec/identity error before anything
 * is read.
 */
export async function openArtifactSources(
  entry: CatalogEntry,
  storages: ReadonlyMap<string, Storage>,
  target: TargetConfig,
): Promise<ArtifactSource[]> {
  const { manifest } = entry;
  const locations = entry.locations.filter((candidate) => storages.has(candidate.storage));
  if (locations.length === 0)
    throw new PortYardError('NOT_FOUND', `artifact ${manifest.artifactId} is in no configured storage`);
  const codec = await createCodec(manifest.compression.algorithm);
  const decryption = manifest.encryption
    ? await createAgeDecryption(target.encryption?.identityFile, manifest.artifactId)
    : undefined;
  return locations.map((location) => ({
    storage: storages.get(location.storage)!,
    dataKey: location.dataKey,
    manifest: copyManifest(entry, location),
    decoder: () => (decryption ? startChained(decryption, codec.decompress) : codec.decompress()),
  }));
}
