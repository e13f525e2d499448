import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineRegistry, engineFor } from '../../src/engines/engine-registry.ts';
import { createAgent, type Agent } from '../../src/main.ts';
import { mariadbExec, postgresExec, uniqueName } from '../harness/sql.ts';
import { localMariadb, localPostgres } from '../harness/temp-agent.ts';

/**
 * A restore into a new database makes it like the dumped one: before, it got the server's
 * defaults, so an ICU database's copy sorted text differently (`a10` before `a9`), and a latin1
 * MariaDB database's copy became utf8mb4. Where the server cannot (a locale it lacks), the copy
 * gets the defaults and the restore says so.
 */
const pgSource = uniqueName('py_t_rdo_pg');
const pgCopy = uniqueName('py_t_rdo_pgcopy');
const mySource = uniqueName('py_t_rdo_my');
const myCopy = uniqueName('py_t_rdo_mycopy');
const fallbacks = [uniqueName('py_t_rdo_pgfb'), uniqueName('py_t_rdo_myfb')];
let dir: string;
let agent: Agent;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-rdo-'));
  await postgresExec(
    `CREATE DATABASE ${pgSource} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'de-u-kn-true'`,
  );
  await postgresExec("CREATE TABLE t (v text); INSERT INTO t VALUES ('a10'), ('a9'), ('B'), ('b')", pgSource);
  await mariadbExec(`CREATE DATABASE ${mySource} CHARACTER SET latin1 COLLATE latin1_german2_ci`);
  await mariadbExec('CREATE TABLE t (v VARCHAR(10)); INSERT INTO t VALUES (1)', mySource);
  agent = createAgent(
    configSchema.parse({
      version: 1,
      storages: { local: { type: 'filesystem', path: join(dir, 'backups') } },
      targets: {
        pg: { ...localPostgres, databases: [pgSource], destinations: ['local'] },
        my: { ...localMariadb, databases: [mySource], destinations: ['local'] },
      },
    }),
  );
});

afterAll(async () => {
  for (const name of [pgSource, pgCopy, fallbacks[0]!])
    await postgresExec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  for (const name of [mySource, myCopy, fallbacks[1]!]) await mariadbExec(`DROP DATABASE IF EXISTS ${name}`);
  await agent?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('a restore into a new database', () => {
  it('PostgreSQL: the copy has the ICU locale of the dumped database, and sorts alike', async () => {
    const { artifacts } = await agent.backup({ targetName: 'pg' });
    expect(agent.catalog.get(artifacts[0]!.id)!.manifest.databaseOptions).toMatchObject({
      encoding: 'UTF8',
      localeProvider: 'icu',
      locale: 'de-u-kn-true',
    });
    const result = await agent.restore({ artifactId: artifacts[0]!.id, toDatabase: pgCopy });
    expect(result.warnings).not.toContainEqual(expect.stringContaining('was created with'));
    const facts = await postgresExec(
      `SELECT datlocprovider::text AS provider, daticulocale AS locale FROM pg_database WHERE datname = '${pgCopy}'`,
    );
    expect(facts.rows).toEqual([{ provider: 'i', locale: 'de-u-kn-true' }]);
    const sorted = async (database: string) =>
      (await postgresExec('SELECT v FROM t ORDER BY v', database)).rows.map((row) => row.v as string);
    expect(await sorted(pgCopy)).toEqual(await sorted(pgSource));
    expect(await sorted(pgCopy)).toEqual(['a9', 'a10', 'b', 'B']);
  });

  it('MariaDB: the copy has the character set and collation of the dumped database', async () => {
    const { artifacts } = await agent.backup({ targetName: 'my' });
    const result = await agent.restore({ artifactId: artifacts[0]!.id, toDatabase: myCopy });
    expect(result.warnings).not.toContainEqual(expect.stringContaining('was created with'));
    expect(
      await mariadbExec(
        `SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${myCopy}'`,
      ),
    ).toEqual([{ cs: 'latin1', co: 'latin1_german2_ci' }]);
  });

  it('a locale or collation the server lacks: the server defaults, with a warning that says so', async () => {
    const engines = createEngineRegistry();
    const pgWarnings = await engineFor(engines, 'postgres').createDatabase(localPostgres, fallbacks[0]!, {
      encoding: 'UTF8',
      lcCollate: 'xx_NO.nosuch',
      lcCtype: 'xx_NO.nosuch',
    });
    expect(pgWarnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${fallbacks[0]} was created with the server's default encoding and locale, not the dumped database's \\(encoding UTF8, locale xx_NO.nosuch\\): `,
        ),
      ),
    ]);
    expect(
      (await postgresExec(`SELECT 1 FROM pg_database WHERE datname = '${fallbacks[0]}'`)).rows,
    ).toHaveLength(1);
    const myWarnings = await engineFor(engines, 'mariadb').createDatabase(localMariadb, fallbacks[1]!, {
      characterSet: 'latin1',
      collation: 'latin1_nosuch_ci',
    });
    expect(myWarnings).toEqual([
      expect.stringContaining(
        `${fallbacks[1]} was created with character set utf8mb4, not the dumped database's latin1`,
      ),
    ]);
  });
});
