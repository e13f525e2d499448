import type {
  Manifest,
  PortYardConfig,
  RestoreOptions,
  RestorePlan,
  TargetConfig,
  VerificationResult,
} from '@port-yard/shared';
import { artifactFolder, manifestKey } from './artifacts/artifact-keys.ts';
import { PortYardError, reasonLabel, type ErrorCode } from '@port-yard/shared';
import { agentVersion } from './agent-version.ts';
import { backupTarget, type BackupTargetRequest } from './backup/backup-target.ts';
import { createCatalog, type Catalog } from './catalog/catalog.ts';
import { createEngineRegistry, engineFor } from './engines/engine-registry.ts';
import type {
  RestoreArtifactDeps,
  RestoreArtifactRequest,
  RestoreResult,
} from './restore/restore-artifact.ts';
import { createStorage } from './storage/storage-factory.ts';
import { sweepStorages } from './catalog/sweep-storages.ts';
import {
  applyTargetRetention,
  planTargetRetention,
  withVerifiedHolds,
  type AppliedRetentionGroup,
  type RetentionGroup,
} from './retention/target-retention.ts';
import type { Storage } from './storage/storage.ts';
import type {
  EngineName,
  ExpiredSandboxes,
  SandboxCredentials,
  SandboxList,
  SandboxSummary,
} from '@port-yard/shared';
import type { CreateSandboxRequest } from './sandbox/create-sandbox.ts';

// Restore, verification and sandboxes are loaded on first use: a backup (the CLI's most frequent
// command, where start-up is part of every run) needs none of them.
const restoreModule = () => import('./restore/restore-artifact.ts');
const sandboxModule = () => import('./sandbox/manage-sandboxes.ts');

/**
 * The composition root: builds every dependency from the config, in order, and hands it down.
 * Nothing else in the agent constructs engines, storages or the catalog.
 */
export interface Agent {
  readonly config: PortYardConfig;
  readonly version: string;
  readonly catalog: Catalog;
  readonly storages: ReadonlyMap<string, Storage>;
  backup(request: Omit<BackupTargetRequest, 'target'>): ReturnType<typeof backupTarget>;
  /** Restores into a new database that must not exist yet (created, and dropped again on failure). */
  restoreToNewDatabase(
    request: Omit<RestoreArtifactRequest, 'requireNew' | 'confirm'> & { readonly toDatabase: string },
  ): Promise<{ database: string; bytes: number }>;
  /** What a restore would overwrite, with warnings: reads only. */
  planRestore(
    artifactId: string,
    toDatabase?: string,
    openConnections?: RestoreOptions['openConnections'],
  ): Promise<RestorePlan>;
  /**
   * Restores an artifact over an existing database (confirmed by its name; safety backup first)
   * or into a new one: restore/restore-artifact.ts.
   */
  restore(request: RestoreArtifactRequest): Promise<RestoreResult>;
  /**
   * Restore verification: restores the artifact into a scratch database on its target's
   * `verify.server`, compares tables and row counts with the manifest, drops the scratch database
   * and stores the result as `<id>.verification.json` next to every copy. A failed verification
   * (damaged artifact, wrong tables or counts) resolves with `ok: false`; a bad request (no
   * verify.server, unknown artifact), an unreachable test server or a cancel rejects.
   */
  verify(artifactId: string, options?: { readonly signal?: AbortSignal }): Promise<VerificationResult>;
  /**
   * Developer sandboxes (sandbox/): an artifact deployed to its target's `sandbox.server` as a new
   * database with a user that can reach only it. The registry lives on each test server
   * (`port_yard.sandboxes`). `createSandbox` returns the credentials, the only time the password
   * is shown; nothing else ever includes it.
   */
  createSandbox(request: CreateSandboxRequest): Promise<SandboxCredentials>;
  listSandboxes(): Promise<SandboxList>;
  /** The sandbox then expires `ttl` from now. */
  extendSandbox(id: string, ttl: string): Promise<SandboxSummary>;
  destroySandbox(id: string): Promise<SandboxSummary>;
  /** Drops every sandbox expired by `now` (and `py_sbx_` leftovers without a registry row). */
  expireSandboxes(now?: Date): Promise<ExpiredSandboxes>;
  /** What retention would delete now for a target, per storage and database, with reasons. */
  planRetention(targetName: string, now?: Date): Promise<RetentionGroup[]>;
  /** Applies retention to a target now (manifest first, then data; capped by maxDeletePerRun). */
  applyRetention(targetName: string, now?: Date): Promise<AppliedRetentionGroup[]>;
  /**
   * Removes what interrupted writes left: temporary data and data objects without a manifest,
   * once older than `graceMs` (so a backup still committing is never touched).
   */
  sweep(graceMs: number, now?: Date): Promise<string[]>;
  /** Closes storage connections, so a one-shot command can exit at once. */
  close(): Promise<void>;
}

