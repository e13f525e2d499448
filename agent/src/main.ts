import type { Manifest, PortYardConfig, TargetConfig, VerificationResult } from '@port-yard/shared';
import { artifactFolder, manifestKey } from './artifacts/artifact-keys.ts';
import { PortYardError } from '@port-yard/shared';
import { agentVersion } from './agent-version.ts';
import { backupTarget, type BackupTargetRequest } from './backup/backup-target.ts';
import { createCatalog, type Catalog } from './catalog/catalog.ts';
import { createEngineRegistry, engineFor } from './engines/engine-registry.ts';
import { restoreToNewDatabase, type RestoreToNewDatabaseRequest } from './restore/restore-to-new-database.ts';
import { createStorage } from './storage/storage-factory.ts';
import { sweepStorages } from './catalog/sweep-storages.ts';
import {
  applyTargetRetention,
  planTargetRetention,
  type AppliedRetentionGroup,
  type RetentionGroup,
} from './retention/target-retention.ts';
import type { Storage } from './storage/storage.ts';
import { verifyArtifact } from './verify/verify-artifact.ts';

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
  restoreToNewDatabase(request: RestoreToNewDatabaseRequest): ReturnType<typeof restoreToNewDatabase>;
  /**
   * Restore verification: restores the artifact into a scratch database on its target's
   * `verify.server`, compares tables and row counts with the manifest, drops the scratch database
   * and stores the result as `<id>.verification.json` next to every copy. A failed verification
   * (damaged artifact, wrong tables or counts) resolves with `ok: false`; a bad request (no
   * verify.server, unknown artifact), an unreachable test server or a cancel rejects.
   */
  verify(artifactId: string, options?: { readonly signal?: AbortSignal }): Promise<VerificationResult>;
  /** What retention would delete now for a target, per storage and database, with reasons. */
  planRetention(targetName: string, now?: Date): RetentionGroup[];
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

  return {
    config,
    version: agentVersion,
    catalog,
    storages,
    async backup(request) {
      const target = targetConfig(request.targetName);
      const destinations = target.destinations.map((name) => storages.get(name)!);
      const onArtifact = (manifest: Manifest, committedIn: readonly string[]): void => {
        const folder = artifactFolder(manifest.target, manifest.database);
        const locations = committedIn.map((storage) => ({
          storage,
          dataKey: `${folder}/${manifest.dataObject}`,
          manifestKey: manifestKey(manifest.target, manifest.database, manifest.artifactId),
        }));
        catalog.add(manifest, locations);
      };
      const deps = { engine: engineOf(target), storages: destinations, agentVersion, onArtifact };
      return backupTarget(deps, { ...request, target });
    },
    planRetention(targetName, now = new Date()) {
      return planTargetRetention({ catalog, targetName, target: targetConfig(targetName), now });
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
    restoreToNewDatabase(request) {
      return restoreToNewDatabase(
        { catalog, storages, engineFor: engineOf, targets: config.targets },
        request,
      );
    },
    verify(artifactId, options = {}) {
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
  };
}
