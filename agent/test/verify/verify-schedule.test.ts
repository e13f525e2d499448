import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDaemon, type Daemon } from '../../src/daemon/daemon.ts';
import { silentLogger } from '../../src/platform/logger.ts';
import type { SchedulerClock } from '../../src/scheduler/scheduler.ts';
import { localMariadb } from '../harness/temp-agent.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';
import { waitFor } from '../harness/wait-for.ts';
import { startMariadbServer, type TestServer } from '../servers/test-servers.ts';
import { verifyConfig } from './verify-config.ts';

/**
 * verify.after as a cron expression: when it comes due, the newest artifact of each of the
 * target's databases is verified, not only the one database whose backup happened to end last.
 */
const databases = [uniqueName('py_t_vsched_a'), uniqueName('py_t_vsched_b')];
let dir: string;
let server: TestServer;
let daemon: Daemon;
let now = new Date();
const wakes: (() => void)[] = [];
const clock: SchedulerClock = {
  now: () => now,
  setTimer: (wake) => {
    wakes.push(wake);
    return () => undefined;
  },
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-verify-schedule-'));
  server = await startMariadbServer();
  for (const database of databases)
    await mariadbExec(
      `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1), (2);`,
    );
  daemon = createDaemon({
    config: verifyConfig({
      dir,
      server,
      engine: 'mariadb',
      name: 'scratch',
      targets: { t: { ...localMariadb, databases, verify: { server: 'scratch', after: '0 5 * * *' } } },
    }),
    log: silentLogger,
    clock,
  });
  await daemon.start();
});

afterAll(async () => {
  await daemon?.stop(1000);
  await server?.stop();
  for (const database of databases) await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('verification on a schedule', () => {
  it('verifies the newest artifact of every database of the target', async () => {
    const run = daemon.runNow('t');
    await waitFor(
      'the backup',
      () => daemon.registry.get(run.id)?.status === 'succeeded' || undefined,
      60_000,
    );
    expect(daemon.agent().catalog.list({ target: 't' })).toHaveLength(2);
    now = new Date(now.getTime() + 25 * 3_600_000);
    for (const wake of wakes.splice(0)) wake();
    const verified = (): boolean[] =>
      daemon
        .agent()
        .catalog.list({ target: 't' })
        .map((entry) => entry.locations[0]!.verificationOk === true);
    await waitFor('both verifications', () => (verified().every(Boolean) ? true : undefined), 30_000).catch(
      () => undefined,
    );
    expect(verified()).toEqual([true, true]);
  });
});