export function createAgent(config: PortYardConfig): Agent {
  const engines = createEngineRegistry();
  const storages = new Map(
    Object.entries(config.storages).map(([name, storageConfig]) => [
      name,
      createStorage(name, storageConfig),
    ]),
  );
  const catalog = createCatalog([...storages.values()]);
  const targetConfig = (name: string): TargetConfig => {
    const target = config.targets[name];
    if (!target) {
      const known = Object.keys(config.targets).join(', ') || 'none';
      throw new PortYardError('NOT_FOUND', `no target named ${name} in the config (targets: ${known})`);
    }
    return target;
  };
  const engineOf = (target: TargetConfig) => engineFor(engines, target.engine);
  const sandboxDeps = () => ({
    engineFor: (name: EngineName) => engineFor(engines, name),
    targets: config.targets,
    testServers: config.testServers,
  });

  const onArtifact = (manifest: Manifest, committedIn: readonly string[]): void => {
    const folder = artifactFolder(manifest.target, manifest.database);
    const locations = committedIn.map((storage) => ({
      storage,
      dataKey: `${folder}/${manifest.dataObject}`,
      manifestKey: manifestKey(manifest.target, manifest.database, manifest.artifactId),
    }));
    catalog.add(manifest, locations);
  };
  const backupWith = (
    target: TargetConfig,
    request: Omit<BackupTargetRequest, 'target'>,
  ): ReturnType<typeof backupTarget> => {
    const destinations = target.destinations.map((name) => storages.get(name)!);
    const deps = { engine: engineOf(target), storages: destinations, agentVersion, onArtifact };
    return backupTarget(deps, { ...request, target });
  };
  const restoreDeps: RestoreArtifactDeps = {
    catalog,
    storages,
    engineFor: engineOf,
    targets: config.targets,
    async safetyBackup({ targetName, database, reason, signal, onProgress }) {
      const target = targetConfig(targetName);
      const labels = { ...target.labels, [reasonLabel]: reason };
      // Any database on the target's server, also one the target does not cover.
      const result = await backupWith(
        { ...target, databases: [database], exclude: undefined, labels },
        { targetName, signal, onProgress },
      );
      const artifact = result.artifacts[0];
      if (!artifact) {
        const failure = result.failures[0];
        throw new PortYardError(
          (failure?.code as ErrorCode | undefined) ?? 'DUMP_FAILED',
          `the safety backup of ${database} failed, so nothing was restored: ${failure?.message ?? result.status}`,
          { phase: 'dump', stderrTail: failure?.stderrTail },
        );
      }
      // One copy is enough to undo the restore; a storage that lacks it must not go unnoticed.
      const missing = artifact.destinations.filter((destination) => !destination.committed);
      return {
        id: artifact.id,
        warnings: [
          ...missing.map(
            (destination) =>
              `the safety backup ${artifact.id} is not in storage ${destination.storage}: ${destination.error ?? 'not written'}`,
          ),
          // (A dump user that may not read routine bodies: the database's routines are in neither.)
          ...(artifact.incomplete
            ? [`the safety backup ${artifact.id} is incomplete: ${artifact.incomplete}`]
            : []),
        ],
      };
    },
  };

  return {
    config,
    version: agentVersion,
    catalog,
    storages,
    backup: (request) => backupWith(targetConfig(request.targetName), request),
    planRestore: async (artifactId, toDatabase, openConnections) => {
      const { planRestore } = await import('./restore/plan-restore.ts');
      return (await planRestore(restoreDeps, { artifactId, toDatabase, openConnections })).plan;
    },
    restore: async (request) => (await restoreModule()).restoreArtifact(restoreDeps, request),
    async restoreToNewDatabase(request) {
      const { restoreArtifact } = await restoreModule();
      const result = await restoreArtifact(restoreDeps, { ...request, requireNew: true });
      return { database: result.database, bytes: result.storedBytes };
    },
    async planRetention(targetName, now = new Date()) {
      const input = { catalog, storages, targetName, target: targetConfig(targetName), now };
      return planTargetRetention(await withVerifiedHolds(input));
    },
    applyRetention(targetName, now = new Date()) {
      return applyTargetRetention({ catalog, storages, targetName, target: targetConfig(targetName), now });
    },
    sweep(graceMs, now = new Date()) {
      return sweepStorages({ storages, problems: catalog.problems(), graceMs, now });
    },
    async close() {
      await Promise.allSettled([...storages.values()].map((storage) => storage.close?.()));
    },
    async verify(artifactId, options = {}) {
      const { verifyArtifact } = await import('./verify/verify-artifact.ts');
      return verifyArtifact(
        {
          catalog,
          storages,
          engineFor: (name) => engineFor(engines, name),
          targets: config.targets,
          testServers: config.testServers,
        },
        { artifactId, signal: options.signal },
      );
    },
    async createSandbox(request) {
      const { createSandbox } = await import('./sandbox/create-sandbox.ts');
      return createSandbox({ ...sandboxDeps(), catalog, storages }, request);
    },
    listSandboxes: async () => (await sandboxModule()).listSandboxes(sandboxDeps()),
    extendSandbox: async (id, ttl) => (await sandboxModule()).extendSandbox(sandboxDeps(), id, ttl),
    destroySandbox: async (id) => (await sandboxModule()).destroySandbox(sandboxDeps(), id),
    async expireSandboxes(now = new Date()) {
      const { expireSandboxes } = await import('./sandbox/expire-sandboxes.ts');
      return expireSandboxes(sandboxDeps(), now);
    },
  };
}
