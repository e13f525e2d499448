import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { postgresExec, uniqueName } from '../../../test/harness/sql.ts';
import { localPostgres } from '../../../test/harness/temp-agent.ts';
import { postgresBeginReplace, stagingCopyOf } from './postgres-replace.ts';

/** Replacing a database beside itself on the local PostgreSQL: the swap, and a swap that fails. */
const server = localPostgres;
const created: string[] = [];

const tablespaces: { name: string; dir: string }[] = [];
/** Roles a test made, dropped after the databases (members before the roles they belong to). */
const roles: string[] = [];

async function databaseWith(table: string, options = ''): Promise<string> {
  const database = uniqueName('py_t_pgswap');
  created.push(database);
  await postgresExec(`CREATE DATABASE ${database} ${options}`);
  await postgresExec(`CREATE TABLE ${table} (id int)`, database);
  return database;
}

async function tablesOf(database: string): Promise<string[]> {
  const result = await postgresExec(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`, database);
  return result.rows.map((row: { tablename: string }) => row.tablename);
}

/** Databases named after `database` (its copy, its old self), and whether it takes connections. */
async function around(database: string): Promise<{ names: string[]; allowsConnections: boolean }> {
  const result = await postgresExec(
    `SELECT datname, datallowconn FROM pg_database WHERE datname LIKE '${database}%' ORDER BY datname`,
  );
  const rows = result.rows as { datname: string; datallowconn: boolean }[];
  return {
    names: rows.map((row) => row.datname),
    allowsConnections: rows.find((row) => row.datname === database)?.datallowconn ?? false,
  };
}

afterAll(async () => {
  const result = await postgresExec(
    `SELECT datname FROM pg_database WHERE ${created.map((name) => `datname LIKE '${name}%'`).join(' OR ')}`,
  );
  for (const { datname } of result.rows as { datname: string }[])
    await postgresExec(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  for (const role of roles) await postgresExec(`DROP ROLE IF EXISTS ${role}`);
  for (const { name, dir } of tablespaces) {
    await postgresExec(`DROP TABLESPACE IF EXISTS ${name}`);
    await rm(dir, { recursive: true, force: true });
  }
});

describe('stagingCopyOf', () => {
  it('names the database of a staging copy, cut to fit when it was long, and nothing else', () => {
    expect(stagingCopyOf('shop_pyr_0a1b2c3d')).toBe('shop');
    expect(stagingCopyOf(`${'x'.repeat(50)}_pyr_0a1b2c3d`)).toBe('x'.repeat(50));
    for (const name of [
      'shop',
      'shop_pyr_',
      'shop_pyr_0A1B2C3D',
      'shop_pyr_0a1b2c3',
      '_pyr_0a1b2c3d',
      'shop_pyo_0a1b2c3d',
    ])
      expect(stagingCopyOf(name)).toBeUndefined();
  });
});

describe('postgresBeginReplace', () => {
  it('swaps the loaded copy in and drops the original, leaving nothing beside it', async () => {
    const database = await databaseWith('before');
    const replacement = await postgresBeginReplace(server, database, { terminateConnections: true });
    // What `databases: all` knows to leave out while it loads (or after a kill -9).
    expect(stagingCopyOf(replacement.loadInto)).toBe(database);
    await postgresExec('CREATE TABLE after (id int)', replacement.loadInto);
    expect(await replacement.commit()).toEqual([]);
    expect(await tablesOf(database)).toEqual(['after']);
    expect(await around(database)).toEqual({ names: [database], allowsConnections: true });
  });

  it('keeps an ICU collation and a tablespace of its own', async () => {
    const tablespace = uniqueName('py_t_space');
    const dir = await mkdtemp('/tmp/py-test-tablespace-');
    tablespaces.push({ name: tablespace, dir });
    execFileSync('chown', ['postgres:postgres', dir]);
    await postgresExec(`CREATE TABLESPACE ${tablespace} LOCATION '${dir}'`);
    const database = await databaseWith(
      'before',
      `TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'de-DE' TABLESPACE ${tablespace}`,
    );
    const replacement = await postgresBeginReplace(server, database, { terminateConnections: true });
    await replacement.commit();
    const result = await postgresExec(
      `SELECT d.datlocprovider::text AS provider, to_jsonb(d) ->> 'daticulocale' AS icu, t.spcname AS space
       FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace WHERE d.datname = '${database}'`,
    );
    expect(result.rows[0]).toEqual({ provider: 'i', icu: 'de-DE', space: tablespace });
  });

  it("refuses a user without its owner's privileges before creating anything", async () => {
    const [owner, restorer] = [uniqueName('py_t_owner'), uniqueName('py_t_restorer')];
    roles.push(restorer, owner);
    // A NOINHERIT member may create a database for the owner, but not grant on, rename or drop it.
    await postgresExec(
      `CREATE ROLE ${owner} NOLOGIN; CREATE ROLE ${restorer} LOGIN CREATEDB NOINHERIT; GRANT ${owner} TO ${restorer}`,
    );
    const database = await databaseWith('before', `OWNER ${owner}`);
    await expect(
      postgresBeginReplace({ ...server, user: restorer }, database, { terminateConnections: true }),
    ).rejects.toMatchObject({
      code: 'AUTH_FAILED',
      message: `user ${restorer} cannot replace database ${database}: that needs the privileges of its owner ${owner} (be a superuser, the owner, or a member of ${owner} with INHERIT); nothing was changed`,
    });
    expect(await around(database)).toEqual({ names: [database], allowsConnections: true });
    expect(await tablesOf(database)).toEqual(['before']);
  });

  it('leaves the original in place and reachable when the swap fails', async () => {
    const database = await databaseWith('before');
    const replacement = await postgresBeginReplace(server, database, { terminateConnections: true });
    // The copy is gone by the time of the swap: its rename fails, inside the swap's transaction.
    await postgresExec(`DROP DATABASE ${replacement.loadInto}`);
    await expect(replacement.commit()).rejects.toThrow(/does not exist/);
    expect(await tablesOf(database)).toEqual(['before']);
    expect(await around(database)).toEqual({ names: [database], allowsConnections: true });
  });
});
