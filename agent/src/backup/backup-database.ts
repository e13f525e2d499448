import type { Manifest, RunProgress, TargetConfig } from '@port-yard/shared';
import { dataKey, manifestKey, newArtifactId } from '../artifacts/artifact-keys.ts';
import type { Engine } from '../engines/engine.ts';
import { streamDump, type DestinationOutcome, type StreamDumpResult } from '../pipeline/stream-dump.ts';
import { createOsPipe } from '../platform/os-pipe.ts';
import type { Storage } from '../storage/storage.ts';
import { buildManifest } from './build-manifest.ts';
import { commitManifest } from './commit-manifest.ts';
import { confirmStoredSizes, storedSizeProblem } from './confirm-stored-size.ts';
import { noStorageLeft, withFailures } from './destination-failures.ts';
import { createBackupChecks } from './backup-checks.ts';
import { createPipelineParts, type PipelineParts } from './pipeline-parts.ts';
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
  /** `Engine.dumpOmissions`, asked once for a run's databases; asked here when absent. */
  readonly dumpOmissions?: () => Promise<string[]>;
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

/** A database's newest artifact, and where it is whole. */
export interface NewestArtifact {
  readonly manifest: Manifest;
  /**
   * The storages holding its data and its manifest, as the catalog found them. Not the
   * manifest's `destinations`: those are written before the manifests are, so a storage whose
   * manifest failed is listed there as committed.
   */
  readonly storages: readonly string[];
}

export interface SkipIfUnchanged {
  /** The newest artifact of this database. */
  readonly previous: NewestArtifact | undefined;
  /** Back up anyway once `previous` is this old. */
  readonly maxSkipAgeMs?: number;
}

function unchangedSince(
  skip: SkipIfUnchanged | undefined,
  fingerprint: string | null,
  now: Date,
  storages: readonly Storage[],
  target: TargetConfig,
): Manifest | undefined {
  const previous = skip?.previous?.manifest;
  if (!previous || fingerprint === null || previous.fingerprint !== fingerprint) return undefined;
  // A storage the previous artifact never reached (its upload or its manifest failed, or it was
  // added to the target since) would otherwise never get a copy of this state while nothing changes.
  const stored = new Set(skip.previous?.storages);
  if (storages.some((storage) => !stored.has(storage.name))) return undefined;
  // Nor while the newest backup is stored otherwise than the target now asks (encryption added,
  // a recipient rotated, another compression): a quiet database would keep the old form.
  if (!storedAsAsked(previous, target)) return undefined;
  const age = now.getTime() - new Date(previous.startedAt).getTime();
  return skip.maxSkipAgeMs !== undefined && age >= skip.maxSkipAgeMs ? undefined : previous;
}

/**
 * Whether every destination still holds the artifact a skip would rest on, manifest and data at
 * their sizes. The catalog is read at start, on reload and after retention: an artifact deleted
 * since (by hand, a lifecycle rule, a swapped disk) was skipped on while no backup existed. A
 * storage that cannot answer counts as not holding it: a backup costs less than a lost state.
 */
async function stillStored(manifest: Manifest, storages: readonly Storage[]): Promise<boolean> {
  const data = dataKey(manifest.target, manifest.database, manifest.dataObject);
  const manifestAt = manifestKey(manifest.target, manifest.database, manifest.artifactId);
  const held = await Promise.all(
    storages.map(async (storage) => {
      const [dataProblem, manifestInfo] = await Promise.all([
        storedSizeProblem(storage, data, manifest.storedBytes),
        storage.stat(manifestAt).catch(() => undefined),
      ]);
      return dataProblem === undefined && manifestInfo !== undefined;
    }),
  );
  return held.every(Boolean);
}

/**
 * Whether `manifest` is compressed and encrypted (the same recipients) as `target` asks now, and
 * for PostgreSQL in the dump format it asks (plain SQL or custom, which restore differently).
 */
