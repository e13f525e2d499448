import { describe, expect, it } from 'vitest';
import type { BackupRunResult } from '@port-yard/shared';
import type { Daemon } from '../daemon/daemon.ts';
import { createRunRegistry } from '../runs/run-registry.ts';
import { createAgentMetrics } from './metrics-registry.ts';

function metricsOf(registry = createRunRegistry()) {
  const daemon = {
    registry,
    status: () => [],
    agent: () => ({ catalog: { list: () => [] } }),
  } as unknown as Pick<Daemon, 'agent' | 'status' | 'registry'>;
  return { registry, metrics: createAgentMetrics(daemon) };
}

const result = (storedBytes: number, committed: boolean[]): BackupRunResult => ({
  runId: 'r',
  target: 'shop',
  status: 'succeeded',
  startedAt: '2026-01-01T00:00:00Z',
  finishedAt: '2026-01-01T00:00:01Z',
  artifacts: [
    {
      id: 'a',
      database: 'sales',
      rawBytes: 1,
      storedBytes,
      sha256: 'x',
      destinations: committed.map((ok, index) => ({ storage: `s${index}`, committed: ok })),
    },
  ],
  skipped: [],
  failures: [],
});

async function value(metrics: ReturnType<typeof metricsOf>['metrics'], name: string) {
  return (await metrics.registry.getSingleMetric(name)!.get()).values;
}

describe('run metrics', () => {
  it('counts each run once when it ends, and the bytes of every committed copy', async () => {
    const { registry, metrics } = metricsOf();
    const run = registry.create('shop', 'manual');
    registry.update(run.id, { status: 'running' });
    registry.update(run.id, { status: 'succeeded', result: result(100, [true, true, false]) });
    registry.update(run.id, { status: 'succeeded', retention: { deleted: 1, deferred: 0, failed: 0 } });
    registry.create('shop', 'schedule', { status: 'refused' });
    expect(await value(metrics, 'port_yard_runs_total')).toEqual([
      { value: 1, labels: { target: 'shop', status: 'succeeded' } },
      { value: 1, labels: { target: 'shop', status: 'refused' } },
    ]);
    expect((await value(metrics, 'port_yard_bytes_written_total'))[0]!.value).toBe(200);
    metrics.close();
    registry.create('shop', 'schedule', { status: 'refused' });
    expect((await value(metrics, 'port_yard_runs_total'))[1]!.value).toBe(1);
  });

  it('counts runs that ended before the metrics were created', async () => {
    const registry = createRunRegistry();
    const run = registry.create('shop', 'manual');
    registry.update(run.id, { status: 'failed' });
    const { metrics } = metricsOf(registry);
    expect(await value(metrics, 'port_yard_runs_total')).toEqual([
      { value: 1, labels: { target: 'shop', status: 'failed' } },
    ]);
  });
});
