import type { Manifest, TargetConfig } from '@port-yard/shared';
import { PortYardError, isDatabaseName, isPortYardError } from '@port-yard/shared';
import { storedBytesProblem } from '../artifacts/check-stored-bytes.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import { createAgeDecryption } from '../pipeline/age-encryption.ts';
import { createCodec } from '../pipeline/compression.ts';
import type { Storage } from '../storage/storage.ts';
import { streamRestore } from './stream-restore.ts';

export interface RestoreDeps {
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
  readonly engineFor: (target: TargetConfig) => Engine;
  readonly targets: Readonly<Record<string, TargetConfig>>;
}

export interface RestoreToNewDatabaseRequest {
  readonly artifactId: string;
  readonly toDatabase: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/**
 * Restores an artifact into a new, empty database on its target's server. The database must not
 * exist; it is created here and dropped again if anything fails, so a failure leaves nothing.
 */
export async function restoreToNewDatabase(
  deps: RestoreDeps,
  request: RestoreToNewDatabaseRequest,
): Promise<{ database: string; bytes: number }> {
  const entry = deps.catalog.get(request.artifactId);
  if (!entry) throw new PortYardError('NOT_FOUND', `no artifact ${request.artifactId} in any storage`);
  const { manifest } = entry;
  const target = deps.targets[manifest.target];
  if (!target)
    throw new PortYardError(
      'NOT_FOUND',
      `artifact ${manifest.artifactId} belongs to target ${manifest.target}, which is not in the config`,
    );
  if (!isDatabaseName(request.toDatabase)) {
    throw new PortYardError(
      'INVALID_INPUT',
      `--to-database ${JSON.stringify(request.toDatabase)} is not a valid database name`,
    );
  }
  const engine = deps.engineFor(target);
  if (await engine.databaseExists(target, request.toDatabase)) {
    throw new PortYardError(
      'CONFLICT',
      `database ${request.toDatabase} already exists on ${describeConnection(target, engine.defaultPort)}: restore into a new name`,
    );
  }
  const location = entry.locations.find((candidate) => deps.storages.has(candidate.storage));
  if (!location)
    throw new PortYardError('NOT_FOUND', `artifact ${manifest.artifactId} is in no configured storage`);
  const storage = deps.storages.get(location.storage)!;
  const codec = await createCodec(manifest.compression.algorithm);
  const decryption = manifest.encryption
    ? await createAgeDecryption(target.encryption?.identityFile, manifest.artifactId)
    : undefined;
  const prepared = await engine.prepareRestore({
    connection: target,
    database: request.toDatabase,
    format: manifest.dumpFormat,
  });
  await engine.createDatabase(target, request.toDatabase);
  try {
    await streamRestore({
      source: await storage.get(location.dataKey),
      manifest,
      codec,
      decryption,
      tool: prepared.command,
      toolName: prepared.command.command.split('/').pop()!,
      signal: request.signal,
      onBytes: (read) => request.onProgress?.(read, manifest.storedBytes),
    });
  } catch (error) {
    await engine.dropDatabase(target, request.toDatabase).catch(() => undefined);
    throw await explainFailure(error, storage, location.dataKey, manifest);
  } finally {
    await prepared.dispose();
  }
  return { database: request.toDatabase, bytes: manifest.storedBytes };
}

/**
 * A decompressor or restore tool often trips over damaged bytes before the final sha256 check
 * runs. When a restore fails for any reason but cancellation, the stored bytes are checked once
 * more, so a damaged artifact is reported as such (INTEGRITY_FAILED) rather than as a tool error.
 */
async function explainFailure(
  error: unknown,
  storage: Storage,
  dataKey: string,
  manifest: Manifest,
): Promise<unknown> {
  if (isPortYardError(error) && (error.code === 'CANCELLED' || error.code === 'INTEGRITY_FAILED'))
    return error;
  const problem = await storedBytesProblem(storage, dataKey, manifest).catch(() => undefined);
  return problem ? new PortYardError('INTEGRITY_FAILED', problem, { phase: 'restore', cause: error }) : error;
}
