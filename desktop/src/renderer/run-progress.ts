import type { RunRecord, TargetStatus } from '@port-yard/shared';
import { durationMs } from '@port-yard/shared/duration';

/** A run's progress as a percentage, or undefined when there is no total to compare with yet. */
export function runPercent(run: RunRecord): number | undefined {
  const progress = run.progress;
  if (!progress) return undefined;
  if (progress.totalStoredBytes !== undefined && progress.totalStoredBytes > 0)
    return Math.min(100, Math.round((progress.storedBytes / progress.totalStoredBytes) * 100));
  if (progress.expectedRawBytes !== undefined && progress.expectedRawBytes > 0)
    return Math.min(99, Math.round((progress.rawBytes / progress.expectedRawBytes) * 100));
  return undefined;
}

/** What a run is doing, in a few words: `dump shop`, `restore into shop_copy`. */
export function runLabel(run: RunRecord): string {
  if (run.kind === 'restore') {
    const phase = run.progress?.phase ?? run.status;
    return `${phase === 'restore' ? 'restore' : phase} → ${run.restore?.database ?? ''}`;
  }
  const phase = run.progress?.phase ?? run.status;
  return run.progress ? `${phase} ${run.progress.database}` : phase;
}

export type Health = 'running' | 'failing' | 'stale' | 'offline' | 'ok' | 'never';

/**
 * Whether the newest backup is older than `maxAge` by now. The agent's `stale` is as of the
 * status it sent, which comes again only when one of the target's runs changes: a target whose
 * backups stopped (a hung dump, a schedule that no longer fires) sends nothing, so the console
 * must see the time pass itself.
 */
export function pastMaxAge(status: TargetStatus, now: number): boolean {
  const maxAge = durationMs(status.maxAge);
  if (maxAge === undefined || status.lastSuccessAt === undefined) return false;
  return now - Date.parse(status.lastSuccessAt) > maxAge;
}

/**
 * One word for a target's state, worst first: failing (last run failed), stale, running, ok.
 * `offline` when its agent cannot be reached: what it last said may no longer hold.
 */
export function targetHealth(status: TargetStatus, agentOnline = true, now = Date.now()): Health {
  if (!agentOnline) return 'offline';
  const failedLast =
    status.lastFailureAt !== undefined &&
    (status.lastSuccessAt === undefined || status.lastFailureAt > status.lastSuccessAt);
  if (failedLast) return 'failing';
  if (status.stale || pastMaxAge(status, now)) return 'stale';
  if (status.running) return 'running';
  return status.lastSuccessAt ? 'ok' : 'never';
}

export const healthType: Record<Health, 'error' | 'warning' | 'info' | 'success' | 'default'> = {
  failing: 'error',
  stale: 'warning',
  offline: 'warning',
  running: 'info',
  ok: 'success',
  never: 'default',
};
