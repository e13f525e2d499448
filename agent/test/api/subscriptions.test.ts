import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, createWSClient, wsLink } from '@trpc/client';
import { WebSocket } from 'ws';
import type { RunRecord, TargetStatus } from '@port-yard/shared';
import type { AppRouter } from '../../src/api/app-router.ts';
import { postgresExec, uniqueName } from '../harness/sql.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  bearer,
  mutate,
  openWs,
  secrets,
  startTestApi,
  subscribe,
  type TestApi,
  type WsConnection,
} from './api-harness.ts';

/**
 * Live run events over the WebSocket, against a real PostgreSQL backup: runs.events delivers
 * every change of a run started with runs.start (progress and the final status), tracked ids let
 * a client resume after exactly what it saw, and targets.changes follows the target's status.
 */
const database = uniqueName('py_t_api');
let api: TestApi;

beforeAll(async () => {
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    `CREATE TABLE t (id int PRIMARY KEY, v text);
     INSERT INTO t SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 20000) g`,
    database,
  );
  api = await startTestApi({
    targets: {
      pg: {
        engine: 'postgres',
        host: '127.0.0.1',
        port: 5432,
        user: 'postgres',
        databases: [database],
        destinations: ['local'],
      },
    },
  });
});

afterAll(async () => {
  await api?.close();
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

const finished = (run: RunRecord): boolean => !['queued', 'running'].includes(run.status);

interface Tracked<T> {
  readonly id: string;
  readonly data: T;
}

/** The tracked events of subscription `id` on a raw connection (`result.data` is `{ id, data }`). */
const dataOf = <T>(connection: WsConnection, id: number): Tracked<T>[] =>
  connection.messages
    .filter((message) => message.id === id && message.result?.type === 'data')
    .map((message) => {
      expect(message.result.data.id).toBe(message.result.id);
      return { id: message.result.id, data: message.result.data.data };
    });

async function startRun(): Promise<RunRecord> {
  const result = await mutate(api.url, 'runs.start', { target: 'pg' }, bearer(secrets.operatorToken));
  expect(result.status).toBe(200);
  return result.body.result.data;
}

describe('runs.events', () => {
  let events: Tracked<RunRecord>[] = [];
  let runId: string;

  it('delivers every change of a run started via runs.start, progress and the final status, with increasing ids', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id, first } = await subscribe(connection, 'runs.events', {});
    expect(first.result.type).toBe('started');
    runId = (await startRun()).id;
    await waitFor('the run to finish', () =>
      dataOf<RunRecord>(connection, id).find((event) => event.data.id === runId && finished(event.data)),
    );
    await connection.close();
    events = dataOf<RunRecord>(connection, id).filter((event) => event.data.id === runId);
    const statuses = events.map((event) => event.data.status);
    expect(statuses[0]).toBe('queued');
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('succeeded');
    const progress = events.filter((event) => event.data.progress).map((event) => event.data.progress!);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]).toMatchObject({ target: 'pg', database });
    expect(progress.map((update) => update.phase)).toContain('dump');
    expect(events.at(-1)!.data.result?.artifacts).toHaveLength(1);
    // One id for the run: the record's, the result's, and the stored manifest's.
    const result = events.at(-1)!.data.result!;
    expect(result.runId).toBe(runId);
    expect(api.daemon.agent().catalog.get(result.artifacts[0]!.id)?.manifest.runId).toBe(runId);
    const ids = events.map((event) => Number(event.id));
    expect(ids.every((value, index) => index === 0 || value > ids[index - 1]!)).toBe(true);
    expect(api.daemon.registry.get(runId)?.status).toBe('succeeded');
  });

  it('resuming with lastEventId replays only what came after it', async () => {
    const middle = events[Math.floor(events.length / 2)]!;
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id } = await subscribe(connection, 'runs.events', { lastEventId: middle.id });
    const after = events.filter((event) => Number(event.id) > Number(middle.id));
    await waitFor('the replay', () => dataOf(connection, id).length >= after.length);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await connection.close();
    expect(dataOf<RunRecord>(connection, id).map((event) => event.id)).toEqual(
      after.map((event) => event.id),
    );
  });

  it('resuming with the newest id replays nothing; a new run is delivered live', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id } = await subscribe(connection, 'runs.events', { lastEventId: events.at(-1)!.id });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(dataOf(connection, id)).toEqual([]);
    const next = await startRun();
    await waitFor('the second run', () =>
      dataOf<RunRecord>(connection, id).find((event) => event.data.id === next.id && finished(event.data)),
    );
    expect(dataOf<RunRecord>(connection, id)[0]!.data).toMatchObject({ id: next.id, status: 'queued' });
    await connection.close();
  });

  it('a lastEventId from before an agent restart (above every id) still gets the live events', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id } = await subscribe(connection, 'runs.events', { lastEventId: '999999999' });
    const next = await startRun();
    await waitFor('the run after a "restart"', () =>
      dataOf<RunRecord>(connection, id).find((event) => event.data.id === next.id && finished(event.data)),
    );
    await connection.close();
  });

  it('the tRPC client resumes by itself after the connection drops: no event lost, none repeated', async () => {
    const sockets: WebSocket[] = [];
    class AuthorizedWebSocket extends WebSocket {
      constructor(url: string | URL) {
        super(url, { headers: bearer(secrets.viewerToken) });
        sockets.push(this);
      }
    }
    const wsClient = createWSClient({
      url: api.wsUrl,
      WebSocket: AuthorizedWebSocket as unknown as typeof globalThis.WebSocket,
      retryDelayMs: () => 20,
    });
    const client = createTRPCClient<AppRouter>({ links: [wsLink({ client: wsClient })] });
    const received: Tracked<RunRecord>[] = [];
    let started = 0;
    const subscription = client.runs.events.subscribe(
      {},
      {
        onStarted: () => void (started += 1),
        onData: (event) => void received.push(event as unknown as Tracked<RunRecord>),
        onError: (error) => {
          throw error;
        },
      },
    );
    try {
      await waitFor('the subscription', () => started === 1);
      const run = await startRun();
      await waitFor('a few events', () => received.filter((event) => event.data.id === run.id).length >= 2);
      sockets[0]!.terminate(); // the network drops
      await waitFor('the client to reconnect', () => started === 2);
      await waitFor('the run to finish', () =>
        received.find((event) => event.data.id === run.id && finished(event.data)),
      );
      const ids = received.map((event) => Number(event.id));
      expect(new Set(ids).size).toBe(ids.length);
      const held = api.daemon.registry.eventsAfter(ids[0]! - 1).map((event) => event.seq);
      expect(ids).toEqual(held.slice(0, ids.length));
      expect(received.at(-1)!.data.status).toBe('succeeded');
    } finally {
      subscription.unsubscribe();
      wsClient.close();
    }
  });
});

