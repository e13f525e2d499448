import type { Manifest, RunProgress, TargetConfig } from '@port-yard/shared';
import { dataKey, manifestKey, newArtifactId } from '../artifacts/artifact-keys.ts';
import type { Engine } from '../engines/engine.ts';
import { streamDump, type DestinationOutcome } from '../pipeline/stream-dump.ts';
import type { Storage } from '../storage/storage.ts';
import { buildManifest } from './build-manifest.ts';
import { commitManifest } from './commit-manifest.ts';
import { gatherBackupFacts } from './gather-backup-facts.ts';
import { progressReporter } from './progress-reporter.ts';

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
  /** Skip the dump when the database's fingerprint equals the previous artifact's. */
  readonly skipIfUnchanged?: SkipIfUnchanged;
}

export interface BackedUpDatabase {
  readonly skipped?: false;
  readonly manifest: Manifest;
  /** Per destination, after the manifest was written: where the artifact now exists. */
  readonly destinations: readonly DestinationOutcome[];
}

/** Nothing changed since `since` (an artifact id): no dump, no artifact. */
export interface SkippedDatabase {
  readonly skipped: true;
  readonly since: string;
  readonly fingerprint: string;
}

export interface SkipIfUnchanged {
  /** The newest artifact of this database. */
  readonly previous: Manifest | undefined;
  /** Back up anyway once `previous` is this old. */
  readonly maxSkipAgeMs?: number;
}

function unchangedSince(
  skip: SkipIfUnchanged | undefined,
  fingerprint: string | null,
  now: Date,
): Manifest | undefined {
  const previous = skip?.previous;
  if (!previous || fingerprint === null || previous.fingerprint !== fingerprint) return undefined;
  const age = now.getTime() - new Date(previous.startedAt).getTime();
  return skip.maxSkipAgeMs !== undefined && age >= skip.maxSkipAgeMs ? undefined : previous;
}

/**
 * Backs up one database to every storage of the target and returns its manifest. The data object
 * is committed first, the manifest last, so an artifact is visible only when it is whole.
 */
export async function backupDatabase(
  deps: BackupDatabaseDeps,
  request: BackupDatabaseRequest,
): Promise<BackedUpDatabase | SkippedDatabase> {
  const clock = deps.clock ?? (() => new Date());
  const { engine, storages } = deps;
  const { target, database } = request;
  const startedAt = clock();
  const report = progressReporter(request, startedAt, clock);

  report('connect', 0, 0, true);
  // Everything before the dump runs at once: the probe, the facts and the dump command (tool
  // version, credentials file). Start-up is most of a small backup's overhead.
  const probing = engine.probe(target);
  const preparing = engine.prepareDump({
    connection: target,
    database,
    server: probing,
    dumpCommand: target.dumpCommand,
    dumpFormat: target.dumpFormat,
  });
  const gathering = gatherBackupFacts(engine, target, database);
  // Awaited below, in order; meanwhile a rejection must not count as unhandled.
  for (const pending of [probing, preparing, gathering]) pending.catch(() => undefined);
  const discard = (): void => void preparing.then((prepared) => prepared.dispose()).catch(() => undefined);
  let server;
  let facts;
  try {
    // The probe's failure (AUTH_FAILED, CONNECTION_FAILED) is the one to report: the others hit
    // the same wall.
    server = await probing;
    facts = await gathering;
  } catch (error) {
    discard();
    throw error;
  }
  const { fingerprint, tables, codec, encryption } = facts;
  const unchanged = unchangedSince(request.skipIfUnchanged, fingerprint, startedAt);
  if (unchanged) {
    discard();
    report('succeeded', 0, 0, true);
    return { skipped: true, since: unchanged.artifactId, fingerprint: fingerprint! };
  }
  const dump = await preparing;

  const artifactId = newArtifactId(startedAt);
  const dataObject = `${artifactId}.${dump.extension}${codec.suffix}${encryption?.suffix ?? ''}`;
  let streamed;
  try {
    report('dump', 0, 0, true);
    streamed = await streamDump({
      dump: dump.command,
      dumpName: dump.toolName,
      completion: dump.createCompletionCheck(),
      observe: !dump.exitStatusTrusted,
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
  const manifest = buildManifest({
    artifactId,
    request,
    engine: engine.name,
    server,
    dump,
    agentVersion: deps.agentVersion,
    startedAt,
    finishedAt: clock(),
    streamed,
    codec,
    encryption,
    dataObject,
    fingerprint,
    tables,
  });
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
