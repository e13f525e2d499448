import type { Storage } from '../storage/storage.ts';
import type { CatalogProblem } from './catalog-scan.ts';

/**
 * Removes leftovers of interrupted writes, older than `graceMs`: each storage's temporary data,
 * and data objects the catalog found without a manifest. Returns what it removed, as
 * `storage:key`. Foreign files and corrupt manifests are never touched: they may be someone's.
 */
export async function sweepStorages(input: {
  readonly storages: ReadonlyMap<string, Storage>;
  readonly problems: readonly CatalogProblem[];
  readonly graceMs: number;
  readonly now: Date;
}): Promise<string[]> {
  const removed: string[] = [];
  for (const storage of input.storages.values()) {
    for (const key of await storage.sweepTemporary(input.graceMs)) removed.push(`${storage.name}:${key}`);
  }
  for (const problem of input.problems) {
    if (problem.kind !== 'orphan-data' || !problem.modifiedAt) continue;
    if (input.now.getTime() - problem.modifiedAt.getTime() < input.graceMs) continue;
    const storage = input.storages.get(problem.storage);
    if (!storage) continue;
    await storage.delete(problem.key);
    removed.push(`${storage.name}:${problem.key}`);
  }
  return removed;
}
