import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry, RestorePlan, RunRecord } from '@port-yard/shared';
import { postgresExec, uniqueName } from '../harness/sql.ts';
import { waitFor } from '../harness/wait-for.ts';
import {
  bearer,
  mutate,
  openWs,
  query,
  secrets,
  startTestApi,
  subscribe,
  trpcCode,
  type TestApi,
} from './api-harness.ts';

/**
 * A restore over the API, against a real PostgreSQL database: the plan shows what will be
 * overwritten; the restore needs the database name typed back; it runs as a run of kind restore
 * whose progress arrives through runs.events; a busy target is refused; everything is audited.
 */
const database = uniqueName('py_t_api_restore');
let api: TestApi;
let artifactId: string;
const operator = bearer(secrets.operatorToken);

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
  const result = await api.daemon.agent().backup({ targetName: 'pg' });
  artifactId = result.artifacts[0]!.id;
  await postgresExec('DELETE FROM t WHERE id > 100', database);
});

afterAll(async () => {
  await api?.close();
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

const rows = async (): Promise<number> =>
  Number((await postgresExec('SELECT count(*) AS n FROM t', database)).rows[0].n);

describe('artifacts.restorePlan and artifacts.restore', () => {
  it('plans: the database to replace, its size, the artifact age and the confirmation to type', async () => {
    const result = await query(api.url, 'artifacts.restorePlan', { id: artifactId }, operator);
    expect(result.status).toBe(200);
    const plan = result.body.result.data as RestorePlan;
    expect(plan).toMatchObject({ mode: 'replace', database, confirmation: database, atomic: true });
    expect(plan.databaseBytes).toBeGreaterThan(0);
    expect(plan.serverVersion).toMatch(/^\d+/);
  });

  it('refuses a wrong confirmation with a clear message, changing nothing', async () => {
    const result = await mutate(api.url, 'artifacts.restore', { id: artifactId, confirm: 'nope' }, operator);
    expect(trpcCode(result)).toBe('BAD_REQUEST');
    expect(result.body.error.message).toContain(`type the database name ${database}`);
    expect(await rows()).toBe(100);
    expect(api.daemon.registry.list().filter((run) => run.kind === 'restore')).toEqual([]);
  });

  it('restores with the typed name: a restore run with progress, then the rows are back; audited', async () => {
    const connection = await openWs(api.wsUrl, bearer(secrets.viewerToken));
    const { id } = await subscribe(connection, 'runs.events', {});
    const result = await mutate(
      api.url,
      'artifacts.restore',
      { id: artifactId, confirm: database },
      operator,
    );
    expect(result.status).toBe(200);
    const run = result.body.result.data as RunRecord;
    expect(run).toMatchObject({
      kind: 'restore',
      status: 'running',
      restore: { artifactId, database, mode: 'replace' },
    });

    // A backup of the target while it is being restored is refused.
    const backup = await mutate(api.url, 'runs.start', { target: 'pg' }, operator);
    expect(backup.body.result.data).toMatchObject({ status: 'refused' });

    const events = (): RunRecord[] =>
      connection.messages
        .filter((message) => message.id === id && message.result?.type === 'data')
        .map((message) => message.result.data.data as RunRecord)
        .filter((event) => event.id === run.id);
    await waitFor(
      'the restore to finish',
      () => events().find((event) => event.status === 'succeeded'),
      60_000,
    );
    await connection.close();
    const phases = [...new Set(events().flatMap((event) => (event.progress ? [event.progress.phase] : [])))];
    expect(phases).toEqual(['stage', 'safety-backup', 'restore', 'swap']);
    const staged = events().find(
      (event) => event.progress?.phase === 'stage' && event.progress.totalStoredBytes,
    );
    expect(staged?.progress?.totalStoredBytes).toBeGreaterThan(0);
    // pg_restore --jobs reads the staged file itself: the load's progress is unknown, not 0%.
    const loading = events().filter((event) => event.progress?.phase === 'restore');
    expect(loading.length).toBeGreaterThan(0);
    expect(loading.map((event) => event.progress!.totalStoredBytes)).toEqual(loading.map(() => undefined));
    const done = events().at(-1)!;
    expect(done.restore?.safetyArtifactId).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(done.message).toMatch(
      new RegExp(`^restored \\S+ into ${database} \\(safety backup: ${done.restore!.safetyArtifactId}\\)$`),
    );
    expect(await rows()).toBe(20_000);

    // The target's failures are backups only: a restore run is not a failure of the target.
    const audit = await query(api.url, 'audit.list', { limit: 20 }, operator);
    const actions = (audit.body.result.data.items ?? audit.body.result.data).map((entry: AuditEntry) => [
      entry.action,
      entry.outcome,
    ]);
    expect(actions).toContainEqual(['artifact.restore', 'ok']);
    expect(actions).toContainEqual(['artifact.restore', 'failed']);
    await waitFor('the finished entry', async () => {
      const again = await query(api.url, 'audit.list', { limit: 20 }, operator);
      return (again.body.result.data.items ?? again.body.result.data).some(
        (entry: AuditEntry) => entry.action === 'artifact.restore.finished' && entry.outcome === 'ok',
      );
    });
  });

  it('cancels a running restore through runs.cancel', async () => {
    await postgresExec('DELETE FROM t WHERE id > 100', database);
    const result = await mutate(
      api.url,
      'artifacts.restore',
      { id: artifactId, confirm: database, safetyBackup: false },
      operator,
    );
    const run = result.body.result.data as RunRecord;
    const cancel = await mutate(api.url, 'runs.cancel', { runId: run.id }, operator);
    expect(cancel.body.result.data).toEqual({ cancelled: true });
    await waitFor('the cancel', () => api.daemon.registry.get(run.id)?.status === 'cancelled', 30_000);
    expect(await rows()).toBe(100);
  });
});
