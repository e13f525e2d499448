import type { Manifest } from '@port-yard/shared';
import type { Daemon } from '../daemon/daemon.ts';

/** What the per-target gauges report, read from the daemon at scrape time. */
export interface TargetFacts {
  readonly target: string;
  /** When the newest backup finished (seconds since the epoch), 0 when there is none yet. */
  readonly lastSuccessSeconds: number;
  readonly lastDurationSeconds?: number;
  readonly lastSizeBytes?: number;
  readonly stale: boolean;
  readonly failuresSinceStart: number;
}

/**
 * Per target, from the status the console shows and the catalog: the "last" backup is the run
 * that made the newest artifact (all its databases), so the numbers survive a restart of the
 * agent, as the artifacts in storage do.
 */
export function targetFacts(daemon: Pick<Daemon, 'agent' | 'status'>): TargetFacts[] {
  const catalog = daemon.agent().catalog;
  return daemon.status().map((status) => {
    const artifacts = catalog.list({ target: status.name }).map((entry) => entry.manifest);
    const newest = artifacts[0];
    const base = {
      target: status.name,
      stale: status.stale,
      failuresSinceStart: status.failuresSinceStartup,
    };
    if (!newest) return { ...base, lastSuccessSeconds: 0 };
    const run = artifacts.filter((manifest) => manifest.runId === newest.runId);
    const started = Math.min(...run.map((manifest) => seconds(manifest.startedAt)));
    const finished = Math.max(...run.map((manifest) => seconds(manifest.finishedAt)));
    return {
      ...base,
      lastSuccessSeconds: finished,
      lastDurationSeconds: finished - started,
      lastSizeBytes: sum(run, (manifest) => manifest.storedBytes),
    };
  });
}

const seconds = (iso: string): number => new Date(iso).getTime() / 1000;

function sum(manifests: readonly Manifest[], of: (manifest: Manifest) => number): number {
  return manifests.reduce((total, manifest) => total + of(manifest), 0);
}
