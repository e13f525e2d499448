import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempAgent, localMariadb, type TempAgent } from '../harness/temp-agent.ts';
import { mariadbExec, uniqueName } from '../harness/sql.ts';

/**
 * A MariaDB user without the PROCESS privilege sees only its own sessions, so a restore over a
 * database cannot count, refuse or end other users' connections: the plan says so. With PROCESS
 * (directly, or through its default role) it does not.
 */
const database = uniqueName('py_t_priv');
const plain = uniqueName('py_t_noproc');
const viaRole = uniqueName('py_t_roleproc');
const role = uniqueName('py_t_role');
const password = 'py-test-pw';
let temp: TempAgent;
/** One artifact per target: each planned through its own user. */
const artifacts: Record<string, string> = {};

beforeAll(async () => {
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1);
     CREATE USER '${plain}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON ${database}.* TO '${plain}'@'%';
     CREATE ROLE ${role}; GRANT PROCESS ON *.* TO ${role};
     CREATE USER '${viaRole}'@'%' IDENTIFIED BY '${password}'; GRANT ALL ON ${database}.* TO '${viaRole}'@'%';
     GRANT ${role} TO '${viaRole}'@'%'; SET DEFAULT ROLE ${role} FOR '${viaRole}'@'%';`,
  );
  const target = (user: string) => ({ ...localMariadb, user, password, databases: [database] });
  temp = await createTempAgent({
    root: { ...localMariadb, databases: [database] },
    plain: target(plain),
    role: target(viaRole),
  });
  for (const name of ['root', 'plain', 'role']) {
    const result = await temp.agent.backup({ targetName: name });
    expect(result.failures).toEqual([]);
    artifacts[name] = result.artifacts[0]!.id;
  }
});

afterAll(async () => {
  await temp?.cleanup();
  await mariadbExec(
    `DROP DATABASE IF EXISTS ${database}; DROP USER IF EXISTS '${plain}'@'%'; DROP USER IF EXISTS '${viaRole}'@'%'; DROP ROLE IF EXISTS ${role};`,
  );
});

const hiddenWarning =
  /^the target's user cannot see other users' connections to py_t_priv_\w+ \(no PROCESS privilege in SHOW GRANTS\)/;
const warnsHidden = async (target: string): Promise<boolean> =>
  (await temp.agent.planRestore(artifacts[target]!)).warnings.some((warning) => hiddenWarning.test(warning));

describe('a restore plan on MariaDB and the PROCESS privilege', () => {
  it('warns when the target user cannot see other users\u2019 connections', async () => {
    expect(await warnsHidden('plain')).toBe(true);
  });

  it('does not warn with PROCESS, granted directly (root) or through the default role', async () => {
    expect(await warnsHidden('root')).toBe(false);
    expect(await warnsHidden('role')).toBe(false);
  });
});
