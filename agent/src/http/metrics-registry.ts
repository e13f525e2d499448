import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { RunRecord } from '@port-yard/shared';
import type { Daemon } from '../daemon/daemon.ts';
import type { Route } from './api-server.ts';
import { targetFacts, type TargetFacts } from './metrics-target-facts.ts';

const finalStatuses = new Set(['succeeded', 'partial', 'failed', 'skipped', 'cancelled', 'refused']);
/** Run ids already counted; a final run is never updated again, so only recent ids matter. */
const countedLimit = 10_000;

export interface AgentMetrics {
  readonly registry: Registry;
  readonly route: Route;
  /** Stops following run events. */
  close(): void;
}

/**
 * Prometheus metrics of one agent API, in a registry of its own (never prom-client's global one:
 * two servers in one process, as in tests, must not share or double-register series). Gauges are
 * read from the daemon at scrape time; the run counters follow the run registry's events.
 */
export function createAgentMetrics(daemon: Pick<Daemon, 'agent' | 'status' | 'registry'>): AgentMetrics {
  const registry = new Registry();
  // The event-loop lag is sampled once a second, not every 10 ms (the default): an idle agent
  // otherwise woke 100 times a second, about 0.8% of a core for nothing.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1000 });
  // One read of the daemon per scrape, shared by the per-target gauges.
  let snapshot: { at: number; facts: TargetFacts[] } | undefined;
  const facts = (): TargetFacts[] => {
    if (!snapshot || Date.now() - snapshot.at > 1000)
      snapshot = { at: Date.now(), facts: targetFacts(daemon) };
    return snapshot.facts;
  };
  const perTarget = (name: string, help: string, value: (fact: TargetFacts) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['target'],
      registers: [registry],
      collect() {
        // Reset first: a target removed by a config reload must disappear, not freeze.
        this.reset();
        for (const fact of facts()) {
          const current = value(fact);
          if (current !== undefined) this.set({ target: fact.target }, current);
        }
      },
    });
  perTarget(
    'port_yard_last_success_timestamp_seconds',
    'When the run that made the newest artifact finished (0: no artifact yet).',
    (fact) => fact.lastSuccessSeconds,
  );
  perTarget(
    'port_yard_last_duration_seconds',
    'How long the run that made the newest artifact took.',
    (fact) => fact.lastDurationSeconds,
  );
  perTarget(
    'port_yard_last_size_bytes',
    'Stored bytes of the newest artifacts (every database of that run).',
    (fact) => fact.lastSizeBytes,
  );
  perTarget('port_yard_stale', '1 when the newest artifact is older than the target maxAge.', (fact) =>
    fact.stale ? 1 : 0,
  );
  perTarget(
    'port_yard_failures_since_start',
    'Runs that ended failed or partial since the agent started.',
    (fact) => fact.failuresSinceStart,
  );
  new Gauge({
    name: 'port_yard_running_jobs',
    help: 'Runs backing up right now.',
    registers: [registry],
    collect() {
      this.set(daemon.registry.list().filter((run) => run.status === 'running').length);
    },
  });
  const runs = new Counter({
    name: 'port_yard_runs_total',
    help: 'Runs that reached a final status, by target and status.',
    labelNames: ['target', 'status'],
    registers: [registry],
  });
  const bytesWritten = new Counter({
    name: 'port_yard_bytes_written_total',
    help: 'Bytes of artifacts written to storage (each committed copy counts).',
    registers: [registry],
  });

  const counted = new Set<string>();
  const observe = (run: RunRecord): void => {
    if (!finalStatuses.has(run.status) || counted.has(run.id)) return;
    counted.add(run.id);
    if (counted.size > countedLimit) counted.delete(counted.values().next().value!);
    runs.inc({ target: run.target, status: run.status });
    for (const artifact of run.result?.artifacts ?? []) {
      const copies = artifact.destinations.filter((destination) => destination.committed).length;
      if (copies > 0) bytesWritten.inc(artifact.storedBytes * copies);
    }
  };
  for (const run of daemon.registry.list()) observe(run);
  const unsubscribe = daemon.registry.subscribe((event) => observe(event.run));

  return {
    registry,
    route: async (_request, response) => {
      const text = await registry.metrics();
      response
        .writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' })
        .end(text);
    },
    close: unsubscribe,
  };
}
