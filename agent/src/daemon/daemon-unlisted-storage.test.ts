import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, type RunRecord } from '@port-yard/shared';
import { silentLogger, type LogFields, type Logger } from '../platform/logger.ts';
import { filesBelow, localMariadb } from '../../test/harness/temp-agent.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';
import { waitFor } from '../../test/harness/wait-for.ts';
import { createDaemon, type Daemon } from './daemon.ts';

/**
 * A storage that cannot be listed (here a mount point looping onto itself, as a broken NAS mount
 * can) is a warning at start, not a daemon that never starts: the targets writing to a healthy
 * storage are still scheduled and backed up, against the real local MariaDB.
 */
const database = uniqueName('py_t_unlisted');
let dir: string;
let daemon: Daemon | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-daemon-unlisted-'));
  await symlink('nas', join(dir, 'nas'));
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1);`,
  );
});

afterAll(async () => {
  await daemon?.stop(1000);
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(dir, { recursive: true, force: true });
});

describe('the daemon with a storage it cannot list', () => {
  it('starts, warns about that storage, and backs up the targets writing elsewhere', async () => {
    const warnings: { message: string; fields?: LogFields }[] = [];
    const log: Logger = {
      ...silentLogger,
      warn: (message, fields) => void warnings.push({ message, fields }),
    };
    const config = configSchema.parse({
      version: 1,
      retentionSchedule: '0 0 1 1 *',
      storages: {
        local: { type: 'filesystem', path: join(dir, 'local') },
        nas: { type: 'filesystem', path: join(dir, 'nas') },
      },
      targets: {
        healthy: { ...localMariadb, databases: [database], destinations: ['local'], schedule: '* * * * * *' },
        offline: { ...localMariadb, databases: [database], destinations: ['nas'], schedule: '0 3 * * *' },
      },
    });
    daemon = createDaemon({ config, log });
    await daemon.start();

    expect(warnings).toEqual([
      {
        message: 'storage could not be listed',
        fields: expect.objectContaining({
          storage: 'nas',
          key: '',
          kind: 'listing-failed',
          message: expect.stringMatching(/^storage "nas" could not be listed \(.*ELOOP/),
        }),
      },
    ]);
    expect(daemon.status().map((target) => [target.name, typeof target.nextRunAt])).toEqual([
      ['healthy', 'string'],
      ['offline', 'string'],
    ]);
    const scheduled = (): RunRecord | undefined =>
      daemon!.registry
        .list({ target: 'healthy' })
        .find((run) => run.trigger === 'schedule' && run.status === 'succeeded');
    await waitFor('a scheduled backup to the healthy storage', scheduled);
    expect(daemon.agent().catalog.list({ target: 'healthy' })[0]?.locations[0]?.storage).toBe('local');
    expect((await filesBelow(join(dir, 'local'))).length).toBeGreaterThanOrEqual(2);
  });
});
