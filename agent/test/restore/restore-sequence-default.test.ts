import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';

/**
 * A MariaDB table whose key defaults to `NEXTVAL(seq)`: mariadb-dump's default `LOCK TABLES t WRITE`
 * around its rows made the load fail ("Table 'seq' was not locked with LOCK TABLES"), so the
 * backup succeeded and never restored: not into a new database, not over its source.
 */
const source = uniqueName('py_t_rsd_src');
const copy = uniqueName('py_t_rsd_copy');
let dir: string;
let agent: Agent;

const rows = async (sql: string) => (await mariadbExec(sql)) as Record<string, unknown>[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rsd-'));
  agent = createAgent(
    configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: {
        maria: {
          ...{ engine: 'mariadb', host: '127.0.0.1', port: 3306, user: 'root' },
          ...{ databases: [source], destinations: ['local'] },
        },
      },
    }),
  );
  await mariadbExec(`CREATE DATABASE \`${source}\``);
  await mariadbExec(
    `CREATE SEQUENCE s START WITH 100 INCREMENT BY 5;
     CREATE TABLE t (id INT PRIMARY KEY DEFAULT NEXTVAL(s), v VARCHAR(10));
     INSERT INTO t (v) VALUES ('a'), ('b');`,
    source,
  );
});

afterAll(async () => {
  await mariadbExec([source, copy].map((name) => `DROP DATABASE IF EXISTS \`${name}\`;`).join(' '));
  await agent.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a MariaDB table whose column defaults to NEXTVAL of a sequence', () => {
  it('restores, rows and sequence included, and new rows take fresh values', async () => {
    const artifactId = (await agent.backup({ targetName: 'maria' })).artifacts[0]!.id;
    await agent.restore({ artifactId, toDatabase: copy });
    expect(await rows(`SELECT id, v FROM \`${copy}\`.t ORDER BY id`)).toEqual([
      { id: 100, v: 'a' },
      { id: 105, v: 'b' },
    ]);
    await mariadbExec(`INSERT INTO t (v) VALUES ('c')`, copy);
    const [added] = await rows(`SELECT id FROM \`${copy}\`.t WHERE v = 'c'`);
    expect(Number(added?.['id'])).toBeGreaterThan(105);
  });
});
