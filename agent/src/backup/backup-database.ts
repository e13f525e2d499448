import { Readable } from 'node:stream';
import type { Manifest, RunProgress, TargetConfig } from '@port-yard/shared';
import { PortYardError, manifestFormatVersion } from '@port-yard/shared';
import { dataKey, manifestKey, newArtifactId } from '../artifacts/artifact-keys.ts';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import { createCodec } from '../pipeline/compression.ts';
import { createAgeEncryption } from '../pipeline/age-encryption.ts';
import { streamDump, type DestinationOutcome } from '../pipeline/stream-dump.ts';
import type { Storage } from '../storage/storage.ts';

export interface BackupDatabaseDeps {
  readonly engine: Engine;
  readonly storages: readonly Storage[];
  readonly agentVersion: string;
  readonly clock?: () => Date;
}

export interface BackupDatabaseRequest {
  readonly targetName: string;
  readonly target: TargetConfig;
  readonly database: string;
  readonly runId: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
}

const progressIntervalMs = 250;

export interface BackedUpDatabase {
  readonly manifest: Manifest;
  /** Per destination, after the manifest was written: where the artifact now exists. */
  readonly destinations: readonly DestinationOutcome[];
}

/**
 * Backs up one database to every storage of the target and returns its manifest. The data object
 * is committed first, the manifest last, so an artifact is visible only when it is whole.
 */
export async function backupDatabase(
  deps: BackupDatabaseDeps,
  request: BackupDatabaseRequest,
): Promise<BackedUpDatabase> {
  const clock = deps.clock ?? (() => new Date());
  const { engine, storages } = deps;
  const { target, database } = request;
  const startedAt = clock();
  const report = progressReporter(request, startedAt, clock);

  report('connect', 0, 0, true);
  const server = await engine.probe(target);
  if (!(await engine.databaseExists(target, database))) {
    throw new PortYardError(
      'NOT_FOUND',
      `database ${database} does not exist on ${describeConnection(target, engine.defaultPort)}`,
      {
        phase: 'connect',
      },
    );
  }
  const tables = await engine.tableEstimates(target, database);
  const codec = await createCodec(target.compression, target.compressionLevel);
  const encryption = target.encryption ? await createAgeEncryption(target.encryption) : undefined;
  const dump = await engine.prepareDump({
    connection: target,
    database,
    server,
    dumpCommand: target.dumpCommand,
    dumpFormat: target.dumpFormat,
  });

  const artifactId = newArtifactId(startedAt);
  const dataObject = `${artifactId}.${dump.extension}${codec.suffix}${encryption?.suffix ?? ''}`;
  let streamed;
  try {
    report('dump', 0, 0, true);
    streamed = await streamDump({
      dump: dump.command,
      dumpName: dump.toolName,
      completion: dump.createCompletionCheck(),
      codec,
      encryption,
      storages,
      key: dataKey(request.targetName, database, dataObject),
      signal: request.signal,
      onBytes: (raw, stored) => report('dump', raw, stored, false),
    });
  } finally {
    await dump.dispose();
  }

  report('commit', streamed.rawBytes, streamed.storedBytes, true);
  const manifest: Manifest = {
    formatVersion: manifestFormatVersion,
    artifactId,
    runId: request.runId,
    target: request.targetName,
    database,
    engine: engine.name,
    server: { flavor: server.flavor, version: server.version },
    dumpTool: { name: dump.toolName, version: dump.toolVersion },
    dumpFormat: dump.format,
    agentVersion: deps.agentVersion,
    startedAt: startedAt.toISOString(),
    finishedAt: clock().toISOString(),
    rawBytes: streamed.rawBytes,
    storedBytes: streamed.storedBytes,
    sha256: streamed.sha256,
    compression: { algorithm: codec.algorithm, ...(codec.level === undefined ? {} : { level: codec.level }) },
    encryption: encryption ? { algorithm: 'age', recipients: [...encryption.description.recipients] } : null,
    dataObject,
    fingerprint: null,
    tables,
    labels: target.labels ?? {},
    destinations: streamed.destinations.map((outcome) => ({ ...outcome })),
  };
  const committed = storages.filter((storage) =>
    streamed.destinations.some((d) => d.storage === storage.name && d.committed),
  );
  const manifestFailures = await commitManifest(
    committed,
    manifestKey(request.targetName, database, artifactId),
    manifest,
    dataKey(request.targetName, database, dataObject),
  );
  report('succeeded', streamed.rawBytes, streamed.storedBytes, true);
  const outcomes = streamed.destinations.map((outcome) => {
    const failure = manifestFailures.get(outcome.storage);
    return failure ? { storage: outcome.storage, committed: false, error: failure } : outcome;
  });
  return { manifest, destinations: outcomes };
}

/**
 * Writes the manifest to every storage that holds the data. Where that fails, the data is removed
 * again (no artifact there) and the failure is returned by storage name; when it fails
 * everywhere, the backup fails.
 */
async function commitManifest(
  storages: readonly Storage[],
  key: string,
  manifest: Manifest,
  data: string,
): Promise<Map<string, string>> {
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  const results = await Promise.allSettled(
    storages.map((storage) => storage.put(key, Readable.from([body]))),
  );
  const failures = new Map<string, string>();
  await Promise.all(
    results.map(async (result, index) => {
      if (result.status === 'fulfilled') return;
      const storage = storages[index]!;
      failures.set(storage.name, `writing the manifest failed: ${(result.reason as Error).message}`);
      await Promise.allSettled([storage.delete(key), storage.delete(data)]);
    }),
  );
  if (failures.size === storages.length) {
    throw new PortYardError(
      'STORAGE_FAILED',
      [...failures].map(([name, reason]) => `${name}: ${reason}`).join('; '),
      { phase: 'commit' },
    );
  }
  return failures;
}

function progressReporter(request: BackupDatabaseRequest, startedAt: Date, clock: () => Date) {
  let last = 0;
  return (phase: RunProgress['phase'], rawBytes: number, storedBytes: number, force: boolean): void => {
    if (!request.onProgress) return;
    const now = clock().getTime();
    if (!force && now - last < progressIntervalMs) return;
    last = now;
    const elapsedMs = now - startedAt.getTime();
    const bytesPerSecond = elapsedMs > 0 ? Math.round((rawBytes * 1000) / elapsedMs) : 0;
    request.onProgress({
      target: request.targetName,
      database: request.database,
      phase,
      rawBytes,
      storedBytes,
      bytesPerSecond,
      elapsedMs,
    });
  };
}
