import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { createAgent } from '../../src/main.ts';
import { createOdd2, dropOdd2, odd2Dir, odd2Prefix, odd2Rclone } from './odd2.ts';

/**
 * rclone's name encoding quotes with U+201B (‛). A key segment holding a ‛ that quotes nothing
 * (a database `q‛x`) is written by `rclone rcat`/`moveto` as the folder `q‛‛x`, and
 * `rclone lsjson -R` lists that folder as `q‛‛x`, not decoded back (rclone v1.60.1 here): the
 * listed key is not the key that was put. Such a backup succeeded, and the catalog then reported
 * its manifest as corrupt: an artifact that could be neither listed nor restored. The name rule
 * now refuses ‛: in the config, and as a failed database of `databases: all`, storing nothing.
 */
const prefix = odd2Prefix();
const name = `${prefix}q\u201bx`;
let dir: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  dir = await odd2Dir();
  await createOdd2('mariadb', name, ['one']);
});
afterAll(async () => {
  await dropOdd2('mariadb', prefix);
  await dir?.cleanup();
});

describe('rclone storage and a database name holding U+201B', () => {
  it('is refused: in the config, and by databases: all, which stores nothing', async () => {
    const { remote, configFile } = await odd2Rclone(dir.dir);
    const target = {
      engine: 'mariadb',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
      destinations: ['cloud'],
    };
    const storages = { cloud: { type: 'rclone', remote, configFile } };
    const listed = configSchema.safeParse({
      version: 1,
      storages,
      targets: { m: { ...target, databases: [name] } },
    });
    expect(listed.success).toBe(false);
    const config = configSchema.parse({
      version: 1,
      storages,
      targets: { m: { ...target, databases: 'all' } },
    });
    const agent = createAgent(config);
    try {
      const result = await agent.backup({ targetName: 'm', database: name });
      expect(result.status).toBe('failed');
      expect(result.failures[0]?.message).toContain(`database ${JSON.stringify(name)} cannot be backed up`);
      expect(await agent.catalog.refresh()).toEqual([]);
      expect(agent.catalog.list()).toEqual([]);
    } finally {
      await agent.close();
    }
  }, 120_000);
});
