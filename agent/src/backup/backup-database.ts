import { Readable } from 'node:stream';
import type { Manifest, RunProgress, TargetConfig } from '@port-yard/shared';
import { PortYardError, manifestFormatVersion } from '@port-yard/shared';
import { dataKey, manifestKey, newArtifactId } from '../artifacts/artifact-keys.ts';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import { createCodec } from '../pipeline/compression.ts';
import { streamDump } from '../pipeline/stream-dump.ts';
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

/**
 * Backs up one database to every storage of the target and returns its manifest. The data object
 * is committed first, the manifest last, so an artifact is visible only when it is whole.
 */
export async function backupDatabase(
  deps: BackupDatabaseDeps,
  request: BackupDatabaseRequest,
): Promise<Manifest> {
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
  const dump = await engine.prepareDump({
    connection: target,
    database,
    server,
    dumpCommand: target.dumpCommand,
    dumpFormat: target.dumpFormat,
  });

  const artifactId = newArtifactId(startedAt);
  const dataObject = `${artifactId}.${dump.extension}${codec.suffix}`;
  let streamed;
  try {
    report('dump', 0, 0, true);
    streamed = await streamDump({
      dump: dump.command,
      dumpName: dump.toolName,
      completion: dump.createCompletionCheck(),
      codec,
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
    encryption: null,
    dataObject,
    fingerprint: null,
    tables,
    labels: target.labels ?? {},
  };
  await commitManifest(
    storages,
    manifestKey(request.targetName, database, artifactId),
    manifest,
    dataKey(request.targetName, database, dataObject),
  );
  report('succeeded', streamed.rawBytes, streamed.storedBytes, true);
  return manifest;
}

/** Writes the manifest everywhere; on failure removes what was written so no half artifact stays. */
async function commitManifest(
  storages: readonly Storage[],
  key: string,
  manifest: Manifest,
  data: string,
): Promise<void> {
  const body = `${JSON.stringify(manifest, null, 2)}\n`;
  const results = await Promise.allSettled(
    storages.map((storage) => storage.put(key, Readable.from([Buffer.from(body)]))),
  );
  const failed = results.findIndex((result) => result.status === 'rejected');
  if (failed === -1) return;
  await Promise.allSettled(storages.flatMap((storage) => [storage.delete(key), storage.delete(data)]));
  const reason = (results[failed] as PromiseRejectedResult).reason as Error;
  throw new PortYardError(
    'STORAGE_FAILED',
    `writing the manifest to ${storages[failed]!.name} failed: ${reason.message}`,
    {
      phase: 'commit',
      cause: reason,
    },
  );
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
