import type { RunRecord } from '@port-yard/shared';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import type { Agent } from '../main.ts';
import { checkRestoreRequest, type RestoreArtifactRequest } from '../restore/restore-artifact.ts';
import type { RunQueue } from '../runs/run-queue.ts';
import type { RunRegistry } from '../runs/run-registry.ts';

export interface RestoreRuns {
  /**
   * Checks the request (unknown artifact, missing or wrong confirmation, open connections,
   * target busy: rejects, nothing changes), then runs the restore in the background as a run of
   * kind `restore` with live progress. `onFinished` sees the final record.
   */
  start(
    request: Omit<RestoreArtifactRequest, 'signal' | 'onProgress'>,
    options?: { readonly requestedBy?: string; readonly onFinished?: (run: RunRecord) => void },
  ): Promise<RunRecord>;
  cancel(runId: string): boolean;
  /** Waits up to `graceMs` for running restores, then cancels them and waits for their cleanup. */
  shutdown(graceMs: number): Promise<void>;
}

export function createRestoreRuns(deps: {
  readonly agent: () => Agent;
  /** Holds the agent a restore started with open until it ends (a reload must not close it). */
  readonly retain?: (agent: Agent) => () => void;
  readonly registry: RunRegistry;
  readonly queue: RunQueue;
  readonly clock: () => Date;
}): RestoreRuns {
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const cancelReason = (reason: string) => new PortYardError('CANCELLED', reason, { phase: 'restore' });

  return {
    async start(request, options = {}) {
      const agent = deps.agent();
      const releaseAgent = deps.retain?.(agent) ?? (() => undefined);
      let hold: { release(): void } | undefined;
      let plan: Awaited<ReturnType<Agent['planRestore']>>;
      try {
        // The checks a restore makes first, answered now so the caller gets them as an error.
        plan = await agent.planRestore(request.artifactId, request.toDatabase);
        checkRestoreRequest(plan, request);
        hold = deps.queue.reserve(plan.target);
        if (!hold)
          throw new PortYardError(
            'CONFLICT',
            `target ${plan.target} is backing up or restoring right now: try again when that run ends`,
          );
      } catch (error) {
        releaseAgent();
        throw error;
      }
      const reserved = hold;
      const controller = new AbortController();
      const run = deps.registry.create(plan.target, 'manual', {
        kind: 'restore',
        status: 'running',
        startedAt: deps.clock().toISOString(),
        restore: {
          artifactId: plan.artifactId,
          database: plan.database,
          mode: plan.mode,
          warnings: plan.warnings,
          ...(options.requestedBy ? { requestedBy: options.requestedBy } : {}),
        },
      });
      const finish = (patch: Partial<RunRecord>): void => {
        const finished = deps.registry.update(run.id, {
          ...patch,
          finishedAt: deps.clock().toISOString(),
          progress: undefined,
        });
        options.onFinished?.(finished);
      };
      const done = agent
        .restore({
          ...request,
          signal: controller.signal,
          onProgress: (progress) => deps.registry.update(run.id, { progress }),
        })
        .then(
          (result) =>
            finish({
              status: 'succeeded',
              // The result's warnings: the plan's, and what the restore met (a copy passed over,
              // a storage that lacks the safety backup).
              restore: {
                ...run.restore!,
                safetyArtifactId: result.safetyArtifactId,
                warnings: result.warnings,
              },
              // The safety backup's id in the message too: the run history is where one looks for it.
              message: `restored ${result.artifactId} into ${result.database}${
                result.safetyArtifactId ? ` (safety backup: ${result.safetyArtifactId})` : ''
              }`,
            }),
          (error: unknown) =>
            finish({
              status: isPortYardError(error) && error.code === 'CANCELLED' ? 'cancelled' : 'failed',
              message: (error as Error).message,
            }),
        )
        .finally(() => {
          reserved.release();
          releaseAgent();
          running.delete(run.id);
        });
      running.set(run.id, { controller, done });
      return run;
    },
    cancel(runId) {
      const entry = running.get(runId);
      if (!entry) return false;
      entry.controller.abort(cancelReason('the restore was cancelled by a user'));
      return true;
    },
    async shutdown(graceMs) {
      const all = (): Promise<unknown> =>
        Promise.allSettled([...running.values()].map((entry) => entry.done));
      const timedOut = await Promise.race([
        all().then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
      ]);
      if (timedOut) {
        for (const entry of running.values())
          entry.controller.abort(cancelReason('the agent is shutting down'));
        await all();
      }
    },
  };
}
