import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incompleteLabel } from '@port-yard/shared';
import { mariadbExec, uniqueName } from './harness/sql.ts';
import { createTempAgent, localMariadb, type TempAgent } from './harness/temp-agent.ts';

/**
 * mariadb-dump leaves out every stored routine its user may not read, and says nothing: with the
 * usual dump grants (SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES) a backup has no procedures.
 * Such an artifact must say so; with SELECT on mysql.proc it is whole, and says nothing.
 */
const database = uniqueName('py_t_routines');
const user = uniqueName('py_t_dumper');
const password = 'routines-test-pw';
let temp: TempAgent;

beforeAll(async () => {
  await mariadbExec(`CREATE DATABASE ${database}`);
  await mariadbExec(
    `CREATE TABLE t (id INT PRIMARY KEY); CREATE PROCEDURE p_count() SELECT COUNT(*) FROM t;`,
    database,
  );
  await mariadbExec(
    `CREATE USER '${user}'@'%' IDENTIFIED BY '${password}';
     GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${database}.* TO '${user}'@'%'`,
  );
  temp = await createTempAgent({
    shop: { ...localMariadb, user, password, databases: [database] },
  });
});

afterAll(async () => {
  await temp?.agent.close();
  await temp?.cleanup();
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${user}'@'%'`);
});

describe('a MariaDB dump user that may not read routine bodies', () => {
  it('makes an artifact that says it lacks stored procedures and functions', async () => {
    const result = await temp.agent.backup({ targetName: 'shop' });
    expect(result.status).toBe('succeeded');
    const [artifact] = result.artifacts;
    expect(artifact?.incomplete).toMatch(
      /^stored procedures and functions are not in this backup: the dump user may not read their bodies \(grant SELECT ON mysql\.proc/,
    );
    expect(temp.agent.catalog.get(artifact!.id)?.manifest.labels[incompleteLabel]).toBe(artifact!.incomplete);
  });

  it('says nothing once the user may (SELECT on mysql.proc)', async () => {
    await mariadbExec(`GRANT SELECT ON mysql.proc TO '${user}'@'%'`);
    const result = await temp.agent.backup({ targetName: 'shop' });
    expect(result.status).toBe('succeeded');
    expect(result.artifacts[0]).not.toHaveProperty('incomplete');
    expect(temp.agent.catalog.get(result.artifacts[0]!.id)?.manifest.labels).not.toHaveProperty(
      incompleteLabel,
    );
  });
});
