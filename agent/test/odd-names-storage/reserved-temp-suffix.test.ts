import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, databaseNameProblem } from '@port-yard/shared';
import { createAgent } from '../../src/main.ts';
import { createOdd2, dropOdd2, odd2Dir, odd2Prefix, odd2Rclone } from './odd2.ts';

/**
 * The name rule of 823375a accepts a database named `….port-yard-tmp`, but the filesystem, SFTP
 * and rclone storages refuse every key with a segment ending in `.port-yard-tmp` (reserved for
 * their temporary files, filesystem-temp-name.ts `isReservedSegment`). So `databases: all`
 * dumps such a database and then fails it at the store with INVALID_INPUT "storage key reserved
 * for temporary files" (S3, which has no such reservation, stores it: the same database is
 * backed up or not depending on the destination). Either the rule refuses the name up front
 * (with the hint to exclude it), or the storages carry it.
 */
const prefix = odd2Prefix();
const name = `${prefix}x.port-yard-tmp`;
let dir: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  dir = await odd2Dir();
  await createOdd2('mariadb', name, ['one']);
});
afterAll(async () => {
  await dropOdd2('mariadb', prefix);
  await dir?.cleanup();
});

describe('a database whose name ends in .port-yard-tmp', () => {
  it.each(['filesystem', 'rclone'])(
    'is refused by the name rule, or backed up to a %s storage',
    async (kind) => {
      const storage =
        kind === 'filesystem'
          ? { type: 'filesystem', path: join(dir.dir, 'backups') }
          : {
              type: 'rclone',
              ...(({ remote, configFile }) => ({ remote, configFile }))(await odd2Rclone(dir.dir)),
            };
      const agent = createAgent(
        configSchema.parse({
          version: 1,
          storages: { st: storage },
          targets: {
            m: {
              engine: 'mariadb',
              host: '127.0.0.1',
              port: 3306,
              user: 'root',
              databases: 'all',
              destinations: ['st'],
            },
          },
        }),
      );
      try {
        const result = await agent.backup({ targetName: 'm', database: name });
        // Before the fix: the rule accepted it, and the backup failed after the dump with
        // INVALID_INPUT: storage key reserved for temporary files: "m/py_odd2_…_x.port-yard-tmp/<id>.sql.zst".
        expect(databaseNameProblem(name, 'mariadb')).toContain('.port-yard-tmp');
        expect(result.failures[0]?.message).toMatch(/exclude/);
      } finally {
        await agent.close();
      }
    },
  );
});
