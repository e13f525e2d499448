import type { PortYardConfig, TargetConfig } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import { artifactWithTarget } from '../artifacts/artifact-target.ts';
import { resolveDatabases } from '../backup/backup-target.ts';
import type { Catalog, CatalogEntry } from '../catalog/catalog.ts';
import { closestName } from '../config/closest-name.ts';
import { createEngineRegistry, engineFor } from '../engines/engine-registry.ts';
import type { Agent } from '../main.ts';
import { isSandboxId } from '../sandbox/sandbox-names.ts';
import { UsageError } from './cli-errors.ts';

/**
 * Names given on the command line (a target, a database, an artifact id, a sandbox id, a
 * channel), checked before anything is started: one that does not exist is a typo, a usage error
 * (exit 2), never a failed backup or restore (exit 1). Each message names what was asked for,
 * the closest existing name when one is close, and what exists.
 */

/** A few names, then how many in all: a config with 200 targets should not flood the terminal. */
const shownNames = 10;

export function nameList(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  if (names.length <= shownNames) return names.join(', ');
  return `${names.slice(0, shownNames).join(', ')}, … (${names.length} in all)`;
}

/** `: did you mean shop?` when one name is close, else nothing. */
export function didYouMean(name: string, names: readonly string[]): string {
  const guess = closestName(name, names);
  return guess === undefined ? '' : `: did you mean ${guess}?`;
}

/** The target's config; a UsageError when the config has no target of that name. */
export function requireTarget(config: PortYardConfig, name: string): TargetConfig {
  const target = Object.hasOwn(config.targets, name) ? config.targets[name] : undefined;
  if (target) return target;
  const known = Object.keys(config.targets);
  throw new UsageError(
    `no target named ${name} in the config${didYouMean(name, known)} (targets: ${nameList(known)})`,
  );
}

/**
 * `backup <target> --database <name>`: the name must be one the target covers. A listed database
 * is checked against the config; with `databases: all`, against the server's list (one query;
 * when the server cannot be asked, the backup itself reports why, so this check steps aside).
 */
export async function requireCoveredDatabase(
  targetName: string,
  target: TargetConfig,
  database: string,
): Promise<void> {
  if (target.databases !== 'all') {
    if (target.databases.includes(database)) return;
    throw notCovered(targetName, database, target.databases, 'targets.' + targetName + '.databases');
  }
  if (target.exclude?.includes(database))
    throw new UsageError(
      `database ${database} is excluded from target ${targetName} (targets.${targetName}.exclude)`,
    );
  let covered: string[];
  try {
    covered = await resolveDatabases(engineFor(createEngineRegistry(), target.engine), target);
  } catch {
    return;
  }
  if (!covered.includes(database)) throw notCovered(targetName, database, covered, 'on its server');
}

function notCovered(
  targetName: string,
  database: string,
  covered: readonly string[],
  where: string,
): UsageError {
  return new UsageError(
    `database ${database} is not one of target ${targetName}'s databases${didYouMean(database, covered)} (${where}: ${nameList(covered)})`,
  );
}

/**
 * The artifact from the catalog, and the target it belongs to in the config. An id in no storage
 * is a typo (exit 2), unless a storage could not be listed: then it may be there, and the
 * command fails (exit 1) saying so.
 */
export function requireArtifact(
  agent: Pick<Agent, 'config'> & { readonly catalog: Pick<Catalog, 'get' | 'list' | 'problems'> },
  artifactId: string,
): CatalogEntry {
  try {
    return artifactWithTarget(agent.catalog, agent.config.targets, artifactId).entry;
  } catch (error) {
    if (!isPortYardError(error) || error.code !== 'NOT_FOUND') throw error;
    if (agent.catalog.get(artifactId))
      throw new UsageError(`${error.message}: add the target back to restore, verify or deploy it`);
    const unlisted = agent.catalog
      .problems()
      .filter((problem) => problem.kind === 'listing-failed')
      .map((problem) => problem.storage);
    if (unlisted.length > 0)
      throw new PortYardError(
        'NOT_FOUND',
        `no artifact ${artifactId} in the storages that could be listed; it may be in ${[...new Set(unlisted)].join(', ')}`,
      );
    // Ids of one day differ in a few characters only: a guess must be closer than a name's.
    const ids = agent.catalog.list().map((entry) => entry.manifest.artifactId);
    const guess = closestName(artifactId, ids, 2);
    throw new UsageError(
      `${error.message}${guess === undefined ? '' : `: did you mean ${guess}?`} (${ids.length} artifact(s): see port-yard list)`,
    );
  }
}

/**
 * `sandbox extend|destroy <id>`: the id must be on a sandbox test server. Checked only when every
 * one of them answered: a server that cannot be read may hold it, and the command then fails
 * with that server's error.
 */
export async function requireSandbox(agent: Pick<Agent, 'listSandboxes'>, id: string): Promise<void> {
  // A malformed id is refused by the agent itself, before it asks any server.
  if (!isSandboxId(id)) return;
  const { items, problems } = await agent.listSandboxes();
  if (problems.length > 0 || items.some((item) => item.id === id)) return;
  const known = items.map((item) => item.id);
  throw new UsageError(
    `no sandbox ${id} on any sandbox test server${didYouMean(id, known)} (sandboxes: ${nameList(known)})`,
  );
}
