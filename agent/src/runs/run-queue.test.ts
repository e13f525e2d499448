import { describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { createRunQueue } from './run-queue.ts';
import { createRunRegistry } from './run-registry.ts';

/** A controllable executor: each run waits until the test releases it or its signal aborts. */
function harness(maxConcurrent: number, queueTimeoutMs?: Record<string, number>) {
  const registry = createRunRegistry();
  const started: string[] = [];
  const releases = new Map<string, () => void>();
  const queue = createRunQueue({
    maxConcurrent,
    registry,
    queueTimeout: (target) => {
      const ms = queueTimeoutMs?.[target];
      return ms === undefined ? undefined : { ms, text: `${ms}ms` };
    },
    execute: (run: RunRecord, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        started.push(run.target);
        registry.update(run.id, { status: 'running' });
        const finish = (status: 'succeeded' | 'cancelled') => {
          registry.update(run.id, { status, finishedAt: new Date().toISOString() });
          resolve();
        };
        releases.set(run.target, () => finish('succeeded'));
        signal.addEventListener('abort', () => finish('cancelled'));
      }),
  });
  const release = async (target: string) => {
    releases.get(target)!();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { registry, queue, started, release };
}

describe('run queue', () => {
  it('runs at most maxConcurrent at once, in order', async () => {
    const { queue, started, release } = harness(2);
    for (const target of ['a', 'b', 'c', 'd']) queue.submit(target, 'schedule');
    expect(started).toEqual(['a', 'b']);
    await release('a');
    expect(started).toEqual(['a', 'b', 'c']);
    await release('b');
    await release('c');
    expect(started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a second run of a busy target and records why', () => {
    const { queue, registry } = harness(2);
    const first = queue.submit('a', 'schedule');
    const second = queue.submit('a', 'schedule');
    expect(first.status).toBe('queued');
    expect(second).toMatchObject({
      status: 'refused',
      message: 'the previous run (or a restore) of this target is still going',
    });
    expect(registry.list({ target: 'a' }).map((run) => run.status)).toEqual(['refused', 'running']);
  });

  it('reserves an idle target for a restore: its backups are refused until released', () => {
    const { queue } = harness(2);
    const hold = queue.reserve('a');
    expect(hold).toBeDefined();
    expect(queue.reserve('a')).toBeUndefined();
    expect(queue.submit('a', 'schedule').status).toBe('refused');
    hold!.release();
    hold!.release();
    expect(queue.submit('a', 'schedule').status).toBe('queued');
    expect(queue.reserve('a')).toBeUndefined();
  });

  it('cancels a queued run without starting it, and a running one through its signal', async () => {
    const { queue, registry, started } = harness(1);
    const running = queue.submit('a', 'manual');
    const waiting = queue.submit('b', 'manual');
    expect(queue.cancel(waiting.id)).toBe(true);
    expect(registry.get(waiting.id)!.status).toBe('cancelled');
    expect(queue.cancel(running.id)).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    expect(registry.get(running.id)!.status).toBe('cancelled');
    expect(started).toEqual(['a']);
    expect(queue.cancel('nope')).toBe(false);
  });

  it('on shutdown lets running runs finish within the grace period, then aborts them', async () => {
    const { queue, registry, release } = harness(2);
    const quick = queue.submit('a', 'schedule');
    const slow = queue.submit('b', 'schedule');
    const queued = queue.submit('c', 'schedule');
    const stopping = queue.shutdown(200);
    await release('a');
    await stopping;
    expect(registry.get(quick.id)!.status).toBe('succeeded');
    expect(registry.get(slow.id)!.status).toBe('cancelled');
    expect(registry.get(queued.id)!.status).toBe('cancelled');
    expect(queue.submit('a', 'manual').status).toBe('refused');
  });

  it('counts failures since startup per target and numbers events for resuming', () => {
    const { registry } = harness(1);
    const run = registry.create('x', 'manual');
    registry.update(run.id, { status: 'failed' });
    expect(registry.failuresSinceStartup('x')).toBe(1);
    expect(registry.eventsAfter(1).map((event) => event.run.status)).toEqual(['failed']);
  });

  // A run of another target that hangs (no timeout of its own) holds the only slot: a target
  // with a timeout must not wait behind it forever, each later run refused, nothing reported.
  it("fails a run that waits for a slot longer than its target's timeout, and frees its target", async () => {
    const { registry, queue, started, release } = harness(1, { b: 40 });
    queue.submit('a', 'schedule');
    const waiting = queue.submit('b', 'schedule');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(started).toEqual(['a']);
    expect(registry.get(waiting.id)).toMatchObject({
      status: 'failed',
      message:
        'the run waited longer than its timeout (40ms) for a free slot and did not start: all 1 (maxConcurrent) were taken by runs of a',
    });
    expect(queue.active()).toEqual(new Set(['a']));
    // Its next run is queued again (not refused), and starts once the slot is free.
    const next = queue.submit('b', 'schedule');
    expect(next.status).toBe('queued');
    await release('a');
    expect(started).toEqual(['a', 'b']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(registry.get(next.id)?.status).toBe('running'); // started in time: no deadline left
  });
});
