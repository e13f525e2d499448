import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresExec, uniqueName } from '../../test/harness/sql.ts';
import { localPostgres } from '../../test/harness/temp-agent.ts';
import { createPostgresSandboxAccounts } from './postgres-sandbox-accounts.ts';
import { newSandboxId, newSandboxPassword } from './sandbox-names.ts';

/**
 * A sandbox role that made objects in another database of the test server (one that lets it
 * create there) could not be dropped: DROP ROLE failed on every expiry pass, and its login kept
 * working. It is now locked out first, and cleared from every database it has objects in.
 */
const other = uniqueName('py_t_sbxother');
const user = newSandboxId();

afterAll(async () => {
  await postgresExec(`DROP DATABASE IF EXISTS ${other} WITH (FORCE)`);
  await postgresExec(`DROP ROLE IF EXISTS ${user}`);
});

describe('dropping a PostgreSQL sandbox user', () => {
  it('clears what it owns in other databases, and the role is gone', async () => {
    const accounts = createPostgresSandboxAccounts(localPostgres);
    const password = newSandboxPassword();
    await accounts.createUser(user, password);
    await postgresExec(`CREATE DATABASE ${other}`);
    await postgresExec(`GRANT CREATE ON SCHEMA public TO ${user}`, other);
    const client = new pg.Client({ host: '127.0.0.1', user, password, database: other });
    await client.connect();
    await client.query('CREATE TABLE made_by_the_developer (id int)');
    await client.end();

    await accounts.dropUser(user);
    expect((await postgresExec(`SELECT 1 FROM pg_roles WHERE rolname = '${user}'`)).rows).toEqual([]);
    expect(
      (await postgresExec(`SELECT to_regclass('public.made_by_the_developer') AS t`, other)).rows[0],
    ).toEqual({ t: null });
  });
});
