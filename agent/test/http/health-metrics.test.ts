import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { hashSecret } from '../../src/auth/password-hash.ts';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { startApi, type RunningApi } from '../../src/http/start-api.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import { createFilesystemStorage } from '../../src/storage/filesystem-storage.ts';
import { putFakeArtifact } from '../harness/fake-artifacts.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { waitFor } from '../harness/wait-for.ts';

/**
 * /readyz and /metrics of a real agent API with sign-in required (they need none): readiness
 * over real filesystem storages, one of them unusable; metrics after real runs, one succeeding
 * against MariaDB and one failing to connect.
 */
const db = uniqueName('py_t_metrics');
let dir: string;
const daemons: Daemon[] = [];
const apis: RunningApi[] = [];

async function start(config: unknown): Promise<{ daemon: Daemon; api: RunningApi }> {
  const parsed = configSchema.parse(config);
  const daemon = createDaemon({ config: parsed, log: silentLogger });
  daemons.push(daemon);
  await daemon.start();
  const api = await startApi({ config: parsed, daemon, log: silentLogger, reloadConfig: async () => parsed });
  apis.push(api);
  return { daemon, api };
}

const basicAuth = async () => ({
  mode: 'basic',
  tokens: [{ name: 'ci', tokenHash: await hashSecret(randomBytes(16).toString('hex')), role: 'viewer' }],
});

/** The value of one series in Prometheus text, e.g. `port_yard_stale{target="shop"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function finished(daemon: Daemon, run: RunRecord): Promise<RunRecord> {
  return waitFor(
    `run of ${run.target}`,
    () => {
      const current = daemon.registry.get(run.id);
      return current && !['queued', 'running'].includes(current.status) ? current : undefined;
    },
    60_000,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-health-'));
  await mariadbExec(
    `CREATE DATABASE ${db}; CREATE TABLE ${db}.t (id INT PRIMARY KEY); INSERT INTO ${db}.t VALUES (1);`,
  );
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.close()));
  await Promise.all(daemons.map((daemon) => daemon.stop(1000)));
  await mariadbExec(`DROP DATABASE IF EXISTS ${db}`);
  await rm(dir, { recursive: true, force: true });
});

describe('readiness', () => {
  it('is ready when every storage answers, without signing in', async () => {
    const { api } = await start({
      version: 1,
      server: { port: 0 },
      auth: await basicAuth(),
      storages: {
        local: { type: 'filesystem', path: join(dir, 'ready') },
        fresh: { type: 'filesystem', path: join(dir, 'not-created-yet') },
      },
    });
    const response = await fetch(`${api.url}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: 'ready',
      storages: [
        { storage: 'local', ok: true },
        { storage: 'fresh', ok: true },
      ],
    });
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
  });

  it('is not ready (503) when a storage cannot work, and says which', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');
    const { api } = await start({
      version: 1,
      server: { port: 0 },
      storages: {
        local: { type: 'filesystem', path: join(dir, 'ready') },
        broken: { type: 'filesystem', path: join(file, 'backups') },
      },
    });
    const response = await fetch(`${api.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; failed: { storage: string; error: string }[] };
    expect(body.status).toBe('not ready');
    expect(body.failed).toEqual([
      { storage: 'broken', error: expect.stringContaining('a file is where a folder of the path should be') },
    ]);
  });
});

describe('metrics', () => {
  it('reports per-target facts, run counters, bytes written and process metrics, without signing in', async () => {
    const root = join(dir, 'metrics');
    const local = createFilesystemStorage({ name: 'local', root });
    // Two databases of one old run of `shop`: the last run is both of them.
    const first = await putFakeArtifact(local, {
      database: 'a',
      startedAt: new Date('2025-01-01T00:00:00Z'),
    });
    const second = await putFakeArtifact(local, {
      database: 'b',
      startedAt: new Date('2025-01-01T00:00:10Z'),
    });
    const { daemon, api } = await start({
      version: 1,
      server: { port: 0 },
      auth: await basicAuth(),
      storages: { local: { type: 'filesystem', path: root } },
      targets: {
        shop: { ...localMariadb, databases: ['a', 'b'], maxAge: '1d' },
        maria: { ...localMariadb, databases: [db] },
        down: { ...localMariadb, port: 1, databases: ['x'] },
      },
    });
    const ok = await finished(daemon, daemon.runNow('maria'));
    expect(ok.status, ok.message).toBe('succeeded');
    expect((await finished(daemon, daemon.runNow('down'))).status).toBe('failed');

    const response = await fetch(`${api.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    // fakeManifest: each started at startedAt, finished 5 s after 2026-11-26T03:00:00Z.
    const finishedAt = Date.parse('2026-11-26T03:00:05Z') / 1000;
    expect(sample(text, 'port_yard_last_success_timestamp_seconds{target="shop"}')).toBe(finishedAt);
    expect(sample(text, 'port_yard_last_duration_seconds{target="shop"}')).toBe(
      finishedAt - Date.parse('2025-01-01T00:00:00Z') / 1000,
    );
    expect(sample(text, 'port_yard_last_size_bytes{target="shop"}')).toBe(
      first.storedBytes + second.storedBytes,
    );
    expect(sample(text, 'port_yard_stale{target="shop"}')).toBe(1);
    expect(sample(text, 'port_yard_stale{target="maria"}')).toBe(0);
    expect(sample(text, 'port_yard_last_success_timestamp_seconds{target="down"}')).toBe(0);
    expect(sample(text, 'port_yard_last_size_bytes{target="down"}')).toBeUndefined();
    expect(sample(text, 'port_yard_last_size_bytes{target="maria"}')).toBe(
      ok.result!.artifacts[0]!.storedBytes,
    );
    expect(sample(text, 'port_yard_failures_since_start{target="down"}')).toBe(1);
    expect(sample(text, 'port_yard_failures_since_start{target="maria"}')).toBe(0);
    expect(sample(text, 'port_yard_runs_total{target="maria",status="succeeded"}')).toBe(1);
    expect(sample(text, 'port_yard_runs_total{target="down",status="failed"}')).toBe(1);
    expect(sample(text, 'port_yard_running_jobs')).toBe(0);
    expect(sample(text, 'port_yard_bytes_written_total')).toBe(ok.result!.artifacts[0]!.storedBytes);
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_total_bytes');
    // Nothing that identifies an artifact or a database.
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_/);
    expect(text).not.toContain(db);
  });
});
