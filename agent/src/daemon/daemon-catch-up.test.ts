import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { silentLogger } from '../platform/logger.ts';
import type { SchedulerClock } from '../scheduler/scheduler.ts';
import { createFilesystemStorage } from '../storage/filesystem-storage.ts';
import { putFakeArtifact } from '../../test/harness/fake-artifacts.ts';
import { localMariadb } from '../../test/harness/temp-agent.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { createDaemon, type Daemon } from './daemon.ts';

/**
 * Catch-up at start, against a real filesystem storage and the local MariaDB, with the clock
 * fixed: a target is caught up when a scheduled time passed since its newest backup, also when
 * its schedule's gaps differ (months of 28 to 31 days, weekdays only).
 */
const database = uniqueName('py_t_catch_up');
let dir: string;
const daemons: Daemon[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-daemon-catch-up-'));
  await mariadbExec(`CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY);`);
});

afterAll(async () => {
  await Promise.all(daemons.map((daemon) => daemon.stop(5000)));
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(dir, { recursive: true, force: true });
});

/** A daemon started at `now` whose one target `db` has a backup started at `newest`. */
async function startAt(now: string, schedule: string, newest: string): Promise<Daemon> {
  const root = join(dir, String(daemons.length));
  await putFakeArtifact(createFilesystemStorage({ name: 'local', root }), {
    target: 'db',
    database,
    startedAt: new Date(newest),
  });
  // The clock stands still, and no timer fires: only the start's catch-up can start a run.
  const clock: SchedulerClock = { now: () => new Date(now), setTimer: () => () => undefined };
  const config = configSchema.parse({
    version: 1,
    retentionSchedule: '0 0 1 1 *',
    storages: { local: { type: 'filesystem', path: root } },
    targets: { db: { ...localMariadb, databases: [database], schedule } },
  });
  const daemon = createDaemon({ config, log: silentLogger, clock });
  daemons.push(daemon);
  await daemon.start();
  return daemon;
}

async function caughtUp(daemon: Daemon): Promise<boolean> {
  const run = daemon.registry.list({ target: 'db' }).find((record) => record.trigger === 'catch-up');
  if (run)
    await waitFor(
      'the catch-up run to end',
      () => !['queued', 'running'].includes(daemon.registry.get(run.id)!.status),
    );
  return run !== undefined;
}

describe('catch-up at start', () => {
  it('catches up a monthly run missed on 1 March (February is shorter than the next interval)', async () => {
    const daemon = await startAt('2026-03-01T03:00:00Z', '0 2 1 * *', '2026-02-01T02:00:01Z');
    expect(await caughtUp(daemon)).toBe(true);
  });

  it('catches up weekday runs missed on Wednesday and Thursday (the interval from Thursday is 3 days)', async () => {
    const daemon = await startAt('2026-11-26T03:00:00Z', '0 2 * * 1-5', '2026-11-24T02:00:01Z');
    expect(await caughtUp(daemon)).toBe(true);
  });

  it('does not catch up when no scheduled time passed since the newest backup', async () => {
    const daemon = await startAt('2026-03-01T03:00:00Z', '0 2 1 * *', '2026-03-01T02:00:01Z');
    expect(await caughtUp(daemon)).toBe(false);
  });
});
