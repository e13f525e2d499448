import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { createAgent } from '../../src/main.ts';
import { createTestRemote, type TestRemote } from '../../src/storage/rclone/rclone-test-remote.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';

/**
 * A real backup to an rclone storage and a restore from it, through the composition root: the
 * dump streams through `rclone rcat`, the manifest commits last, and a fresh agent on the same
 * remote finds the artifact again by listing and reading manifests, then restores identical rows.
 */
const source = uniqueName('py_t_rclone_src');
const restored = uniqueName('py_t_rclone_dst');
let remote: TestRemote;

beforeAll(async () => {
  remote = await createTestRemote();
  await mariadbExec(`CREATE DATABASE ${source}; CREATE TABLE ${source}.t (id INT PRIMARY KEY, v TEXT, b BLOB);
    INSERT INTO ${source}.t SELECT seq, CONCAT('row ', seq, ' 🐳'), UNHEX(SHA2(seq, 256)) FROM test.seq_1_to_3000;`);
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${source}; DROP DATABASE IF EXISTS ${restored}`);
  await remote?.cleanup();
});

const agentOnRemote = () =>
  createAgent(
    configSchema.parse({
      version: 1,
      storages: { cloud: { type: 'rclone', remote: remote.remote, configFile: remote.configFile } },
      targets: {
        maria: {
          engine: 'mariadb',
          host: '127.0.0.1',
          port: 3306,
          user: 'root',
          databases: [source],
          destinations: ['cloud'],
        },
      },
    }),
  );

const rows = async (database: string): Promise<unknown> =>
  mariadbExec('SELECT id, v, HEX(b) AS b FROM t ORDER BY id', database);

describe('rclone storage round trip', () => {
  it('backs up MariaDB to an rclone remote and restores identical rows from it', async () => {
    const result = await agentOnRemote().backup({ targetName: 'maria' });
    expect(result.failures).toEqual([]);
    expect(result.status).toBe('succeeded');
    const artifactId = result.artifacts[0]!.id;
    const files = await remote.filesOnDisk();
    expect(files.some((file) => file.includes('port-yard-tmp'))).toBe(false);
    expect(files.filter((file) => file.startsWith(`maria/${source}/`)).length).toBeGreaterThanOrEqual(2);

    const fresh = agentOnRemote();
    expect(await fresh.catalog.refresh()).toEqual([]);
    expect(fresh.catalog.get(artifactId)?.locations).toMatchObject([{ storage: 'cloud' }]);
    await fresh.restoreToNewDatabase({ artifactId, toDatabase: restored });
    const after = (await rows(restored)) as unknown[];
    expect(after).toHaveLength(3000);
    expect(after).toEqual(await rows(source));
  });
});
