import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '@port-yard/shared';
import { hasGlobalProcess } from '../../src/engines/mysql/mysql-replace.ts';
import { createAgent } from '../../src/main.ts';
import { quoteMaria } from '../odd-names/odd.ts';
import { mariadbServer, withMariadb } from '../support/servers.ts';
import { dropOdd2, odd2Dir, odd2Prefix } from './odd2.ts';

/**
 * mariadb-dump silently leaves out routines its user may not read; routineAccessProblem
 * (mysql-routine-access.ts) then marks the artifact incomplete, deciding from SHOW GRANTS which
 * grants are global by searching each line for ` ON *.* TO `. The name rule of 823375a lets a
 * database name hold spaces and `*`, so a grant on a database named `… ON *.* TO x` reads as a
 * global grant: `GRANT SELECT ON \`py_odd2_… ON *.* TO x\`.* TO …` passes as global SELECT, and
 * an artifact without the database's procedure says nothing about it.
 */
const prefix = odd2Prefix();
const database = `${prefix} ON *.* TO x`;
const user = `py_odd2_u${randomBytes(3).toString('hex')}`;
const password = 'odd2-routines-pw';
let dir: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  dir = await odd2Dir();
  await withMariadb(mariadbServer, undefined, async (c) => {
    await c.query(`CREATE DATABASE ${quoteMaria(database)}`);
    await c.query(`CREATE TABLE ${quoteMaria(database)}.t (id INT PRIMARY KEY)`);
    await c.query(`CREATE PROCEDURE ${quoteMaria(database)}.p_count() SELECT COUNT(*) FROM t`);
    await c.query(`CREATE USER '${user}'@'%' IDENTIFIED BY '${password}'`);
    await c.query(
      `GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES ON ${quoteMaria(database)}.* TO '${user}'@'%'`,
    );
  });
});

afterAll(async () => {
  await dropOdd2('mariadb', prefix);
  await withMariadb(mariadbServer, undefined, (c) => c.query(`DROP USER IF EXISTS '${user}'@'%'`));
  await dir?.cleanup();
});

describe('routine access check and a database name holding " ON *.* TO "', () => {
  it('still marks the artifact incomplete when the user may not read routine bodies', async () => {
    const agent = createAgent(
      configSchema.parse({
        version: 1,
        storages: { local: { type: 'filesystem', path: join(dir.dir, 'backups') } },
        targets: {
          m: {
            engine: 'mariadb',
            host: mariadbServer.host,
            port: mariadbServer.port,
            user,
            password,
            databases: [database],
            destinations: ['local'],
          },
        },
      }),
    );
    try {
      const result = await agent.backup({ targetName: 'm' });
      expect(result.failures).toEqual([]);
      // Before the fix: no `incomplete`, although the dump has no p_count (the user cannot read its body).
      expect(result.artifacts[0]?.incomplete).toMatch(
        /^stored procedures and functions are not in this backup/,
      );
    } finally {
      await agent.close();
    }
  });

  // The same reading in mysql-replace.ts (whether the restore user sees other users' sessions):
  // a grant on a database named `x, PROCESS ON *.* TO y` is taken for a global PROCESS, and the
  // restore plan drops its warning that other users' connections cannot be seen.
  it('hasGlobalProcess does not take a database-level grant for a global PROCESS', () => {
    expect(hasGlobalProcess('GRANT SELECT ON `py_odd2_x, PROCESS ON *.* TO y`.* TO `u`@`%`')).toBe(false);
  });
});
