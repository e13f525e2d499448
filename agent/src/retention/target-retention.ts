import { Readable } from 'node:stream';
import { durationMs, isSafetyBackup, restoreOptionsOf, type TargetConfig } from '@port-yard/shared';
import { deleteArtifactCopy } from '../artifacts/artifact-actions.ts';
import { isPinned, type Catalog, type CatalogEntry } from '../catalog/catalog.ts';
import type { Storage } from '../storage/storage.ts';
import { planRetention } from './plan-retention.ts';
import type { RetentionPlan } from './retention-types.ts';
import { newestVerifiedHolds } from './verified-holds.ts';

/**
 * Retention of one target: each storage keeps its own copies by its own plan, and each database
 * of the target is its own series (a backup of `sales` never supersedes one of `crm`).
 */
export interface RetentionGroup {
  readonly storage: string;
  readonly database: string;
  readonly plan: RetentionPlan;
}

export interface AppliedRetentionGroup extends RetentionGroup {
  readonly deleted: readonly string[];
  readonly failed: readonly { readonly id: string; readonly error: string }[];
}

export interface TargetRetentionInput {
  readonly catalog: Catalog;
  readonly targetName: string;
  readonly target: TargetConfig;
  readonly now: Date;
  readonly pins?: ReadonlySet<string>;
  /** Kept with their reason besides the safety backups: each database's newest verified artifact. */
  readonly holds?: ReadonlyMap<string, string>;
}

/** The plan for every (storage, database) of a target; the deletion cap is shared by all of them. */
export function planTargetRetention(input: TargetRetentionInput): RetentionGroup[] {
  const policy = input.target.retention;
  if (!policy) return [];
  const groups = new Map<string, { storage: string; database: string; entries: CatalogEntry[] }>();
  const all = input.catalog.list({ target: input.targetName });
  for (const entry of all) {
    for (const location of entry.locations) {
      const key = `${location.storage}\u0000${entry.manifest.database}`;
      const group = groups.get(key) ?? {
        storage: location.storage,
        database: entry.manifest.database,
        entries: [],
      };
      group.entries.push(entry);
      groups.set(key, group);
    }
  }
  // One map for the target: the planner ignores ids that are not among a group's artifacts.
  const holds = safetyBackupHolds(all, input.target, input.now);
  for (const [id, reason] of input.holds ?? []) if (!holds.has(id)) holds.set(id, reason);
  let budget = policy.maxDeletePerRun;
  return [...groups.values()].map(({ storage, database, entries }) => {
    const plan = planRetention({
      artifacts: entries.map((entry) => ({
        id: entry.manifest.artifactId,
        startedAt: entry.manifest.startedAt,
      })),
      policy: { ...policy, maxDeletePerRun: Math.max(1, budget) },
      timeZone: input.target.timezone,
      now: input.now,
      pins: input.pins ?? pinnedIds(entries),
      holds,
    });
    const capped: RetentionPlan =
      budget > 0 ? plan : { ...plan, delete: [], deferred: [...plan.delete, ...plan.deferred] };
    budget -= capped.delete.length;
    return { storage, database, plan: capped };
  });
}

/**
 * Plans and deletes. Each artifact goes manifest first, then data: a crash in between leaves an
 * orphaned data object (found and swept later), never a manifest without its data.
 */
export async function applyTargetRetention(
  input: TargetRetentionInput & { readonly storages: ReadonlyMap<string, Storage> },
): Promise<AppliedRetentionGroup[]> {
  await spreadPins(input);
  const results: AppliedRetentionGroup[] = [];
  for (const group of planTargetRetention(await withVerifiedHolds(input))) {
    const deleted: string[] = [];
    const failed: { id: string; error: string }[] = [];
    for (const { id } of group.plan.delete) {
      const entry = input.catalog.get(id);
      const location = entry?.locations.find((candidate) => candidate.storage === group.storage);
      // Pinned while earlier deletions ran (a user who saw it in the plan): the pin wins.
      if (!entry || !location || isPinned(entry)) continue;
      try {
        await deleteArtifactCopy({ catalog: input.catalog, storages: input.storages }, id, location);
        deleted.push(id);
      } catch (error) {
        failed.push({ id, error: (error as Error).message });
      }
    }
    results.push({ ...group, deleted, failed });
  }
  return results;
}

/**
 * A pin is a sidecar beside each copy, written where the artifact was known when it was pinned:
 * pinned while one storage could not be reached, it is only in the others, and when those are
 * the ones unreachable at a later start, that copy looks unpinned and may be deleted. So each
 * pass first copies a pin to every copy of a pinned artifact that lacks it (best effort: a
 * storage that cannot take it now gets it at a later pass).
 */
async function spreadPins(
  input: TargetRetentionInput & { readonly storages: ReadonlyMap<string, Storage> },
): Promise<void> {
  for (const entry of input.catalog.list({ target: input.targetName })) {
    const pinnedIn = entry.locations.find((location) => location.sidecars?.pin !== undefined);
    if (!pinnedIn) continue;
    const missing = entry.locations.filter((location) => location.sidecars?.pin === undefined);
    if (missing.length === 0) continue;
    const from = input.storages.get(pinnedIn.storage);
    const body = await from
      ?.get(pinnedIn.sidecars!.pin!)
      .then(async (stream) => Buffer.concat((await stream.toArray()) as Buffer[]))
      .catch(() => undefined);
    if (!body) continue;
    for (const location of missing) {
      const storage = input.storages.get(location.storage);
      const key = pinnedIn.sidecars!.pin!;
      const written = await storage
        ?.put(key, Readable.from([body]))
        .then(() => true)
        .catch(() => false);
      if (written) input.catalog.setSidecar(entry.manifest.artifactId, location.storage, 'pin', key);
    }
  }
}

/** `input` with each database's newest verified artifact held (see `newestVerifiedHolds`). */
export async function withVerifiedHolds(
  input: TargetRetentionInput & { readonly storages: ReadonlyMap<string, Storage> },
): Promise<TargetRetentionInput> {
  const entries = input.catalog.list({ target: input.targetName });
  const verified = await newestVerifiedHolds({ catalog: input.catalog, storages: input.storages }, entries);
  return { ...input, holds: new Map([...(input.holds ?? []), ...verified]) };
}

function pinnedIds(entries: readonly CatalogEntry[]): Set<string> {
  return new Set(entries.filter(isPinned).map((entry) => entry.manifest.artifactId));
}

/**
 * Safety backups younger than `restore.keepSafetyBackups` (default 7d): the state a restore
 * replaced must outlive the restore, even when a backup after it falls into the same bucket.
 */
function safetyBackupHolds(
  entries: readonly CatalogEntry[],
  target: TargetConfig,
  now: Date,
): Map<string, string> {
  const holds = new Map<string, string>();
  const keep = restoreOptionsOf(target).keepSafetyBackups;
  const keepMs = keep === false ? undefined : durationMs(keep);
  if (keepMs === undefined) return holds;
  for (const { manifest } of entries) {
    if (!isSafetyBackup(manifest.labels)) continue;
    const age = now.getTime() - Date.parse(manifest.startedAt);
    if (age < keepMs) holds.set(manifest.artifactId, `safety backup, kept ${keep}`);
  }
  return holds;
}
