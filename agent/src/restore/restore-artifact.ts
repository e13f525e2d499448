import type { Manifest, RestorePlan, RunPhase, RunProgress } from '@port-yard/shared';
import { PortYardError, isPortYardError, safetyBackupReason } from '@port-yard/shared';
import { storedBytesProblem } from '../artifacts/check-stored-bytes.ts';
import type { DatabaseReplacement } from '../engines/engine.ts';
import { openConnectionsConflict } from '../engines/open-connections.ts';
import { DatabaseChangedError } from '../engines/replace-errors.ts';
import type { Storage } from '../storage/storage.ts';
import { openArtifactSources, type ArtifactSource } from './artifact-source.ts';
import { loadStagedDump } from './load-staged-dump.ts';
import { prepareArtifactRestore } from './prepare-artifact-restore.ts';
import { planRestore, type PlanRestoreDeps, type ResolvedRestore } from './plan-restore.ts';
import { isSameForEveryCopy, sameForEveryCopy } from './same-for-every-copy.ts';
import { checkArtifactDecodes, stageArtifact, type StagedDump } from './stage-artifact.ts';

export interface RestoreArtifactDeps extends PlanRestoreDeps {
  readonly storages: ReadonlyMap<string, Storage>;
  /**
   * Backs up `database` of the target as it is now, before it is replaced; resolves with the new
   * artifact's id, and warnings when a storage lacks it, and rejects when no storage has it.
   */
  readonly safetyBackup: (request: {
    readonly targetName: string;
    readonly database: string;
    readonly reason: string;
    readonly signal?: AbortSignal;
    readonly onProgress?: (progress: RunProgress) => void;
  }) => Promise<{ readonly id: string; readonly warnings: readonly string[] }>;
}

export interface RestoreArtifactRequest {
  readonly artifactId: string;
  /** The artifact's own database when omitted. */
  readonly toDatabase?: string;
  /** The database name typed back: required when an existing database is replaced. */
  readonly confirm?: string;
  /** Refuse (CONFLICT) instead of replacing an existing database. */
  readonly requireNew?: boolean;
  /** Back up the database being replaced first; default: the target's restore.safetyBackup. */
  readonly safetyBackup?: boolean;
  readonly openConnections?: 'refuse' | 'terminate';
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
}

export interface RestoreResult {
  readonly artifactId: string;
  readonly database: string;
  readonly mode: 'replace' | 'new';
  readonly safetyArtifactId?: string;
  readonly warnings: readonly string[];
  readonly storedBytes: number;
  readonly durationMs: number;
}

/** The checks that must pass before a restore changes anything; throws INVALID_INPUT or CONFLICT. */
export function checkRestoreRequest(
  plan: RestorePlan,
  request: Pick<RestoreArtifactRequest, 'requireNew' | 'confirm' | 'openConnections'>,
): void {
  if (plan.mode !== 'replace') return;
  if (request.requireNew)
    throw new PortYardError(
      'CONFLICT',
      `database ${plan.database} already exists on ${plan.server}: restore into a new name, or replace it with its name confirmed`,
    );
  if (request.confirm !== plan.database)
    throw new PortYardError(
      'INVALID_INPUT',
      `confirm: type the database name ${plan.database} to replace it (its current contents are lost${plan.databaseBytes === undefined ? '' : `, ${plan.databaseBytes} bytes`})`,
    );
  const terminate = (request.openConnections ?? plan.defaults.openConnections) === 'terminate';
  if (!terminate && plan.openConnections.count > 0)
    throw openConnectionsConflict(plan.database, plan.openConnections);
}

/**
 * Restores an artifact over an existing database (replace, confirmed by its name) or into a new
 * one. In order, each step only once the previous one succeeded:
 *   1. plan and check (nothing changes on a bad request);
 *   2. stage: download, check sha256 and size, decompress to a private temp file (restore.staging);
 *      without staging, a replace reads the artifact once to check it first;
 *   3. safety backup of the database being replaced (default on);
 *   4. load: PostgreSQL into a copy that is swapped in when complete (a failure leaves the
 *      original untouched); MariaDB/MySQL into the emptied database (a failure leaves it
 *      incomplete, and the error names the safety backup);
 *   5. a new database is dropped again if the load fails; streamed, a damaged or unreadable copy
 *      is then followed by the next copy, into a fresh database.
 */
