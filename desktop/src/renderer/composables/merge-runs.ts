import type { RunRecord } from '@port-yard/shared';

/**
 * A target's run history: the runs fetched for it, with the live ones (newer states of the same
 * runs, and runs begun since) laid over them by id; newest first.
 */
export function mergeRuns(fetched: readonly RunRecord[], live: readonly RunRecord[]): RunRecord[] {
  const byId = new Map<string, RunRecord>();
  for (const run of fetched) byId.set(run.id, run);
  for (const run of live) byId.set(run.id, run);
  return [...byId.values()].sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
}