function storedAsAsked(manifest: Manifest, target: TargetConfig): boolean {
  if (manifest.compression.algorithm !== target.compression) return false;
  if (target.engine === 'postgres' && manifest.dumpFormat !== postgresDumpFormat(target)) return false;
  const asked = [...(target.encryption?.recipients ?? [])].sort();
  const stored = [...(manifest.encryption?.recipients ?? [])].sort();
  return asked.length === stored.length && asked.every((recipient, index) => recipient === stored[index]);
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
  // Everything before the dump runs at once: the compressor, the kernel pipe zstd reads the dump
  // from, and the dump command (tool, credentials file); the SQL checks once the dump is under way
  // (backup-checks.ts). Start-up is most of a small backup's overhead.
  const sql = createBackupChecks(engine, target, database, request.dumpOmissions);
  const preparing = engine.prepareDump({
    connection: target,
    database,
    server: sql.server,
    dumpStarted: sql.started,
    dumpCommand: target.dumpCommand,
    dumpFormat: target.dumpFormat,
  });
  const parting = createPipelineParts(target);
  const pipeAhead = target.compression === 'zstd' ? createOsPipe() : undefined;
  // Awaited below; meanwhile a rejection must not count as unhandled.
  for (const pending of [preparing, parting]) pending.catch(() => undefined);
  // Awaited on every path: the pipe may still be in the making when a backup ends early, and no
  // descriptor of it may outlive the backup (closing is idempotent).
  const closePipe = async (): Promise<void> => (await pipeAhead)?.close();
  const discard = async (): Promise<void> => {
    void preparing.then((prepared) => prepared.dispose()).catch(() => undefined);
    await closePipe();
  };
  const checks = sql.settled(preparing);

  let dump: Awaited<typeof preparing>;
  let parts: PipelineParts;
  let checked: Awaited<typeof checks> | undefined;
  try {
    if (request.skipIfUnchanged || target.skipIfUnchanged) {
      // The fingerprint decides whether to dump at all, so the checks come first. A run that does
      // not skip (a manual one) still records the fingerprint the next run compares with: taken
      // after the dump's snapshot, it would vouch for writes the dump missed (FINGERPRINTS.md).
      sql.start();
      checked = await checks;
      const candidate = unchangedSince(
        request.skipIfUnchanged,
        checked.facts.fingerprint,
        startedAt,
        storages,
        target,
      );
      const unchanged = candidate && (await stillStored(candidate, storages)) ? candidate : undefined;
      if (unchanged) {
        await discard();
        report('succeeded', 0, 0, true);
        return { skipped: true, since: unchanged.artifactId, fingerprint: checked.facts.fingerprint! };
      }
    }
    [dump, parts] = await Promise.all([preparing, parting]);
  } catch (error) {
    const discarding = discard();
    // A failed check explains a failed command better (pg_dump missing vs. server unreachable).
    sql.start();
    await discarding;
    await checks;
    throw error;
  }
  const { codec, encryption } = parts;
  const artifactId = newArtifactId(startedAt);
  const dataObject = `${artifactId}.${dump.extension}${codec.suffix}${encryption?.suffix ?? ''}`;
  const dataObjectKey = dataKey(request.targetName, database, dataObject);
  // Otherwise the dump starts as soon as its command is ready, while the checks finish: a failed
  // check stops it (nothing is committed) and is the failure reported.
  const stopEarly = new AbortController();
  const signal = request.signal ? AbortSignal.any([request.signal, stopEarly.signal]) : stopEarly.signal;
  let streamed;
  try {
    report('dump', 0, 0, true);
    const streaming = streamDump({
      dump: dump.command,
      dumpName: dump.toolName,
      completion: dump.createCompletionCheck(),
      observe: !dump.exitStatusTrusted,
      codec,
      encryption,
      storages,
      key: dataObjectKey,
      signal,
      pipeAhead,
      onBytes: (raw, stored) => report('dump', raw, stored, false),
      onDumpStarted: sql.start,
    });
    // (Also when the stream failed before its dump started.)
    void streaming.finally(sql.start).catch(() => undefined);
    checks.catch(() => stopEarly.abort());
    const [checkOutcome, streamOutcome] = await Promise.allSettled([checks, streaming]);
    if (checkOutcome.status === 'rejected') {
      // A check may fail after the dump was stored (the dump tool's version is asked beside it):
      // the data must not stay behind without a manifest, an orphan every list would warn of.
      if (streamOutcome.status === 'fulfilled') {
        const stored = committedStorages(storages, streamOutcome.value);
        await Promise.allSettled(stored.map((storage) => storage.delete(dataObjectKey)));
      }
      throw checkOutcome.reason;
    }
    if (streamOutcome.status === 'rejected') throw streamOutcome.reason;
    checked = checkOutcome.value;
    streamed = streamOutcome.value;
  } finally {
    await Promise.all([closePipe(), dump.dispose()]);
  }
  const { server, facts, toolVersion } = checked;
  const { fingerprint, tables, omissions, databaseOptions } = facts;

  report('commit', streamed.rawBytes, streamed.storedBytes, true);
  const sizeFailures = await confirmStoredSizes(
    committedStorages(storages, streamed),
    dataObjectKey,
    streamed.storedBytes,
  );
  if (sizeFailures.size > 0) {
    streamed = { ...streamed, destinations: withFailures(streamed.destinations, sizeFailures) };
    if (!streamed.destinations.some((outcome) => outcome.committed))
      throw noStorageLeft(sizeFailures, 'store');
  }
  const manifest = buildManifest({
    artifactId,
    request,
    engine: engine.name,
    server,
    dump,
    toolVersion,
    agentVersion: deps.agentVersion,
    startedAt,
    finishedAt: clock(),
    streamed,
    codec,
    encryption,
    dataObject,
    fingerprint,
    tables,
    databaseOptions,
    omissions,
  });
  const committed = committedStorages(storages, streamed);
  const manifestFailures = await commitManifest(
    committed,
    manifestKey(request.targetName, database, artifactId),
    manifest,
    dataObjectKey,
  );
  report('succeeded', streamed.rawBytes, streamed.storedBytes, true);
  return { manifest, destinations: withFailures(streamed.destinations, manifestFailures) };
}

/** The storages that hold the data object the stream stored. */
function committedStorages(storages: readonly Storage[], streamed: StreamDumpResult): Storage[] {
  return storages.filter((storage) =>
    streamed.destinations.some((d) => d.storage === storage.name && d.committed),
  );
}

/** The manifest's `dumpFormat` of what a PostgreSQL target's `dumpFormat` asks for. */
const postgresDumpFormat = (target: TargetConfig): string =>
  target.dumpFormat === 'plain' ? 'pg-plain' : 'pg-custom';