export async function restoreArtifact(
  deps: RestoreArtifactDeps,
  request: RestoreArtifactRequest,
): Promise<RestoreResult> {
  const started = Date.now();
  const resolved = await planRestore(deps, request);
  checkRestoreRequest(resolved.plan, request);
  const { entry, target, engine, options, plan } = resolved;
  const { manifest } = entry;
  const replace = plan.mode === 'replace';
  const terminate = (request.openConnections ?? options.openConnections) === 'terminate';
  const progress = progressReporter(manifest.target, plan.database, request.onProgress);

  const sources = await openArtifactSources(entry, deps.storages, target);
  // The restore tool must exist before anything is downloaded or changed.
  await (
    await engine.prepareRestore({ connection: target, database: plan.database, format: manifest.dumpFormat })
  ).dispose();

  let staged: StagedDump | undefined;
  // The copy the load reads (streamed restores), and what was wrong with the copies before it.
  let source: ArtifactSource = sources[0]!;
  let copyWarnings: readonly string[] = [];
  try {
    if (options.staging) {
      progress.phase('stage', manifest.storedBytes);
      const usable = await firstUsableCopy(sources, manifest, request.signal, (candidate) =>
        // Each copy against its own manifest: a damaged manifest in one storage must not make
        // the good copy in another look damaged.
        stageArtifact(candidate, candidate.manifest, {
          dir: options.stagingDir,
          signal: request.signal,
          onBytes: progress.bytes,
        }),
      );
      ({ source, warnings: copyWarnings } = usable);
      staged = usable.value;
    } else if (replace) {
      progress.phase('stage', manifest.storedBytes);
      ({ source, warnings: copyWarnings } = await firstUsableCopy(
        sources,
        manifest,
        request.signal,
        async (candidate) => {
          // PostgreSQL loads into a copy beside the database: an artifact that does not decode
          // fails there, the database untouched, so its bytes are only checked here. MariaDB
          // empties the database first: the artifact must be proven to decode before that.
          if (!engine.atomicReplace)
            return checkArtifactDecodes(candidate, candidate.manifest, {
              signal: request.signal,
              onBytes: progress.bytes,
            });
          const problem = await storedBytesProblem(candidate.storage, candidate.dataKey, candidate.manifest);
          if (problem) throw new PortYardError('INTEGRITY_FAILED', problem, { phase: 'restore' });
        },
      ));
    }
    request.signal?.throwIfAborted();

    const safety =
      replace && (request.safetyBackup ?? options.safetyBackup)
        ? await deps.safetyBackup({
            targetName: manifest.target,
            database: plan.database,
            reason: safetyBackupReason(manifest.artifactId),
            signal: request.signal,
            onProgress: (backup) => request.onProgress?.({ ...backup, phase: 'safety-backup' }),
          })
        : undefined;
    const safetyArtifactId = safety?.id;
    request.signal?.throwIfAborted();

    const loadFrom = async (copy: ArtifactSource): Promise<readonly string[]> => {
      request.signal?.throwIfAborted();
      const replacement: DatabaseReplacement = replace
        ? await engine
            .beginReplace(target, plan.database, { terminateConnections: terminate, signal: request.signal })
            .catch((error: unknown) => {
              throw error instanceof DatabaseChangedError
                ? incomplete(error, plan.database, safetyArtifactId)
                : error;
            })
        : await createNew(resolved);
      try {
        // A tool that reads the staged file itself: how far it is, is unknown.
        progress.phase(
          'restore',
          staged ? (toolReadsStagedFile(manifest) ? undefined : staged.rawBytes) : manifest.storedBytes,
        );
        await load(
          resolved,
          only(deps.storages, copy),
          staged,
          replacement.loadInto,
          request.signal,
          progress.bytes,
        );
        request.signal?.throwIfAborted();
        progress.phase('swap', 0);
        return (await replacement.commit()) ?? [];
      } catch (error) {
        const dropFailure = await replacement.abort().then(
          () => undefined,
          (failure: unknown) => failure as Error,
        );
        if (!replace && dropFailure) throw leftBehind(error, plan.database, dropFailure);
        throw replace && !engine.atomicReplace ? incomplete(error, plan.database, safetyArtifactId) : error;
      }
    };
    let commitWarnings: readonly string[];
    if (!replace && !staged) {
      // Streamed into a new database, a copy is checked only as it loads: a damaged or unreadable
      // one fails the load, the new database is dropped, and the next copy loads into a fresh one.
      const usable = await firstUsableCopy(sources, manifest, request.signal, loadFrom, isCopyFault);
      ({ source, warnings: copyWarnings, value: commitWarnings } = usable);
    } else {
      commitWarnings = await loadFrom(source);
    }
    // A rebuilt server lacks the accounts the dump's views, routines and triggers run as: they
    // were restored, and fail when used. A check that cannot run does not fail the restore.
    const lacking = (await engine.missingDefiners?.(target, plan.database).catch(() => [])) ?? [];
    if (lacking.length > 0)
      commitWarnings = [
        ...commitWarnings,
        `views, routines, triggers or events of ${plan.database} run as ${lacking.join(', ')}, which this server lacks: they fail when used ("The user specified as a definer does not exist") until you create ${lacking.length === 1 ? 'that account' : 'those accounts'} (CREATE USER, with their grants from the old server)`,
      ];
    return {
      artifactId: manifest.artifactId,
      database: plan.database,
      mode: plan.mode,
      ...(safetyArtifactId ? { safetyArtifactId } : {}),
      warnings: [...plan.warnings, ...(safety?.warnings ?? []), ...copyWarnings, ...commitWarnings],
      storedBytes: manifest.storedBytes,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    throw cancelledOr(error, request.signal);
  } finally {
    await staged?.dispose();
  }
}

/**
 * Runs `use` on each copy of the artifact in turn until one succeeds: a copy that is damaged, or
 * whose storage cannot be read, is no reason to fail a restore while another storage holds a good
 * one. Each failure names its storage; the copies passed over become warnings of the result. A
 * cancel, a failure the same for every copy (`same-for-every-copy.ts`), or one `worthAnotherCopy`
 * turns down, ends the search at once.
 */
async function firstUsableCopy<T>(
  sources: readonly ArtifactSource[],
  manifest: { readonly artifactId: string },
  signal: AbortSignal | undefined,
  use: (source: ArtifactSource) => Promise<T>,
  worthAnotherCopy: (error: unknown) => boolean = () => true,
): Promise<{ value: T; source: ArtifactSource; warnings: string[] }> {
  const failures: PortYardError[] = [];
  for (const source of sources) {
    try {
      const value = await use(source);
      return {
        value,
        source,
        warnings: failures.map(
          (failure) => `${failure.message}: restored from the copy in storage ${source.storage.name} instead`,
        ),
      };
    } catch (error) {
      if (signal?.aborted || isSameForEveryCopy(error) || !worthAnotherCopy(error)) throw error;
      const named = namingStorage(error, source);
      if (named.code === 'CANCELLED') throw named;
      failures.push(named);
    }
  }
  if (failures.length === 1) throw failures[0];
  const first = failures.find((failure) => failure.code === 'INTEGRITY_FAILED') ?? failures[0]!;
  throw new PortYardError(
    first.code,
    `no storage holds a usable copy of artifact ${manifest.artifactId}: ${failures.map((failure) => failure.message).join('; ')}`,
    { phase: 'restore', cause: first },
  );
}

/**
 * A load's failure that another copy may not have: damaged bytes, or a storage that could not be
 * read. A restore tool's error (a SQL error, missing roles) would be the same from every copy.
 */
function isCopyFault(error: unknown): boolean {
  return isPortYardError(error) && ['INTEGRITY_FAILED', 'STORAGE_FAILED', 'NOT_FOUND'].includes(error.code);
}

/** A failure that left a half-loaded new database behind: no further copy loads over it. */
function leftBehind(error: unknown, database: string, dropFailure: Error): PortYardError {
  const failure = new PortYardError(
    isPortYardError(error) ? error.code : 'RESTORE_FAILED',
    `${(error as Error).message}; the new database ${database} is left half-loaded, as dropping it failed (${dropFailure.message}): drop it before restoring into that name again`,
    { phase: 'restore', cause: error, stderrTail: isPortYardError(error) ? error.stderrTail : undefined },
  );
  return sameForEveryCopy(failure);
}

/** The error, as a PortYardError whose message says which storage's copy it is about. */
function namingStorage(error: unknown, source: ArtifactSource): PortYardError {
  const name = source.storage.name;
  const failure = isPortYardError(error)
    ? error
    : new PortYardError('STORAGE_FAILED', (error as Error).message, { phase: 'restore', cause: error });
  if (failure.message.includes(`storage ${name}`) || failure.message.includes(`storage "${name}"`))
    return failure;
  return new PortYardError(failure.code, `${failure.message} (the copy in storage ${name})`, {
    phase: failure.phase ?? 'restore',
    stderrTail: failure.stderrTail,
    cause: failure,
  });
}

/** The storages with only the one holding `source`: the streamed load reads the copy chosen. */
function only(storages: ReadonlyMap<string, Storage>, source: ArtifactSource): ReadonlyMap<string, Storage> {
  const chosen = [...storages].find(([, storage]) => storage === source.storage);
  return chosen ? new Map([chosen]) : storages;
}

async function createNew({ engine, target, plan, entry }: ResolvedRestore): Promise<DatabaseReplacement> {
  // Made like the dumped database; when the server cannot (a locale it lacks), the warning comes
  // with the result.
  const warnings = await engine.createDatabase(target, plan.database, entry.manifest.databaseOptions);
  return {
    loadInto: plan.database,
    commit: async () => warnings,
    abort: () => engine.dropDatabase(target, plan.database),
  };
}

async function load(
  { engine, target, entry, options }: ResolvedRestore,
  storages: ReadonlyMap<string, Storage>,
  staged: StagedDump | undefined,
  database: string,
  signal: AbortSignal | undefined,
  onBytes: (bytes: number) => void,
): Promise<void> {
  if (!staged) {
    // Streamed from storage, checked on the way: the same path as a verification's restore.
    const streaming = await prepareArtifactRestore({
      entry,
      storages,
      target,
      engine,
      connection: target,
      database,
    });
    try {
      await streaming.run({ signal, onProgress: onBytes });
    } finally {
      await streaming.dispose();
    }
    return;
  }
  const { manifest } = entry;
  const parallel = toolReadsStagedFile(manifest);
  const prepared = await engine.prepareRestore({
    connection: target,
    database,
    format: manifest.dumpFormat,
    dumpedDatabase: manifest.database,
    ...(parallel ? { stagedFile: { path: staged.path, jobs: options.jobs } } : {}),
  });
  try {
    await loadStagedDump({
      path: staged.path,
      tool: prepared.command,
      toolName: prepared.command.command.split('/').pop()!,
      toolReadsFile: parallel,
      rewriteInput: prepared.rewriteInput,
      signal,
      onBytes,
    });
  } finally {
    await prepared.dispose();
  }
}

function incomplete(error: unknown, database: string, safetyArtifactId: string | undefined): unknown {
  const code = isPortYardError(error) ? error.code : 'RESTORE_FAILED';
  const recovery = safetyArtifactId
    ? `restore the safety backup ${safetyArtifactId} to get its previous contents back`
    : 'no safety backup was taken';
  return new PortYardError(
    code,
    `${(error as Error).message}; database ${database} is incomplete: ${recovery}`,
    { phase: 'restore', cause: error, stderrTail: isPortYardError(error) ? error.stderrTail : undefined },
  );
}

function cancelledOr(error: unknown, signal: AbortSignal | undefined): unknown {
  if (!signal?.aborted || (isPortYardError(error) && error.code !== 'INTERNAL')) return error;
  return new PortYardError('CANCELLED', 'the restore was cancelled', { phase: 'restore', cause: error });
}

/** Progress per phase: bytes so far against the phase's total, with the rate and an ETA. */
function progressReporter(
  target: string,
  database: string,
  onProgress: ((progress: RunProgress) => void) | undefined,
) {
  const started = Date.now();
  let phase: RunPhase = 'stage';
  let phaseStarted = started;
  let total: number | undefined = 0;
  let lastReport = 0;
  const report = (bytes: number, force: boolean): void => {
    const now = Date.now();
    if (!onProgress || (!force && now - lastReport < 250)) return;
    lastReport = now;
    const seconds = (now - phaseStarted) / 1000;
    const bytesPerSecond = seconds > 0 ? Math.round(bytes / seconds) : 0;
    onProgress({
      target,
      database,
      phase,
      rawBytes: 0,
      storedBytes: bytes,
      bytesPerSecond,
      elapsedMs: now - started,
      ...(total !== undefined ? { totalStoredBytes: total } : {}),
      ...(bytesPerSecond > 0 && total !== undefined && total > 0
        ? { etaSeconds: Math.round(Math.max(0, total - bytes) / bytesPerSecond) }
        : {}),
    });
  };
  return {
    /** `totalBytes` undefined: the phase's progress cannot be measured (the console shows it running). */
    phase(next: RunPhase, totalBytes: number | undefined): void {
      phase = next;
      phaseStarted = Date.now();
      total = totalBytes;
      report(0, true);
    },
    bytes: (bytes: number): void => report(bytes, false),
  };
}

/** pg_restore reads a staged custom-format dump itself, with `--jobs` parallel workers. */
function toolReadsStagedFile(manifest: Manifest): boolean {
  return manifest.dumpFormat === 'pg-custom';
}
