import type { RestoreOptions, RestorePlan, TargetConfig } from '@port-yard/shared';
import { PortYardError, databaseNameProblem, incompleteLabel, restoreOptionsOf } from '@port-yard/shared';
import type { Catalog, CatalogEntry } from '../catalog/catalog.ts';
import { artifactWithTarget } from '../artifacts/artifact-target.ts';
import { describeConnection } from '../engines/describe-connection.ts';
import type { Engine } from '../engines/engine.ts';
import type { Storage } from '../storage/storage.ts';
import { engineFamily } from '../verify/engine-family.ts';
import { verificationOutcome } from '../verify/verification-outcome.ts';
import { versionWarnings } from './version-warnings.ts';

export interface PlanRestoreDeps {
  readonly catalog: Catalog;
  /** Where a verification's sidecar is read, to warn of a failed one (not read without). */
  readonly storages?: ReadonlyMap<string, Storage>;
  readonly engineFor: (target: TargetConfig) => Engine;
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly now?: () => Date;
}

export interface ResolvedRestore {
  readonly entry: CatalogEntry;
  readonly target: TargetConfig;
  readonly engine: Engine;
  readonly options: RestoreOptions;
  readonly plan: RestorePlan;
}

/**
 * Looks before a restore leaps: the artifact, its target and server, whether the database exists
 * (replace) or not (new), its size, open connections and version warnings. Reads only.
 */
export async function planRestore(
  deps: PlanRestoreDeps,
  request: {
    readonly artifactId: string;
    readonly toDatabase?: string;
    /** This restore's choice, when it overrides the target's (the warning says what will happen). */
    readonly openConnections?: RestoreOptions['openConnections'];
  },
): Promise<ResolvedRestore> {
  const now = deps.now ?? (() => new Date());
  const { entry, manifest, target } = artifactWithTarget(deps.catalog, deps.targets, request.artifactId);
  const database = request.toDatabase ?? manifest.database;
  const nameProblem = databaseNameProblem(database, target.engine);
  if (nameProblem)
    throw new PortYardError(
      'INVALID_INPUT',
      `${JSON.stringify(database)} is not a valid database name to restore into (--to-database; toDatabase in the API): it ${nameProblem}`,
    );
  if (engineFamily(target.engine) !== engineFamily(manifest.engine))
    throw new PortYardError(
      'INVALID_INPUT',
      `artifact ${manifest.artifactId} is a ${manifest.engine} dump; target ${manifest.target} is now ${target.engine}`,
    );
  const engine = deps.engineFor(target);
  const refusal = engine.refusesRestoreInto(database);
  if (refusal !== undefined)
    throw new PortYardError(
      'INVALID_INPUT',
      `${JSON.stringify(database)} cannot be restored into (--to-database; toDatabase in the API): ${refusal}; restore into another name`,
    );
  const options = restoreOptionsOf(target);
  const server = await engine.probe(target);
  const exists = await engine.databaseExists(target, database);
  const [databaseBytes, openConnections] = exists
    ? await Promise.all([engine.databaseSize(target, database), engine.openConnections(target, database)])
    : [undefined, { count: 0, users: [] }];

  const warnings = versionWarnings(manifest.server, server);
  if (database !== manifest.database)
    warnings.push(`the artifact is a backup of database ${manifest.database}, restored into ${database}`);
  if (exists && !engine.atomicReplace)
    warnings.push(
      `${server.flavor} cannot swap databases: ${database} is emptied before the load, and a failed load leaves it incomplete (only a safety backup holds its current contents${options.safetyBackup ? '' : ': off by default for this target'})`,
    );
  const verified = deps.storages
    ? await verificationOutcome({ catalog: deps.catalog, storages: deps.storages }, entry)
    : undefined;
  if (verified === false)
    warnings.push(
      `artifact ${manifest.artifactId} failed its last verification: what it found wrong (see the artifact's verification) would be in ${database} after the restore`,
    );
  const omissions = manifest.labels[incompleteLabel];
  if (omissions)
    warnings.push(
      `artifact ${manifest.artifactId} is incomplete (${omissions})${exists ? `: what it lacks will be missing from ${database} after the restore` : ''}`,
    );
  if (exists && openConnections.othersHidden)
    warnings.push(
      `the target's user cannot see other users' connections to ${database} (no PROCESS privilege in SHOW GRANTS): they are not counted, and the restore can neither refuse nor end them`,
    );
  if (exists && openConnections.count > 0)
    warnings.push(
      `${database} has ${openConnections.count} open connection(s) (${openConnections.users.join(', ')}): ${(request.openConnections ?? options.openConnections) === 'terminate' ? 'they will be terminated' : 'the restore is refused unless they close or are terminated'}`,
    );

  const plan: RestorePlan = {
    artifactId: manifest.artifactId,
    target: manifest.target,
    sourceDatabase: manifest.database,
    database,
    mode: exists ? 'replace' : 'new',
    server: describeConnection(target, engine.defaultPort),
    serverVersion: server.version,
    ...(databaseBytes === undefined ? {} : { databaseBytes }),
    artifact: {
      startedAt: manifest.startedAt,
      ageSeconds: Math.max(0, Math.round((now().getTime() - Date.parse(manifest.startedAt)) / 1000)),
      storedBytes: manifest.storedBytes,
      rawBytes: manifest.rawBytes,
      serverVersion: manifest.server.version,
    },
    openConnections,
    atomic: engine.atomicReplace,
    warnings,
    defaults: { safetyBackup: options.safetyBackup, openConnections: options.openConnections },
    ...(exists ? { confirmation: database } : {}),
  };
  return { entry, target, engine, options, plan };
}
