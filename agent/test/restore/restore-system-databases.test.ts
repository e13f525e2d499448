import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, localPostgres, type TempAgent } from '../harness/temp-agent.ts';
import { mariadbExec, postgresExec } from '../harness/sql.ts';
import { dropDatabase, uniqueDatabaseName } from '../support/sample-databases.ts';

/**
 * The server's own databases are never a restore's destination: loading a dump over `mysql` would
 * take every account with it, over template1 every future database. The plan and the restore both
 * refuse, with the name typed back or not, and nothing on the server changes.
 */
type EngineName = 'mariadb' | 'postgres';
const sources = {
  mariadb: uniqueDatabaseName('py_t_sysdb_maria'),
  postgres: uniqueDatabaseName('py_t_sysdb_pg'),
};
const refused: Record<EngineName, string[]> = {
  mariadb: ['mysql', 'information_schema', 'performance_schema', 'sys', 'MySQL'],
  postgres: ['template0', 'template1', 'postgres'],
};
let temp: TempAgent;
const artifactIds: Partial<Record<EngineName, string>> = {};

beforeAll(async () => {
  await mariadbExec(
    `CREATE DATABASE ${sources.mariadb}; CREATE TABLE ${sources.mariadb}.t (id INT PRIMARY KEY)`,
  );
  await postgresExec(`CREATE DATABASE ${sources.postgres}`);
  await postgresExec('CREATE TABLE t (id INT PRIMARY KEY)', sources.postgres);
  temp = await createTempAgent({
    maria: { ...localMariadb, databases: [sources.mariadb] },
    pg: { ...localPostgres, databases: [sources.postgres] },
  });
  for (const [engine, target] of [
    ['mariadb', 'maria'],
    ['postgres', 'pg'],
  ] as const) {
    const result = await temp.agent.backup({ targetName: target });
    expect(result.status).toBe('succeeded');
    artifactIds[engine] = result.artifacts[0]!.id;
  }
}, 60_000);

afterAll(async () => {
  for (const engine of ['mariadb', 'postgres'] as const) await dropDatabase(engine, sources[engine]);
  await temp?.cleanup();
});

/** Something the server needs from each system database, to show it is untouched. */
async function serverIntact(engine: EngineName): Promise<void> {
  if (engine === 'mariadb') {
    const users = (await mariadbExec("SELECT User FROM mysql.user WHERE User = 'root'")) as unknown[];
    expect(users.length).toBeGreaterThan(0);
  } else {
    const templates = await postgresExec(
      "SELECT datname FROM pg_database WHERE datname IN ('template0', 'template1', 'postgres')",
    );
    expect(templates.rows).toHaveLength(3);
    expect((await postgresExec("SELECT to_regclass('public.t') AS t", 'template1')).rows[0]).toEqual({
      t: null,
    });
  }
}

describe.each(['mariadb', 'postgres'] as const)(
  'restoring a %s artifact into a system database',
  (engine) => {
    it.each(refused[engine])('refuses %s, in the plan and in the restore, changing nothing', async (name) => {
      const expected = {
        code: 'INVALID_INPUT',
        message: expect.stringMatching(
          new RegExp(
            `^"${name}" cannot be restored into \\(--to-database; toDatabase in the API\\): it is .*; restore into another name$`,
          ),
        ),
      };
      await expect(temp.agent.planRestore(artifactIds[engine]!, name)).rejects.toMatchObject(expected);
      await expect(
        temp.agent.restore({ artifactId: artifactIds[engine]!, toDatabase: name, confirm: name }),
      ).rejects.toMatchObject(expected);
      await serverIntact(engine);
    });
  },
);
