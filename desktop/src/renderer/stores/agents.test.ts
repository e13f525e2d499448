// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RunRecord, TargetStatus } from '@port-yard/shared';
import { fakeAgent, operatorSession, type FakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from './agents.ts';

const target = (name: string, patch: Partial<TargetStatus> = {}): TargetStatus => ({
  name,
  engine: 'mariadb',
  timezone: 'UTC',
  failuresSinceStartup: 0,
  stale: false,
  ...patch,
});
const run = (id: string, patch: Partial<RunRecord> = {}): RunRecord => ({
  id,
  target: 'shop',
  trigger: 'manual',
  status: 'running',
  queuedAt: `2026-11-26T10:00:0${id.length % 10}Z`,
  ...patch,
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

let fake: FakeAgent;
beforeEach(() => {
  setActivePinia(createPinia());
  fake = fakeAgent();
  useConnector(fake.connector, { batchMs: 0 });
});

describe('the agents store', () => {
  it('connects: session, targets and recent runs arrive; the state follows the WebSocket', async () => {
    fake.targets = [target('shop'), target('warehouse', { stale: true })];
    fake.runs = [run('r1')];
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    expect(store.agents.a!.state).toBe('connecting');
    await settle();
    expect(store.agents.a!.session).toEqual(operatorSession);
    expect(store.targetRows.map((row) => [row.agentName, row.status.name])).toEqual([
      ['prod', 'shop'],
      ['prod', 'warehouse'],
    ]);
    expect(store.activeRuns.map((active) => active.run.id)).toEqual(['r1']);
    fake.open();
    expect(store.agents.a!.state).toBe('online');
    fake.close();
    expect(store.agents.a!.state).toBe('offline');
  });

  it('applies live events: a target status replaces the old one, a run moves from active to finished', async () => {
    fake.targets = [target('shop')];
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    fake.pushTarget(target('shop', { failuresSinceStartup: 2, lastFailureMessage: 'boom' }));
    fake.pushTarget(target('new-one'));
    await settle();
    expect(store.agents.a!.targets.map((status) => [status.name, status.failuresSinceStartup])).toEqual([
      ['shop', 2],
      ['new-one', 0],
    ]);
    fake.pushRun(
      run('r2', {
        progress: {
          target: 'shop',
          database: 'shop',
          phase: 'dump',
          rawBytes: 10,
          storedBytes: 3,
          bytesPerSecond: 1,
          elapsedMs: 5,
        },
      }),
    );
    await settle();
    expect(store.activeRuns).toHaveLength(1);
    fake.pushRun(run('r2', { status: 'succeeded', finishedAt: '2026-11-26T10:01:00Z' }));
    await settle();
    expect(store.activeRuns).toHaveLength(0);
    expect(store.runsOf('a', 'shop').map((entry) => entry.status)).toEqual(['succeeded']);
  });

  it('fetches everything again after a reconnect, so nothing missed stays missing', async () => {
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    fake.open();
    fake.close();
    fake.targets = [target('added-while-away')];
    fake.open();
    await settle();
    expect(fake.calls.filter((call) => call.path === 'targets.list')).toHaveLength(2);
    expect(store.agents.a!.targets.map((status) => status.name)).toEqual(['added-while-away']);
  });

  it('fetches the lists again every refresh period while online: a target removed by a config reload goes', async () => {
    useConnector(fake.connector, { batchMs: 0, refreshEveryMs: 20 });
    fake.targets = [target('shop'), target('old')];
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    fake.open();
    fake.targets = [target('shop')];
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(store.targetRows.map((row) => row.status.name)).toEqual(['shop']);
    store.disconnect('a');
  });

  it('shows nothing to a caller without the viewer role', async () => {
    fake.session = {
      ...operatorSession,
      identity: null,
      permissions: { ...operatorSession.permissions, view: false },
    };
    fake.targets = [target('secret')];
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    expect(store.targetRows).toEqual([]);
    expect(store.agents.a!.error).toBeNull();
  });

  it('disconnect unsubscribes and closes the connection', async () => {
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    store.disconnect('a');
    expect(fake.unsubscribed).toBe(2);
    expect(fake.closed).toBe(true);
    expect(store.list).toEqual([]);
  });

  it('records an error from the agent in one line', async () => {
    fake.targets = new Error('agent exploded') as never;
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    expect(store.agents.a!.error).toBe('agent exploded');
  });
  it('keeps an event that arrived while the lists were on their way: a finished run never turns back to running', async () => {
    // The lists answer late (a slow link, a busy agent): they were read before the run ended.
    let answer!: () => void;
    const late = new Promise<void>((resolve) => (answer = resolve));
    useConnector(
      (agent, events) => {
        const connection = fake.connector(agent, events);
        const client = connection.client as unknown as {
          runs: { list: { query: (input: unknown) => Promise<RunRecord[]> } };
          targets: { list: { query: (input: unknown) => Promise<TargetStatus[]> } };
        };
        for (const list of [client.runs.list, client.targets.list]) {
          const query = list.query;
          list.query = async (input: unknown) => {
            const result = await query(input);
            await late;
            return result as never;
          };
        }
        return connection;
      },
      { batchMs: 0 },
    );
    fake.runs = [run('r1')];
    fake.targets = [target('shop', { running: run('r1') })];
    const store = useAgentsStore();
    store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
    await settle();
    fake.pushRun(run('r1', { status: 'failed', finishedAt: '2026-11-26T10:01:00Z', message: 'boom' }));
    fake.pushTarget(target('shop', { lastFailureAt: '2026-11-26T10:01:00Z', lastFailureMessage: 'boom' }));
    await settle();
    answer();
    await settle();
    expect(store.runsOf('a').map((entry) => entry.status)).toEqual(['failed']);
    expect(store.activeRuns).toEqual([]);
    expect(store.agents.a!.targets[0]!.running).toBeUndefined();
    expect(store.agents.a!.targets[0]!.lastFailureMessage).toBe('boom');
  });
});
