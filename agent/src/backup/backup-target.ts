import { randomUUID } from 'node:crypto';
import type { BackupRunResult, Manifest, RunFailure, RunProgress, TargetConfig } from '@port-yard/shared';
import { PortYardError, databaseNameProblem, incompleteLabel, isPortYardError } from '@port-yard/shared';
import type { Engine } from '../engines/engine.ts';
import type { Storage } from '../storage/storage.ts';
import { backupDatabase, type NewestArtifact } from './backup-database.ts';

export interface BackupTargetDeps {
  readonly engine: Engine;
  readonly storages: readonly Storage[];
  readonly agentVersion: string;
  readonly clock?: () => Date;
  /** Told of each artifact as soon as it is committed (the catalog records it). */
  readonly onArtifact?: (manifest: Manifest, storages: readonly string[]) => void;
}

export interface BackupTargetRequest {
  readonly targetName: string;
  readonly target: TargetConfig;
  /** The run's id, in its result and every manifest: the running agent's run record id. New when absent. */
  readonly runId?: string;
  /** Back up only this database (it must be one the target covers). */
  readonly database?: string;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RunProgress) => void;
  /** Scheduled runs: skip databases whose fingerprint equals their newest artifact's. */
  readonly skipIfUnchanged?: {
    readonly newest: (database: string) => NewestArtifact | undefined;
    readonly maxSkipAgeMs?: number;
  };
}

/** The databases a target covers right now: its list, or every non-system one minus `exclude`. */
export async function resolveDatabases(engine: Engine, target: TargetConfig): Promise<string[]> {
  return (await coveredDatabases(engine, target)).covered;
}

interface CoveredDatabases {
  readonly covered: string[];
  /** `exclude` entries that name none of the server's databases (nor a system one). */
  readonly unmatchedExcludes: string[];
  /** Restores' staging copies that `all` left out, by name, with the database each copies. */
  readonly stagingCopies: { readonly name: string; readonly of: string }[];
}

/**
 * The databases a target covers. With `all`, also what the run should say: an `exclude` that
 * names no database (a typo there backs up the database it meant to leave out), and the staging
 * copies of restores it left out (half-loaded data, which a killed restore leaves behind).
 */
async function coveredDatabases(engine: Engine, target: TargetConfig): Promise<CoveredDatabases> {
  if (target.databases !== 'all')
    return { covered: [...target.databases], unmatchedExcludes: [], stagingCopies: [] };
  const excluded = new Set(target.exclude ?? []);
  const all = await engine.listDatabases(target);
  const stagingCopies = all.flatMap((name) => {
    const of = engine.stagingCopyOf?.(name);
    return of === undefined || excluded.has(name) ? [] : [{ name, of }];
  });
  const staged = new Set(stagingCopies.map((copy) => copy.name));
  return {
    covered: all.filter((name) => !excluded.has(name) && !staged.has(name)),
    unmatchedExcludes: [...excluded].filter(
      (name) => !all.includes(name) && engine.refusesRestoreInto(name) === undefined,
    ),
    stagingCopies,
  };
}

/**
 * One run of a target: each database in turn, one artifact each. A failed database does not stop
 * the others; the run fails if any database failed.
 */
