import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';

/**
 * A MariaDB database whose default character set changed after its routines and triggers were
 * created: mariadb-dump writes `ALTER DATABASE `<source>` …` around each of them, naming the source.
 * A restore under another name ran them on the source, and failed outright where the source does
 * not exist (a rebuilt server): "Can't create/write to file './<source>/db.opt'".
 */
const source = uniqueName('py_t_rad_src');
const copies = [uniqueName('py_t_rad_staged'), uniqueName('py_t_rad_streamed')];
let dir: string;
const agents: Agent[] = [];
let artifactId: string;

const rows = async (sql: string) => (await mariadbExec(sql)) as Record<string, unknown>[];

function agentFor(staging: boolean): Agent {
  const config = configSchema.parse({
    version: 1,
    storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
    targets: {
      maria: {
        ...{ engine: 'mariadb', host: '127.0.0.1', port: 3306, user: 'root' },
        ...{ databases: [source], destinations: ['local'], restore: { staging } },
      },
    },
  });
  const agent = createAgent(config);
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rad-'));
  await mariadbExec(`CREATE DATABASE \`${source}\` CHARACTER SET latin1`);
  await mariadbExec(
    `CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10));
     CREATE PROCEDURE p() SELECT 1;
     CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW SET NEW.v = UPPER(NEW.v);
     INSERT INTO t VALUES (1, 'a');
     ALTER DATABASE \`${source}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;`,
    source,
  );
  artifactId = (await agentFor(true).backup({ targetName: 'maria' })).artifacts[0]!.id;
  // The server was rebuilt: the source is gone.
  await mariadbExec(`DROP DATABASE \`${source}\``);
});

afterAll(async () => {
  await mariadbExec([source, ...copies].map((name) => `DROP DATABASE IF EXISTS \`${name}\`;`).join(' '));
  for (const agent of agents) await agent.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a MariaDB restore under another name, with the source gone', () => {
  it.for([
    [copies[0]!, true],
    [copies[1]!, false],
  ] as const)(
    '%s (staging: %s): the routines keep their collation, the source stays gone',
    async ([into, staging]) => {
      const agent = agentFor(staging);
      await agent.catalog.refresh();
      await agent.restore({ artifactId, toDatabase: into });
      const [routine] = await rows(
        `SELECT DATABASE_COLLATION AS c FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '${into}'`,
      );
      expect(routine?.['c']).toBe('latin1_swedish_ci');
      const [trigger] = await rows(
        `SELECT DATABASE_COLLATION AS c FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '${into}'`,
      );
      expect(trigger?.['c']).toBe('latin1_swedish_ci');
      const [schema] = await rows(
        `SELECT DEFAULT_COLLATION_NAME AS c FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${into}'`,
      );
      expect(schema?.['c']).toBe('utf8mb4_unicode_ci');
      expect(await rows(`SHOW DATABASES LIKE '${source}'`)).toEqual([]);
    },
  );
});
