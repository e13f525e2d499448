import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defaultServer,
  postgresMaintenanceDatabase,
  withMariadb,
  withPostgres,
  type Engine,
} from '../support/servers.ts';
import { quoteMaria, quotePg } from '../odd-names/odd.ts';

/** Helpers for the odd-names storage tests: databases `py_odd2_…`, files in `/tmp/py-odd2-*`. */
export function odd2Prefix(): string {
  return `py_odd2_${randomBytes(3).toString('hex')}_`;
}

function assertOdd2(name: string): void {
  if (!name.startsWith('py_odd2_')) throw new Error(`${JSON.stringify(name)} is not a py_odd2_ name`);
}

export async function createOdd2(
  engine: Engine,
  name: string,
  rows: readonly string[] = ['one', "it's"],
): Promise<void> {
  assertOdd2(name);
  const server = defaultServer(engine);
  if (engine === 'mariadb') {
    await withMariadb(server, undefined, async (c) => {
      await c.query(`CREATE DATABASE ${quoteMaria(name)} CHARACTER SET utf8mb4`);
      await c.query(`CREATE TABLE ${quoteMaria(name)}.t (id INT PRIMARY KEY, v VARCHAR(100))`);
      for (const [i, v] of rows.entries())
        await c.query(`INSERT INTO ${quoteMaria(name)}.t VALUES (?, ?)`, [i + 1, v]);
    });
  } else {
    await withPostgres(server, postgresMaintenanceDatabase, (c) =>
      c.query(`CREATE DATABASE ${quotePg(name)}`),
    );
    await withPostgres(server, name, async (c) => {
      await c.query('CREATE TABLE t (id INT PRIMARY KEY, v TEXT)');
      for (const [i, v] of rows.entries()) await c.query('INSERT INTO t VALUES ($1, $2)', [i + 1, v]);
    });
  }
}

export async function values2(engine: Engine, name: string): Promise<string[]> {
  const server = defaultServer(engine);
  if (engine === 'mariadb')
    return withMariadb(server, name, async (c) => {
      const [rows] = await c.query('SELECT v FROM t ORDER BY id');
      return (rows as { v: string }[]).map((r) => r.v);
    });
  return withPostgres(server, name, async (c) =>
    (await c.query<{ v: string }>('SELECT v FROM t ORDER BY id')).rows.map((r) => r.v),
  );
}

export async function odd2Databases(engine: Engine, prefix: string): Promise<string[]> {
  assertOdd2(prefix);
  const server = defaultServer(engine);
  if (engine === 'mariadb')
    return withMariadb(server, undefined, async (c) => {
      const [rows] = await c.query('SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA');
      return (rows as { name: string }[]).map((r) => r.name).filter((n) => n.startsWith(prefix));
    });
  return withPostgres(server, postgresMaintenanceDatabase, async (c) =>
    (await c.query<{ name: string }>('SELECT datname AS name FROM pg_database')).rows
      .map((r) => r.name)
      .filter((n) => n.startsWith(prefix)),
  );
}

export async function dropOdd2(engine: Engine, prefix: string): Promise<void> {
  const server = defaultServer(engine);
  for (const name of await odd2Databases(engine, prefix)) {
    if (engine === 'mariadb')
      await withMariadb(server, undefined, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteMaria(name)}`));
    else
      await withPostgres(server, postgresMaintenanceDatabase, (c) =>
        c.query(`DROP DATABASE IF EXISTS ${quotePg(name)} WITH (FORCE)`),
      );
  }
}

export async function odd2Dir(): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp('/tmp/py-odd2-');
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** An rclone config with a `local` remote `odd2` whose root is `<dir>/rclone`. */
export async function odd2Rclone(dir: string): Promise<{ remote: string; configFile: string; root: string }> {
  const root = join(dir, 'rclone');
  await mkdir(root, { recursive: true });
  const configFile = join(dir, 'rclone.conf');
  await writeFile(configFile, '[odd2]\ntype = local\n', { mode: 0o600 });
  return { remote: `odd2:${root}`, configFile, root };
}
