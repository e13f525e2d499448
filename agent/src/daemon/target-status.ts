import type { TargetConfig, TargetStatus } from '@port-yard/shared';
import { nominalDurationSeconds, parseDuration } from '@port-yard/shared';
import type { Catalog } from '../catalog/catalog.ts';
import type { RunRegistry } from '../runs/run-registry.ts';
import { newestNotInFuture } from './newest-artifact.ts';

export interface TargetStatusInput {
  readonly name: string;
  readonly target: TargetConfig;
  readonly catalog: Catalog;
  readonly registry: RunRegistry;
  readonly nextRunAt?: Date;
  readonly startedAt: Date;
  readonly now: Date;
}

/**
 * One target's status. Stale (the RPO is missed) when the newest artifact (not dated in the
 * future) is older than maxAge, or when there is none yet and the agent itself has been up
 * longer than maxAge.
 */
export function targetStatus(input: TargetStatusInput): TargetStatus {
  const { name, target, catalog, registry, now } = input;
  const newest = newestNotInFuture(catalog, name, now);
  const runs = registry.list({ target: name });
  const lastFailure = runs.find(
    (run) => run.kind !== 'restore' && (run.status === 'failed' || run.status === 'partial'),
  );
  const running = runs.find((run) => run.status === 'running' || run.status === 'queued');
  const maxAge = target.maxAge ? parseDuration(target.maxAge) : undefined;
  const since = newest ? new Date(newest.startedAt) : input.startedAt;
  const stale =
    maxAge !== undefined && now.getTime() - since.getTime() > nominalDurationSeconds(maxAge) * 1000;
  return {
    name,
    engine: target.engine,
    schedule: target.schedule,
    timezone: target.timezone,
    nextRunAt: input.nextRunAt?.toISOString(),
    lastSuccessAt: newest?.startedAt,
    lastArtifactId: newest?.artifactId,
    lastFailureAt: lastFailure?.finishedAt,
    lastFailureMessage: lastFailure?.message,
    failuresSinceStartup: registry.failuresSinceStartup(name),
    maxAge: target.maxAge,
    stale,
    running,
  };
}
