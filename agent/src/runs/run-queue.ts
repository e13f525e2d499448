import type { RunRecord, RunTrigger } from '@port-yard/shared';
import { PortYardError } from '@port-yard/shared';
import { timerDelay } from '../platform/timer-delay.ts';
import type { RunRegistry } from './run-registry.ts';

export type RunExecutor = (run: RunRecord, signal: AbortSignal) => Promise<void>;

export interface RunQueue {
  /** Queues a run, or records it as refused when the target already has one queued or running. */
  submit(target: string, trigger: RunTrigger): RunRecord;
  /** Aborts a queued or running run; false when it is not active. */
  cancel(runId: string, reason?: string): boolean;
  /** Targets with a run queued or running. */
  active(): ReadonlySet<string>;
  /**
   * Holds a target for work outside the queue (a restore): its backups are refused until
   * `release` is called. Undefined when the target is busy.
   */
  reserve(target: string): { release(): void } | undefined;
  /** Stops taking runs; waits up to `graceMs` for running ones, then aborts them and waits for them to clean up. */
  shutdown(graceMs: number): Promise<void>;
}

/**
 * At most `maxConcurrent` runs at once over all targets, and one run per target at a time. The
 * executor owns the run's outcome in the registry; the queue only starts, refuses and aborts.
 */
export function createRunQueue(options: {
  readonly maxConcurrent: number;
  readonly registry: RunRegistry;
  readonly execute: RunExecutor;
  /**
   * How long a run of `target` may wait for a free slot (its `timeout`), else undefined: a run
   * that waits longer fails. Without it, runs of other targets that hang (with no
   * timeout of their own) would hold every slot, and this target's runs would wait, each later
   * one refused, with no failure reported.
   */
  readonly queueTimeout?: (target: string) => { readonly ms: number; readonly text: string } | undefined;
}): RunQueue {
  const { registry } = options;
  const waiting: RunRecord[] = [];
  const controllers = new Map<string, AbortController>();
  const running = new Map<string, Promise<void>>();
  const busyTargets = new Set<string>();
  const deadlines = new Map<string, ReturnType<typeof setTimeout>>();
  let closed = false;

  /** Takes a run that has not started off the queue; false when it is not waiting. */
  const unqueue = (runId: string): RunRecord | undefined => {
    const index = waiting.findIndex((run) => run.id === runId);
    if (index < 0) return undefined;
    const [run] = waiting.splice(index, 1);
    clearTimeout(deadlines.get(runId));
    deadlines.delete(runId);
    controllers.delete(runId);
    busyTargets.delete(run!.target);
    return run;
  };

  const pump = (): void => {
    while (!closed && running.size < options.maxConcurrent && waiting.length > 0) {
      const run = waiting.shift()!;
      clearTimeout(deadlines.get(run.id));
      deadlines.delete(run.id);
      const controller = controllers.get(run.id)!;
      const task = options
        .execute(run, controller.signal)
        .catch(() => undefined)
        .finally(() => {
          running.delete(run.id);
          controllers.delete(run.id);
          busyTargets.delete(run.target);
          pump();
        });
      running.set(run.id, task);
    }
  };

  return {
    submit(target, trigger) {
      if (closed)
        return registry.create(target, trigger, { status: 'refused', message: 'the agent is shutting down' });
      if (busyTargets.has(target)) {
        return registry.create(target, trigger, {
          status: 'refused',
          message: 'the previous run (or a restore) of this target is still going',
        });
      }
      const run = registry.create(target, trigger);
      busyTargets.add(target);
      controllers.set(run.id, new AbortController());
      waiting.push(run);
      const timeout = options.queueTimeout?.(target);
      if (timeout) {
        const timer = setTimeout(() => {
          if (!unqueue(run.id)) return;
          const holders = [...new Set([...running.keys()].map((id) => registry.get(id)?.target))];
          registry.update(run.id, {
            status: 'failed',
            message: `the run waited longer than its timeout (${timeout.text}) for a free slot and did not start: all ${options.maxConcurrent} (maxConcurrent) were taken by runs of ${holders.filter(Boolean).join(', ') || 'other work'}`,
            finishedAt: new Date().toISOString(),
          });
        }, timerDelay(timeout.ms));
        timer.unref();
        deadlines.set(run.id, timer);
      }
      pump();
      return run;
    },
    cancel(runId, reason = 'cancelled by a user') {
      const controller = controllers.get(runId);
      if (!controller) return false;
      if (unqueue(runId)) {
        registry.update(runId, {
          status: 'cancelled',
          message: reason,
          finishedAt: new Date().toISOString(),
        });
        return true;
      }
      controller.abort(new PortYardError('CANCELLED', reason));
      return true;
    },
    active: () => new Set(busyTargets),
    reserve(target) {
      if (closed || busyTargets.has(target)) return undefined;
      busyTargets.add(target);
      let held = true;
      return {
        release() {
          if (held) busyTargets.delete(target);
          held = false;
        },
      };
    },
    async shutdown(graceMs) {
      closed = true;
      for (const run of [...waiting]) {
        unqueue(run.id);
        registry.update(run.id, {
          status: 'cancelled',
          message: 'the agent shut down before the run started',
          finishedAt: new Date().toISOString(),
        });
      }
      const all = (): Promise<unknown> => Promise.allSettled([...running.values()]);
      const timedOut = await Promise.race([
        all().then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), graceMs).unref()),
      ]);
      if (timedOut) {
        for (const controller of controllers.values())
          controller.abort(new PortYardError('CANCELLED', 'the agent is shutting down'));
        await all();
      }
    },
  };
}
