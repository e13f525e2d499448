import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import { configSchema } from '@port-yard/shared';
import { createDaemon, type Daemon } from '../src/daemon/daemon.ts';
import { silentLogger, type LogFields, type Logger } from '../src/platform/logger.ts';
import { filesBelow, localMariadb, localPostgres } from './harness/temp-agent.ts';
import { mariadbExec, postgresExec, uniqueName } from './harness/sql.ts';
import { waitFor } from './harness/wait-for.ts';

/**
 * The daemon against the real servers, with second-level cron: artifacts appear, unchanged
 * databases are skipped, changes are backed up, retention keeps what its plan says, a hung dump
 * is killed at its timeout, and many targets share `maxConcurrent` slots.
 */
const pgDb = uniqueName('py_t_daemon');
const otherPgDb = uniqueName('py_t_daemon_other');
const mariaDb = uniqueName('py_t_daemon');
let dir: string;
const daemons: Daemon[] = [];

function startDaemon(config: unknown, log: Logger = silentLogger): Daemon {
  const daemon = createDaemon({ config: configSchema.parse(config), log });
  daemons.push(daemon);
  return daemon;
}

const finished = (runs: RunRecord[]): RunRecord[] =>
  runs.filter((run) => !['queued', 'running'].includes(run.status));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-daemon-'));
  await postgresExec(`CREATE DATABASE ${pgDb}`);
  await postgresExec(`CREATE DATABASE ${otherPgDb}`);
  await postgresExec('CREATE TABLE t (id int primary key, v text); INSERT INTO t VALUES (1, $$one$$)', pgDb);
  await postgresExec('CREATE TABLE t (id int)', otherPgDb);
  await mariadbExec(
    `CREATE DATABASE ${mariaDb}; CREATE TABLE ${mariaDb}.t (id INT PRIMARY KEY); INSERT INTO ${mariaDb}.t VALUES (1);`,
  );
});

afterAll(async () => {
  await Promise.all(daemons.map((daemon) => daemon.stop(1000)));
  await postgresExec(`DROP DATABASE IF EXISTS ${pgDb} WITH (FORCE)`);
  await postgresExec(`DROP DATABASE IF EXISTS ${otherPgDb} WITH (FORCE)`);
  await mariadbExec(`DROP DATABASE IF EXISTS ${mariaDb}`);
  await rm(dir, { recursive: true, force: true });
});

