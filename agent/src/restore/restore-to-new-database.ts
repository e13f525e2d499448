import type { TargetConfig } from '@port-yard/shared';
import { PortYardError, isDatabaseName } from '@port-yard/shared';
import type { Catalog } from '../catalog/catalog.ts';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import type { Storage } from '../storage/storage.ts';
import { prepareArtifactRestore } from './prepare-artifact-restore.ts';

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
  const prepared = await prepareArtifactRestore({
    entry,
    storages: deps.storages,
    target,
    engine,
    connection: target,
    database: request.toDatabase,
  });
  try {
    await engine.createDatabase(target, request.toDatabase);
    try {
      await prepared.run({ signal: request.signal, onProgress: request.onProgress });
    } catch (error) {
      await engine.dropDatabase(target, request.toDatabase).catch(() => undefined);
      throw error;
    }
  } finally {
    await prepared.dispose();
  }
  return { database: request.toDatabase, bytes: manifest.storedBytes };
}
