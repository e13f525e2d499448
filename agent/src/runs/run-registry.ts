import { randomUUID } from 'node:crypto';
import type { RunEvent, RunRecord, RunTrigger } from '@port-yard/shared';

export interface RunRegistry {
  create(target: string, trigger: RunTrigger, patch?: Partial<RunRecord>): RunRecord;
  update(id: string, patch: Partial<Omit<RunRecord, 'id' | 'target' | 'trigger'>>): RunRecord;
  get(id: string): RunRecord | undefined;
  /** Newest first. */
  list(filter?: { target?: string }): RunRecord[];
  /** Backup runs that ended failed or partial since the agent started, per target. */
  failuresSinceStartup(target: string): number;
  /** Events after `afterSeq` that are still held, then every new one, until `signal` aborts. */
  subscribe(listener: (event: RunEvent) => void): () => void;
  eventsAfter(afterSeq: number): RunEvent[];
}

const finished = new Set(['succeeded', 'partial', 'failed', 'skipped', 'cancelled', 'refused']);

/**
 * Every run since startup, in memory (Port-Yard keeps no database): bounded to the newest
 * `historyLimit` finished runs, with numbered change events for live consoles.
 */
export function createRunRegistry(
  options: { historyLimit?: number; eventLimit?: number; clock?: () => Date } = {},
): RunRegistry {
  const historyLimit = options.historyLimit ?? 1000;
  const eventLimit = options.eventLimit ?? 2000;
  const clock = options.clock ?? (() => new Date());
  const runs = new Map<string, RunRecord>();
  const failures = new Map<string, number>();
  const events: RunEvent[] = [];
  const listeners = new Set<(event: RunEvent) => void>();
  let seq = 0;

  const publish = (run: RunRecord): void => {
    const event = { seq: ++seq, run };
    events.push(event);
    if (events.length > eventLimit) events.splice(0, events.length - eventLimit);
    for (const listener of listeners) listener(event);
  };

  const trim = (): void => {
    const ended = [...runs.values()].filter((run) => finished.has(run.status));
    for (const run of ended.slice(0, Math.max(0, ended.length - historyLimit))) runs.delete(run.id);
  };

  return {
    create(target, trigger, patch = {}) {
      const run: RunRecord = {
        id: randomUUID(),
        target,
        trigger,
        status: 'queued',
        queuedAt: clock().toISOString(),
        ...patch,
      };
      runs.set(run.id, run);
      publish(run);
      trim();
      return run;
    },
    update(id, patch) {
      const current = runs.get(id);
      if (!current) throw new Error(`no run ${id}`);
      const next: RunRecord = { ...current, ...patch };
      runs.set(id, next);
      if (
        next.kind !== 'restore' &&
        patch.status &&
        (patch.status === 'failed' || patch.status === 'partial') &&
        current.status !== patch.status
      ) {
        failures.set(next.target, (failures.get(next.target) ?? 0) + 1);
      }
      publish(next);
      if (patch.status && finished.has(patch.status)) trim();
      return next;
    },
    get: (id) => runs.get(id),
    list(filter = {}) {
      return [...runs.values()]
        .filter((run) => filter.target === undefined || run.target === filter.target)
        .reverse();
    },
    failuresSinceStartup: (target) => failures.get(target) ?? 0,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    eventsAfter: (afterSeq) => events.filter((event) => event.seq > afterSeq),
  };
}