export async function backupTarget(
  deps: BackupTargetDeps,
  request: BackupTargetRequest,
): Promise<BackupRunResult> {
  const clock = deps.clock ?? (() => new Date());
  const runId = request.runId ?? randomUUID();
  const startedAt = clock().toISOString();
  const artifacts: BackupRunResult['artifacts'][number][] = [];
  const failures: RunFailure[] = [];
  const skipped: { database: string; since: string }[] = [];
  let databases: string[];
  const warnings: string[] = [];
  // One answer for the run's databases (it depends on the dump user only), asked by the first.
  let omissions: Promise<string[]> | undefined;
  const dumpOmissions = (): Promise<string[]> =>
    (omissions ??= deps.engine.dumpOmissions?.(request.target) ?? Promise.resolve([]));
  try {
    let unmatched: string[];
    let stagingCopies: CoveredDatabases['stagingCopies'];
    ({ databases, unmatched, stagingCopies } = await databasesToBackUp(deps.engine, request));
    for (const name of unmatched)
      warnings.push(`exclude names ${JSON.stringify(name)}, which is no database on the server (a typo?)`);
    for (const copy of stagingCopies)
      warnings.push(
        `left out ${copy.name}: a restore's staging copy of ${copy.of}, being loaded or left by a restore that stopped (drop it once no restore of ${copy.of} runs)`,
      );
  } catch (error) {
    databases = [];
    failures.push(toFailure(request.database ?? '*', error));
  }
  for (const [index, database] of databases.entries()) {
    if (request.signal?.aborted) {
      // Stopped (a timeout, a cancel) after an earlier database: the rest have no new artifact,
      // and a run that stored only some of them is no success.
      failures.push(...databases.slice(index).map((left) => toFailure(left, stopReason(request.signal!))));
      break;
    }
    // `databases: all` lists what the server has, which may be a name no artifact can carry.
    const nameProblem = databaseNameProblem(database, request.target.engine);
    if (nameProblem) {
      failures.push(
        toFailure(
          database,
          new PortYardError(
            'INVALID_INPUT',
            `database ${JSON.stringify(database)} cannot be backed up: its name ${nameProblem}; add it to the target's exclude to leave it out`,
          ),
        ),
      );
      continue;
    }
    try {
      const skipIfUnchanged = request.skipIfUnchanged && {
        previous: request.skipIfUnchanged.newest(database),
        maxSkipAgeMs: request.skipIfUnchanged.maxSkipAgeMs,
      };
      const outcome = await backupDatabase(deps, {
        ...request,
        database,
        runId,
        skipIfUnchanged,
        dumpOmissions,
      });
      if (outcome.skipped) {
        skipped.push({ database, since: outcome.since });
        continue;
      }
      const { manifest, destinations } = outcome;
      const committedIn = destinations.filter((d) => d.committed).map((d) => d.storage);
      deps.onArtifact?.(manifest, committedIn);
      artifacts.push({
        id: manifest.artifactId,
        database,
        rawBytes: manifest.rawBytes,
        storedBytes: manifest.storedBytes,
        sha256: manifest.sha256,
        ...(manifest.labels[incompleteLabel] ? { incomplete: manifest.labels[incompleteLabel] } : {}),
        destinations,
      });
    } catch (error) {
      failures.push(toFailure(database, error));
    }
  }
  const partial = artifacts.some((artifact) => artifact.destinations.some((outcome) => !outcome.committed));
  const status =
    failures.length > 0 || databases.length === 0
      ? 'failed'
      : skipped.length === databases.length
        ? 'skipped'
        : partial
          ? 'partial'
          : 'succeeded';
  return {
    runId,
    target: request.targetName,
    status,
    startedAt,
    finishedAt: clock().toISOString(),
    artifacts,
    skipped,
    failures,
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

async function databasesToBackUp(
  engine: Engine,
  request: BackupTargetRequest,
): Promise<{ databases: string[]; unmatched: string[]; stagingCopies: CoveredDatabases['stagingCopies'] }> {
  const {
    covered,
    unmatchedExcludes: unmatched,
    stagingCopies,
  } = await coveredDatabases(engine, request.target);
  if (request.database === undefined) {
    if (covered.length === 0)
      throw new PortYardError('NOT_FOUND', `target ${request.targetName} covers no database`);
    return { databases: covered, unmatched, stagingCopies };
  }
  if (!covered.includes(request.database)) {
    throw new PortYardError(
      'INVALID_INPUT',
      `database ${request.database} is not one of target ${request.targetName}'s databases (${covered.join(', ')})`,
    );
  }
  return { databases: [request.database], unmatched, stagingCopies: [] };
}

function stopReason(signal: AbortSignal): PortYardError {
  const reason: unknown = signal.reason;
  if (isPortYardError(reason)) return reason;
  return new PortYardError('CANCELLED', 'the run was stopped before this database was backed up');
}

function toFailure(database: string, error: unknown): RunFailure {
  const known = isPortYardError(error) ? error : undefined;
  return {
    database,
    code: known?.code ?? 'INTERNAL',
    phase: known?.phase,
    message: (error as Error)?.message ?? String(error),
    stderrTail: known?.stderrTail,
  };
}
