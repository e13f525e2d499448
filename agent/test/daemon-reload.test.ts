import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RunRecord } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { silentLogger } from '../src/platform/logger.ts';
import { systemClock, type SchedulerClock } from '../src/scheduler/scheduler.ts';
import { postgresExec, uniqueName } from './harness/sql.ts';
import { localPostgres } from './harness/temp-agent.ts';
import { waitFor } from './harness/wait-for.ts';
import { sftpConfigFor, startSshd, type Sshd } from './sftp/sshd.ts';

/**
 * A config reload while a backup is uploading: the run goes on with the old config and must not
 * lose its storage connection. The dump is held in the middle (another session locks the table,
 * so pg_dump waits) while the upload to the SSH server is open, and the reload comes then.
 */
const database = uniqueName('py_t_reload');
let sshd: Sshd;
let daemon: Daemon | undefined;
let other: Daemon | undefined;
let third: Daemon | undefined;
let locker: pg.Client | undefined;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-daemon-reload-'));
  sshd = await startSshd();
  await postgresExec(`CREATE DATABASE ${database}`);
  await postgresExec(
    'CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 100)',
    database,
  );
});

afterAll(async () => {
  await locker?.end().catch(() => undefined);
  await daemon?.stop(1000);
  await other?.stop(1000);
  await third?.stop(1000);
  await postgresExec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await sshd?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A clock that starts `hours` in the past (the agent has been up that long) until `catchUp()`. */
function startedHoursAgo(hours: number): { clock: SchedulerClock; catchUp: () => void } {
  let offsetMs = -hours * 3_600_000;
  return {
    clock: { now: () => new Date(Date.now() + offsetMs), setTimer: systemClock.setTimer },
    catchUp: () => void (offsetMs = 0),
  };
}

describe('daemon reload', () => {
  it('a backup uploading over SFTP during a reload still succeeds', async () => {
    const config = configSchema.parse({
      version: 1,
      storages: { nas: sftpConfigFor(sshd) },
      targets: {
        pg: {
          engine: 'postgres',
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          databases: [database],
          destinations: ['nas'],
        },
      },
    });
    daemon = createDaemon({ config, log: silentLogger });
    await daemon.start();

    locker = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database });
    await locker.connect();
    await locker.query('BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE');

    const run = daemon.runNow('pg');
    // pg_dump is connected and waiting for the lock; the upload's temp file is open by then.
    await waitFor('pg_dump waiting for the lock', async () => {
      const waiting = await postgresExec(
        `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE NOT l.granted AND d.datname = '${database}'`,
      );
      return waiting.rowCount! > 0;
    });
    await waitFor('the SFTP connection', async () => (await sshd.connectionCount()) > 0);

    await daemon.reload(config);
    await locker.query('ROLLBACK');

    const ended = await waitFor('the run to end', () => {
      const record: RunRecord | undefined = daemon!.registry.get(run.id);
      return record && !['queued', 'running'].includes(record.status) ? record : undefined;
    });
    expect(ended.message).toBeUndefined();
    expect(ended.status).toBe('succeeded');
    // The new config's catalog knows the artifact that run made.
    expect(daemon.status()[0]?.lastArtifactId).toBe(ended.result?.artifacts[0]?.id);
  }, 60_000);

  it('a target with a recent backup does not turn stale while a reload lists the storages', async () => {
    // The agent has been up for three hours; the target's maxAge is one hour.
    const { clock, catchUp } = startedHoursAgo(3);
    const config = configSchema.parse({
      version: 1,
      retentionSchedule: '0 0 1 1 *',
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: {
        pg: {
          engine: 'postgres',
          host: '127.0.0.1',
          port: 5432,
          user: 'postgres',
          databases: [database],
          destinations: ['local'],
          maxAge: '1h',
        },
      },
    });
    other = createDaemon({ config, log: silentLogger, clock });
    await other.start();
    catchUp();
    const run = other.runNow('pg');
    const ended = await waitFor('the backup', () => {
      const record = other!.registry.get(run.id);
      return record && !['queued', 'running'].includes(record.status) ? record : undefined;
    });
    expect(ended.status).toBe('succeeded');
    expect(other.status()[0]).toMatchObject({ stale: false });

    // What the stale check (and every console) sees while the reload is under way, and after.
    const reloading = other.reload(config);
    expect(other.status()[0]).toMatchObject({ stale: false, lastArtifactId: ended.result?.artifacts[0]?.id });
    await reloading;
    expect(other.status()[0]).toMatchObject({ stale: false, lastArtifactId: ended.result?.artifacts[0]?.id });
  }, 60_000);

  it('a target a reload adds is not stale at once (its maxAge counts from the reload) and is caught up', async () => {
    // The agent has been up for three hours; the new target's maxAge is one hour.
    const { clock, catchUp } = startedHoursAgo(3);
    const target = { ...localPostgres, databases: [database], maxAge: '1h' };
    const base = {
      version: 1,
      retentionSchedule: '0 0 1 1 *',
      storages: { local: { type: 'filesystem', path: join(dir, 'added') } },
    };
    third = createDaemon({
      config: configSchema.parse({ ...base, targets: { pg: target } }),
      log: silentLogger,
      clock,
    });
    await third.start();
    catchUp();
    await third.reload(
      configSchema.parse({ ...base, targets: { pg: target, added: { ...target, schedule: '0 3 * * *' } } }),
    );
    expect(third.status(['added'])[0]).toMatchObject({ stale: false });
    const caughtUp = await waitFor('the catch-up run of the added target', () => {
      const record = third!.registry.list({ target: 'added' }).find((run) => run.trigger === 'catch-up');
      return record && !['queued', 'running'].includes(record.status) ? record : undefined;
    });
    expect(caughtUp.status).toBe('succeeded');
  }, 60_000);
});