describe('the daemon', () => {
  it('backs up on schedule, skips unchanged databases, backs up changes, and applies retention', async () => {
    const storage = join(dir, 'scheduled');
    const infos: { message: string; fields?: LogFields }[] = [];
    const log: Logger = { ...silentLogger, info: (message, fields) => void infos.push({ message, fields }) };
    const daemon = startDaemon(
      {
        version: 1,
        // Only the retention after each backup is under test: the scheduled pass (hourly at :17)
        // would race it for the same deletions.
        retentionSchedule: '0 0 1 1 *',
        storages: { local: { type: 'filesystem', path: storage } },
        targets: {
          pg: {
            ...localPostgres,
            databases: [pgDb],
            schedule: '* * * * * *',
            skipIfUnchanged: true,
            retention: { keepLast: 2 },
          },
          maria: {
            ...localMariadb,
            databases: [mariaDb],
            schedule: '* * * * * *',
            skipIfUnchanged: true,
            retention: { keepLast: 2 },
          },
        },
      },
      log,
    );
    await daemon.start();
    const runs = () => finished(daemon.registry.list({ target: 'pg' }));
    await waitFor('a first backup', () => runs().find((run) => run.status === 'succeeded'));
    await waitFor('a skipped run', () => runs().find((run) => run.status === 'skipped'));
    expect(runs().find((run) => run.status === 'skipped')!.message).toMatch(
      /^skipped, unchanged: py_t_daemon_\w+ since /,
    );

    await postgresExec('INSERT INTO t VALUES (2, $$two$$)', pgDb);
    const before = runs().filter((run) => run.status === 'succeeded').length;
    await waitFor(
      'a backup of the change',
      () => runs().filter((run) => run.status === 'succeeded').length > before,
    );
    await postgresExec('INSERT INTO t VALUES (3)', otherPgDb);
    const afterOther = runs().length;
    await waitFor('two more runs', () => runs().length >= afterOther + 2);
    expect(
      runs()
        .slice(0, 2)
        .map((run) => run.status),
    ).toEqual(['skipped', 'skipped']);

    await postgresExec('INSERT INTO t VALUES (4, $$four$$)', pgDb);
    await waitFor('a third backup', () => runs().filter((run) => run.status === 'succeeded').length >= 3);
    const last = runs().find((run) => run.status === 'succeeded')!;
    expect(last.retention).toEqual({ deleted: 1, deferred: 0, failed: 0 });
    const pgArtifacts = daemon.agent().catalog.list({ target: 'pg' });
    expect(pgArtifacts).toHaveLength(2);
    // The log names what retention deleted after the backup, and it is gone from the catalog.
    const applied = infos.find(
      (line) => line.message === 'retention applied' && line.fields?.['target'] === 'pg',
    );
    expect(applied?.fields).toMatchObject({
      trigger: 'after-backup',
      deleted: [expect.any(String)],
      failed: [],
    });
    expect(daemon.agent().catalog.get((applied!.fields!['deleted'] as string[])[0]!)).toBeUndefined();
    expect((await filesBelow(join(storage, 'pg'))).length).toBe(4);

    await waitFor('a MariaDB skip', () =>
      finished(daemon.registry.list({ target: 'maria' })).find((run) => run.status === 'skipped'),
    );
    const status = daemon.status().find((target) => target.name === 'pg')!;
    expect(status).toMatchObject({
      failuresSinceStartup: 0,
      stale: false,
      lastArtifactId: pgArtifacts[0]!.manifest.artifactId,
    });
    expect(new Date(status.nextRunAt!).getTime()).toBeGreaterThan(Date.now() - 1000);
    await daemon.stop(5000);
  });

  it('kills a hung dump at the target timeout and reports it', async () => {
    const hung = join(dir, 'hung-dump');
    await writeFile(
      hung,
      '#!/bin/sh\nif [ "$1" = --version ]; then echo "mariadb-dump  Ver 10.19 Distrib 10.11.19-MariaDB"; exit 0; fi\nexec sleep 600\n',
    );
    await chmod(hung, 0o755);
    const daemon = startDaemon({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'hung') } },
      targets: { slow: { ...localMariadb, databases: [mariaDb], dumpCommand: hung, timeout: '2s' } },
    });
    await daemon.start();
    const started = Date.now();
    const run = daemon.runNow('slow');
    const done = await waitFor('the timeout', () => finished([daemon.registry.get(run.id)!])[0]);
    expect(done.status).toBe('failed');
    expect(done.message).toContain('timeout (2s)');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await filesBelow(join(dir, 'hung'))).toEqual([]);
    await daemon.stop(1000);
  });

  it('runs 20 targets with maxConcurrent 2: never more than 2 at once, all complete', async () => {
    const targets = Object.fromEntries(
      Array.from({ length: 20 }, (_, index) => [`t${index}`, { ...localPostgres, databases: [pgDb] }]),
    );
    const daemon = startDaemon({
      version: 1,
      maxConcurrent: 2,
      storages: { local: { type: 'filesystem', path: join(dir, 'many') } },
      targets,
    });
    await daemon.start();
    let running = 0;
    let peak = 0;
    const seen = new Map<string, string>();
    daemon.registry.subscribe(({ run }) => {
      const previous = seen.get(run.id);
      if (previous === run.status) return;
      seen.set(run.id, run.status);
      if (run.status === 'running') running++;
      else if (previous === 'running') running--;
      peak = Math.max(peak, running);
    });
    const runs = Object.keys(targets).map((name) => daemon.runNow(name));
    await waitFor(
      'all 20 runs',
      () => runs.every((run) => finished([daemon.registry.get(run.id)!]).length === 1),
      60_000,
    );
    expect(runs.map((run) => daemon.registry.get(run.id)!.status)).toEqual(Array(20).fill('succeeded'));
    expect(peak).toBe(2);
    expect(daemon.agent().catalog.list()).toHaveLength(20);
    await daemon.stop(1000);
  });
});