describe('targets.changes', () => {
  it('delivers the target status as its run progresses and ends', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id, first } = await subscribe(connection, 'targets.changes', {});
    expect(first.result.type).toBe('started');
    const run = await startRun();
    const statuses = () => dataOf<TargetStatus>(connection, id).map((event) => event.data);
    const done = await waitFor('the run to finish', () => {
      const record = api.daemon.registry.get(run.id);
      return record && finished(record) ? record : undefined;
    });
    const artifactId = done.result!.artifacts[0]!.id;
    await waitFor('the final status', () =>
      statuses().find((status) => status.lastArtifactId === artifactId),
    );
    await connection.close();
    expect(statuses().every((status) => status.name === 'pg')).toBe(true);
    expect(
      statuses().some((status) => status.running?.id === run.id && status.running.status === 'running'),
    ).toBe(true);
    const last = statuses().at(-1)!;
    expect(last).toMatchObject({ lastArtifactId: artifactId, failuresSinceStartup: 0, stale: false });
    expect(last.running).toBeUndefined();
  });

  it('is refused to a connection that is not signed in', async () => {
    const connection = await openWs(api.wsUrl);
    const { first } = await subscribe(connection, 'targets.changes', {});
    expect(first.error.data.code).toBe('UNAUTHORIZED');
    await connection.close();
  });
});
