import type { Storage } from '../storage/storage.ts';
import { manifestKeyFor } from '../artifacts/artifact-keys.ts';
import type { CatalogProblem } from './catalog-scan.ts';

/**
 * Removes leftovers of interrupted writes, older than `graceMs`: each storage's temporary data,
 * and data objects the catalog found without a manifest. Returns what it removed, as
 * `storage:key`. Foreign files and corrupt manifests are never touched: they may be someone's.
 * A storage the catalog could not list is left alone: what is in it is unknown.
 */
export async function sweepStorages(input: {
  readonly storages: ReadonlyMap<string, Storage>;
  readonly problems: readonly CatalogProblem[];
  readonly graceMs: number;
  readonly now: Date;
}): Promise<string[]> {
  const removed: string[] = [];
  const unlisted = new Set(
    input.problems.filter((problem) => problem.kind === 'listing-failed').map((problem) => problem.storage),
  );
  for (const storage of input.storages.values()) {
    if (unlisted.has(storage.name)) continue;
    for (const key of await storage.sweepTemporary(input.graceMs)) removed.push(`${storage.name}:${key}`);
  }
  for (const problem of input.problems) {
    if (problem.kind !== 'orphan-data' || !problem.modifiedAt) continue;
    if (input.now.getTime() - problem.modifiedAt.getTime() < input.graceMs) continue;
    const storage = input.storages.get(problem.storage);
    if (!storage || !(await isStillOrphan(storage, problem.key))) continue;
    await storage.delete(problem.key);
    removed.push(`${storage.name}:${problem.key}`);
  }
  return removed;
}

/**
 * Whether the artifact `key` belongs to still has no manifest file: the problems may be older than
 * a commit, and data beside a manifest is an artifact, however unreadable that manifest is.
 */
async function isStillOrphan(storage: Storage, key: string): Promise<boolean> {
  const manifestKey = manifestKeyFor(key);
  return manifestKey !== undefined && (await storage.stat(manifestKey)) === undefined;
}
